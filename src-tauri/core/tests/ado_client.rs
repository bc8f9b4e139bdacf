//! The Azure DevOps client and the pickers against `wiremock`, serving the official example
//! responses copied into `tests/fixtures/azure-devops/specification/**/httpExamples` (see
//! `tests/fixtures/README.md`) plus the edge cases a single canned answer shows best: sign-in
//! pages, 401, 429 + Retry-After, 500, a closed port. The retry rule itself is tested in
//! `retry_policy.rs`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use hotfix_core::ado::{AdoClient, AdoError, Area, ClientOptions, Retry, Token};
use hotfix_core::connection;
use hotfix_core::ErrorCode;
use serde_json::{json, Value};
use wiremock::matchers::{header, headers, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAT: &str = "wiremock-pat-0123456789";

/// `tests/fixtures` at the repository root: the official example files the tests read.
fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// The response body of an official example file.
fn example(rel: &str) -> Value {
    let file = fixtures_dir().join("azure-devops/specification").join(rel);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["responses"]["200"]["body"].clone()
}

fn resource_areas(server: &MockServer) -> Value {
    json!({"count": 3, "value": [
        {"id": "efc2f575-36ef-48e9-b672-0c6fb4a48ac5", "name": "Release", "locationUrl": format!("{}/vsrm/contoso/", server.uri())},
        {"id": "6c2b0933-3600-42ae-bf8b-93d4f7e83594", "name": "ExtensionManagement", "locationUrl": format!("{}/extmgmt/contoso/", server.uri())},
        {"id": "79134c72-4a58-4b42-976c-04e7115f32bf", "name": "core", "locationUrl": format!("{}/contoso/", server.uri())}
    ]})
}

fn fast_options() -> ClientOptions {
    ClientOptions {
        base_backoff: Duration::from_millis(20),
        ..ClientOptions::default()
    }
}

fn client(server: &MockServer) -> AdoClient {
    AdoClient::with_options(
        &format!("{}/contoso", server.uri()),
        Token::new(PAT),
        fast_options(),
    )
    .unwrap()
}

/// `GET _apis/projects` through [`client`], which the test expects to fail.
async fn projects_error(server: &MockServer) -> AdoError {
    client(server)
        .get::<Value>(Area::Core, "_apis/projects", &[])
        .await
        .unwrap_err()
}

fn vss(message: &str, type_key: &str) -> Value {
    json!({"$id": "1", "innerException": null, "message": message, "typeName": format!("Microsoft.{type_key}"), "typeKey": type_key, "errorCode": 0, "eventId": 3000})
}

#[tokio::test]
async fn resource_areas_discovery_finds_the_release_host_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contoso/_apis/resourceAreas"))
        .and(query_param("api-version", "7.1-preview.1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(resource_areas(&server)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/vsrm/contoso/MyFirstProject/_apis/release/definitions"))
        .and(query_param("$expand", "environments"))
        .and(query_param("api-version", "7.1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(example(
            "release/7.1/httpExamples/definitions/GET__ListAllReleaseDefinitionsWithEnvironmentsExpanded.json",
        )))
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server);
    assert_eq!(
        c.base(Area::Release).await.unwrap().as_str(),
        format!("{}/vsrm/contoso/", server.uri())
    );
    assert_eq!(
        c.base(Area::ExtensionManagement).await.unwrap().as_str(),
        format!("{}/extmgmt/contoso/", server.uri())
    );
    assert_eq!(
        c.base(Area::Core).await.unwrap().as_str(),
        format!("{}/contoso", server.uri())
    );
    let defs = connection::list_release_definitions(&c, "MyFirstProject")
        .await
        .unwrap();
    // A clone shares the discovery cache.
    let again = connection::list_release_definitions(&c.clone(), "MyFirstProject")
        .await
        .unwrap();
    assert_eq!(defs, again);
    assert_eq!(defs.len(), 1);
    assert_eq!(defs[0].id, 1);
    assert_eq!(defs[0].name, "MyShuttle.CD");
    assert_eq!(
        defs[0].stages.iter().map(|s| s.id).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    // `expect(1)` on the discovery mock is verified when the server drops.
}

