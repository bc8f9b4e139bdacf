//! Releases really run: deploying a stage executes the Synapse tasks against the simulated
//! workspace, with statuses, task logs, approvals and failures like the real service.

mod release_support;

use std::time::Duration;

use ado_sim::Seed;
use release_support::{automated, TestSim};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_hotfix_release_with_the_three_synapse_tasks_succeeds_and_restarts_triggers() {
    let sim = TestSim::start(Seed::Demo, 20).await;
    let def = sim.synapse_definition("Synapse-Hotfix-Release3").await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;

    let queued = sim.deploy(rid, eid).await;
    assert!(
        matches!(queued["status"].as_str(), Some("queued" | "inProgress")),
        "PATCH answers the queued stage: {}",
        queued["status"]
    );

    let r = sim.wait_stage(rid, eid).await;
    let env = &r["environments"][0];
    assert_eq!(env["status"], "succeeded", "stage succeeded: {env}");
    let step = env["deploySteps"].as_array().unwrap().last().unwrap();
    assert_eq!(step["status"], "succeeded");
    assert_eq!(step["operationStatus"], "PhaseSucceeded");
    let (phase, tasks) = TestSim::tasks_of(&r, eid);
    let names: Vec<&str> = tasks.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Initialize job",
            "Download artifact - _synapse-analytics",
            "Stop Synapse triggers",
            "Synapse deployment",
            "Start Synapse triggers",
            "Finalize Job"
        ]
    );
    assert!(
        tasks.iter().all(|t| t["status"] == "succeeded"),
        "every task succeeded: {tasks:?}"
    );

    let deploy = tasks
        .iter()
        .find(|t| t["name"] == "Synapse deployment")
        .unwrap();
    let log = sim
        .task_log(rid, eid, phase, deploy["id"].as_i64().unwrap())
        .await;
    assert!(log.contains("Validation succeeded"), "validate log: {log}");
    assert!(
        log.contains("Deploying pipeline 'pl_ingest_sales'"),
        "deploy log names the pipelines: {log}"
    );
    assert!(
        log.lines()
            .all(|l| l.len() > 28 && l.as_bytes()[4] == b'-' && l.contains("Z ")),
        "every line is timestamped: {log}"
    );
    assert_eq!(
        deploy["lineCount"].as_u64().unwrap() as usize,
        log.lines().count()
    );
    // startLine/endLine page the log.
    let part = sim.text(&sim.rm(&format!("releases/{rid}/environments/{eid}/deployPhases/{phase}/tasks/{}/logs?startLine=1&endLine=3", deploy["id"]))).await;
    assert_eq!(
        part.lines().collect::<Vec<_>>(),
        log.lines().skip(1).take(2).collect::<Vec<_>>()
    );

    // Every prod trigger was restarted by the last task (the one stopped before is started too: ToggleOn true, Triggers *).
    let triggers = sim.triggers("contoso-synapse-prod").await;
    assert!(!triggers.is_empty());
    assert!(triggers.iter().all(|(_, s)| s == "Started"), "{triggers:?}");

    // The deployment is the latest succeeded one of this definition environment.
    let d = sim.get(&sim.rm(&format!("deployments?definitionId={def}&deploymentStatus=succeeded&latestAttemptsOnly=true&queryOrder=descending&$top=1"))).await;
    assert_eq!(d["value"][0]["release"]["id"], rid);
}

