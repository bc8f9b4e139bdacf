//! Shape fidelity: for every official example response of an endpoint the simulator serves
//! (copied into `tests/fixtures/azure-devops/specification/**/httpExamples` and
//! `tests/fixtures/synapse/...`, see `tests/fixtures/README.md`), issue the equivalent request to
//! the demo world and check that the answer has the same keys with the same JSON types,
//! recursively. Nulls, empty arrays and empty objects in an example are wildcards (the example
//! doesn't say what they hold); so are maps whose keys are data (`variables`, `inputs`,
//! `definitionReference`, `properties`, `data`, `parameters`). Arrays compare their first items.
//! `timeoutInMintues` (sic) is ignored: the 2017 recordings carry an old misspelling of the service
//! that the newer examples (`PATCH__UpdateReleaseEnvironment`) spell `timeoutInMinutes`.
//!
//! Examples not checked, and why:
//! * `release/.../logs/GET__GetLogsOfReleaseTask.json` — no body in the example (text/plain log;
//!   `release_run.rs` checks the log).
//! * `approvalsAndChecks/...` — YAML pipeline approvals, not served (the app uses classic releases).
//! * git examples — served by the git half of the simulator and checked by its own tests
//!   (`git_*.rs`); the three below that the app reads first are checked here too.

mod release_support;

use std::path::PathBuf;

use ado_sim::Seed;
use release_support::TestSim;
use reqwest::Method;
use serde_json::{json, Value};

/// Keys whose values are maps of data, not fixed shapes.
const DATA_KEYS: &[&str] = &[
    "definitionReference",
    "variables",
    "inputs",
    "properties",
    "data",
    "parameters",
    "overrideInputs",
    "environment",
];

/// `tests/fixtures` at the repository root: the official example files the tests read.
fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn example(rel: &str) -> Value {
    let file = fixtures_dir().join("azure-devops/specification").join(rel);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let doc: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap();
    let responses = doc["responses"].as_object().unwrap();
    let (_, resp) = responses.iter().next().unwrap();
    resp["body"].clone()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Records every difference in keys / types between an example and an actual answer.
fn compare(example: &Value, actual: &Value, path: &str, problems: &mut Vec<String>) {
    match (example, actual) {
        (Value::Null, _) => {}
        (Value::Array(e), _) if e.is_empty() => {}
        (Value::Object(e), _) if e.is_empty() => {}
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    None if k == "timeoutInMintues" => {}
                    None => problems.push(format!("{p}: missing (example has {})", kind(ev))),
                    Some(av) if DATA_KEYS.contains(&k.as_str()) => {
                        if !ev.is_null() && kind(ev) != kind(av) {
                            problems.push(format!("{p}: {} instead of {}", kind(av), kind(ev)));
                        }
                    }
                    Some(av) => compare(ev, av, &p, problems),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let (Some(e0), Some(a0)) = (e.first(), a.first()) {
                compare(e0, a0, &format!("{path}[0]"), problems);
            }
        }
        (e, a) if kind(e) == kind(a) => {}
        (e, a) => problems.push(format!(
            "{path}: {} instead of {} (example {e}, got {a})",
            kind(a),
            kind(e)
        )),
    }
}

struct Checker {
    problems: Vec<String>,
    checked: usize,
}

impl Checker {
    fn check(&mut self, file: &str, status: reqwest::StatusCode, actual: &Value) {
        self.checked += 1;
        if !status.is_success() {
            self.problems
                .push(format!("{file}: the simulator answered {status}: {actual}"));
            return;
        }
        let ex = example(file);
        if let (Some(e), Some(a)) = (ex["value"].as_array(), actual["value"].as_array()) {
            if !e.is_empty() && a.is_empty() {
                self.problems.push(format!(
                    "{file}: the simulator's list is empty, nothing to compare"
                ));
            }
        }
        let mut p = Vec::new();
        compare(&ex, actual, "$", &mut p);
        self.problems
            .extend(p.into_iter().map(|x| format!("{file}: {x}")));
    }
}

