//! "Synapse Studio — simulated": the page demo mode opens at `{org}/{project}/_git/{repo}?version=GB…`
//! lists the branch's artifacts without credentials, and its editor commits through the admin form
//! endpoint — commits the git REST area then shows, refusals that commit nothing.

use ado_sim::{SimHandle, SimOptions};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

struct Studio {
    sim: SimHandle,
    /// No redirects followed, so the 303 of a commit can be inspected.
    http: reqwest::Client,
}

impl Studio {
    async fn new() -> Self {
        Self {
            sim: ado_sim::start(SimOptions::default()).await.unwrap(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    fn page_url(&self, query: &str) -> String {
        let i = self.sim.info();
        format!("{}/{}/_git/{}?{query}", i.org_url, i.project, i.repository)
    }

    /// GET the page anonymously: (status, content type, body).
    async fn page(&self, query: &str) -> (StatusCode, String, String) {
        let r = self.http.get(self.page_url(query)).send().await.unwrap();
        let status = r.status();
        let ct = r.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        (status, ct, r.text().await.unwrap())
    }

    /// POST the editor form anonymously: (status, Location, body).
    async fn submit(&self, fields: &[(&str, &str)]) -> (StatusCode, Option<String>, String) {
        let i = self.sim.info();
        let mut form: Vec<(&str, &str)> = vec![
            ("org", "contoso"),
            ("project", &i.project),
            ("repository", &i.repository),
        ];
        form.extend_from_slice(fields);
        let r = self
            .http
            .post(format!("{}/studio/commit", i.admin_url))
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let location = r
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        (status, location, r.text().await.unwrap())
    }

    /// GET a git REST resource with the PAT.
    async fn rest(&self, path: &str) -> (StatusCode, Value) {
        let i = self.sim.info();
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = self
            .http
            .get(format!(
                "{}/{}/_apis/git/repositories/{}/{path}{sep}api-version=7.1",
                i.org_url, i.project, i.repository
            ))
            .basic_auth("", Some(&i.pat))
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn head(&self, branch: &str) -> String {
        let (_, refs) = self.rest(&format!("refs?filter=heads/{branch}")).await;
        refs["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == format!("refs/heads/{branch}"))
            .and_then(|r| r["objectId"].as_str())
            .unwrap_or_else(|| panic!("{branch}: {refs}"))
            .to_owned()
    }

    /// Paths of the files of a branch (REST items, full recursion), without the leading '/'.
    async fn files(&self, branch: &str) -> Vec<String> {
        let (status, items) = self
            .rest(&format!(
                "items?recursionLevel=Full&versionDescriptor.version={}&versionDescriptor.versionType=branch",
                branch.replace('/', "%2F")
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{items}");
        items["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["isFolder"] != true)
            .map(|i| {
                i["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches('/')
                    .to_owned()
            })
            .collect()
    }
}

/// The `data-commit` of the success banner.
fn committed(html: &str) -> Option<String> {
    let at = html.find("data-testid=\"studio-committed\" data-commit=\"")?;
    let rest = &html[at + "data-testid=\"studio-committed\" data-commit=\"".len()..];
    Some(rest[..40].to_owned())
}

#[tokio::test]
async fn the_page_lists_the_artifacts_of_the_branch_without_credentials() {
    let s = Studio::new().await;
    let (status, ct, html) = s.page("version=GBmain").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(html.contains("Synapse Studio — simulated"));
    assert!(
        html.contains("it is not Synapse Studio"),
        "says it is the simulator"
    );
    assert!(html.contains("prefers-color-scheme: dark"));
    assert!(
        !html.contains("<link") && !html.contains("src=\"http"),
        "self-contained"
    );
    // Every artifact file of main is listed, by type folder.
    let files = s.files("main").await;
    let artifacts: Vec<&String> = files
        .iter()
        .filter(|p| {
            p.ends_with(".json")
                && [
                    "pipeline/",
                    "notebook/",
                    "dataset/",
                    "linkedService/",
                    "trigger/",
                ]
                .iter()
                .any(|t| p.starts_with(t))
        })
        .collect();
    assert!(artifacts.len() >= 8, "{files:?}");
    for p in &artifacts {
        assert!(html.contains(&format!("data-path=\"{p}\"")), "{p} listed");
    }
    assert!(!html.contains("data-path=\"publish_config.json\""));
    assert!(html.contains(&s.head("main").await[..12]));
    // The branch selector lists every branch.
    for b in ["main", "workspace_publish", "feature/customer-churn"] {
        assert!(html.contains(&format!("<option value=\"GB{b}\"")), "{b}");
    }
    // Another branch, an artifact loaded in the editor (its JSON escaped in the textarea).
    let path = artifacts[0].as_str();
    let (status, _, html) = s
        .page(&format!(
            "version=GBfeature%2Fcustomer-churn&path={}",
            path.replace('/', "%2F")
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Commit to feature/customer-churn"));
    assert!(html.contains(&format!("<option value=\"{path}\" selected>")));
    assert!(html.contains("&quot;name&quot;"), "JSON is escaped");

    let (status, _, html) = s.page("version=GBno-such-branch").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("does not exist"), "{html}");
    // Only this page is anonymous: git smart HTTP still asks for credentials.
    let i = s.sim.info();
    let refs = s
        .http
        .get(format!(
            "{}/{}/_git/{}/info/refs?service=git-upload-pack",
            i.org_url, i.project, i.repository
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(refs.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_editor_commits_renames_and_deletes_like_studio_and_refuses_bad_input() {
    let s = Studio::new().await;
    let branch = "feature/customer-churn";
    let before = s.head(branch).await;
    let new =
        json!({"name": "pl_hotfix_check", "properties": {"activities": [], "annotations": []}});
    let new_text = new.to_string();
    let (status, location, body) = s
        .submit(&[
            ("branch", branch),
            ("head", &before),
            ("action", "commit"),
            ("path", ""),
            ("type", "pipeline"),
            ("content", &new_text),
            ("message", "Add the hotfix check pipeline"),
        ])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let location = location.unwrap();
    let sha = s.head(branch).await;
    assert_ne!(sha, before);
    assert!(location.contains(&format!("committed={sha}")), "{location}");
    // The commit is a normal one: parent = the old head, message, the file in Synapse's format.
    let (_, commit) = s.rest(&format!("commits/{sha}")).await;
    assert_eq!(commit["comment"], "Add the hotfix check pipeline");
    assert_eq!(commit["parents"][0], before);
    let (status, item) = s
        .rest(&format!(
            "items?path=/pipeline/pl_hotfix_check.json&includeContent=true&versionDescriptor.version={}",
            branch.replace('/', "%2F")
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{item}");
    let content = item["content"].as_str().unwrap();
    assert!(
        content.starts_with("{\n    \"name\": \"pl_hotfix_check\""),
        "{content}"
    );
    // The page the 303 points at announces the commit.
    let page = s
        .http
        .get(format!("{}{location}", s.sim.info().base_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(committed(&page).as_deref(), Some(sha.as_str()));
    assert!(page.contains("data-path=\"pipeline/pl_hotfix_check.json\""));

    // Invalid JSON: a clear error page that keeps the text, and no commit.
    let (status, _, html) = s
        .submit(&[
            ("branch", branch),
            ("action", "commit"),
            ("path", "pipeline/pl_hotfix_check.json"),
            ("type", "pipeline"),
            ("content", "{\"name\": \"pl_hotfix_check\", "),
            ("message", "broken"),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("not valid JSON"), "{html}");
    assert!(html.contains("Nothing was committed"));
    assert!(html.contains("{&quot;name&quot;: &quot;pl_hotfix_check&quot;, </textarea>"));
    assert_eq!(s.head(branch).await, sha);

    // A page loaded before another push: refused, nothing committed.
    let (status, _, html) = s
        .submit(&[
            ("branch", branch),
            ("head", &before),
            ("action", "commit"),
            ("path", ""),
            ("type", "pipeline"),
            (
                "content",
                &json!({"name": "pl_other", "properties": {}}).to_string(),
            ),
        ])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("moved since this page was loaded"));
    assert_eq!(s.head(branch).await, sha);

    // The publish branch is refused.
    let publish_head = s.head("workspace_publish").await;
    let (status, _, html) = s
        .submit(&[
            ("branch", "workspace_publish"),
            ("action", "commit"),
            ("path", ""),
            ("type", "pipeline"),
            ("content", &new_text),
        ])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("is the publish branch"), "{html}");
    assert_eq!(s.head("workspace_publish").await, publish_head);

    // Rename: the file moves (default message names the artifact).
    let renamed = json!({"name": "pl_hotfix_check2", "properties": {"activities": []}}).to_string();
    let (status, _, body) = s
        .submit(&[
            ("branch", branch),
            ("action", "commit"),
            ("path", "pipeline/pl_hotfix_check.json"),
            ("type", "pipeline"),
            ("content", &renamed),
            ("message", ""),
        ])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let files = s.files(branch).await;
    assert!(files.contains(&"pipeline/pl_hotfix_check2.json".to_owned()));
    assert!(!files.contains(&"pipeline/pl_hotfix_check.json".to_owned()));
    let (_, commit) = s.rest(&format!("commits/{}", s.head(branch).await)).await;
    assert_eq!(commit["comment"], "Update pipeline pl_hotfix_check2");

    // Delete.
    let (status, _, body) = s
        .submit(&[
            ("branch", branch),
            ("action", "delete"),
            ("path", "pipeline/pl_hotfix_check2.json"),
            ("message", "Remove the check"),
        ])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(!s
        .files(branch)
        .await
        .iter()
        .any(|p| p.starts_with("pipeline/pl_hotfix_check")));
    let (_, commit) = s.rest(&format!("commits/{}", s.head(branch).await)).await;
    assert_eq!(commit["comment"], "Remove the check");
}