#[tokio::test]
async fn a_broken_artifact_fails_validation_with_a_log_line_naming_it() {
    let sim = TestSim::start(Seed::Demo, 20).await;
    let def = sim.synapse_definition("Synapse-Hotfix-Broken").await;
    let broken = sim.branch_head("demo/broken-artifact").await;
    let (rid, eid) = sim
        .create_release(def, &broken, "demo/broken-artifact")
        .await;
    sim.deploy(rid, eid).await;
    let r = sim.wait_stage(rid, eid).await;
    let env = &r["environments"][0];
    assert_eq!(
        env["status"], "rejected",
        "a failed deployment leaves the stage rejected"
    );
    let step = env["deploySteps"].as_array().unwrap().last().unwrap();
    assert_eq!(step["status"], "failed");
    assert_eq!(step["operationStatus"], "PhaseFailed");
    let (phase, tasks) = TestSim::tasks_of(&r, eid);
    let status = |n: &str| {
        tasks.iter().find(|t| t["name"] == n).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(status("Stop Synapse triggers"), "succeeded");
    assert_eq!(status("Synapse deployment"), "failed");
    assert_eq!(status("Start Synapse triggers"), "skipped");
    let deploy = tasks
        .iter()
        .find(|t| t["name"] == "Synapse deployment")
        .unwrap();
    let log = sim
        .task_log(rid, eid, phase, deploy["id"].as_i64().unwrap())
        .await;
    let line = log
        .lines()
        .find(|l| {
            l.contains("##[error]")
                && l.contains("pl_ingest_returns")
                && l.contains("ds_raw_returns_csv")
        })
        .unwrap_or_else(|| {
            panic!("an error line names the artifact and the missing reference: {log}")
        });
    assert!(
        line.contains("_synapse-analytics"),
        "and the release artifact: {line}"
    );
    assert!(deploy["issues"][0]["message"]
        .as_str()
        .unwrap()
        .contains("ds_raw_returns_csv"));
    // Nothing was deployed, triggers stay stopped.
    let triggers = sim.triggers("contoso-synapse-prod").await;
    assert!(triggers.iter().all(|(_, s)| s == "Stopped"), "{triggers:?}");
}

#[tokio::test]
async fn a_pre_deployment_approval_holds_the_stage_until_approved() {
    let sim = TestSim::start(Seed::Demo, 20).await;
    let me = sim
        .get(&sim.org("_apis/connectionData?api-version=7.1-preview"))
        .await;
    let user_id = me["authenticatedUser"]["id"].as_str().map(str::to_owned);
    let approver = match user_id {
        Some(id) => {
            json!({"id": id, "displayName": "Maya Lopez", "uniqueName": "maya.lopez@contoso.com"})
        }
        None => {
            json!({"id": "6f0b1d2c-0000-4000-8000-000000000001", "displayName": "Maya Lopez", "uniqueName": "maya.lopez@contoso.com"})
        }
    };
    let approvals = json!({"approvals": [{"rank": 1, "isAutomated": false, "isNotificationOn": false, "approver": approver}],
        "approvalOptions": {"requiredApproverCount": 1, "releaseCreatorCanBeApprover": true, "executionOrder": "beforeGates"}});
    let body = sim
        .definition_body(
            "Synapse-Hotfix-Approval",
            sim.synapse_tasks().await,
            approvals,
        )
        .await;
    let (def, _) = sim.create_definition(&body).await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    sim.deploy(rid, eid).await;

    let pending = sim
        .get(&sim.rm(&format!(
            "approvals?releaseIdsFilter={rid}&statusFilter=pending"
        )))
        .await;
    assert_eq!(pending["count"], 1, "{pending}");
    let approval = &pending["value"][0];
    assert_eq!(approval["approvalType"], "preDeploy");
    assert_eq!(approval["releaseEnvironment"]["id"], eid);

    // Held: no task starts however long we wait.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let r = sim
        .get(&sim.rm(&format!("releases/{rid}?$expand=tasks")))
        .await;
    let step = r["environments"][0]["deploySteps"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(step["operationStatus"], "Pending");
    let (_, tasks) = TestSim::tasks_of(&r, eid);
    assert!(tasks.iter().all(|t| t["status"] == "pending"), "{tasks:?}");

    let url = sim.rm(&format!("approvals/{}", approval["id"]));
    let (status, a) = sim
        .json(
            Method::PATCH,
            &url,
            Some(&json!({"status": "approved", "comments": "Go"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "approved");
    let r = sim.wait_stage(rid, eid).await;
    assert_eq!(r["environments"][0]["status"], "succeeded");
    let again = sim
        .get(&sim.rm(&format!("approvals?releaseIdsFilter={rid}")))
        .await;
    assert_eq!(again["count"], 0, "no approval is pending any more");
}

#[tokio::test]
async fn unknown_tasks_fail_with_a_clear_line_and_stages_without_tasks_succeed() {
    // The service refuses to save a definition with an unknown task, so the task disappears
    // after saving (as when an extension is removed): the saved world is edited between restarts.
    let dir = tempfile::tempdir().unwrap();
    let opts = || ado_sim::SimOptions {
        seed: Seed::Demo,
        port: 0,
        state_dir: Some(dir.path().to_path_buf()),
        task_delay_ms: 10,
    };
    let sim = TestSim::start_with(opts()).await;
    let known = sim.task_id("PowerShell").await;
    let task = json!({"taskId": known, "version": "2.*", "name": "Mystery task", "enabled": true, "inputs": {}});
    let (def, _) = sim
        .create_definition(
            &sim.definition_body("Unknown-Task", vec![task], automated())
                .await,
        )
        .await;
    sim.handle.state().persist().unwrap();
    sim.handle.shutdown().await;
    let world = dir.path().join("world.json");
    let mut saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&world).unwrap()).unwrap();
    let unknown_id = "0a1b2c3d-0000-4000-8000-00000000beef";
    // Only the definition's copy: the catalogue keeps (and so no longer matches) the old id.
    let release = serde_json::to_string(&saved["release"])
        .unwrap()
        .replace(&known, unknown_id);
    saved["release"] = serde_json::from_str(&release).unwrap();
    std::fs::write(&world, serde_json::to_vec(&saved).unwrap()).unwrap();
    let sim = TestSim::start_with(opts()).await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    sim.deploy(rid, eid).await;
    let r = sim.wait_stage(rid, eid).await;
    assert_eq!(r["environments"][0]["status"], "rejected");
    let (phase, tasks) = TestSim::tasks_of(&r, eid);
    let t = tasks.iter().find(|t| t["name"] == "Mystery task").unwrap();
    let log = sim
        .task_log(rid, eid, phase, t["id"].as_i64().unwrap())
        .await;
    assert!(
        log.contains("0a1b2c3d-0000-4000-8000-00000000beef") && log.contains("could not be found"),
        "{log}"
    );

    let (def, _) = sim
        .create_definition(&sim.definition_body("No-Tasks", vec![], automated()).await)
        .await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    sim.deploy(rid, eid).await;
    let r = sim.wait_stage(rid, eid).await;
    assert_eq!(r["environments"][0]["status"], "succeeded");
}

#[tokio::test]
async fn deploying_while_a_touched_trigger_is_started_fails_like_the_real_task() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let mut tasks = sim.synapse_tasks().await;
    tasks.remove(0); // no "Stop Synapse triggers"
    let (def, _) = sim
        .create_definition(&sim.definition_body("No-Stop", tasks, automated()).await)
        .await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    sim.deploy(rid, eid).await;
    let r = sim.wait_stage(rid, eid).await;
    assert_eq!(r["environments"][0]["status"], "rejected");
    let (phase, tasks) = TestSim::tasks_of(&r, eid);
    let t = tasks
        .iter()
        .find(|t| t["name"] == "Synapse deployment")
        .unwrap();
    let log = sim
        .task_log(rid, eid, phase, t["id"].as_i64().unwrap())
        .await;
    assert!(log.contains("TriggerEnabledCannotUpdate"), "{log}");
}

#[tokio::test]
async fn admin_pause_holds_deployments_and_advance_runs_one_step() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let state = sim.handle.state();
    ado_sim::release::control(&state, ado_sim::release::Control::Pause);
    let (def, _) = sim
        .create_definition(&sim.definition_body("Paused", vec![], automated()).await)
        .await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    sim.deploy(rid, eid).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = sim
        .get(&sim.rm(&format!("releases/{rid}?$expand=tasks")))
        .await;
    assert_eq!(
        r["environments"][0]["status"], "queued",
        "paused before the first step"
    );
    ado_sim::release::control(&state, ado_sim::release::Control::Advance);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = sim
        .get(&sim.rm(&format!("releases/{rid}?$expand=tasks")))
        .await;
    assert_eq!(r["environments"][0]["status"], "inProgress", "one step ran");
    let (_, tasks) = TestSim::tasks_of(&r, eid);
    assert_eq!(tasks[0]["status"], "pending", "but not the next one");
    ado_sim::release::control(&state, ado_sim::release::Control::Resume);
    let r = sim.wait_stage(rid, eid).await;
    assert_eq!(r["environments"][0]["status"], "succeeded");
}

#[tokio::test]
async fn a_new_release_of_the_demo_pipeline_deploys_test_automatically_from_the_arm_templates() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let (status, r) = sim
        .json(
            Method::POST,
            &sim.rm("releases"),
            Some(&json!({"definitionId": 1, "description": "nightly"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["name"], "Release-4");
    let envs = r["environments"].as_array().unwrap();
    let test = envs.iter().find(|e| e["name"] == "Test").unwrap();
    let prod = envs.iter().find(|e| e["name"] == "Production").unwrap();
    assert_eq!(prod["status"], "notStarted", "Production is manual");
    let (rid, eid) = (r["id"].as_i64().unwrap(), test["id"].as_i64().unwrap());
    let done = sim.wait_stage(rid, eid).await;
    let test = done["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == eid)
        .unwrap()
        .clone();
    assert_eq!(test["status"], "succeeded", "{test}");
    assert_eq!(test["triggerReason"], "After release");
    let (phase, tasks) = TestSim::tasks_of(&done, eid);
    let deploy = tasks
        .iter()
        .find(|t| {
            t["name"]
                .as_str()
                .unwrap()
                .starts_with("Synpase deployment task")
        })
        .unwrap();
    let log = sim
        .task_log(rid, eid, phase, deploy["id"].as_i64().unwrap())
        .await;
    assert!(
        log.contains("TemplateForWorkspace.json")
            && log.contains("Deployment of the Synapse artifacts succeeded"),
        "{log}"
    );
    // The publish artifact took the head of workspace_publish.
    let publish = done["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["alias"] == "_synapse-analytics-publish")
        .unwrap();
    assert_eq!(
        publish["definitionReference"]["version"]["id"],
        sim.branch_head("workspace_publish").await
    );
}

#[tokio::test]
async fn a_rejected_approval_rejects_the_stage_without_running_anything() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let me = sim
        .get(&sim.org("_apis/connectionData?api-version=7.1-preview"))
        .await;
    let approver = json!({"id": me["authenticatedUser"]["id"], "displayName": "Maya Lopez", "uniqueName": "maya.lopez@contoso.com"});
    let approvals = json!({"approvals": [{"rank": 1, "isAutomated": false, "isNotificationOn": false, "approver": approver}]});
    let (def, _) = sim
        .create_definition(
            &sim.definition_body("Rejected", sim.synapse_tasks().await, approvals)
                .await,
        )
        .await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    sim.deploy(rid, eid).await;
    let pending = sim
        .get(&sim.rm(&format!("approvals?releaseIdsFilter={rid}")))
        .await;
    let id = pending["value"][0]["id"].as_i64().unwrap();
    let (status, a) = sim
        .json(
            Method::PATCH,
            &sim.rm(&format!("approvals/{id}")),
            Some(&json!({"status": "rejected", "comments": "Not today"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "rejected");
    assert_eq!(a["comments"], "Not today");
    let r = sim.wait_stage(rid, eid).await;
    let env = &r["environments"][0];
    assert_eq!(env["status"], "rejected");
    assert_eq!(env["deploySteps"][0]["operationStatus"], "Rejected");
    let (_, tasks) = TestSim::tasks_of(&r, eid);
    assert!(
        tasks.iter().all(|t| t["status"] == "pending"),
        "nothing ran: {tasks:?}"
    );
    // The prod triggers were never stopped.
    let triggers = sim.triggers("contoso-synapse-prod").await;
    assert!(triggers.iter().any(|(_, s)| s == "Started"));
    // A decided approval cannot be decided again.
    let (status, _) = sim
        .json(
            Method::PATCH,
            &sim.rm(&format!("approvals/{id}")),
            Some(&json!({"status": "approved"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_release_logs_zip_holds_every_task_log_of_every_attempt() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let def = sim.synapse_definition("Logs-Zip").await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    sim.deploy(rid, eid).await;
    let r = sim.wait_stage(rid, eid).await;
    assert_eq!(r["environments"][0]["status"], "succeeded");
    let (phase, tasks) = TestSim::tasks_of(&r, eid);
    // Deployed again: the zip has both attempts.
    sim.deploy(rid, eid).await;
    let again = sim.wait_stage(rid, eid).await;
    assert_eq!(again["environments"][0]["status"], "succeeded");
    assert_eq!(
        again["environments"][0]["deploySteps"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let (status, headers, _) = sim
        .call(Method::GET, &sim.rm(&format!("releases/{rid}/logs")), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/zip");
    let bytes = sim
        .http
        .get(format!(
            "{}?api-version=7.1",
            sim.rm(&format!("releases/{rid}/logs"))
        ))
        .basic_auth("", Some(&sim.info.pat))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.expect("a UTF-8 entry name").into_owned())
        .collect();
    let stage = r["environments"][0]["name"].as_str().unwrap();
    for attempt in [1, 2] {
        assert!(
            names
                .iter()
                .any(|n| n.starts_with(&format!("{stage}/Attempt {attempt}/"))),
            "attempt {attempt}: {names:?}"
        );
    }
    // Each task log of attempt 1 is in the zip, identical to the task log API's text.
    let first = sim
        .get(&sim.rm(&format!("releases/{rid}?$expand=tasks")))
        .await;
    let step1 = &first["environments"][0]["deploySteps"][0];
    let phase1 = &step1["releaseDeployPhases"][0];
    let phase_name = phase1["name"].as_str().unwrap();
    assert!(!tasks.is_empty() && phase > 0);
    for t in phase1["deploymentJobs"][0]["tasks"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        let entry = format!(
            "{stage}/Attempt 1/{phase_name}/{}_{}.log",
            t["rank"],
            name.replace('/', "_")
        );
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut zip
                .by_name(&entry)
                .unwrap_or_else(|_| panic!("{entry} in {names:?}")),
            &mut text,
        )
        .unwrap();
        let api = sim
            .task_log(
                rid,
                eid,
                phase1["id"].as_i64().unwrap(),
                t["id"].as_i64().unwrap(),
            )
            .await;
        assert_eq!(text, api, "{entry}");
        assert!(text.contains(&format!("##[section]Starting: {name}")));
    }
    let (status, _) = sim
        .json(Method::GET, &sim.rm("releases/4242/logs"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