#[tokio::test]
async fn release_catalog_and_core_answers_have_the_shapes_of_the_official_examples() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let mut c = Checker {
        problems: Vec::new(),
        checked: 0,
    };
    let r = "release/7.1/httpExamples";

    for (file, q) in [
        ("definitions/GET__ListAllReleaseDefinitions.json", ""),
        (
            "definitions/GET_ListAllReleaseDefinitionsWithArtifactsExpanded.json",
            "?$expand=artifacts",
        ),
        (
            "definitions/GET__ListAllReleaseDefinitionsWithEnvironmentsExpanded.json",
            "?$expand=environments",
        ),
    ] {
        let (s, v) = sim
            .json(Method::GET, &sim.rm(&format!("definitions{q}")), None)
            .await;
        c.check(&format!("{r}/{file}"), s, &v);
    }
    // A hotfix definition with a manual approval (the single-item examples show one).
    let me = sim
        .get(&sim.org("_apis/connectionData?api-version=7.1-preview"))
        .await;
    let approver = json!({"id": me["authenticatedUser"]["id"], "displayName": "Maya Lopez", "uniqueName": "maya.lopez@contoso.com"});
    let approvals = json!({"approvals": [{"rank": 1, "isAutomated": false, "isNotificationOn": false, "approver": approver}]});
    let (def_id, _) = sim
        .create_definition(
            &sim.definition_body("Shapes-Hotfix", vec![], approvals)
                .await,
        )
        .await;
    let (s, def) = sim
        .json(Method::GET, &sim.rm(&format!("definitions/{def_id}")), None)
        .await;
    c.check(
        &format!("{r}/definitions/GET__GetReleaseDefinition.json"),
        s,
        &def,
    );

    // Create with the example's own request body: real bodies must be accepted.
    let doc: Value = serde_json::from_str(
        std::fs::read_to_string(fixtures_dir().join(format!(
            "azure-devops/specification/{r}/definitions/POST__CreateReleaseDefinition.json"
        )))
        .unwrap()
        .trim_start_matches('\u{feff}'),
    )
    .unwrap();
    let mut body = doc["parameters"]["releaseDefinition"].clone();
    if body.is_null() {
        body = doc["parameters"]["body"].clone();
    }
    body["name"] = json!("Example-created");
    // The example's queue 15 belongs to fabrikam; the service refuses a queue the project lacks.
    body["environments"][0]["deployPhases"][0]["deploymentInput"]["queueId"] = json!(9);
    let (s, created) = sim
        .json(Method::POST, &sim.rm("definitions"), Some(&body))
        .await;
    c.check(
        &format!("{r}/definitions/POST__CreateReleaseDefinition.json"),
        s,
        &created,
    );
    let mut update = created.clone();
    update["description"] = json!("updated");
    let (s, updated) = sim
        .json(Method::PUT, &sim.rm("definitions"), Some(&update))
        .await;
    c.check(
        &format!("{r}/definitions/PUT__UpdateReleaseDefinition.json"),
        s,
        &updated,
    );

    for (file, q) in [
        (
            "releases/GET__ListAllReleasesForAReleaseDefinition.json",
            "?definitionId=1",
        ),
        ("releases/Query_ListAllReleases.json", ""),
    ] {
        let (s, v) = sim
            .json(Method::GET, &sim.rm(&format!("releases{q}")), None)
            .await;
        c.check(&format!("{r}/{file}"), s, &v);
    }

    // A release of the hotfix definition: create, deploy (pending approval), approve.
    let head = sim.branch_head("main").await;
    let body = json!({"definitionId": def_id, "description": "shape check", "isDraft": false, "reason": "manual",
        "manualEnvironments": ["Production_Hotfix"], "artifacts": [{"alias": "_synapse-analytics", "instanceReference": {"id": head, "name": head}}]});
    let (s, rel) = sim
        .json(Method::POST, &sim.rm("releases"), Some(&body))
        .await;
    c.check(&format!("{r}/releases/POST__CreateARelease.json"), s, &rel);
    let (rid, eid) = (
        rel["id"].as_i64().unwrap_or(0),
        rel["environments"][0]["id"].as_i64().unwrap_or(0),
    );
    let url = format!(
        "{}/{}/_apis/Release/releases/{rid}/environments/{eid}",
        sim.info.release_url, sim.info.project
    );
    let (s, v) = sim.json(Method::PATCH, &url, Some(&json!({"status": "inProgress", "scheduledDeploymentTime": null, "comment": null, "variables": {}}))).await;
    c.check(
        &format!("{r}/environments/PATCH__UpdateReleaseEnvironment.json"),
        s,
        &v,
    );
    let (s, pending) = sim
        .json(
            Method::GET,
            &sim.rm(&format!(
                "approvals?releaseIdsFilter={rid}&continuationToken=0"
            )),
            None,
        )
        .await;
    c.check(
        &format!("{r}/approvals/GET__ListPendingApprovalsForASpecificARelease.json"),
        s,
        &pending,
    );
    let approval = pending["value"][0]["id"].as_i64().unwrap_or(0);
    let (s, v) = sim
        .json(
            Method::PATCH,
            &sim.rm(&format!("approvals/{approval}")),
            Some(&json!({"status": "approved", "comments": "Good to go!"})),
        )
        .await;
    c.check(
        &format!("{r}/approvals/PATCH__UpdateStatusOfAnApprovalFromPendingToApproved.json"),
        s,
        &v,
    );
    sim.wait_stage(rid, eid).await;
    let (s, v) = sim
        .json(Method::GET, &sim.rm(&format!("releases/{rid}")), None)
        .await;
    c.check(&format!("{r}/releases/GET__GetARelease.json"), s, &v);

    // Newest first, so the first item is the hotfix deployment with its manual approval, like the examples.
    for (file, q) in [
        (
            "deployments/GET__ListDeployments.json",
            "?queryOrder=descending".to_owned(),
        ),
        (
            "deployments/GET__ListDeploymentsForAGivenDefinitionId.json",
            format!("?definitionId={def_id}"),
        ),
    ] {
        let (s, v) = sim
            .json(Method::GET, &sim.rm(&format!("deployments{q}")), None)
            .await;
        c.check(&format!("{r}/{file}"), s, &v);
    }

    let se = "serviceEndpoint/7.1/httpExamples/endpoints";
    let eps = sim.org(&format!(
        "{}/_apis/serviceendpoint/endpoints",
        sim.info.project
    ));
    let (s, v) = sim
        .json(Method::GET, &format!("{eps}?type=azurerm"), None)
        .await;
    c.check(&format!("{se}/ListEndpoints.json"), s, &v);
    let (s, v) = sim
        .json(
            Method::GET,
            &format!("{eps}?endpointNames=contoso-prod-arm"),
            None,
        )
        .await;
    c.check(&format!("{se}/GetServiceEndpointsByName.json"), s, &v);
    let id = v["value"][0]["id"].as_str().unwrap_or("").to_owned();
    let (s, v) = sim.json(Method::GET, &format!("{eps}/{id}"), None).await;
    c.check(&format!("{se}/GetServiceEndpointDetails.json"), s, &v);

    let em = "extensionManagement/7.1/httpExamples";
    let ext = format!("{}/_apis/extensionmanagement", sim.info.extmgmt_url);
    let (s, v) = sim
        .json(
            Method::GET,
            &format!("{ext}/installedextensions?api-version=7.1-preview.1"),
            None,
        )
        .await;
    c.check(
        &format!("{em}/installedExtensions/ListInstalledExtensions.json"),
        s,
        &v,
    );
    let (s, v) = sim
        .json(Method::GET, &format!("{ext}/installedextensionsbyname/AzureSynapseWorkspace/synapsecicd-deploy?api-version=7.1-preview.1"), None)
        .await;
    c.check(
        &format!("{em}/installedExtensionsByName/GetInstalledSampleExtension.json"),
        s,
        &v,
    );

    let (s, v) = sim
        .json(Method::GET, &sim.org("_apis/projects"), None)
        .await;
    c.check("core/7.1/httpExamples/projects/GET__projects.json", s, &v);

    let g = "git/7.1/httpExamples";
    let repos = sim.org(&format!("{}/_apis/git/repositories", sim.info.project));
    let (s, v) = sim.json(Method::GET, &repos, None).await;
    c.check(
        &format!("{g}/repositories/GET__git_repositories.json"),
        s,
        &v,
    );
    let (s, v) = sim
        .json(
            Method::GET,
            &format!("{repos}/{}", sim.info.repository),
            None,
        )
        .await;
    c.check(
        &format!("{g}/repositories/GET__git_repositories__repositoryId_.json"),
        s,
        &v,
    );
    let (s, v) = sim
        .json(
            Method::GET,
            &format!("{repos}/{}/refs?filter=heads/", sim.info.repository),
            None,
        )
        .await;
    c.check(
        &format!("{g}/refs/GET__git_repositories__repositoryId__refs_heads.json"),
        s,
        &v,
    );

    assert_eq!(c.checked, 24, "every example listed above was checked");
    assert!(
        c.problems.is_empty(),
        "{} shape differences:\n{}",
        c.problems.len(),
        c.problems.join("\n")
    );
}

