//! The Synapse tasks read their inputs the way the real tasks do (TASKS.md "Corrections and
//! additions" 2 and 10): an unknown `operation` does nothing and succeeds, `ToggleOn` defaults to
//! `true`, `Triggers` is split on commas without trimming, and release-time variables reach the
//! inputs as `$(Name)`.

mod release_support;

use std::collections::BTreeMap;

use ado_sim::Seed;
use release_support::{automated, TestSim};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PROD: &str = "contoso-synapse-prod";
const DAILY: &str = "tr_daily_0600";
const FILE: &str = "tr_sales_file_arrival";

/// A workflow task of the stage.
fn task(id: &str, name: &str, inputs: &Value) -> Value {
    json!({"taskId": id, "version": "2.*", "name": name, "refName": "", "definitionType": "task", "enabled": true,
           "alwaysRun": false, "continueOnError": false, "timeoutInMinutes": 0, "condition": "succeeded()",
           "environment": {}, "overrideInputs": {}, "inputs": inputs})
}

/// A toggle task on the prod workspace with `extra` inputs (ToggleOn / Triggers as given).
async fn toggle(sim: &TestSim, extra: Value) -> Value {
    let mut inputs = json!({"ServiceConnectionName": sim.endpoint_id("contoso-prod-arm").await,
        "ResourceGroupName": "rg-contoso-synapse-prod", "WorkspaceName": PROD});
    for (k, v) in extra.as_object().unwrap() {
        inputs[k] = v.clone();
    }
    task(&sim.task_id("toggle-triggers-dev").await, "Toggle", &inputs)
}

/// The outcome of one stage run: its single workflow task's status and log.
struct Run {
    status: String,
    log: String,
    release: Value,
}

/// Creates a definition whose stage runs `tasks` (definition `variables` as given), a release of
/// it at main's head with release `variables`, deploys it to the end; answers the last workflow
/// task's status and log.
async fn run(
    sim: &TestSim,
    name: &str,
    tasks: Vec<Value>,
    variables: Value,
    release_vars: Value,
) -> Run {
    let mut body = sim.definition_body(name, tasks, automated()).await;
    body["variables"] = variables;
    let (def, _) = sim.create_definition(&body).await;
    run_release(sim, def, release_vars).await
}

async fn run_release(sim: &TestSim, def: i64, release_vars: Value) -> Run {
    let head = sim.branch_head("main").await;
    let body = json!({"definitionId": def, "description": "test", "isDraft": false, "reason": "manual",
        "manualEnvironments": ["Production_Hotfix"], "variables": release_vars,
        "artifacts": [{"alias": "_synapse-analytics", "instanceReference": {"id": head, "name": &head[..8], "sourceBranch": "refs/heads/main"}}]});
    let (status, r) = sim
        .json(Method::POST, &sim.rm("releases"), Some(&body))
        .await;
    assert_eq!(status, StatusCode::OK, "release created: {r}");
    let (rid, eid) = (
        r["id"].as_i64().unwrap(),
        r["environments"][0]["id"].as_i64().unwrap(),
    );
    sim.deploy(rid, eid).await;
    let release = sim.wait_stage(rid, eid).await;
    let (phase, tasks) = TestSim::tasks_of(&release, eid);
    let last = tasks
        .iter()
        .rev()
        .find(|t| !t["task"].is_null())
        .expect("a workflow task");
    Run {
        status: last["status"].as_str().unwrap().to_owned(),
        log: sim
            .task_log(rid, eid, phase, last["id"].as_i64().unwrap())
            .await,
        release,
    }
}

async fn states(sim: &TestSim) -> BTreeMap<String, String> {
    sim.triggers(PROD).await.into_iter().collect()
}

/// Stops every prod trigger (ToggleOn false, Triggers *).
async fn stop_all(sim: &TestSim, name: &str) {
    let stop = toggle(sim, json!({"ToggleOn": "false", "Triggers": "*"})).await;
    let r = run(sim, name, vec![stop], json!({}), json!({})).await;
    assert_eq!(r.status, "succeeded", "{}", r.log);
    assert!(states(sim).await.values().all(|s| s == "Stopped"));
}

