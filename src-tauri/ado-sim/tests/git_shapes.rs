//! Shape fidelity of the git area: every official git example response (copied into
//! `tests/fixtures/azure-devops/specification/git/7.1/httpExamples`, see `tests/fixtures/README.md`)
//! is compared with the simulator's answer to the equivalent request on the demo world: same keys,
//! same JSON types, recursively (nulls, empty arrays/objects in an example are wildcards; arrays
//! compare their first items). Keys the service only sends in some states are listed per example with the reason.

use std::path::PathBuf;

use ado_sim::SimOptions;
use reqwest::Method;
use serde_json::{json, Value};

fn example(rel: &str) -> Value {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/azure-devops/specification/git/7.1/httpExamples")
        .join(rel);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let doc: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap();
    let (_, resp) = doc["responses"].as_object().unwrap().iter().next().unwrap();
    resp["body"].clone()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn compare(
    example: &Value,
    actual: &Value,
    path: &str,
    optional: &[&str],
    problems: &mut Vec<String>,
) {
    match (example, actual) {
        (Value::Null, _) => {}
        (Value::Array(e), _) if e.is_empty() => {}
        (Value::Object(e), _) if e.is_empty() => {}
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    None if optional.contains(&p.as_str()) => {}
                    None => problems.push(format!("{p}: missing (example has {})", kind(ev))),
                    Some(av) => compare(ev, av, &p, optional, problems),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let (Some(e0), Some(a0)) = (e.first(), a.first()) {
                compare(e0, a0, &format!("{path}[0]"), optional, problems);
            } else if a.is_empty() {
                problems.push(format!("{path}: empty list, nothing to compare"));
            }
        }
        (e, a) if kind(e) == kind(a) => {}
        (e, a) => problems.push(format!("{path}: {} instead of {}", kind(a), kind(e))),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_answers_have_the_shapes_of_the_official_examples() {
    let s = ado_sim::start(SimOptions::default()).await.unwrap();
    let info = s.info().clone();
    let c = reqwest::Client::new();
    let base = format!(
        "{}/{}/_apis/git/repositories/{}",
        info.org_url, info.project, info.repository
    );
    let call = |method: Method, path: String, body: Option<Value>| {
        let c = c.clone();
        let pat = info.pat.clone();
        let base = base.clone();
        async move {
            let sep = if path.contains('?') { '&' } else { '?' };
            let mut req = c
                .request(method, format!("{base}{path}{sep}api-version=7.1"))
                .basic_auth("", Some(&pat));
            if let Some(b) = body {
                req = req.json(&b);
            }
            let r = req.send().await.unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.json::<Value>().await.unwrap()
        }
    };
    let refs = call(Method::GET, "/refs?filter=heads/".into(), None).await;
    let head = |b: &str| {
        refs["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == format!("refs/heads/{b}"))
            .unwrap()["objectId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let main = head("main");
    let churn = head("feature/customer-churn");
    let commits = call(Method::GET, "/commits?searchCriteria.$top=20".into(), None).await;
    let first = commits["value"].as_array().unwrap().last().unwrap()["commitId"]
        .as_str()
        .unwrap()
        .to_owned();
    let state: Value = c
        .get(format!("{}/state", info.admin_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reviewer = state["core"]["users"][1]["id"].as_str().unwrap().to_owned();
    // a PR whose merge is computed (and one created for the POST shape)
    let pr = call(
        Method::POST,
        "/pullrequests".into(),
        Some(json!({"sourceRefName": "refs/heads/feature/sql-pool-views", "targetRefName": "refs/heads/main", "title": "Views", "description": "d", "reviewers": [{"id": reviewer}]})),
    )
    .await;
    let pr_id = pr["pullRequestId"].as_i64().unwrap();

    // (example, actual answer, keys the service sends only in some states)
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        ("repositories/GET__git_repositories.json", call(Method::GET, String::new(), None).await.pipe_repo_list(&info).await, vec![]),
        ("repositories/GET__git_repositories__repositoryId_.json", call(Method::GET, String::new(), None).await, vec![]),
        ("refs/GET__git_repositories__repositoryId__refs.json", refs.clone(), vec![]),
        ("refs/GET__git_repositories__repositoryId__refs_heads.json", refs.clone(), vec![]),
        (
            "refs/POST__git_repositories__repositoryId__refs.json",
            call(Method::POST, "/refs".into(), Some(json!([{"name": "refs/heads/shape-check", "oldObjectId": "0000000000000000000000000000000000000000", "newObjectId": main}]))).await,
            vec![],
        ),
        ("commits/GET__git_repositories__repositoryId__commits__commitId_.json", call(Method::GET, format!("/commits/{first}"), None).await, vec!["$.push"]),
        ("commits/GET__git_repositories__repositoryId__commits.json", commits.clone(), vec!["$.value[0].commentTruncated"]),
        ("commits/GET__git_repositories__repositoryId__commits__skip-_skip___top-_top_.json", call(Method::GET, "/commits?$skip=1&$top=2".into(), None).await, vec!["$.value[0].commentTruncated"]),
        ("commits/GET__git_repositories__repositoryId__commits_branch.json", call(Method::GET, "/commits?searchCriteria.itemVersion.version=main".into(), None).await, vec!["$.value[0].commentTruncated"]),
        ("commits/GET__git_repositories__repositoryId__commits_commit.json", call(Method::GET, format!("/commits?searchCriteria.itemVersion.version={main}&searchCriteria.itemVersion.versionType=commit"), None).await, vec!["$.value[0].commentTruncated"]),
        ("commitsBatch/POST__git_repositories__repositoryId__commitsBatch__ids.json", call(Method::POST, "/commitsbatch".into(), Some(json!({"ids": [main, churn]}))).await, vec![]),
        ("changes/GET__git_repositories__repositoryId__commits__commitId__changes_top-_top__skip-_skip_.json", call(Method::GET, format!("/commits/{first}/changes?top=2&skip=0"), None).await, vec![]),
        // added items have no originalObjectId
        ("commitDiffs/GET__git_repositories__repositoryId__diffs_commits_baseVersionType-_baseVersionType_.json", call(Method::GET, format!("/diffs/commits?baseVersion={first}&baseVersionType=commit&targetVersion={main}&targetVersionType=commit"), None).await, vec!["$.changes[0].item.originalObjectId"]),
        ("commitDiffs/GET__git_repositories__repositoryId__diffs_commits_targetVersion-_targetVersion__baseVersion-_baseVersion_.json", call(Method::GET, "/diffs/commits?baseVersion=main&targetVersion=feature/customer-churn".into(), None).await, vec![]),
        ("commitDiffs/GET__git_repositories__repositoryId__diffs_commits_targetVersion-_targetVersion__baseVersion-_baseVersion___top-_top___skip-_skip_.json", call(Method::GET, "/diffs/commits?baseVersion=main&targetVersion=feature/customer-churn&$top=2&$skip=1".into(), None).await, vec!["$.changes[0].item.isFolder"]),
        // (isFolder is only sent for folders; the page starts with a file)
        ("branchStats/GET__git_repositories__repositoryId__stats_branches__name_.json", call(Method::GET, "/stats/branches?name=feature/customer-churn".into(), None).await, vec![]),
        ("branchStats/GET__git_repositories__repositoryId__stats_branches__name__baseVersionType-_baseVersionType__baseVersion-_baseVersion_.json", call(Method::GET, format!("/stats/branches?name=main&baseVersionDescriptor.version={main}&baseVersionDescriptor.versionType=commit"), None).await, vec![]),
        // POST answers while the merge is still queued: no lastMerge* yet on the real service either
        ("pullRequests/POST__git_repositories__repositoryId__pullRequests.json", pr.clone(), vec![]),
        ("pullRequests/GET__git_repositories__repositoryId__pullRequests__pullRequestId_.json", call(Method::GET, format!("/pullrequests/{pr_id}"), None).await, vec![]),
        ("pullRequests/GET__git_repositories__repositoryId__pullRequests.json", call(Method::GET, "/pullrequests".into(), None).await, vec![]),
        ("pullRequests/GET__git_repositories__repositoryId__pullRequests_targetRefName-refs_heads_master.json", call(Method::GET, "/pullrequests?searchCriteria.targetRefName=refs/heads/main".into(), None).await, vec![]),
    ];
    let mut problems = Vec::new();
    for (file, actual, optional) in &cases {
        let mut p = Vec::new();
        compare(&example(file), actual, "$", optional, &mut p);
        problems.extend(p.into_iter().map(|x| format!("{file}: {x}")));
    }
    assert!(
        problems.is_empty(),
        "{} shape differences:\n{}",
        problems.len(),
        problems.join("\n")
    );
    s.shutdown().await;
}

/// The repositories list lives one level up from the repository URL.
trait PipeRepoList {
    async fn pipe_repo_list(self, info: &ado_sim::SimInfo) -> Value;
}

impl PipeRepoList for Value {
    async fn pipe_repo_list(self, info: &ado_sim::SimInfo) -> Value {
        reqwest::Client::new()
            .get(format!(
                "{}/{}/_apis/git/repositories?api-version=7.1",
                info.org_url, info.project
            ))
            .basic_auth("", Some(&info.pat))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}
