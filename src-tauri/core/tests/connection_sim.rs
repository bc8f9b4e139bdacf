//! "Test connection" and the profile pickers against the Azure DevOps simulator (`ado-sim`, demo
//! seed): the same calls the app makes, on a believable organization, including tokens without a
//! scope, revoked tokens and throttling injected through the simulator's admin API.

use ado_sim::{start, SimHandle, SimOptions};
use hotfix_core::ado::{AdoClient, Area, Token};
use hotfix_core::connection;
use hotfix_core::ErrorCode;
use serde_json::{json, Value};

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

#[tokio::test]
async fn the_seeded_token_passes_every_check() {
    let sim = sim().await;
    let info = sim.info();
    let report = connection::test_connection(
        &info.org_url,
        Token::new(&info.pat),
        true,
        Some(&info.project),
    )
    .await
    .unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(report.organization_url, info.org_url);
    assert_eq!(report.release_url, info.release_url.trim_end_matches('/'));
    assert_eq!(report.checks.len(), 7);
    let user = report.user.expect("the simulator names the signed-in user");
    assert!(!user.trim().is_empty());
}

#[tokio::test]
async fn the_pickers_list_the_demo_organization() {
    let sim = sim().await;
    let info = sim.info();
    let client = connection::client(&info.org_url, Token::new(&info.pat), true).unwrap();
    // Discovery gives the hosts the simulator announces, not rewritten ones.
    assert_eq!(
        client
            .base(Area::Release)
            .await
            .unwrap()
            .as_str()
            .trim_end_matches('/'),
        info.release_url
    );
    assert_eq!(
        client
            .base(Area::ExtensionManagement)
            .await
            .unwrap()
            .as_str()
            .trim_end_matches('/'),
        info.extmgmt_url
    );

    let projects = connection::list_projects(&client).await.unwrap();
    assert!(
        projects.iter().any(|p| p.name == "DataPlatform"),
        "{projects:?}"
    );

    let repos = connection::list_repositories(&client, "DataPlatform")
        .await
        .unwrap();
    let repo = repos
        .iter()
        .find(|r| r.name == "synapse-analytics")
        .expect("demo repo");
    assert_eq!(repo.default_branch.as_deref(), Some("main"));

    let defs = connection::list_release_definitions(&client, "DataPlatform")
        .await
        .unwrap();
    let def = defs
        .iter()
        .find(|d| d.name == "Synapse-Release")
        .expect("demo release definition");
    let stages: Vec<&str> = def.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(stages, ["Test", "Production"]);

    let endpoints = connection::list_service_connections(&client, "DataPlatform")
        .await
        .unwrap();
    let prod = endpoints
        .iter()
        .find(|e| e.name == "contoso-prod-arm")
        .expect("demo service connection");
    assert_eq!(prod.scheme, "ServicePrincipal");
    assert!(prod.supported && prod.is_ready);

    let queues = connection::list_agent_queues(&client, "DataPlatform")
        .await
        .unwrap();
    assert!(
        queues.iter().any(|q| q.name == "Azure Pipelines"),
        "{queues:?}"
    );

    let publish = connection::read_publish_branch(&client, "DataPlatform", &repo.id, "main")
        .await
        .unwrap();
    assert_eq!(publish.branch, "workspace_publish");
    assert!(publish.from_config, "{}", publish.message);
}

#[tokio::test]
async fn a_token_without_the_release_scope_is_reported_as_missing_scope() {
    let sim = sim().await;
    let info = sim.info().clone();
    let scopes = [
        "vso.project",
        "vso.code",
        "vso.build",
        "vso.serviceendpoint",
        "vso.agentpools",
        "vso.extension",
    ];
    admin(
        &sim,
        reqwest::Method::POST,
        "/tokens",
        Some(json!({"token": "no-release-scope", "scopes": scopes})),
    )
    .await;
    let report = connection::test_connection(
        &info.org_url,
        Token::new("no-release-scope"),
        true,
        Some(&info.project),
    )
    .await
    .unwrap();
    assert!(!report.ok);
    let failed: Vec<(&str, ErrorCode)> = report
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| (c.scope.as_str(), c.error.as_ref().unwrap().code))
        .collect();
    assert_eq!(failed, [("vso.release", ErrorCode::MissingScope)]);

    // The picker itself says the same.
    let client = connection::client(&info.org_url, Token::new("no-release-scope"), true).unwrap();
    let err = connection::list_release_definitions(&client, &info.project)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::MissingScope);
    assert!(
        err.message.contains("_usersSettings/tokens"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_revoked_or_unknown_token_is_rejected() {
    let sim = sim().await;
    let info = sim.info().clone();
    admin(
        &sim,
        reqwest::Method::POST,
        "/tokens",
        Some(json!({"token": "short-lived", "scopes": ["vso.project"]})),
    )
    .await;
    connection::test_connection(&info.org_url, Token::new("short-lived"), true, None)
        .await
        .unwrap();
    admin(&sim, reqwest::Method::DELETE, "/tokens/short-lived", None).await;
    let err = connection::test_connection(&info.org_url, Token::new("short-lived"), true, None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::TokenRejected, "{err:?}");
    let err = connection::test_connection(&info.org_url, Token::new("never-issued"), true, None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::TokenRejected, "{err:?}");
}

#[tokio::test]
async fn throttling_injected_by_the_simulator_is_waited_out() {
    let sim = sim().await;
    let info = sim.info().clone();
    admin(
        &sim,
        reqwest::Method::POST,
        "/faults",
        Some(json!({"method": "GET", "path": "/_apis/projects$", "status": 429, "headers": {"Retry-After": "1"}, "times": 1})),
    )
    .await;
    admin(&sim, reqwest::Method::DELETE, "/journal", None).await;
    let client = AdoClient::new(&info.org_url, Token::new(&info.pat)).unwrap();
    let projects = connection::list_projects(&client).await.unwrap();
    assert!(!projects.is_empty());
    let journal = admin(&sim, reqwest::Method::GET, "/journal", None).await;
    let statuses: Vec<u64> = journal
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/_apis/projects"))
        })
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [429, 200]);
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_reads_only() {
    let sim = sim().await;
    let info = sim.info().clone();
    let client = AdoClient::new(&info.org_url, Token::new(&info.pat)).unwrap();
    let fault = json!({"method": "GET", "path": "/_apis/projects$", "drop": true, "times": 1});
    admin(&sim, reqwest::Method::POST, "/faults", Some(fault)).await;
    assert!(!connection::list_projects(&client).await.unwrap().is_empty());

    let fault = json!({"method": "POST", "path": "/_apis/git/repositories/[^/]+/refs$", "drop": true, "times": 1});
    admin(&sim, reqwest::Method::POST, "/faults", Some(fault)).await;
    let path = format!(
        "{}/_apis/git/repositories/{}/refs",
        info.project, info.repository
    );
    let body = json!([{"name": "refs/heads/never-created", "oldObjectId": "0".repeat(40), "newObjectId": "1".repeat(40)}]);
    let err = client
        .send_json::<_, Value>(
            reqwest::Method::POST,
            Area::Core,
            &path,
            &[],
            &body,
            hotfix_core::ado::Retry::Never,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unreachable, "{err:?}");
}