#[tokio::test]
async fn an_organization_without_resource_areas_serves_release_itself() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contoso/_apis/resourceAreas"))
        .respond_with(ResponseTemplate::new(404).set_body_json(vss("API not found", "ApiNotFound")))
        .mount(&server)
        .await;
    assert_eq!(
        client(&server).base(Area::Release).await.unwrap().as_str(),
        format!("{}/contoso", server.uri())
    );
}

#[tokio::test]
async fn projects_picker_sends_basic_auth_and_reads_the_example() {
    let server = MockServer::start().await;
    // base64(":wiremock-pat-0123456789")
    let expected = format!("Basic {}", base64_colon(PAT));
    Mock::given(method("GET"))
        .and(path("/contoso/_apis/projects"))
        .and(header("authorization", expected.as_str()))
        .and(header("accept", "application/json"))
        .and(header("x-tfs-fedauthredirect", "Suppress"))
        .and(query_param("api-version", "7.1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(example("core/7.1/httpExamples/projects/GET__projects.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let projects = connection::list_projects(&client(&server)).await.unwrap();
    let names: Vec<&str> = projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["Fabrikam-Fiber-Git", "Fabrikam-Fiber-TFVC", "TestGit"]
    );
    assert_eq!(projects[0].description.as_deref(), Some("Git projects"));
    assert_eq!(projects[2].description, None);
}

fn base64_colon(pat: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!(":{pat}"))
}

#[tokio::test]
async fn repositories_picker_reads_the_example() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contoso/Fabrikam%20Fiber/_apis/git/repositories"))
        .respond_with(ResponseTemplate::new(200).set_body_json(example(
            "git/7.1/httpExamples/repositories/GET__git_repositories.json",
        )))
        .mount(&server)
        .await;
    let repos = connection::list_repositories(&client(&server), "Fabrikam Fiber")
        .await
        .unwrap();
    assert_eq!(repos.len(), 3);
    let main = repos
        .iter()
        .find(|r| r.name == "Fabrikam-Fiber-Git")
        .unwrap();
    assert_eq!(main.id, "278d5cd2-584d-4b63-824a-2ba458937249");
    assert_eq!(main.default_branch.as_deref(), Some("master"));
    assert_eq!(repos[0].name, "AnotherRepository");
    assert_eq!(repos[0].default_branch, None);
}

