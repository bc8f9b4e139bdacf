use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::secrets::Token;

/// A token source that counts how often it was asked and hands out `t1`, `t2`, …
struct Counting(AtomicU32);

impl BearerSource for Counting {
    fn access_token(&self, force: bool) -> BoxFuture<'_, Result<Token, AppError>> {
        let n = if force || self.0.load(Ordering::SeqCst) == 0 {
            self.0.fetch_add(1, Ordering::SeqCst) + 1
        } else {
            self.0.load(Ordering::SeqCst)
        };
        Box::pin(async move { Ok(Token::new(format!("t{n}"))) })
    }

    fn account(&self) -> Option<String> {
        Some("jamal@contoso.com".into())
    }
}

fn quick() -> DataPlaneOptions {
    DataPlaneOptions {
        max_retries: 2,
        max_retry_wait: Duration::from_secs(2),
        base_backoff: Duration::from_millis(10),
        confirm_attempts: 3,
        confirm_interval: Duration::from_millis(10),
        ..DataPlaneOptions::default()
    }
}

fn client(server: &MockServer) -> DataPlane {
    DataPlane::new(
        Url::parse(&format!("{}/ws", server.uri())).unwrap(),
        "ws",
        TokenSource::EntraSignIn,
        Arc::new(Counting(AtomicU32::new(0))),
        Some("jamal@contoso.com".into()),
        quick(),
    )
    .unwrap()
}

#[test]
fn base_urls_for_real_and_simulated_profiles() {
    let mut p = Profile::new_with_defaults("p".into());
    assert_eq!(
        base_url(&p, "contoso-prod").unwrap().as_str(),
        "https://contoso-prod.dev.azuresynapse.net/"
    );
    p.simulated = true;
    p.organization_url = "http://127.0.0.1:4321/contoso".into();
    assert_eq!(
        base_url(&p, "contoso-prod").unwrap().as_str(),
        "http://127.0.0.1:4321/synapse/contoso-prod"
    );
    let err = base_url(&p, "bad/name").unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(TRIGGERS.kind, ArtifactKind::Trigger);
}

#[tokio::test]
async fn lists_follow_next_link_to_the_last_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ws/pipelines"))
        .and(query_param("api-version", API_VERSION))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [{"name": "b", "properties": {}}]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ws/pipelines"))
        .and(header("authorization", "Bearer t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"name": "a", "properties": {"activities": []}}],
            "nextLink": format!("{}/ws/pipelines?api-version={API_VERSION}&page=2", server.uri())})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let dp = client(&server);
    let items = dp.list(&COLLECTIONS[8]).await.unwrap();
    let names: Vec<&str> = items.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(items[0].kind, "pipeline");
}

#[tokio::test]
async fn a_next_link_to_another_host_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ws/triggers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [], "nextLink": "https://evil.example.com/steal"})))
        .mount(&server)
        .await;
    let err = client(&server).triggers().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ServerError);
    assert!(err.message.contains("another host"), "{}", err.message);
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once_then_explained() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ws/triggers/tr"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": {"code": "AuthenticationFailed", "message": "Token expired"}})))
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server).trigger("tr").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::TokenRejected);
    assert!(
        err.message.contains("AuthenticationFailed"),
        "{}",
        err.message
    );
    assert!(err.message.contains("sign in again"), "{}", err.message);
    let detail = err.detail.unwrap_or_default();
    assert!(
        !detail.contains("api-version"),
        "no query in the detail: {detail}"
    );
    assert!(
        !detail.contains("t1") && !detail.contains("t2"),
        "no token: {detail}"
    );
}

#[tokio::test]
async fn forbidden_names_synapse_rbac() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ws/datasets"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "error": {"code": "Unauthorized", "message": "The principal does not have the required Synapse RBAC permission"}})))
        .mount(&server)
        .await;
    let err = client(&server).list(&COLLECTIONS[3]).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NoPermission);
    assert!(err.message.contains("jamal@contoso.com"), "{}", err.message);
    assert!(
        err.message.contains("Synapse Artifact User"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn server_errors_are_retried_for_reads() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ws/notebooks"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ws/notebooks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .mount(&server)
        .await;
    assert!(client(&server)
        .list(&COLLECTIONS[5])
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn starting_a_started_trigger_sends_nothing_and_a_stop_is_confirmed_by_reading() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ws/triggers/tr"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "name": "tr", "properties": {"type": "ScheduleTrigger", "runtimeState": "Started"}})))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ws/triggers/tr"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "name": "tr", "properties": {"type": "ScheduleTrigger", "runtimeState": "Stopped"}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/ws/triggers/tr/stop"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let dp = client(&server);
    let t = dp.set_trigger_state("tr", true).await.unwrap();
    assert!(t.is_started(), "already started: nothing sent");
    let t = dp.set_trigger_state("tr", false).await.unwrap();
    assert_eq!(t.runtime_state, "Stopped");
    assert_eq!(t.trigger_type, "ScheduleTrigger");
}
