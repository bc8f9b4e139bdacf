//! The client's one retry rule: reads (and writes marked [`Retry::Safe`]) are repeated after
//! 429/500/502/503/504 and dropped connections, honouring `Retry-After` in both forms; other writes
//! are sent once. Counted in requests (wiremock expectations, the simulator's journal), never timed.
//! Also: every wait reaches the client's observer, and a decode error names the redacted URL.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ado_sim::{start, SimHandle, SimOptions};
use hotfix_core::ado::{
    AdoClient, Area, ClientOptions, Retry, RetryWait, Token, WaitObserver, WaitReason,
};
use hotfix_core::connection;
use hotfix_core::{AppError, ErrorCode};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAT: &str = "retry-pat-0123456789";

fn fast_options() -> ClientOptions {
    ClientOptions {
        base_backoff: Duration::from_millis(20),
        ..ClientOptions::default()
    }
}

/// A client whose waits are collected in the returned list.
fn observed(org_url: &str, token: &str) -> (AdoClient, Arc<Mutex<Vec<RetryWait>>>) {
    let client = AdoClient::with_options(org_url, Token::new(token), fast_options()).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let observer: WaitObserver =
        Arc::new(move |w: &RetryWait| sink.lock().unwrap().push(w.clone()));
    client.observe_waits(observer);
    (client, seen)
}

fn wiremock_client(server: &MockServer) -> (AdoClient, Arc<Mutex<Vec<RetryWait>>>) {
    observed(&format!("{}/contoso", server.uri()), PAT)
}

fn projects_page() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"count": 1, "value": [{"id": "a", "name": "Alpha"}]}))
}

async fn sim() -> SimHandle {
    start(SimOptions::default())
        .await
        .expect("the simulator did not start")
}

