//! The release REST area's contracts beyond the happy path: validation errors with the service's
//! body, optimistic concurrency on definitions, paging, scopes, and persistence across restarts.

mod release_support;

use ado_sim::{Seed, SimOptions};
use release_support::{automated, TestSim};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_release_without_artifact_source_information_is_the_real_vs402862() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let (def, _) = sim
        .create_definition(&sim.definition_body("No-Source", vec![], automated()).await)
        .await;
    let body = json!({"definitionId": def, "artifacts": [{"alias": "_synapse-analytics", "instanceReference": {"name": "x"}}]});
    let (status, err) = sim
        .json(Method::POST, &sim.rm("releases"), Some(&body))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .starts_with("VS402862: Artifact source should have source information."),
        "{err}"
    );
    assert_eq!(err["typeKey"], "InvalidRequestException");

    // The same error for a definition whose artifact has no repository.
    let mut bad = sim.definition_body("No-Repo", vec![], automated()).await;
    bad["artifacts"][0]["definitionReference"]
        .as_object_mut()
        .unwrap()
        .remove("definition");
    let (status, err) = sim
        .json(Method::POST, &sim.rm("definitions"), Some(&bad))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["message"].as_str().unwrap().starts_with("VS402862"),
        "{err}"
    );

    // Omitting the artifacts takes the default version: the head of the definition's branch.
    let (status, r) = sim
        .json(
            Method::POST,
            &sim.rm("releases"),
            Some(&json!({"definitionId": def})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        r["artifacts"][0]["definitionReference"]["version"]["id"],
        sim.branch_head("main").await
    );
    assert_eq!(r["name"], "Hotfix-1");
}

#[tokio::test]
async fn definitions_update_with_the_current_revision_and_refuse_a_stale_one() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let (def, env) = sim
        .create_definition(
            &sim.definition_body("Concurrency", vec![], automated())
                .await,
        )
        .await;
    let current = sim.get(&sim.rm(&format!("definitions/{def}"))).await;
    assert_eq!(current["revision"], 1);
    let mut edit = current.clone();
    edit["description"] = json!("first edit");
    let (status, v) = sim
        .json(Method::PUT, &sim.rm("definitions"), Some(&edit))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["revision"], 2);
    assert_eq!(
        v["environments"][0]["id"], env,
        "stage ids survive an update"
    );
    // A second client still holding revision 1 loses.
    let (status, err) = sim
        .json(Method::PUT, &sim.rm("definitions"), Some(&edit))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["message"].as_str().unwrap().contains("revision 1")
            && err["message"]
                .as_str()
                .unwrap()
                .contains("current revision is 2"),
        "{err}"
    );
    // Same name in the same folder is refused; in another folder it's fine.
    let (status, _) = sim
        .json(
            Method::POST,
            &sim.rm("definitions"),
            Some(
                &sim.definition_body("Concurrency", vec![], automated())
                    .await,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut other = sim
        .definition_body("Concurrency", vec![], automated())
        .await;
    other["path"] = json!("\\Elsewhere");
    let (status, _) = sim
        .json(Method::POST, &sim.rm("definitions"), Some(&other))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn definition_lists_filter_and_page_with_continuation_tokens() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    for n in ["Synapse-Hotfix-Release1", "Synapse-Hotfix-Release2"] {
        sim.create_definition(&sim.definition_body(n, vec![], automated()).await)
            .await;
    }
    let v = sim
        .get(&sim.rm("definitions?searchText=synapse-hotfix"))
        .await;
    assert_eq!(v["count"], 2);
    let v = sim
        .get(&sim.rm("definitions?searchText=synapse-release&isExactNameMatch=true"))
        .await;
    assert_eq!(v["count"], 1);
    assert_eq!(v["value"][0]["name"], "Synapse-Release");
    assert!(
        v["value"][0].get("environments").is_none(),
        "environments only with $expand"
    );
    let (_, headers, body) = sim
        .call(Method::GET, &sim.rm("definitions?$top=2"), None)
        .await;
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["count"], 2);
    let token = headers
        .get("x-ms-continuationtoken")
        .expect("a next page")
        .to_str()
        .unwrap()
        .to_owned();
    let rest = sim
        .get(&sim.rm(&format!("definitions?$top=2&continuationToken={token}")))
        .await;
    assert_eq!(rest["count"], 1);
    assert_ne!(rest["value"][0]["id"], page["value"][0]["id"]);
}

