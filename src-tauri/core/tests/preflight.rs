//! Pre-flight checks of step 4 against the simulator (demo seed): everything passes as seeded; each
//! failure alone (extension missing or disabled, a connection the tasks refuse, a connection scoped
//! to another resource group, a missing queue, a token without release scopes); a read that fails
//! makes only its own check "could not check"; and the request count, read from the journal.

use ado_sim::seed::demo_connections::{
    CERT_CONNECTION, MSI_CONNECTION, NOT_READY_CONNECTION, PROD_WIF_CONNECTION,
    RG_SCOPED_CONNECTION, SHARED_RESOURCE_GROUP,
};
use ado_sim::seed::demo_release::{AGENT_QUEUE, PROD_CONNECTION, PROD_WORKSPACE};
use ado_sim::{start, SimHandle, SimOptions};
use std::time::Duration;

use hotfix_core::ado::{AdoClient, Area, ClientOptions, Token};
use hotfix_core::pipeline::preflight::{
    run_preflight, CheckId, CheckOutcome, PreflightReport, RunFacts,
};
use hotfix_core::profiles::{NamedRef, NumberedRef, Profile};
use serde_json::{json, Value};

const PROD_RG: &str = "rg-contoso-synapse-prod";

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

/// A client whose discovery already happened (the budget counts requests after discovery).
async fn client(sim: &SimHandle, token: &str) -> AdoClient {
    let options = ClientOptions {
        base_backoff: Duration::from_millis(10),
        max_retry_wait: Duration::from_secs(1),
        ..ClientOptions::default()
    };
    let client = AdoClient::with_options(&sim.info().org_url, Token::new(token), options).unwrap();
    client.base(Area::Release).await.unwrap();
    client
}

fn connection(sim: &SimHandle, name: &str) -> NamedRef {
    let state = sim.state();
    let world = state.world();
    let ep = world.catalog.endpoint(name).expect("seeded connection");
    NamedRef {
        id: ep["id"].as_str().unwrap().to_owned(),
        name: name.to_owned(),
    }
}

/// The demo profile as the app's demo mode fills it.
fn profile(sim: &SimHandle) -> Profile {
    let state = sim.state();
    let project = {
        let world = state.world();
        world.core.projects[0].clone()
    };
    let mut p = Profile::new_with_defaults("p1".into());
    p.name = "Demo".into();
    p.organization_url = sim.info().org_url.clone();
    p.project = Some(NamedRef {
        id: project.id.to_string(),
        name: project.name,
    });
    p.prod_workspace = PROD_WORKSPACE.into();
    p.prod_resource_group = PROD_RG.into();
    p.service_connection = Some(connection(sim, PROD_CONNECTION));
    p.agent_queue = Some(NumberedRef {
        id: 9,
        name: AGENT_QUEUE.into(),
    });
    p.simulated = true;
    p
}

fn facts() -> RunFacts {
    RunFacts {
        hotfix_branch: "Release3_Hotfixes".into(),
        fix_commit_count: 1,
        plan_needs_ack: true,
        plan_acknowledged: true,
    }
}

fn outcome(report: &PreflightReport, id: CheckId) -> CheckOutcome {
    report
        .check(id)
        .unwrap_or_else(|| panic!("no {id:?} check"))
        .outcome
}

/// Asserts that exactly the checks in `failing` did not pass (with the given outcome).
fn only(report: &PreflightReport, failing: &[(CheckId, CheckOutcome)]) {
    assert_eq!(report.checks.len(), 8, "{report:#?}");
    for c in &report.checks {
        let want = failing
            .iter()
            .find(|(id, _)| *id == c.id)
            .map_or(CheckOutcome::Pass, |(_, o)| *o);
        assert_eq!(c.outcome, want, "{:?}: {c:#?}", c.id);
        if c.outcome == CheckOutcome::Fail {
            assert!(c.fix.as_deref().is_some_and(|f| !f.is_empty()), "{c:#?}");
        }
    }
    assert_eq!(report.ok, failing.is_empty());
}