fn synapse_example(name: &str) -> Value {
    let file = fixtures_dir()
        .join(
            "synapse/specification/synapse/data-plane/Microsoft.Synapse/stable/2020-12-01/examples",
        )
        .join(name);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let doc: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap();
    doc["responses"]["200"]["body"].clone()
}

#[tokio::test]
async fn synapse_trigger_answers_have_the_shapes_of_the_official_examples() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let base = format!(
        "{}/synapse/contoso-synapse-prod/triggers",
        sim.info.base_url
    );
    let get = |url: String| {
        let http = sim.http.clone();
        let token = sim.info.synapse_token.clone();
        async move {
            let resp = http.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(resp.status(), 200);
            resp.json::<Value>().await.unwrap()
        }
    };
    let list = get(format!("{base}?api-version=2020-12-01")).await;
    let mut problems = Vec::new();
    compare(
        &synapse_example("Triggers_ListByWorkspace.json"),
        &list,
        "$",
        &mut problems,
    );
    let name = list["value"][0]["name"]
        .as_str()
        .expect("prod has triggers")
        .to_owned();
    let one = get(format!("{base}/{name}?api-version=2020-12-01")).await;
    compare(
        &synapse_example("Triggers_Get.json"),
        &one,
        "$",
        &mut problems,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The runtime state is what the example says it is: Started / Stopped.
    assert!(matches!(
        one["properties"]["runtimeState"].as_str(),
        Some("Started" | "Stopped")
    ));
}

