//! The pull request page demo mode opens from the app's merge-back links
//! (`{org}/{project}/_git/{repo}/pullrequest/{id}`): readable without credentials, showing the
//! computed merge status, and completing the pull request for real through its admin form.

use ado_sim::SimOptions;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_a_pull_request_anonymously_and_completes_it() {
    let sim = ado_sim::start(SimOptions::default()).await.unwrap();
    let i = sim.info().clone();
    let http = reqwest::Client::new();
    let api = format!(
        "{}/{}/_apis/git/repositories/{}",
        i.org_url, i.project, i.repository
    );
    let pr: Value = http
        .post(format!("{api}/pullrequests?api-version=7.1"))
        .basic_auth("", Some(&i.pat))
        .json(&json!({"sourceRefName": "refs/heads/feature/sql-pool-views", "targetRefName": "refs/heads/main",
                      "title": "Views <for> Power BI", "description": "Adds the revenue view."}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = pr["pullRequestId"].as_i64().unwrap();
    let page = format!(
        "{}/{}/_git/{}/pullrequest/{id}",
        i.org_url, i.project, i.repository
    );

    let r = http.get(&page).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Views &lt;for&gt; Power BI"),
        "escaped title: {html}"
    );
    assert!(
        html.contains("data-testid=\"pr-merge-status\">succeeded<"),
        "{html}"
    );
    assert!(html.contains("Adds the revenue view."));
    assert!(html.contains("data-testid=\"pr-complete\""));

    let done = http
        .post(format!("{}/git/pullrequests/{id}/complete", i.admin_url))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let html = done.text().await.unwrap();
    assert!(html.contains("data-testid=\"pr-completed\""), "{html}");
    let after: Value = http
        .get(format!("{api}/pullrequests/{id}?api-version=7.1"))
        .basic_auth("", Some(&i.pat))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["status"], "completed");
    // An unknown pull request is a 404 page, not an empty one.
    let missing = http.get(format!("{page}9")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("There is no pull request"));
    sim.shutdown().await;
}
