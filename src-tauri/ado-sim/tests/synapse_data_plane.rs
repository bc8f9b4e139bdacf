//! The Synapse data plane's artifact collections (2020-12-01 paths, `nextLink` paging, 304 on a
//! matching etag, CloudError bodies, bearer auth, masked secure strings), and the deployment task
//! writing what production really receives: overrides applied to the parameterised values,
//! default artifacts skipped and references to them renamed, deletions only with
//! `DeleteArtifactsNotInTemplate`.

mod release_support;

use ado_sim::seed::demo_production::{HAND_CHANGED, PROD_OVERRIDES};
use ado_sim::Seed;
use release_support::{automated, TestSim};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PROD: &str = "contoso-synapse-prod";

async fn get(
    sim: &TestSim,
    url: &str,
    token: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut req = sim.http.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.json().await.unwrap_or(Value::Null))
}

fn url(sim: &TestSim, rest: &str) -> String {
    format!("{}/synapse/{PROD}/{rest}", sim.info.base_url)
}

/// Every item of a collection, following `nextLink`; also the page sizes.
async fn all(sim: &TestSim, segment: &str) -> (Vec<Value>, Vec<usize>) {
    let mut next = Some(url(sim, &format!("{segment}?api-version=2020-12-01")));
    let (mut items, mut pages) = (Vec::new(), Vec::new());
    while let Some(u) = next.take() {
        let (status, _, v) = get(sim, &u, Some(&sim.info.synapse_token)).await;
        assert_eq!(status, StatusCode::OK, "{u}: {v}");
        let page = v["value"].as_array().unwrap();
        pages.push(page.len());
        items.extend(page.iter().cloned());
        next = v["nextLink"].as_str().map(str::to_owned);
        assert!(pages.len() < 50, "nextLink loops");
    }
    (items, pages)
}