#[tokio::test]
async fn toggle_on_defaults_to_true_and_only_true_starts() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let before = states(&sim).await;
    assert_eq!(before[DAILY], "Started");
    assert_eq!(
        before[FILE], "Stopped",
        "the demo keeps one prod trigger stopped"
    );

    stop_all(&sim, "Toggle-False").await;

    // A "stop" task that omits ToggleOn starts every trigger, the one stopped on purpose too.
    let omitted = toggle(&sim, json!({})).await;
    let r = run(&sim, "Toggle-Omitted", vec![omitted], json!({}), json!({})).await;
    assert_eq!(r.status, "succeeded", "{}", r.log);
    assert!(r.log.contains("Starting 2 trigger(s)"), "{}", r.log);
    assert!(states(&sim).await.values().all(|s| s == "Started"));

    // Anything but "true" (any case) is false: "yes" stops.
    let yes = toggle(&sim, json!({"ToggleOn": "yes"})).await;
    let r = run(&sim, "Toggle-Yes", vec![yes], json!({}), json!({})).await;
    assert_eq!(r.status, "succeeded", "{}", r.log);
    assert!(states(&sim).await.values().all(|s| s == "Stopped"));

    let upper = toggle(&sim, json!({"ToggleOn": "TRUE"})).await;
    let r = run(&sim, "Toggle-Upper", vec![upper], json!({}), json!({})).await;
    assert_eq!(r.status, "succeeded", "{}", r.log);
    assert!(states(&sim).await.values().all(|s| s == "Started"));

    // Given but empty: the required input is missing and nothing changes.
    stop_all(&sim, "Toggle-False-Again").await;
    let empty = toggle(&sim, json!({"ToggleOn": ""})).await;
    let r = run(&sim, "Toggle-Empty", vec![empty], json!({}), json!({})).await;
    assert_eq!(r.status, "failed", "{}", r.log);
    assert!(r.log.contains("Input required: ToggleOn"), "{}", r.log);
    assert!(states(&sim).await.values().all(|s| s == "Stopped"));
}

#[tokio::test]
async fn triggers_is_a_comma_list_without_trimming_and_star_means_all() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    stop_all(&sim, "Triggers-Stop").await;

    // A named subset starts only those.
    let one = toggle(&sim, json!({"ToggleOn": "true", "Triggers": FILE})).await;
    let r = run(&sim, "Triggers-One", vec![one], json!({}), json!({})).await;
    assert_eq!(r.status, "succeeded", "{}", r.log);
    let s = states(&sim).await;
    assert_eq!(
        (s[FILE].as_str(), s[DAILY].as_str()),
        ("Started", "Stopped")
    );

    // "a, b": the second name is " b", which is no trigger; the first is started anyway.
    stop_all(&sim, "Triggers-Stop-Again").await;
    let spaced = toggle(
        &sim,
        json!({"ToggleOn": "true", "Triggers": format!("{FILE}, {DAILY}")}),
    )
    .await;
    let r = run(&sim, "Triggers-Spaced", vec![spaced], json!({}), json!({})).await;
    assert_eq!(r.status, "failed", "{}", r.log);
    assert!(
        r.log.contains(&format!("Trigger ' {DAILY}' was not found")),
        "the name keeps its space: {}",
        r.log
    );
    let s = states(&sim).await;
    assert_eq!(
        (s[FILE].as_str(), s[DAILY].as_str()),
        ("Started", "Stopped")
    );

    // Omitted Triggers defaults to "*": every trigger.
    let all = toggle(&sim, json!({"ToggleOn": "true"})).await;
    let r = run(&sim, "Triggers-Default", vec![all], json!({}), json!({})).await;
    assert_eq!(r.status, "succeeded", "{}", r.log);
    assert!(states(&sim).await.values().all(|s| s == "Started"));
}

