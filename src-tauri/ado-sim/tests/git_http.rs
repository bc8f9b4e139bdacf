//! Git over smart HTTP against the demo repository with the real `git` CLI: clone, commit, push,
//! and the push seen through the REST API (refs, commits, diffs); a ref created through REST is
//! fetched by `git`; pushing without credentials is refused with 401.

use std::path::Path;
use std::process::Command;

use ado_sim::{SimHandle, SimOptions};
use serde_json::{json, Value};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn clone_url(s: &SimHandle, pat: &str) -> String {
    let info = s.info();
    let org = info.org_url.replace("http://", &format!("http://x:{pat}@"));
    format!("{org}/{}/_git/{}", info.project, info.repository)
}

async fn rest(s: &SimHandle, path: &str) -> Value {
    let info = s.info();
    let url = format!(
        "{}/{}/_apis/git/repositories/{}/{path}",
        info.org_url, info.project, info.repository
    );
    let sep = if path.contains('?') { '&' } else { '?' };
    let r = reqwest::Client::new()
        .get(format!("{url}{sep}api-version=7.1"))
        .basic_auth("", Some(&info.pat))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clone_commit_push_and_see_it_through_rest() {
    let s = ado_sim::start(SimOptions::default()).await.unwrap();
    let work = tempfile::tempdir().unwrap();
    let url = clone_url(&s, &s.info().pat);
    let w = work.path().to_path_buf();
    let u = url.clone();
    tokio::task::spawn_blocking(move || git(&w, &["clone", "-q", &u, "repo"]))
        .await
        .unwrap();
    let repo = work.path().join("repo");
    assert!(repo.join("publish_config.json").exists());
    assert!(repo.join("pipeline/pl_ingest_sales.json").exists());
    let before = git(&repo, &["rev-parse", "HEAD"]);

    let r = repo.clone();
    let head = tokio::task::spawn_blocking(move || {
        git(&r, &["checkout", "-q", "-b", "Release3_Hotfixes"]);
        std::fs::write(
            r.join("pipeline/pl_hotfix.json"),
            "{\"name\":\"pl_hotfix\",\"properties\":{\"activities\":[]}}\n",
        )
        .unwrap();
        git(&r, &["add", "."]);
        git(
            &r,
            &[
                "-c",
                "user.name=Hot Fixer",
                "-c",
                "user.email=hot@contoso.com",
                "commit",
                "-q",
                "-m",
                "Hotfix: add pl_hotfix",
            ],
        );
        git(&r, &["push", "-q", "origin", "Release3_Hotfixes"]);
        git(&r, &["rev-parse", "HEAD"])
    })
    .await
    .unwrap();

    let refs = rest(&s, "refs?filter=heads/Release3_Hotfixes").await;
    assert_eq!(refs["count"], 1);
    assert_eq!(refs["value"][0]["objectId"], head.as_str());
    let commit = rest(&s, &format!("commits/{head}")).await;
    assert_eq!(commit["comment"], "Hotfix: add pl_hotfix\n");
    assert_eq!(commit["author"]["name"], "Hot Fixer");
    assert_eq!(commit["parents"][0], before.as_str());
    let commits = rest(&s, &format!("commits?searchCriteria.itemVersion.version=Release3_Hotfixes&searchCriteria.compareVersion.version={before}&searchCriteria.compareVersion.versionType=commit")).await;
    assert_eq!(commits["count"], 1);
    assert_eq!(commits["value"][0]["changeCounts"]["Add"], 1);
    let diff = rest(&s, &format!("diffs/commits?baseVersion={before}&baseVersionType=commit&targetVersion=Release3_Hotfixes&targetVersionType=branch")).await;
    assert_eq!(diff["aheadCount"], 1);
    assert_eq!(diff["behindCount"], 0);
    assert_eq!(diff["commonCommit"], before.as_str());
    let files: Vec<(&str, &str)> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["item"]["isFolder"].is_null())
        .map(|c| {
            (
                c["item"]["path"].as_str().unwrap(),
                c["changeType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(files, vec![("/pipeline/pl_hotfix.json", "add")]);
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ref_created_through_rest_is_fetched_by_git_and_anonymous_push_is_refused() {
    let s = ado_sim::start(SimOptions::default()).await.unwrap();
    let info = s.info().clone();
    let work = tempfile::tempdir().unwrap();
    let url = clone_url(&s, &info.pat);
    let w = work.path().to_path_buf();
    tokio::task::spawn_blocking(move || git(&w, &["clone", "-q", &url, "repo"]))
        .await
        .unwrap();
    let repo = work.path().join("repo");

    let main = rest(&s, "refs?filter=heads/main").await["value"][0]["objectId"]
        .as_str()
        .unwrap()
        .to_owned();
    let refs_url = format!(
        "{}/{}/_apis/git/repositories/{}/refs?api-version=7.1",
        info.org_url, info.project, info.repository
    );
    let created: Value = reqwest::Client::new()
        .post(&refs_url)
        .basic_auth("", Some(&info.pat))
        .json(&json!([{"name": "refs/heads/from-rest", "oldObjectId": "0000000000000000000000000000000000000000", "newObjectId": main}]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["value"][0]["updateStatus"], "succeeded");

    let r = repo.clone();
    let fetched = tokio::task::spawn_blocking(move || {
        git(&r, &["fetch", "-q", "origin"]);
        git(&r, &["rev-parse", "origin/from-rest"])
    })
    .await
    .unwrap();
    assert_eq!(fetched, main);

    let anon = format!("{}/{}/_git/{}", info.org_url, info.project, info.repository);
    let r = repo.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("git")
            .args(["push", &anon, "HEAD:refs/heads/anonymous"])
            .current_dir(&r)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("HOME", &r)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Authentication failed")
            || err.contains("could not read Username")
            || err.contains("401"),
        "{err}"
    );
    assert_eq!(rest(&s, "refs?filter=heads/anonymous").await["count"], 0);

    let code_read = reqwest::Client::new()
        .post(format!("{}/tokens", info.admin_url))
        .json(&json!({"token": "readonlytoken", "scopes": ["vso.code"]}))
        .send()
        .await
        .unwrap();
    assert!(code_read.status().is_success());
    let ro = clone_url(&s, "readonlytoken");
    let r = repo.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("git")
            .args(["push", &ro, "HEAD:refs/heads/readonly"])
            .current_dir(&r)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("HOME", &r)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(!out.status.success(), "vso.code cannot push");
    s.shutdown().await;
}