#[tokio::test]
async fn every_collection_lists_pages_and_gets_like_the_service() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    {
        let state = sim.handle.state();
        let mut world = state.world();
        let ws = world.synapse.workspace_mut(PROD).unwrap();
        for i in 0..8 {
            ws.upsert(
                "pipeline",
                &format!("pl_bulk_{i}"),
                json!({"activities": []}),
            );
        }
    }
    let (pipelines, pages) = all(&sim, "pipelines").await;
    assert_eq!(pages, [5, 5, 1], "3 demo pipelines + 8, five a page");
    assert_eq!(pipelines.len(), 11);
    let first = &pipelines[0];
    assert_eq!(first["type"], "Microsoft.Synapse/workspaces/pipelines");
    assert!(first["id"].as_str().unwrap().ends_with(&format!(
        "/workspaces/{PROD}/pipelines/{}",
        first["name"].as_str().unwrap()
    )));
    for segment in [
        "datasets",
        "linkedservices",
        "notebooks",
        "triggers",
        "dataflows",
        "sqlScripts",
        "sparkJobDefinitions",
        "integrationRuntimes",
        "credentials",
    ] {
        let (_, pages) = all(&sim, segment).await;
        assert!(!pages.is_empty(), "{segment}");
    }
    let (ls, _) = all(&sim, "linkedservices").await;
    let names: Vec<&str> = ls.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"contoso-synapse-prod-WorkspaceDefaultStorage"),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("contoso-synapse-dev-")),
        "dev defaults are never deployed: {names:?}"
    );

    // One artifact, then 304 for its etag.
    let (status, _, one) = get(
        &sim,
        &url(&sim, "notebooks/nb_clean_sales?api-version=2020-12-01"),
        Some(&sim.info.synapse_token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let etag = one["etag"].as_str().unwrap();
    let resp = sim
        .http
        .get(url(&sim, "notebooks/nb_clean_sales?api-version=2020-12-01"))
        .bearer_auth(&sim.info.synapse_token)
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);

    // CloudError bodies.
    let (status, _, e) = get(
        &sim,
        &url(&sim, "datasets/ds_missing?api-version=2020-12-01"),
        Some(&sim.info.synapse_token),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(e["error"]["code"], "DatasetNotFound");
    let (status, _, e) = get(&sim, &url(&sim, "datasets"), Some(&sim.info.synapse_token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e["error"]["code"], "MissingApiVersionParameter");
    let (status, _, e) = get(
        &sim,
        &url(&sim, "datasets?api-version=2020-12-01&continuationToken=x"),
        Some(&sim.info.synapse_token),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e["error"]["code"], "InvalidContinuationToken");
    let (status, _, e) = get(
        &sim,
        &format!(
            "{}/synapse/no-such-ws/pipelines?api-version=2020-12-01",
            sim.info.base_url
        ),
        Some(&sim.info.synapse_token),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(e["error"]["code"], "WorkspaceNotFound");

    // Bearer auth like the trigger routes.
    let (status, headers, e) =
        get(&sim, &url(&sim, "pipelines?api-version=2020-12-01"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(e["error"]["code"], "AuthenticationFailed");
    assert!(headers["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("dev.azuresynapse.net"));
    let (status, _, _) = get(
        &sim,
        &url(&sim, "pipelines?api-version=2020-12-01"),
        Some("wrong"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let resp = sim
        .http
        .get(url(&sim, "pipelines?api-version=2020-12-01"))
        .basic_auth("", Some(&sim.info.pat))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "a PAT is not a data-plane token"
    );
}

#[tokio::test]
async fn secure_strings_are_masked_in_answers() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    {
        let state = sim.handle.state();
        let mut world = state.world();
        let ws = world.synapse.workspace_mut(PROD).unwrap();
        ws.upsert(
            "linkedService",
            "ls_blob_sas",
            json!({"type": "AzureBlobStorage", "typeProperties": {"sasUri": {"type": "SecureString", "value": "https://x?sig=secret"}}}),
        );
    }
    let (status, _, one) = get(
        &sim,
        &url(&sim, "linkedservices/ls_blob_sas?api-version=2020-12-01"),
        Some(&sim.info.synapse_token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        one["properties"]["typeProperties"]["sasUri"]["value"],
        "**********"
    );
    assert!(!one.to_string().contains("sig=secret"));
}

/// Runs stop-all → deploy (`validateDeploy` of main's head with `overrides`, deletion as given) →
/// start-all on production; answers the deploy task's log.
async fn deploy_main(sim: &TestSim, name: &str, overrides: &str, delete: bool) -> String {
    let mut tasks = sim.synapse_tasks().await;
    tasks[1]["inputs"]["OverrideArmParameters"] = json!(overrides);
    tasks[1]["inputs"]["DeleteArtifactsNotInTemplate"] = json!(delete.to_string());
    let body = sim.definition_body(name, tasks, automated()).await;
    let (def, _) = sim.create_definition(&body).await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    sim.deploy(rid, eid).await;
    let release = sim.wait_stage(rid, eid).await;
    let (phase, t) = TestSim::tasks_of(&release, eid);
    let deploy = t
        .iter()
        .find(|x| x["name"] == "Synapse deployment")
        .expect("deploy task");
    assert_eq!(deploy["status"], "succeeded", "{release}");
    sim.task_log(rid, eid, phase, deploy["id"].as_i64().unwrap())
        .await
}

async fn prod_artifact(sim: &TestSim, segment: &str, name: &str) -> (StatusCode, Value) {
    let (status, _, v) = get(
        sim,
        &url(sim, &format!("{segment}/{name}?api-version=2020-12-01")),
        Some(&sim.info.synapse_token),
    )
    .await;
    (status, v)
}

#[tokio::test]
async fn the_deploy_task_applies_the_overrides_and_only_deletes_when_told() {
    let sim = TestSim::start(Seed::Demo, 5).await;
    {
        let state = sim.handle.state();
        let mut world = state.world();
        let ws = world.synapse.workspace_mut(PROD).unwrap();
        ws.upsert(
            "sqlscript",
            "sq_made_in_prod",
            json!({"content": {"query": "select 1"}, "type": "SqlQuery"}),
        );
    }
    let log = deploy_main(&sim, "Hotfix-Overrides", PROD_OVERRIDES, false).await;
    assert!(
        log.contains("Using the default parameter template."),
        "{log}"
    );
    assert!(
        log.contains("Overriding template parameters: ls_keyvault_properties_typeProperties_baseUrl, ls_sales_sql_connectionString, workspaceName"),
        "{log}"
    );
    assert!(
        !log.contains("contoso-sales-prod"),
        "override values stay out of the log: {log}"
    );
    assert!(
        log.contains("Skipping linked service 'contoso-synapse-dev-WorkspaceDefaultStorage'"),
        "{log}"
    );

    let (_, kv) = prod_artifact(&sim, "linkedservices", "ls_keyvault").await;
    assert_eq!(
        kv["properties"]["typeProperties"]["baseUrl"],
        "https://contoso-kv-prod.vault.azure.net/"
    );
    let (_, sql) = prod_artifact(&sim, "linkedservices", "ls_sales_sql").await;
    let cs = sql["properties"]["typeProperties"]["connectionString"]
        .as_str()
        .unwrap();
    assert!(
        cs.contains("contoso-sales-prod.database.windows.net"),
        "{cs}"
    );
    let (_, tr) = prod_artifact(&sim, "triggers", "tr_sales_file_arrival").await;
    assert!(
        tr["properties"]["typeProperties"]["scope"]
            .as_str()
            .unwrap()
            .contains("contosodatalakedev"),
        "no override: the development value is deployed"
    );
    let (_, ds) = prod_artifact(&sim, "datasets", "ds_raw_sales_csv").await;
    assert_eq!(
        ds["properties"]["linkedServiceName"]["referenceName"],
        "contoso-synapse-prod-WorkspaceDefaultStorage"
    );
    let (_, hand) = prod_artifact(&sim, "pipelines", HAND_CHANGED.1).await;
    assert_eq!(
        hand["properties"]["activities"][0]["policy"]["retry"], 2,
        "the hand edit is overwritten"
    );
    let (status, _) = prod_artifact(&sim, "sqlScripts", "sq_made_in_prod").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "not deleted without DeleteArtifactsNotInTemplate"
    );

    // Without overrides the secure connection string arrives empty.
    deploy_main(
        &sim,
        "Hotfix-NoOverrides",
        "-workspaceName contoso-synapse-prod",
        false,
    )
    .await;
    let (_, sql) = prod_artifact(&sim, "linkedservices", "ls_sales_sql").await;
    assert_eq!(sql["properties"]["typeProperties"]["connectionString"], "");
    let (_, kv) = prod_artifact(&sim, "linkedservices", "ls_keyvault").await;
    assert_eq!(
        kv["properties"]["typeProperties"]["baseUrl"],
        "https://contoso-kv-dev.vault.azure.net/"
    );

    // With DeleteArtifactsNotInTemplate the production-only script goes; the workspace's own
    // default artifacts stay.
    let log = deploy_main(&sim, "Hotfix-Delete", PROD_OVERRIDES, true).await;
    assert!(
        log.contains("Deleting SQL script 'sq_made_in_prod'"),
        "{log}"
    );
    let (status, _) = prod_artifact(&sim, "sqlScripts", "sq_made_in_prod").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = prod_artifact(
        &sim,
        "linkedservices",
        "contoso-synapse-prod-WorkspaceDefaultStorage",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_custom_parameter_template_replaces_the_defaults_in_the_deploy_task() {
    let sim = TestSim::start(Seed::Demo, 5).await;
    let push = json!({"project": "DataPlatform", "repository": "synapse-analytics", "branch": "main",
    "message": "Custom parameter template", "files": {
        "template-parameters-definition.json": {
            "Microsoft.Synapse/workspaces/triggers": {"properties": {"typeProperties": {"scope": "=:-storageScope"}}}
        }}});
    let resp = sim
        .http
        .post(format!("{}/git/push-files", sim.info.admin_url))
        .json(&push)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let log = deploy_main(
        &sim,
        "Hotfix-Custom",
        "-tr_sales_file_arrival_storageScope /subscriptions/s/resourceGroups/rg-prod/providers/Microsoft.Storage/storageAccounts/contosodatalakeprod -ls_keyvault_properties_typeProperties_baseUrl https://contoso-kv-prod.vault.azure.net/",
        false,
    )
    .await;
    assert!(
        log.contains("Using the custom parameter template template-parameters-definition.json."),
        "{log}"
    );
    assert!(
        log.contains(
            "Override 'ls_keyvault_properties_typeProperties_baseUrl' matches no parameter"
        ),
        "the custom file no longer parameterises the key vault: {log}"
    );
    let (_, tr) = prod_artifact(&sim, "triggers", "tr_sales_file_arrival").await;
    assert!(tr["properties"]["typeProperties"]["scope"]
        .as_str()
        .unwrap()
        .ends_with("contosodatalakeprod"));
    let (_, kv) = prod_artifact(&sim, "linkedservices", "ls_keyvault").await;
    assert_eq!(
        kv["properties"]["typeProperties"]["baseUrl"],
        "https://contoso-kv-dev.vault.azure.net/"
    );
}