async fn admin(sim: &SimHandle, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}{path}", sim.info().admin_url);
    let mut req = reqwest::Client::new().request(method, &url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

/// `(method, status)` of the journal entries whose path ends with `suffix`.
async fn journal_of(sim: &SimHandle, suffix: &str) -> Vec<(String, u64)> {
    let journal = admin(sim, reqwest::Method::GET, "/journal", None).await;
    journal
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
        .map(|e| {
            (
                e["method"].as_str().unwrap().to_owned(),
                e["status"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_get_picker_recovers_from_one_500_and_one_dropped_connection() {
    let sim = sim().await;
    let info = sim.info().clone();
    let (client, seen) = observed(&info.org_url, &info.pat);
    for fault in [
        json!({"method": "GET", "path": "/_apis/projects$", "status": 500, "times": 1}),
        json!({"method": "GET", "path": "/_apis/projects$", "drop": true, "times": 1}),
    ] {
        admin(&sim, reqwest::Method::POST, "/faults", Some(fault)).await;
    }
    admin(&sim, reqwest::Method::DELETE, "/journal", None).await;
    let projects = connection::list_projects(&client).await.unwrap();
    assert!(projects.iter().any(|p| p.name == info.project));
    let calls = journal_of(&sim, "/_apis/projects").await;
    assert_eq!(
        calls.len(),
        3,
        "a 500, a dropped answer, then data: {calls:?}"
    );
    assert_eq!(calls[0].1, 500);
    let reasons: Vec<_> = seen.lock().unwrap().iter().map(|w| w.reason).collect();
    assert_eq!(
        reasons,
        [WaitReason::ServerError, WaitReason::ConnectionDropped]
    );
}

#[tokio::test]
async fn a_branch_create_post_that_fails_with_500_or_drops_is_sent_once() {
    let sim = sim().await;
    let info = sim.info().clone();
    let (client, seen) = observed(&info.org_url, &info.pat);
    let repos = connection::list_repositories(&client, &info.project)
        .await
        .unwrap();
    let repo = repos.iter().find(|r| r.name == info.repository).unwrap();
    let git = hotfix_core::ado::git::GitRepoApi::new(client.clone(), &info.project, &repo.id);
    let update = hotfix_core::ado::git::RefUpdate {
        name: "refs/heads/hotfix/never".into(),
        old_object_id: "0".repeat(40),
        new_object_id: "1".repeat(40),
    };
    for fault in [
        json!({"method": "POST", "path": "/refs$", "status": 500, "times": 3}),
        json!({"method": "POST", "path": "/refs$", "drop": true, "times": 3}),
    ] {
        admin(&sim, reqwest::Method::DELETE, "/faults", None).await;
        admin(&sim, reqwest::Method::POST, "/faults", Some(fault.clone())).await;
        admin(&sim, reqwest::Method::DELETE, "/journal", None).await;
        let err: AppError = git.update_ref(&update).await.unwrap_err().into();
        let posts = journal_of(&sim, "/refs").await;
        assert_eq!(
            posts.len(),
            1,
            "{fault}: the POST is never repeated: {posts:?}"
        );
        assert_eq!(posts[0].0, "POST");
        if fault["drop"] == true {
            assert_eq!(err.code, ErrorCode::Unreachable);
            assert!(
                err.message.contains("may or may not have been applied"),
                "{}",
                err.message
            );
        } else {
            assert_eq!(err.code, ErrorCode::ServerError);
        }
    }
    assert!(seen.lock().unwrap().is_empty(), "no wait for a write");
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = MockServer::start().await;
    let when = chrono::Utc::now() + chrono::Duration::seconds(3);
    let date = when.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    Mock::given(method("GET"))
        .and(path("/contoso/_apis/projects"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", date.as_str()))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/contoso/_apis/projects"))
        .respond_with(projects_page())
        .expect(1)
        .mount(&server)
        .await;
    let (client, seen) = wiremock_client(&server);
    assert_eq!(connection::list_projects(&client).await.unwrap().len(), 1);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let wait = &seen[0];
    assert_eq!(wait.reason, WaitReason::RateLimited);
    assert_eq!(wait.status, Some(429));
    assert!(wait.server_asked);
    // The date is whole seconds, 3 s ahead when written: between 1 and 3 s remain, far above the
    // 20 ms back-off the client would use on its own.
    assert!(
        (1000..=3000).contains(&wait.wait_ms),
        "waited {} ms",
        wait.wait_ms
    );
    assert!(
        wait.url.ends_with("/contoso/_apis/projects"),
        "{}",
        wait.url
    );
}

#[tokio::test]
async fn an_http_date_beyond_the_wait_budget_is_not_waited_for() {
    let server = MockServer::start().await;
    let date = (chrono::Utc::now() + chrono::Duration::minutes(10))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", date.as_str()))
        .expect(1)
        .mount(&server)
        .await;
    let (client, seen) = wiremock_client(&server);
    let err: AppError = connection::list_projects(&client).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::RateLimited);
    assert!(err.message.contains("asked to wait"), "{}", err.message);
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn every_retryable_status_is_retried_for_reads() {
    for status in [429u16, 500, 502, 503, 504] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(projects_page())
            .expect(1)
            .mount(&server)
            .await;
        let (client, seen) = wiremock_client(&server);
        assert_eq!(connection::list_projects(&client).await.unwrap().len(), 1);
        assert_eq!(seen.lock().unwrap()[0].status, Some(status));
    }
}

#[tokio::test]
async fn a_write_marked_safe_is_retried_and_an_unmarked_one_is_not() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = wiremock_client(&server);
    let put: Value = client
        .send_json(
            reqwest::Method::PUT,
            Area::Core,
            "_apis/things/1",
            &[],
            &json!({"state": "on"}),
            Retry::Safe,
        )
        .await
        .unwrap();
    assert_eq!(put["ok"], true);
    let err = client
        .send_json::<_, Value>(
            reqwest::Method::PATCH,
            Area::Core,
            "_apis/things/1",
            &[],
            &json!({"count": 1}),
            Retry::Never,
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn a_decode_error_names_the_redacted_url_of_the_host_that_answered() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contoso/_apis/resourceAreas"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 1, "value": [
            {"id": "efc2f575-36ef-48e9-b672-0c6fb4a48ac5", "name": "Release", "locationUrl": format!("{}/vsrm/contoso/", server.uri())}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/vsrm/contoso/P/_apis/release/releases/7"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{not json"))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = wiremock_client(&server);
    let err = client
        .get::<Value>(
            Area::Release,
            "P/_apis/release/releases/7",
            &[("$expand", "secret-looking".to_owned())],
        )
        .await
        .unwrap_err();
    let app: AppError = err.into();
    assert_eq!(app.code, ErrorCode::ServerError);
    let detail = app.detail.unwrap();
    let expected = format!(
        "GET {}/vsrm/contoso/P/_apis/release/releases/7:",
        server.uri()
    );
    assert!(detail.starts_with(&expected), "{detail}");
    assert!(!detail.contains("api-version") && !detail.contains("secret-looking"));
    assert!(!detail.contains(PAT));
}

#[tokio::test]
async fn a_slow_down_on_a_successful_answer_is_reported_before_the_next_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(projects_page().insert_header("Retry-After", "1"))
        .expect(2)
        .mount(&server)
        .await;
    let (client, seen) = wiremock_client(&server);
    connection::list_projects(&client).await.unwrap();
    assert!(seen.lock().unwrap().is_empty());
    connection::list_projects(&client).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].reason, WaitReason::SlowDown);
    assert!(seen[0].wait_ms <= 1000);
}
