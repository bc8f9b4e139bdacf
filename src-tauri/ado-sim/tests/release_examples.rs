//! Release answers where the service's own examples (copied under `tests/fixtures/release_run`)
//! differ from what a simulator would naturally do: a deployments list without artifacts, a
//! gated stage answered `queued` with no deploy steps, automated approvals stored with ids.

mod release_support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use ado_sim::Seed;
use release_support::TestSim;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/release_run")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("fixture JSON")
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Deploys a release of the three-task Synapse definition to the end; answers (release, stage).
async fn deployed(sim: &TestSim, name: &str) -> (i64, i64) {
    let def = sim.synapse_definition(name).await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    sim.deploy(rid, eid).await;
    let r = sim.wait_stage(rid, eid).await;
    assert_eq!(r["environments"][0]["status"], "succeeded", "{r}");
    (rid, eid)
}

#[tokio::test]
async fn a_deployments_list_leaves_the_release_artifacts_empty_like_the_example() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let (rid, _) = deployed(&sim, "Synapse-Hotfix-Deployments").await;
    let example = fixture("list_deployments_value_9.json");

    let list = sim
        .get(&sim.rm("deployments?latestAttemptsOnly=true&queryOrder=descending&$top=5"))
        .await;
    let d = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["release"]["id"] == rid)
        .expect("the deployment is listed");
    assert_eq!(d["release"]["artifacts"], json!([]), "{d}");
    assert_eq!(example["release"]["artifacts"], json!([]));
    assert_eq!(keys(&d["release"]), keys(&example["release"]));

    // The artifacts (and so the commit) are still there through GET release by id.
    let r = sim.get(&sim.rm(&format!("releases/{rid}"))).await;
    let artifacts = r["artifacts"].as_array().unwrap();
    assert_eq!(artifacts.len(), 1, "{r}");
    assert_eq!(
        artifacts[0]["definitionReference"]["version"]["id"]
            .as_str()
            .unwrap()
            .len(),
        40
    );
}

#[tokio::test]
async fn automated_approvals_are_stored_records_with_ids_and_urls() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let (rid, eid) = deployed(&sim, "Synapse-Hotfix-Automated").await;
    let example = &fixture("list_deployments_value_9.json")["preDeployApprovals"][0];
    assert_eq!(example["isAutomated"], true);

    let r = sim.get(&sim.rm(&format!("releases/{rid}"))).await;
    let env = &r["environments"][0];
    let pre = env["preDeployApprovals"].as_array().unwrap();
    let post = env["postDeployApprovals"].as_array().unwrap();
    assert_eq!((pre.len(), post.len()), (1, 1), "{env}");
    let mut ids = BTreeSet::new();
    for (a, kind) in [(&pre[0], "preDeploy"), (&post[0], "postDeploy")] {
        assert_eq!(a["approvalType"], kind);
        assert_eq!(a["isAutomated"], true);
        assert_eq!(a["status"], "approved");
        assert_eq!(a["releaseEnvironment"]["id"], eid);
        let id = a["id"].as_i64().unwrap();
        assert!(id > 0, "a real id: {a}");
        ids.insert(id);
        assert!(
            a["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/_apis/Release/approvals/{id}")),
            "{a}"
        );
        assert_eq!(
            keys(a),
            keys(example),
            "same fields as the example's automated approval"
        );
    }
    assert_eq!(ids.len(), 2, "pre and post have their own ids");

    // The same records in the deployments list, and readable by id.
    let list = sim
        .get(&sim.rm(&format!(
            "deployments?definitionId={}",
            r["releaseDefinition"]["id"]
        )))
        .await;
    let d = &list["value"][0];
    assert_eq!(d["preDeployApprovals"][0]["id"], pre[0]["id"]);
    assert_eq!(d["postDeployApprovals"][0]["id"], post[0]["id"]);
    let one = sim
        .get(&sim.rm(&format!("approvals/{}", pre[0]["id"])))
        .await;
    assert_eq!(one["isAutomated"], true, "{one}");
    // They are never pending, so nobody is asked to act on them.
    let pending = sim
        .get(&sim.rm(&format!("approvals?releaseIdsFilter={rid}")))
        .await;
    assert_eq!(pending["count"], 0, "{pending}");
}

#[tokio::test]
async fn deploying_a_gated_stage_answers_queued_without_deploy_steps_like_the_example() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let me = sim
        .get(&sim.org("_apis/connectionData?api-version=7.1-preview"))
        .await;
    let approver = json!({"id": me["authenticatedUser"]["id"], "displayName": "Maya Lopez",
        "uniqueName": "maya.lopez@contoso.com"});
    let gated = json!({"approvals": [{"rank": 1, "isAutomated": false, "isNotificationOn": false, "approver": approver}],
        "approvalOptions": {"requiredApproverCount": 1, "releaseCreatorCanBeApprover": true}});
    let body = sim
        .definition_body("Synapse-Hotfix-Gated", sim.synapse_tasks().await, gated)
        .await;
    let (def, _) = sim.create_definition(&body).await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;

    let example = &fixture("update_release_environment.json")["responses"]["200"]["body"];
    let answer = sim.deploy(rid, eid).await;
    assert_eq!(answer["status"], "queued", "{answer}");
    assert_eq!(answer["status"], example["status"]);
    assert_eq!(answer["deploySteps"], json!([]));
    assert_eq!(answer["deploySteps"], example["deploySteps"]);
    assert_eq!(answer["preDeployApprovals"], json!([]));
    assert_eq!(
        answer["preApprovalsSnapshot"]["approvals"][0]["isAutomated"],
        false
    );
    let missing: Vec<String> = keys(example).difference(&keys(&answer)).cloned().collect();
    assert!(
        missing.is_empty(),
        "fields of the example missing: {missing:?}"
    );

    // The attempt exists right after, held by the pending approval.
    let r = sim.get(&sim.rm(&format!("releases/{rid}"))).await;
    let step = &r["environments"][0]["deploySteps"][0];
    assert_eq!(step["operationStatus"], "Pending", "{r}");
    let pending = sim
        .get(&sim.rm(&format!("approvals?releaseIdsFilter={rid}")))
        .await;
    assert_eq!(pending["count"], 1, "{pending}");

    // A stage without approvers still answers with its queued attempt.
    let def = sim.synapse_definition("Synapse-Hotfix-Ungated").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    let answer = sim.deploy(rid, eid).await;
    assert_eq!(
        answer["deploySteps"].as_array().unwrap().len(),
        1,
        "{answer}"
    );
    let r = sim.wait_stage(rid, eid).await;
    assert_eq!(r["environments"][0]["status"], "succeeded");
}

#[tokio::test]
async fn an_automated_approval_cannot_be_approved_again() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let (rid, _) = deployed(&sim, "Synapse-Hotfix-Reapprove").await;
    let r = sim.get(&sim.rm(&format!("releases/{rid}"))).await;
    let id = &r["environments"][0]["preDeployApprovals"][0]["id"];
    let (status, body) = sim
        .json(
            Method::PATCH,
            &sim.rm(&format!("approvals/{id}")),
            Some(&json!({"status": "approved", "comments": "again"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("already approved"),
        "{body}"
    );
}
