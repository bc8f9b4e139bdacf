//! What the simulated service refuses in a release definition, with the real codes: empty
//! approvals (VS402877), no retention policy (VS402982), an unknown task or major version, an
//! unknown agent queue, an unusable service connection (VS402913); and the list filter on the
//! artifact source the app uses to find the hotfix definition of a repository.

mod release_support;

use ado_sim::Seed;
use release_support::{automated, TestSim};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn refused(sim: &TestSim, body: &Value) -> String {
    let (status, err) = sim
        .json(Method::POST, &sim.rm("definitions"), Some(body))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["typeKey"], "InvalidRequestException");
    err["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_stage_without_approvals_or_retention_is_refused_with_the_real_codes() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let tasks = sim.synapse_tasks().await;
    let good = sim.definition_body("Checks", tasks, automated()).await;

    let mut no_pre = good.clone();
    no_pre["environments"][0]["preDeployApprovals"] = json!({"approvals": []});
    assert_eq!(
        refused(&sim, &no_pre).await,
        "VS402877: Pre-approvals or post-approvals in stage 'Production_Hotfix' are empty."
    );
    let mut no_post = good.clone();
    no_post["environments"][0]
        .as_object_mut()
        .unwrap()
        .remove("postDeployApprovals");
    assert!(refused(&sim, &no_post).await.starts_with("VS402877:"));

    let mut no_retention = good.clone();
    no_retention["environments"][0]
        .as_object_mut()
        .unwrap()
        .remove("retentionPolicy");
    let m = refused(&sim, &no_retention).await;
    assert!(
        m.starts_with("VS402982:") && m.contains("'Production_Hotfix'"),
        "{m}"
    );

    // The same rules on update: removing the approvals of a saved definition is refused.
    let (id, _) = sim.create_definition(&good).await;
    let mut current = sim.get(&sim.rm(&format!("definitions/{id}"))).await;
    current["environments"][0]["postDeployApprovals"] = json!({"approvals": []});
    let (status, err) = sim
        .json(Method::PUT, &sim.rm("definitions"), Some(&current))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["message"].as_str().unwrap().starts_with("VS402877:"),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_tasks_queues_and_service_connections_are_refused() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let tasks = sim.synapse_tasks().await;
    let good = sim.definition_body("Refs", tasks, automated()).await;

    let mut bad_task = good.clone();
    bad_task["environments"][0]["deployPhases"][0]["workflowTasks"][0]["taskId"] =
        json!("00000000-1111-2222-3333-444444444444");
    let m = refused(&sim, &bad_task).await;
    assert!(
        m.starts_with("Tasks with versions '00000000-1111-2222-3333-444444444444:2.*' are not valid for deploy job 'Agent job' in stage Production_Hotfix"),
        "{m}"
    );
    let mut bad_major = good.clone();
    bad_major["environments"][0]["deployPhases"][0]["workflowTasks"][1]["version"] = json!("1.*");
    let m = refused(&sim, &bad_major).await;
    assert!(m.contains("'Synapse workspace deployment:1.*'"), "{m}");

    let mut bad_queue = good.clone();
    bad_queue["environments"][0]["deployPhases"][0]["deploymentInput"]["queueId"] = json!(4242);
    let m = refused(&sim, &bad_queue).await;
    assert!(m.contains("agent queue with id 4242"), "{m}");

    let mut bad_endpoint = good.clone();
    bad_endpoint["environments"][0]["deployPhases"][0]["workflowTasks"][1]["inputs"]
        ["AzureResourceManagerConnection"] = json!("9e9e9e9e-0000-0000-0000-000000000000");
    let m = refused(&sim, &bad_endpoint).await;
    assert!(m.starts_with("VS402913: The release definition cannot be saved because the environment 'Production_Hotfix' references a service endpoint"), "{m}");
    assert!(m.contains("9e9e9e9e-0000-0000-0000-000000000000"), "{m}");

    // A release-time variable is not resolved when saving.
    let mut variable = good.clone();
    variable["environments"][0]["deployPhases"][0]["workflowTasks"][1]["inputs"]
        ["AzureResourceManagerConnection"] = json!("$(ProdConnection)");
    sim.create_definition(&variable).await;
}

#[tokio::test]
async fn definitions_are_listed_by_artifact_source() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let body = sim.definition_body("By-Source", vec![], automated()).await;
    let (id, _) = sim.create_definition(&body).await;
    let source = body["artifacts"][0]["sourceId"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = sim
        .get(&sim.rm(&format!(
            "definitions?artifactType=Git&artifactSourceId={source}&$expand=artifacts"
        )))
        .await;
    let ids: Vec<i64> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&id), "{ids:?}");
    assert!(list["value"][0]["artifacts"].is_array());
    let none = sim
        .get(&sim.rm(
            "definitions?artifactType=Git&artifactSourceId=00000000-0000-0000-0000-000000000000:x",
        ))
        .await;
    assert_eq!(none["count"], 0, "{none}");
}