async fn journal(sim: &SimHandle) -> Vec<Value> {
    admin(sim, reqwest::Method::GET, "/journal", None)
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn clear_journal(sim: &SimHandle) {
    admin(sim, reqwest::Method::DELETE, "/journal", None).await;
}

#[tokio::test]
async fn everything_passes_on_the_demo_seed_in_five_requests() {
    let sim = sim().await;
    let client = client(&sim, &sim.info().pat).await;
    clear_journal(&sim).await;
    let report = run_preflight(&client, &profile(&sim), &facts()).await;
    only(&report, &[]);
    assert_eq!(report.effective_resource_group.as_deref(), Some(PROD_RG));
    assert_eq!(report.extension_version.as_deref(), Some("2.4.0"));
    let ext = report.check(CheckId::Extension).unwrap();
    assert!(ext.detail.contains("2.4.0"), "{}", ext.detail);
    let conn = report.check(CheckId::ServiceConnection).unwrap();
    assert!(
        conn.detail.contains("service principal with a secret"),
        "{}",
        conn.detail
    );
    assert!(conn.detail.contains(PROD_RG), "{}", conn.detail);

    // The tasks come from the simulator's catalogue, whose ids are invented per world.
    let tasks = report.tasks.as_ref().expect("tasks for the definition");
    {
        let state = sim.state();
        let world = state.world();
        assert_eq!(
            world
                .catalog
                .task_id_by_name("Synapse workspace deployment")
                .as_deref(),
            Some(tasks.deploy.id.as_str())
        );
        assert_eq!(
            world
                .catalog
                .task_id_by_name("toggle-triggers-dev")
                .as_deref(),
            Some(tasks.toggle.id.as_str())
        );
    }
    assert_eq!(
        tasks.deploy.input("azureSubscription").unwrap().name,
        "AzureResourceManagerConnection"
    );
    assert_eq!(
        tasks.toggle.input("azureSubscription").unwrap().name,
        "ServiceConnectionName"
    );

    // Budget: extensions, tasks, connection, queue, one scope probe; nothing written.
    let entries = journal(&sim).await;
    let calls: Vec<String> = entries
        .iter()
        .map(|e| {
            format!(
                "{} {} -> {}",
                e["method"].as_str().unwrap(),
                e["path"].as_str().unwrap(),
                e["status"]
            )
        })
        .collect();
    assert_eq!(entries.len(), 5, "{calls:#?}");
    let gets = entries.iter().filter(|e| e["method"] == "GET").count();
    assert_eq!(gets, 4, "{calls:#?}");
    let probe = entries
        .iter()
        .find(|e| e["method"] == "PATCH")
        .expect("the scope probe");
    assert!(
        probe["path"]
            .as_str()
            .unwrap()
            .ends_with("/_apis/release/approvals/0"),
        "{calls:#?}"
    );
    assert_ne!(probe["status"], 401, "{calls:#?}");
}

#[tokio::test]
async fn an_uninstalled_extension_fails_the_extension_and_tasks_checks_and_comes_back() {
    let sim = sim().await;
    let client = client(&sim, &sim.info().pat).await;
    let path = "/extensions/AzureSynapseWorkspace/synapsecicd-deploy";
    let before = {
        let state = sim.state();
        let world = state.world();
        world.catalog.task_id_by_name("toggle-triggers-dev")
    };
    admin(
        &sim,
        reqwest::Method::POST,
        path,
        Some(json!({"state": "uninstalled"})),
    )
    .await;
    let report = run_preflight(&client, &profile(&sim), &facts()).await;
    only(
        &report,
        &[
            (CheckId::Extension, CheckOutcome::Fail),
            (CheckId::Tasks, CheckOutcome::Fail),
        ],
    );
    let ext = report.check(CheckId::Extension).unwrap();
    assert!(ext.detail.contains("not installed"), "{}", ext.detail);
    assert_eq!(
        ext.link.as_deref(),
        Some("https://marketplace.visualstudio.com/items?itemName=AzureSynapseWorkspace.synapsecicd-deploy")
    );
    let tasks = report.check(CheckId::Tasks).unwrap();
    assert!(
        tasks.detail.contains("Synapse workspace deployment"),
        "{}",
        tasks.detail
    );
    assert!(report.tasks.is_none());

    // Installing it again brings back the same task ids.
    admin(
        &sim,
        reqwest::Method::POST,
        path,
        Some(json!({"state": "enabled"})),
    )
    .await;
    let report = run_preflight(&client, &profile(&sim), &facts()).await;
    only(&report, &[]);
    assert_eq!(report.tasks.unwrap().toggle.id, before.unwrap());
}

#[tokio::test]
async fn a_disabled_extension_fails_alone_and_shows_its_version() {
    let sim = sim().await;
    let client = client(&sim, &sim.info().pat).await;
    let path = "/extensions/AzureSynapseWorkspace/synapsecicd-deploy";
    let answer = admin(
        &sim,
        reqwest::Method::POST,
        path,
        Some(json!({"state": "disabled"})),
    )
    .await;
    assert_eq!(answer["extension"]["installState"]["flags"], "disabled");
    let report = run_preflight(&client, &profile(&sim), &facts()).await;
    only(&report, &[(CheckId::Extension, CheckOutcome::Fail)]);
    let ext = report.check(CheckId::Extension).unwrap();
    assert!(
        ext.detail.contains("disabled") && ext.detail.contains("2.4.0"),
        "{}",
        ext.detail
    );
    assert_eq!(
        ext.link.as_deref(),
        Some(format!("{}/_settings/extensions", sim.info().org_url).as_str())
    );
    admin(
        &sim,
        reqwest::Method::POST,
        path,
        Some(json!({"state": "enabled"})),
    )
    .await;
    only(&run_preflight(&client, &profile(&sim), &facts()).await, &[]);
}

async fn with_connection(sim: &SimHandle, name: &str) -> PreflightReport {
    let client = client(sim, &sim.info().pat).await;
    let mut p = profile(sim);
    p.service_connection = Some(connection(sim, name));
    run_preflight(&client, &p, &facts()).await
}

#[tokio::test]
async fn workload_identity_federation_is_refused_by_both_tasks() {
    let sim = sim().await;
    let report = with_connection(&sim, PROD_WIF_CONNECTION).await;
    only(&report, &[(CheckId::ServiceConnection, CheckOutcome::Fail)]);
    let c = report.check(CheckId::ServiceConnection).unwrap();
    assert!(
        c.detail
            .contains("deployment task does not support workload identity federation"),
        "{}",
        c.detail
    );
    assert!(
        c.detail.contains("toggle-triggers task does not support"),
        "{}",
        c.detail
    );
    assert!(
        c.fix
            .as_deref()
            .unwrap()
            .contains("service principal with a secret"),
        "{c:?}"
    );
    let id = connection(&sim, PROD_WIF_CONNECTION).id;
    assert_eq!(
        c.link.as_deref(),
        Some(
            format!(
                "{}/DataPlatform/_settings/adminservices?resourceId={id}",
                sim.info().org_url
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn a_certificate_is_accepted_by_deploy_but_refused_by_toggle() {
    let sim = sim().await;
    let report = with_connection(&sim, CERT_CONNECTION).await;
    only(&report, &[(CheckId::ServiceConnection, CheckOutcome::Fail)]);
    let c = report.check(CheckId::ServiceConnection).unwrap();
    assert!(
        c.detail.contains("service principal with a certificate"),
        "{}",
        c.detail
    );
    assert!(
        c.detail.contains("toggle-triggers task does not support"),
        "{}",
        c.detail
    );
    assert!(
        !c.detail.contains("deployment task does not support"),
        "{}",
        c.detail
    );
    assert!(c.fix.as_deref().unwrap().contains("secret"), "{c:?}");
}

#[tokio::test]
async fn a_managed_identity_passes() {
    let sim = sim().await;
    let report = with_connection(&sim, MSI_CONNECTION).await;
    only(&report, &[]);
    let c = report.check(CheckId::ServiceConnection).unwrap();
    assert!(c.detail.contains("managed identity"), "{}", c.detail);
}

#[tokio::test]
async fn a_connection_scoped_to_another_resource_group_is_flagged_with_the_effective_one() {
    let sim = sim().await;
    let report = with_connection(&sim, RG_SCOPED_CONNECTION).await;
    only(&report, &[(CheckId::ServiceConnection, CheckOutcome::Fail)]);
    assert_eq!(
        report.effective_resource_group.as_deref(),
        Some(SHARED_RESOURCE_GROUP)
    );
    let c = report.check(CheckId::ServiceConnection).unwrap();
    assert!(
        c.detail
            .contains(&format!("scoped to resource group {SHARED_RESOURCE_GROUP}")),
        "{}",
        c.detail
    );
    assert!(c.detail.contains(PROD_RG), "{}", c.detail);
    assert!(
        c.fix.as_deref().unwrap().contains(SHARED_RESOURCE_GROUP),
        "{c:?}"
    );

    // With the profile set to the connection's resource group, it passes and says where it came from.
    let client = client(&sim, &sim.info().pat).await;
    let mut p = profile(&sim);
    p.service_connection = Some(connection(&sim, RG_SCOPED_CONNECTION));
    p.prod_resource_group = SHARED_RESOURCE_GROUP.into();
    let report = run_preflight(&client, &p, &facts()).await;
    only(&report, &[]);
    let c = report.check(CheckId::ServiceConnection).unwrap();
    assert!(
        c.detail.contains("from the connection's scope"),
        "{}",
        c.detail
    );
}

#[tokio::test]
async fn a_connection_that_is_not_ready_or_gone_fails() {
    let sim = sim().await;
    let report = with_connection(&sim, NOT_READY_CONNECTION).await;
    only(&report, &[(CheckId::ServiceConnection, CheckOutcome::Fail)]);
    assert!(report
        .check(CheckId::ServiceConnection)
        .unwrap()
        .detail
        .contains("not ready"));

    let client = client(&sim, &sim.info().pat).await;
    let mut p = profile(&sim);
    p.service_connection = Some(NamedRef {
        id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301".into(),
        name: "deleted-arm".into(),
    });
    let report = run_preflight(&client, &p, &facts()).await;
    only(&report, &[(CheckId::ServiceConnection, CheckOutcome::Fail)]);
    assert!(report
        .check(CheckId::ServiceConnection)
        .unwrap()
        .detail
        .contains("was not found"));
    assert_eq!(report.effective_resource_group, None);
}

#[tokio::test]
async fn a_missing_queue_fails_alone() {
    let sim = sim().await;
    let client = client(&sim, &sim.info().pat).await;
    let mut p = profile(&sim);
    p.agent_queue = Some(NumberedRef {
        id: 4242,
        name: "Retired pool".into(),
    });
    let report = run_preflight(&client, &p, &facts()).await;
    only(&report, &[(CheckId::AgentQueue, CheckOutcome::Fail)]);
    let q = report.check(CheckId::AgentQueue).unwrap();
    assert!(
        q.detail.contains("\"Retired pool\" (id 4242)"),
        "{}",
        q.detail
    );
    assert_eq!(
        q.link.as_deref(),
        Some(format!("{}/DataPlatform/_settings/agentqueues", sim.info().org_url).as_str())
    );
}

const READ_SCOPES: [&str; 7] = [
    "vso.project",
    "vso.code_write",
    "vso.release",
    "vso.build",
    "vso.serviceendpoint",
    "vso.agentpools",
    "vso.extension",
];

#[tokio::test]
async fn a_token_without_release_write_scopes_fails_both_scope_checks() {
    let sim = sim().await;
    let token = "readonlyreleasetoken";
    admin(
        &sim,
        reqwest::Method::POST,
        "/tokens",
        Some(json!({"token": token, "scopes": READ_SCOPES})),
    )
    .await;
    let client = client(&sim, token).await;
    clear_journal(&sim).await;
    let report = run_preflight(&client, &profile(&sim), &facts()).await;
    only(
        &report,
        &[
            (CheckId::ReleaseScope, CheckOutcome::Fail),
            (CheckId::ApprovalScope, CheckOutcome::Fail),
        ],
    );
    let c = report.check(CheckId::ReleaseScope).unwrap();
    assert!(c.detail.contains("vso.release_execute"), "{}", c.detail);
    assert_eq!(
        c.link.as_deref(),
        Some(format!("{}/_usersSettings/tokens", sim.info().org_url).as_str())
    );
    // Without the wider scope, the narrower one is probed too.
    let probes = journal(&sim)
        .await
        .into_iter()
        .filter(|e| e["method"] == "PATCH")
        .count();
    assert_eq!(probes, 2);
}

#[tokio::test]
async fn a_token_that_may_deploy_but_not_approve_fails_only_the_approval_check() {
    let sim = sim().await;
    let token = "executeonlytoken";
    let mut scopes: Vec<&str> = READ_SCOPES.to_vec();
    scopes.push("vso.release_execute");
    admin(
        &sim,
        reqwest::Method::POST,
        "/tokens",
        Some(json!({"token": token, "scopes": scopes})),
    )
    .await;
    let client = client(&sim, token).await;
    let report = run_preflight(&client, &profile(&sim), &facts()).await;
    only(&report, &[(CheckId::ApprovalScope, CheckOutcome::Fail)]);
    assert!(report
        .check(CheckId::ApprovalScope)
        .unwrap()
        .detail
        .contains("vso.release_manage"));
}

#[tokio::test]
async fn a_server_error_on_one_read_leaves_the_other_checks_answering() {
    let sim = sim().await;
    let client = client(&sim, &sim.info().pat).await;
    admin(
        &sim,
        reqwest::Method::POST,
        "/faults",
        // Reads are retried since the client's retry policy: fail every attempt.
        Some(json!({"method": "GET", "path": "/_apis/serviceendpoint/endpoints/", "status": 500, "times": 20})),
    )
    .await;
    let report = run_preflight(&client, &profile(&sim), &facts()).await;
    only(
        &report,
        &[(CheckId::ServiceConnection, CheckOutcome::CouldNotCheck)],
    );
    let c = report.check(CheckId::ServiceConnection).unwrap();
    assert!(c.detail.contains("HTTP 500"), "{}", c.detail);
    assert_eq!(report.effective_resource_group, None);

    // A dropped connection on the catalogue read (retried, then given up) is the same.
    admin(&sim, reqwest::Method::DELETE, "/faults", None).await;
    admin(
        &sim,
        reqwest::Method::POST,
        "/faults",
        Some(json!({"method": "GET", "path": "/_apis/distributedtask/tasks", "drop": true, "times": 20})),
    )
    .await;
    let report = run_preflight(&client, &profile(&sim), &facts()).await;
    only(&report, &[(CheckId::Tasks, CheckOutcome::CouldNotCheck)]);
    assert!(report.tasks.is_none());
}

#[tokio::test]
async fn run_facts_fail_their_own_checks() {
    let sim = sim().await;
    let client = client(&sim, &sim.info().pat).await;
    let report = run_preflight(
        &client,
        &profile(&sim),
        &RunFacts {
            hotfix_branch: "Release3_Hotfixes".into(),
            fix_commit_count: 0,
            plan_needs_ack: true,
            plan_acknowledged: false,
        },
    )
    .await;
    only(
        &report,
        &[
            (CheckId::FixCommits, CheckOutcome::Fail),
            (CheckId::PlanAcknowledged, CheckOutcome::Fail),
        ],
    );
    assert_eq!(outcome(&report, CheckId::Extension), CheckOutcome::Pass);
}