#[tokio::test]
async fn service_connections_picker_reads_the_example_and_flags_workload_identity() {
    let server = MockServer::start().await;
    let mut body = example("serviceEndpoint/7.1/httpExamples/endpoints/ListEndpoints.json");
    let mut wif = body["value"][0].clone();
    wif["id"] = "0f0f0f0f-0000-0000-0000-000000000001".into();
    wif["name"] = "prod-wif".into();
    wif["type"] = "azurerm".into();
    wif["authorization"] = json!({"scheme": "WorkloadIdentityFederation", "parameters": {}});
    wif["data"] = json!({"subscriptionId": "6e0f8a6b-6c1f-4f2e-9f43-2b6a6c1b1a11", "subscriptionName": "Prod"});
    body["value"].as_array_mut().unwrap().push(wif);
    Mock::given(method("GET"))
        .and(path("/contoso/P/_apis/serviceendpoint/endpoints"))
        .and(query_param("type", "azurerm"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let items = connection::list_service_connections(&client(&server), "P")
        .await
        .unwrap();
    assert_eq!(items.len(), 2);
    let generic = items
        .iter()
        .find(|i| i.name == "MyNewServiceEndpoint")
        .unwrap();
    assert_eq!(generic.scheme, "UsernamePassword");
    assert!(generic.is_ready && generic.supported && generic.warning.is_none());
    let wif = items.iter().find(|i| i.name == "prod-wif").unwrap();
    assert!(!wif.supported);
    assert_eq!(wif.subscription_name.as_deref(), Some("Prod"));
}

#[tokio::test]
async fn agent_queues_accept_the_list_wrapper_and_a_bare_array() {
    let server = MockServer::start().await;
    let queue = json!({"id": 7, "name": "Azure Pipelines", "pool": {"id": 1, "name": "Azure Pipelines", "isHosted": true}});
    Mock::given(method("GET"))
        .and(path("/contoso/A/_apis/distributedtask/queues"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"count": 1, "value": [queue.clone()]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/contoso/B/_apis/distributedtask/queues"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([queue])))
        .mount(&server)
        .await;
    let c = client(&server);
    for project in ["A", "B"] {
        let queues = connection::list_agent_queues(&c, project).await.unwrap();
        assert_eq!(queues.len(), 1);
        assert_eq!(
            (queues[0].id, queues[0].name.as_str(), queues[0].is_hosted),
            (7, "Azure Pipelines", true)
        );
    }
}

#[tokio::test]
async fn publish_branch_comes_from_publish_config_or_defaults() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contoso/P/_apis/git/repositories/with/items"))
        .and(query_param("path", "/publish_config.json"))
        .and(query_param("versionDescriptor.version", "main"))
        .and(query_param("includeContent", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "objectId": "61a86fdaa79e5c6f5fb6e4026508489feb6ed92c", "gitObjectType": "blob",
            "path": "/publish_config.json", "content": "{\"publishBranch\":\"synapse_publish\"}"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/contoso/P/_apis/git/repositories/without/items"))
        .respond_with(ResponseTemplate::new(404).set_body_json(vss(
            "TF401174: The item '/publish_config.json' could not be found in the repository 'without' at the version specified by '<Branch: main >'",
            "GitItemNotFoundException",
        )))
        .mount(&server)
        .await;
    let c = client(&server);
    let found = connection::read_publish_branch(&c, "P", "with", "refs/heads/main")
        .await
        .unwrap();
    assert_eq!(
        (found.branch.as_str(), found.from_config),
        ("synapse_publish", true)
    );
    let missing = connection::read_publish_branch(&c, "P", "without", "main")
        .await
        .unwrap();
    assert_eq!(
        (missing.branch.as_str(), missing.from_config),
        ("workspace_publish", false)
    );
    assert!(
        missing.message.contains("no publish_config.json"),
        "{}",
        missing.message
    );
}

#[tokio::test]
async fn paging_follows_the_continuation_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contoso/_apis/projects"))
        .and(query_param("continuationToken", "page-2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"count": 1, "value": [{"id": "b", "name": "Beta"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/contoso/_apis/projects"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ms-continuationtoken", "page-2")
                .set_body_json(json!({"count": 1, "value": [{"id": "a", "name": "Alpha"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let projects = connection::list_projects(&client(&server)).await.unwrap();
    assert_eq!(
        projects.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Alpha", "Beta"]
    );
}

#[tokio::test]
async fn a_203_sign_in_page_is_not_signed_in() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(203).set_body_raw(
            "<html><body>Sign in to your account</body></html>",
            "text/html; charset=utf-8",
        ))
        .mount(&server)
        .await;
    let err = projects_error(&server).await;
    assert_eq!(err.status(), Some(203));
    let app: hotfix_core::AppError = err.into();
    assert_eq!(app.code, ErrorCode::NotSignedIn);
    assert!(
        app.message.contains("/contoso/_usersSettings/tokens"),
        "{}",
        app.message
    );
    // An HTML page with a 200 is the same sign-in page.
    let server2 = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>sign in</html>", "text/html"))
        .mount(&server2)
        .await;
    let err2 = projects_error(&server2).await;
    assert_eq!(err2.code(), ErrorCode::NotSignedIn);
}

#[tokio::test]
async fn a_redirect_to_sign_in_is_not_signed_in_and_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            "https://login.microsoftonline.com/common/oauth2/authorize?x=1",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = projects_error(&server).await;
    assert_eq!(err.code(), ErrorCode::NotSignedIn);
}

#[tokio::test]
async fn a_401_is_token_rejected_and_never_echoes_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("www-authenticate", "Basic realm=\"https://dev.azure.com/\"")
                .set_body_json(vss(
                    "VS30063: You are not authorized to access https://dev.azure.com.",
                    "UnauthorizedRequestException",
                )),
        )
        .mount(&server)
        .await;
    let err = connection::test_connection(
        &format!("{}/contoso", server.uri()),
        Token::new(PAT),
        true,
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::TokenRejected);
    assert!(err.message.contains("HTTP 401"), "{}", err.message);
    assert!(
        err.message.contains("Release (Read, write & execute)"),
        "scopes must be listed: {}",
        err.message
    );
    assert!(
        err.message.contains("/contoso/_usersSettings/tokens"),
        "{}",
        err.message
    );
    let everything = format!("{err:?} {}", serde_json::to_string(&err).unwrap());
    assert!(
        !everything.contains(PAT) && !everything.contains(&base64_colon(PAT)),
        "{everything}"
    );
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contoso/_apis/projects"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .insert_header("X-RateLimit-Resource", "Core")
                .set_body_json(vss("TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'Core'.", "RequestBlockedException")),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/contoso/_apis/projects"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"count": 1, "value": [{"id": "a", "name": "Alpha"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let projects = connection::list_projects(&client(&server)).await.unwrap();
    assert_eq!(projects.len(), 1);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After was not honoured: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_429_on_a_call_that_is_not_idempotent_is_not_repeated() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(vss("TF400733: blocked", "RequestBlockedException")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .send_json::<_, Value>(
            reqwest::Method::POST,
            Area::Core,
            "P/_apis/git/repositories/r/refs",
            &[],
            &json!([]),
            Retry::Never,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RateLimited);
    let app: hotfix_core::AppError = err.into();
    assert!(app.message.contains("wait 1 s"), "{}", app.message);
}

#[tokio::test]
async fn retry_after_longer_than_the_budget_is_not_waited_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let err = projects_error(&server).await;
    assert_eq!(err.code(), ErrorCode::RateLimited);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_503_is_retried_with_backoff_for_get() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 0, "value": []})))
        .expect(1)
        .mount(&server)
        .await;
    assert!(connection::list_projects(&client(&server))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_persistent_500_is_retried_then_a_server_error_with_the_vss_message() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_json(vss(
            "TF400898: An Internal Error Occurred. Activity Id: 1.",
            "InternalServerError",
        )))
        // The first attempt and `max_retries` repetitions (the retry rule: tests/retry_policy.rs).
        .expect(1 + u64::from(fast_options().max_retries))
        .mount(&server)
        .await;
    let err = projects_error(&server).await;
    assert_eq!(err.vss_code(), Some("TF400898"));
    let app: hotfix_core::AppError = err.into();
    assert_eq!(app.code, ErrorCode::ServerError);
    assert!(app.message.contains("TF400898"), "{}", app.message);
    assert!(app.detail.unwrap().contains("typeKey=InternalServerError"));
}

#[tokio::test]
async fn status_codes_map_to_error_codes() {
    let server = MockServer::start().await;
    for (status, key) in [(403, "forbidden"), (404, "missing"), (409, "conflict")] {
        Mock::given(method("GET"))
            .and(path(format!("/contoso/_apis/{key}")))
            .respond_with(ResponseTemplate::new(status).set_body_json(vss(
                "TF401179: An active pull request for the source and target branch already exists.",
                "X",
            )))
            .mount(&server)
            .await;
    }
    let c = client(&server);
    let code = |key: &'static str| {
        let c = c.clone();
        async move {
            c.get::<Value>(Area::Core, &format!("_apis/{key}"), &[])
                .await
                .unwrap_err()
        }
    };
    assert_eq!(code("forbidden").await.code(), ErrorCode::NoPermission);
    assert_eq!(code("missing").await.code(), ErrorCode::NotFound);
    let conflict = code("conflict").await;
    assert_eq!(conflict.code(), ErrorCode::Conflict);
    assert_eq!(conflict.vss_code(), Some("TF401179"));
}

#[tokio::test]
async fn a_closed_port_is_unreachable_with_the_host_in_the_message() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let err = connection::test_connection(
        &format!("http://127.0.0.1:{port}/contoso"),
        Token::new(PAT),
        true,
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unreachable);
    assert!(
        err.message.contains(&format!("127.0.0.1:{port}")),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn test_connection_reports_a_missing_scope_per_area() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contoso/_apis/resourceAreas"))
        .respond_with(ResponseTemplate::new(200).set_body_json(resource_areas(&server)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/vsrm/contoso/P/_apis/release/definitions"))
        .respond_with(ResponseTemplate::new(401).set_body_json(vss(
            "VS30063: You are not authorized to access https://vsrm.dev.azure.com.",
            "UnauthorizedRequestException",
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/extmgmt/contoso/_apis/extensionmanagement/installedextensions",
        ))
        .and(query_param("api-version", "7.1-preview.1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 0, "value": []})))
        .mount(&server)
        .await;
    // Everything else answers with an empty list.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 0, "value": []})))
        .mount(&server)
        .await;
    let report = connection::test_connection(
        &format!("{}/contoso/", server.uri()),
        Token::new(PAT),
        true,
        Some("P"),
    )
    .await
    .unwrap();
    assert!(!report.ok);
    assert_eq!(report.organization_url, format!("{}/contoso", server.uri()));
    assert_eq!(report.release_url, format!("{}/vsrm/contoso", server.uri()));
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.scope.as_str())
        .collect();
    assert_eq!(failed, ["vso.release"]);
    let err = report
        .checks
        .iter()
        .find(|c| c.scope == "vso.release")
        .unwrap()
        .error
        .clone()
        .unwrap();
    assert_eq!(err.code, ErrorCode::MissingScope);
    assert!(err.message.contains("Release (Read)"), "{}", err.message);
    assert_eq!(report.checks.len(), 7);
    assert!(report
        .required_scopes
        .iter()
        .any(|s| s.scope == "vso.release_execute"));
    assert!(report
        .tokens_url
        .ends_with("/contoso/_usersSettings/tokens"));
}

#[tokio::test]
async fn test_connection_refuses_bad_urls_and_empty_tokens_without_a_request() {
    let err = connection::test_connection("https://dev.azure.com", Token::new(PAT), false, None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err =
        connection::test_connection("http://127.0.0.1:1/contoso", Token::new(PAT), false, None)
            .await
            .unwrap_err();
    assert!(err.message.contains("simulated"), "{}", err.message);
    let err = connection::test_connection(
        "https://dev.azure.com/contoso",
        Token::new(" "),
        false,
        None,
    )
    .await
    .unwrap_err();
    assert!(
        err.message
            .contains("https://dev.azure.com/contoso/_usersSettings/tokens"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn get_text_asks_for_plain_text_and_returns_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/vsrm/contoso/P/_apis/release/releases/3/environments/4/deployPhases/5/tasks/6/logs",
        ))
        .and(headers(
            "accept",
            vec!["text/plain", "application/json;q=0.5"],
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw("line 1\nline 2\n", "text/plain"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/contoso/_apis/resourceAreas"))
        .respond_with(ResponseTemplate::new(200).set_body_json(resource_areas(&server)))
        .mount(&server)
        .await;
    let text = client(&server)
        .get_text(
            Area::Release,
            "P/_apis/release/releases/3/environments/4/deployPhases/5/tasks/6/logs",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(text, "line 1\nline 2\n");
}

#[tokio::test]
async fn retry_after_on_a_successful_answer_slows_the_next_call_down() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Retry-After", "1")
                .insert_header("X-RateLimit-Remaining", "0")
                .insert_header("X-RateLimit-Delay", "0.5")
                .set_body_json(json!({"count": 0, "value": []})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server);
    let started = Instant::now();
    c.get::<Value>(Area::Core, "_apis/projects", &[])
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "the delayed answer itself needs no wait"
    );
    c.get::<Value>(Area::Core, "_apis/projects", &[])
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "the next call did not pause: {:?}",
        started.elapsed()
    );
}