#[tokio::test]
async fn synapse_artifact_lists_and_errors_have_the_shapes_of_the_official_examples() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let base = format!("{}/synapse/contoso-synapse-prod", sim.info.base_url);
    let get = |url: String| {
        let http = sim.http.clone();
        let token = sim.info.synapse_token.clone();
        async move {
            let resp = http.get(url).bearer_auth(token).send().await.unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let mut problems = Vec::new();
    for (segment, example) in [
        ("linkedservices", "LinkedServices_ListByWorkspace.json"),
        ("integrationRuntimes", "IntegrationRuntimes_List.json"),
    ] {
        let (status, list) = get(format!("{base}/{segment}?api-version=2020-12-01")).await;
        assert_eq!(status, 200, "{segment}: {list}");
        assert!(!list["value"].as_array().unwrap().is_empty(), "{segment}");
        compare(&synapse_example(example), &list, segment, &mut problems);
    }
    // The error answer of the spec's `default` response.
    let file = fixtures_dir().join(
        "synapse/specification/synapse/data-plane/Microsoft.Synapse/stable/2020-12-01/examples/IntegrationRuntimes_List.json",
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let (status, missing) = get(format!(
        "{base}/integrationRuntimes/no-such-runtime?api-version=2020-12-01"
    ))
    .await;
    assert_eq!(status, 404);
    compare(
        &doc["responses"]["default"]["body"],
        &missing,
        "error",
        &mut problems,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