#[tokio::test]
async fn a_release_time_triggers_variable_reaches_the_task_per_release() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    stop_all(&sim, "Variable-Stop").await;
    let start = toggle(&sim, json!({"ToggleOn": "true", "Triggers": "$(Triggers)"})).await;
    let mut body = sim
        .definition_body("Variable-Start", vec![start], automated())
        .await;
    body["variables"] = json!({"Triggers": {"value": "*", "allowOverride": true},
        "Fixed": {"value": "kept", "allowOverride": false}});
    let (def, _) = sim.create_definition(&body).await;

    // This release starts only the file trigger.
    let r = run_release(
        &sim,
        def,
        json!({"Triggers": {"value": FILE}, "Fixed": {"value": "changed"}}),
    )
    .await;
    assert_eq!(r.status, "succeeded", "{}", r.log);
    assert!(r.log.contains("Starting 1 trigger(s)"), "{}", r.log);
    let s = states(&sim).await;
    assert_eq!(
        (s[FILE].as_str(), s[DAILY].as_str()),
        ("Started", "Stopped")
    );
    let vars = &r.release["variables"];
    assert_eq!(vars["Triggers"]["value"], FILE, "{vars}");
    assert_eq!(vars["Fixed"]["value"], "kept", "not overridable: {vars}");

    // The next release without an override gets the definition's "*".
    let r = run_release(&sim, def, json!({})).await;
    assert_eq!(r.status, "succeeded", "{}", r.log);
    assert!(r.log.contains("Starting 2 trigger(s)"), "{}", r.log);
    assert!(states(&sim).await.values().all(|s| s == "Started"));
    assert_eq!(r.release["variables"]["Triggers"]["value"], "*");
}

#[tokio::test]
async fn an_unknown_operation_deploys_nothing_and_succeeds_like_the_real_task() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    // The daily trigger is started: a real deployment of main would fail on it
    // (TriggerEnabledCannotUpdate); an unknown operation never gets that far.
    let etags = |v: &Value| -> BTreeMap<String, String> {
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["name"].as_str().unwrap().to_owned(),
                    t["etag"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let triggers_url = format!(
        "{}/synapse/{PROD}/triggers?api-version=2020-12-01",
        sim.info.base_url
    );
    let read = || async {
        sim.http
            .get(&triggers_url)
            .bearer_auth(&sim.info.synapse_token)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let before = etags(&read().await);
    let deploy_id = sim.task_id("Synapse workspace deployment").await;
    let ep = sim.endpoint_id("contoso-prod-arm").await;
    let deploy = |operation: &str| {
        task(
            &deploy_id,
            "Synapse deployment",
            &json!({"operation": operation,
            "ArtifactsFolder": "$(System.DefaultWorkingDirectory)/_synapse-analytics",
            "AzureResourceManagerConnection": ep, "ResourceGroupName": "rg-contoso-synapse-prod",
            "TargetWorkspaceName": PROD, "DeleteArtifactsNotInTemplate": "true",
            "DeployManagedPrivateEndpoints": "false", "OverrideArmParameters": "", "Environment": "prod"}),
        )
    };

    // The switch compares exactly: another casing is unknown too.
    for op in ["validatedeploy", "Deploy"] {
        let r = run(
            &sim,
            &format!("Op-{op}"),
            vec![deploy(op)],
            json!({}),
            json!({}),
        )
        .await;
        assert_eq!(r.status, "succeeded", "{op}: {}", r.log);
        assert!(
            r.log.contains("##[section]Starting: Synapse deployment"),
            "{}",
            r.log
        );
        assert!(
            r.log.contains("##[section]Finishing: Synapse deployment"),
            "{}",
            r.log
        );
        assert!(!r.log.contains("Deploying"), "nothing deployed: {}", r.log);
        assert!(!r.log.contains("Deleting"), "nothing deleted: {}", r.log);
        assert!(!r.log.contains("##[error]"), "{}", r.log);
        assert_eq!(etags(&read().await), before, "no trigger was rewritten");
    }

    // Only the literal "default" reaches the task's `case 'default':` and fails.
    let r = run(
        &sim,
        "Op-default",
        vec![deploy("default")],
        json!({}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, "failed", "{}", r.log);
    assert!(
        r.log.contains("Operation not supported : default"),
        "{}",
        r.log
    );

    // A known operation does run (and fails here on the started trigger).
    let r = run(
        &sim,
        "Op-known",
        vec![deploy("validateDeploy")],
        json!({}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, "failed", "{}", r.log);
    assert!(r.log.contains("TriggerEnabledCannotUpdate"), "{}", r.log);
}
