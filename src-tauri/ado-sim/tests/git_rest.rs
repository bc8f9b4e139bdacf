//! The git REST area against the demo repository: refs listing and batch updates with their
//! edge cases, commits, changes, items, branch stats, and pull requests (201, duplicate 409,
//! missing branches, conflicts found by a real merge, completion that really merges).

use ado_sim::{SimHandle, SimOptions};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ZERO: &str = "0000000000000000000000000000000000000000";

struct Api {
    s: SimHandle,
    c: reqwest::Client,
}

impl Api {
    async fn new() -> Self {
        Self {
            s: ado_sim::start(SimOptions::default()).await.unwrap(),
            c: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        let i = self.s.info();
        let sep = if path.contains('?') { '&' } else { '?' };
        format!(
            "{}/{}/_apis/git/repositories/{}/{path}{sep}api-version=7.1",
            i.org_url, i.project, i.repository
        )
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self
            .c
            .get(self.url(path))
            .basic_auth("", Some(&self.s.info().pat))
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let r = self
            .c
            .request(method, self.url(path))
            .basic_auth("", Some(&self.s.info().pat))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        (status, r.json().await.unwrap_or(Value::Null), headers)
    }

    async fn head(&self, branch: &str) -> String {
        let (_, v) = self.get(&format!("refs?filter=heads/{branch}")).await;
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == format!("refs/heads/{branch}"))
            .unwrap()["objectId"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn push_files(&self, branch: &str, files: Value) -> String {
        let i = self.s.info();
        let r: Value = self
            .c
            .post(format!("{}/git/push-files", i.admin_url))
            .json(&json!({"project": i.project, "repository": i.repository, "branch": branch, "message": format!("edit on {branch}"), "files": files}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["commitId"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn refs_list_filters_and_pages_with_a_continuation_token() {
    let api = Api::new().await;
    let (status, all) = api.get("refs").await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = all["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"refs/heads/main") && names.contains(&"refs/heads/workspace_publish"));
    assert!(
        names.contains(&"refs/heads/feature/customer-churn")
            && names.contains(&"refs/heads/demo/broken-artifact")
    );
    let (_, features) = api.get("refs?filter=heads/feature/").await;
    assert_eq!(features["count"], 2);
    let (_, contains) = api.get("refs?filterContains=PUBLISH").await;
    assert_eq!(contains["count"], 1);
    assert_eq!(contains["value"][0]["name"], "refs/heads/workspace_publish");

    let r = api
        .c
        .get(api.url("refs?$top=2"))
        .basic_auth("", Some(&api.s.info().pat))
        .send()
        .await
        .unwrap();
    let token = r.headers()["x-ms-continuationtoken"]
        .to_str()
        .unwrap()
        .to_owned();
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["count"], 2);
    let (_, second) = api
        .get(&format!("refs?$top=10&continuationToken={token}"))
        .await;
    assert_eq!(second["count"], names.len() - 2);
    assert_ne!(first["value"][0]["name"], second["value"][0]["name"]);
}

#[tokio::test]
async fn refs_updates_report_the_real_update_statuses() {
    let api = Api::new().await;
    let main = api.head("main").await;
    let churn = api.head("feature/customer-churn").await;
    let post = |body: Value| api.send(reqwest::Method::POST, "refs", body);

    let (status, v, _) = post(json!([
        {"name": "refs/heads/Release3_Hotfixes", "oldObjectId": ZERO, "newObjectId": main},
        {"name": "refs/heads/main", "oldObjectId": ZERO, "newObjectId": churn},
        {"name": "refs/heads/bad..name", "oldObjectId": ZERO, "newObjectId": main},
        {"name": "refs/heads/release3_hotfixes", "oldObjectId": ZERO, "newObjectId": main},
        {"name": "refs/heads/short", "oldObjectId": ZERO, "newObjectId": &main[..8]},
        {"name": "refs/heads/unknown", "oldObjectId": ZERO, "newObjectId": "1234567890123456789012345678901234567890"},
        {"name": "refs/heads/feature", "oldObjectId": ZERO, "newObjectId": main},
        {"name": "refs/heads/gone", "oldObjectId": main, "newObjectId": ZERO},
    ]))
    .await;
    assert_eq!(status, StatusCode::OK);
    let statuses: Vec<(&str, bool)> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["updateStatus"].as_str().unwrap(),
                r["success"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("succeeded", true),
            ("staleOldObjectId", false),
            ("invalidRefName", false),
            ("refNameConflict", false),
            ("unresolvableToCommit", false),
            ("unresolvableToCommit", false),
            ("refNameConflict", false),
            ("succeededNonExistentRef", true),
        ]
    );
    assert_eq!(v["value"][0]["repositoryId"].as_str().unwrap().len(), 36);
    assert_eq!(
        api.head("main").await,
        main,
        "a stale update does not move main"
    );

    // update with the right old id moves the branch; delete with a stale one does not
    let (_, v, _) = post(json!([{"name": "refs/heads/Release3_Hotfixes", "oldObjectId": main, "newObjectId": churn}])).await;
    assert_eq!(v["value"][0]["updateStatus"], "succeeded");
    let (_, v, _) = post(
        json!([{"name": "refs/heads/Release3_Hotfixes", "oldObjectId": main, "newObjectId": ZERO}]),
    )
    .await;
    assert_eq!(v["value"][0]["updateStatus"], "staleOldObjectId");
    let (_, v, _) = post(json!([{"name": "refs/heads/Release3_Hotfixes", "oldObjectId": churn, "newObjectId": ZERO}])).await;
    assert_eq!(v["value"][0]["updateStatus"], "succeeded");
    let (_, left) = api.get("refs?filter=heads/Release3").await;
    assert_eq!(left["count"], 0);
}

#[tokio::test]
async fn commits_changes_items_and_branch_stats() {
    let api = Api::new().await;
    let main = api.head("main").await;
    let (status, c) = api.get(&format!("commits/{main}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(c["commitId"], main.as_str());
    assert_eq!(c["author"]["date"], "2026-04-29T17:03:00Z");
    for key in [
        "parents",
        "treeId",
        "committer",
        "comment",
        "url",
        "remoteUrl",
        "_links",
    ] {
        assert!(c.get(key).is_some(), "{key}");
    }
    let (short_status, short) = api.get(&format!("commits/{}", &main[..10])).await;
    assert_eq!(short_status, StatusCode::OK);
    assert_eq!(short["commitId"], main.as_str());
    let (missing, err) = api
        .get("commits/1234567890123456789012345678901234567890")
        .await;
    assert_eq!(missing, StatusCode::NOT_FOUND);
    assert_eq!(err["typeKey"], "GitCommitDoesNotExistException");

    let (_, page) = api
        .get("commits?searchCriteria.$top=2&searchCriteria.$skip=1")
        .await;
    assert_eq!(page["count"], 2);
    assert_eq!(
        page["value"][0]["comment"],
        "WIP: revenue forecast pipeline"
    );
    let (_, all) = api
        .get("commits?searchCriteria.itemVersion.version=main")
        .await;
    assert_eq!(
        all["count"], 12,
        "the demo history of main (with the Release-2 hotfix fast-forwarded into it)"
    );

    let (_, changes) = api.get(&format!("commits/{main}/changes")).await;
    let paths: Vec<&str> = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["item"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        vec!["/linkedService", "/linkedService/ls_sales_sql.json"]
    );
    assert_eq!(changes["changeCounts"]["Edit"], 2);

    let (_, batch, _) = api
        .send(
            reqwest::Method::POST,
            "commitsbatch",
            json!({"ids": [main]}),
        )
        .await;
    assert_eq!(batch["count"], 1);
    assert_eq!(batch["value"][0]["changeCounts"]["Edit"], 2);

    let (_, item) = api.get("items?path=/publish_config.json&includeContent=true&versionDescriptor.version=main&versionDescriptor.versionType=branch").await;
    let content: Value = serde_json::from_str(item["content"].as_str().unwrap()).unwrap();
    assert_eq!(content["publishBranch"], "workspace_publish");
    let raw = api
        .c
        .get(api.url("items?path=/publish_config.json"))
        .basic_auth("", Some(&api.s.info().pat))
        .header("accept", "application/octet-stream")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(raw.contains("workspace_publish"));
    let (_, listing) = api.get("items?scopePath=/contoso-synapse-dev&recursionLevel=OneLevel&versionDescriptor.version=workspace_publish").await;
    let names: Vec<&str> = listing["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "/contoso-synapse-dev",
            "/contoso-synapse-dev/TemplateForWorkspace.json",
            "/contoso-synapse-dev/TemplateParametersForWorkspace.json"
        ]
    );
    let (missing, err) = api.get("items?path=/nope.json").await;
    assert_eq!(missing, StatusCode::NOT_FOUND);
    assert!(err["message"].as_str().unwrap().starts_with("TF401174"));
    let (bad_branch, err) = api
        .get("items?path=/README.md&versionDescriptor.version=nope")
        .await;
    assert_eq!(bad_branch, StatusCode::NOT_FOUND);
    assert!(err["message"].as_str().unwrap().starts_with("TF401175"));

    let (_, tree) = api
        .get(&format!("trees/{}", c["treeId"].as_str().unwrap()))
        .await;
    let entries: Vec<&str> = tree["treeEntries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["relativePath"].as_str().unwrap())
        .collect();
    assert!(
        entries.contains(&"publish_config.json") && entries.contains(&"pipeline"),
        "{entries:?}"
    );
    let pipeline = tree["treeEntries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["relativePath"] == "pipeline")
        .unwrap();
    assert_eq!(pipeline["gitObjectType"], "tree");
    let (_, full) = api
        .get(&format!(
            "trees/{}?recursive=true",
            c["treeId"].as_str().unwrap()
        ))
        .await;
    assert!(full["treeEntries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["relativePath"] == "pipeline/pl_ingest_sales.json"));

    let (_, stats) = api.get("stats/branches?name=feature/sql-pool-views").await;
    assert_eq!(stats["aheadCount"], 1);
    assert_eq!(stats["behindCount"], 0);
    assert_eq!(stats["isBaseVersion"], false);
    let (_, churn) = api.get("stats/branches?name=feature/customer-churn").await;
    assert_eq!(churn["aheadCount"], 2);
    assert_eq!(churn["behindCount"], 2, "main moved on after Release-3");
}

#[tokio::test]
async fn pull_requests_merge_for_real() {
    let api = Api::new().await;
    let create = |source: &str, target: &str| {
        api.send(
            reqwest::Method::POST,
            "pullrequests",
            json!({"sourceRefName": source, "targetRefName": target, "title": format!("{source} into {target}"), "description": "demo"}),
        )
    };
    let (status, pr, _) = create("refs/heads/feature/sql-pool-views", "refs/heads/main").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(pr["status"], "active");
    assert_eq!(pr["mergeStatus"], "queued");
    let id = pr["pullRequestId"].as_i64().unwrap();

    let (dup, err, _) = create("refs/heads/feature/sql-pool-views", "refs/heads/main").await;
    assert_eq!(dup, StatusCode::CONFLICT);
    assert!(err["message"].as_str().unwrap().starts_with("TF401179"));
    let (missing, err, _) = create("refs/heads/nope", "refs/heads/main").await;
    assert_eq!(missing, StatusCode::BAD_REQUEST);
    assert!(err["message"].as_str().unwrap().starts_with("TF401398"));
    let (not_branch, _, _) = create("feature/sql-pool-views", "main").await;
    assert_eq!(not_branch, StatusCode::BAD_REQUEST);

    let (_, got) = api.get(&format!("pullrequests/{id}")).await;
    assert_eq!(got["mergeStatus"], "succeeded");
    assert_eq!(
        got["lastMergeTargetCommit"]["commitId"],
        api.head("main").await.as_str()
    );

    // a conflicting PR: both sides edit the same file differently
    api.push_files("conflict-a", json!({"README.md": "side A\n"}))
        .await;
    api.push_files("main", json!({"README.md": "side B\n"}))
        .await;
    let (_, c, _) = create("refs/heads/conflict-a", "refs/heads/main").await;
    let cid = c["pullRequestId"].as_i64().unwrap();
    let (_, conflicted) = api.get(&format!("pullrequests/{cid}")).await;
    assert_eq!(conflicted["mergeStatus"], "conflicts");
    let (refused, _, _) = api
        .send(
            reqwest::Method::PATCH,
            &format!("pullrequests/{cid}"),
            json!({"status": "completed"}),
        )
        .await;
    assert_eq!(refused, StatusCode::CONFLICT);
    let (_, abandoned, _) = api
        .send(
            reqwest::Method::PATCH,
            &format!("pullrequests/{cid}"),
            json!({"status": "abandoned"}),
        )
        .await;
    assert_eq!(abandoned["status"], "abandoned");

    // completing the clean one merges it into main
    let main_before = api.head("main").await;
    let (_, fresh) = api.get(&format!("pullrequests/{id}")).await;
    let (done_status, done, _) = api
        .send(
            reqwest::Method::PATCH,
            &format!("pullrequests/{id}"),
            json!({"status": "completed", "lastMergeSourceCommit": fresh["lastMergeSourceCommit"], "completionOptions": {"mergeStrategy": "noFastForward", "deleteSourceBranch": false}}),
        )
        .await;
    assert_eq!(done_status, StatusCode::OK);
    assert_eq!(done["status"], "completed");
    let main_after = api.head("main").await;
    assert_ne!(main_after, main_before);
    assert_eq!(done["lastMergeCommit"]["commitId"], main_after.as_str());
    let (_, merge) = api.get(&format!("commits/{main_after}")).await;
    assert_eq!(merge["parents"].as_array().unwrap().len(), 2);
    assert_eq!(merge["parents"][0], main_before.as_str());
    assert!(merge["comment"]
        .as_str()
        .unwrap()
        .starts_with(&format!("Merged PR {id}:")));
    let (_, item) = api
        .get("items?path=/sqlscript/sq_customer_revenue_view.json&versionDescriptor.version=main")
        .await;
    assert_eq!(
        item["path"], "/sqlscript/sq_customer_revenue_view.json",
        "the merged file is on main"
    );

    // Only the seed's forgotten Release-1 hotfix pull request is still active.
    let (_, active) = api.get("pullrequests?searchCriteria.status=active").await;
    assert_eq!(active["count"], 1);
    assert_eq!(
        active["value"][0]["sourceRefName"],
        "refs/heads/Release1_Hotfixes"
    );
    let (_, all) = api
        .get("pullrequests?searchCriteria.status=all&searchCriteria.targetRefName=refs/heads/main")
        .await;
    assert_eq!(
        all["count"],
        2 + 2,
        "these two and the seed's two hotfix pull requests"
    );
    assert_eq!(all["value"][0]["pullRequestId"], cid, "newest first");
}

#[tokio::test]
async fn refs_patch_only_locks_and_org_level_routes_take_a_repository_guid() {
    let api = Api::new().await;
    let (status, v, _) = api
        .send(
            reqwest::Method::PATCH,
            "refs?filter=heads/main",
            json!({"isLocked": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["isLocked"], true);
    let (_, listed) = api.get("refs?filter=heads/main").await;
    assert_eq!(listed["value"][0]["isLocked"], true);
    let (refused, err, _) = api
        .send(
            reqwest::Method::PATCH,
            "refs?filter=heads/main",
            json!({"newObjectId": "0000000000000000000000000000000000000000"}),
        )
        .await;
    assert_eq!(refused, StatusCode::BAD_REQUEST);
    assert_eq!(
        err["message"],
        "The only property which can be patched is isLocked."
    );
    let (missing, err, _) = api
        .send(
            reqwest::Method::PATCH,
            "refs?filter=heads/nope",
            json!({"isLocked": true}),
        )
        .await;
    assert_eq!(missing, StatusCode::NOT_FOUND);
    assert!(err["message"].as_str().unwrap().starts_with("TF401020"));

    // {org}/_apis/git/repositories/{guid}/... works without the project, like the real service
    let i = api.s.info();
    let (_, repo) = api.get("").await;
    let id = repo["id"].as_str().unwrap();
    let r = api
        .c
        .get(format!(
            "{}/_apis/git/repositories/{id}/refs?filter=heads/main&api-version=7.1",
            i.org_url
        ))
        .basic_auth("", Some(&i.pat))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["value"][0]["name"], "refs/heads/main");
}