#[tokio::test]
async fn deploying_a_stage_twice_or_unknown_ids_are_refused() {
    let sim = TestSim::start(Seed::Demo, 200).await;
    let (def, _) = sim
        .create_definition(&sim.definition_body("Twice", vec![], automated()).await)
        .await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    sim.deploy(rid, eid).await;
    let url = format!(
        "{}/{}/_apis/Release/releases/{rid}/environments/{eid}",
        sim.info.release_url, sim.info.project
    );
    let (status, err) = sim
        .json(Method::PATCH, &url, Some(&json!({"status": "inProgress"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("already being deployed"));
    let (status, err) = sim.json(Method::GET, &sim.rm("releases/99999"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(err["typeKey"], "ReleaseNotFoundException");
    let (status, _) = sim
        .json(Method::GET, &sim.rm("definitions/99999"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Cancelling stops the run: `cancelling` first (the stage still in progress), then `canceled`.
    let (status, v) = sim
        .json(
            Method::PATCH,
            &url,
            Some(&json!({"status": "canceled", "comment": "stop"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "inProgress", "{v}");
    let last = v["deploySteps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["operationStatus"], "Cancelling");
    let r = sim.wait_stage(rid, eid).await;
    assert_eq!(r["environments"][0]["status"], "canceled");
    let last = r["environments"][0]["deploySteps"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["operationStatus"], "Canceled");
    assert_eq!(last["status"], "notDeployed");
}

#[tokio::test]
async fn a_read_only_token_reads_releases_but_cannot_create_one() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let state = sim.handle.state();
    let user = state.world().core.default_user().id;
    state.world().core.tokens.push(ado_sim::state::TokenGrant {
        token: ado_sim::state::Secret(
            "readonlytoken0000000000000000000000000000000000000000".into(),
        ),
        scopes: vec!["vso.release".into(), "vso.code".into()],
        user_id: user,
    });
    let http = reqwest::Client::new();
    let read = http
        .get(format!("{}?api-version=7.1", sim.rm("releases")))
        .basic_auth(
            "",
            Some("readonlytoken0000000000000000000000000000000000000000"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let write = http
        .post(format!("{}?api-version=7.1", sim.rm("releases")))
        .basic_auth(
            "",
            Some("readonlytoken0000000000000000000000000000000000000000"),
        )
        .json(&json!({"definitionId": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = write.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("vso.release_execute"),
        "{body}"
    );
}

#[tokio::test]
async fn the_release_world_survives_a_restart_from_its_state_dir() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || SimOptions {
        seed: Seed::Demo,
        port: 0,
        state_dir: Some(dir.path().to_path_buf()),
        task_delay_ms: 10,
    };
    let sim = TestSim::start_with(opts()).await;
    let (def, _) = sim
        .create_definition(&sim.definition_body("Persisted", vec![], automated()).await)
        .await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    sim.deploy(rid, eid).await;
    sim.wait_stage(rid, eid).await;
    // The engine persists when a run ends (in the background); persist now to be deterministic.
    sim.handle.state().persist().unwrap();
    sim.handle.shutdown().await;

    let sim = TestSim::start_with(opts()).await;
    let r = sim.get(&sim.rm(&format!("releases/{rid}"))).await;
    assert_eq!(r["environments"][0]["status"], "succeeded");
    assert_eq!(r["releaseDefinition"]["id"], def);
    let deps = sim
        .get(&sim.rm(&format!("deployments?definitionId={def}")))
        .await;
    assert_eq!(deps["count"], 1);
}

#[tokio::test]
async fn a_deployment_interrupted_by_a_restart_runs_again_when_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || SimOptions {
        seed: Seed::Demo,
        port: 0,
        state_dir: Some(dir.path().to_path_buf()),
        task_delay_ms: 10,
    };
    let sim = TestSim::start_with(opts()).await;
    let state = sim.handle.state();
    ado_sim::release::control(&state, ado_sim::release::Control::Pause);
    let (def, _) = sim
        .create_definition(
            &sim.definition_body("Interrupted", vec![], automated())
                .await,
        )
        .await;
    let head = sim.branch_head("main").await;
    let (rid, eid) = sim.create_release(def, &head, "main").await;
    sim.deploy(rid, eid).await;
    state.persist().unwrap();
    drop(state);
    sim.handle.shutdown().await;

    let sim = TestSim::start_with(opts()).await;
    // `start` restarted it (resume_interrupted on load); calling it again would run it twice.
    let r = sim.wait_stage(rid, eid).await;
    assert_eq!(r["environments"][0]["status"], "succeeded");
    let env = &r["environments"][0];
    assert_eq!(
        env["deploySteps"].as_array().map(Vec::len),
        Some(1),
        "one attempt: {env}"
    );
    // It ran once: every task started and finished exactly once, and its log says so once.
    let (phase, tasks) = TestSim::tasks_of(&r, eid);
    assert!(tasks.len() >= 3, "{tasks:?}");
    for t in &tasks {
        let name = t["name"].as_str().unwrap();
        assert_eq!(t["status"], "succeeded", "{t}");
        let log = sim
            .task_log(rid, eid, phase, t["id"].as_i64().unwrap())
            .await;
        assert_eq!(
            log.matches(&format!("##[section]Starting: {name}")).count(),
            1,
            "{name} ran once: {log}"
        );
        assert_eq!(
            log.matches(&format!("##[section]Finishing: {name}"))
                .count(),
            1,
            "{name} finished once: {log}"
        );
    }
}
