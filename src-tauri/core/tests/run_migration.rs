//! Run files saved by version 1 of the format (fixtures written by the app before the step
//! reshape) load into the current shape with nothing lost, and are saved back as the current one.

use hotfix_core::hotfix::run::{BranchOutcome, RUN_VERSION};
use hotfix_core::hotfix::{RunStore, StepId, StepState};
use serde_json::Value;

fn store_with(fixture: &str) -> (tempfile::TempDir, RunStore, String, Value) {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture),
    )
    .unwrap();
    let v1: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v1["version"], 1, "the fixture is a version-1 file");
    let id = v1["id"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let store = RunStore::new(dir.path());
    std::fs::create_dir_all(store.dir()).unwrap();
    std::fs::write(store.dir().join(format!("{id}.json")), text).unwrap();
    (dir, store, id, v1)
}

#[test]
fn a_v1_run_at_step_4_keeps_its_release_branch_fix_and_log() {
    let (_dir, store, id, v1) = store_with("run-v1-fixed.json");
    let run = store.get(&id).unwrap();
    assert_eq!(run.current_step, StepId::Pipeline);
    let states: Vec<(StepId, StepState)> = run.progress.iter().map(|s| (s.id, s.state)).collect();
    assert_eq!(states.len(), 8);
    assert_eq!(states[0], (StepId::Release, StepState::Done));
    assert_eq!(states[2], (StepId::Fix, StepState::Done));
    assert_eq!(states[3], (StepId::Pipeline, StepState::Active));
    assert_eq!(states[7], (StepId::Cleanup, StepState::Pending));
    let release = &run.steps.release;
    assert_eq!(
        release.release.as_ref().unwrap().name,
        v1["release"]["name"]
    );
    assert_eq!(
        release.current_production_release_id.map(i64::from),
        v1["currentProductionReleaseId"].as_i64()
    );
    assert_eq!(
        release.artifact.as_ref().unwrap().alias,
        v1["artifact"]["alias"]
    );
    assert_eq!(
        release.commit.as_ref().unwrap().commit_id,
        v1["commit"]["commitId"]
    );
    let branch = run.steps.branch.branch.as_ref().unwrap();
    assert_eq!(branch.name, v1["branch"]["name"]);
    assert_eq!(branch.outcome, BranchOutcome::Created);
    let fix = &run.steps.fix;
    assert_eq!(fix.head.as_deref(), v1["fix"]["head"].as_str());
    assert_eq!(fix.commits.len(), 1);
    assert!(fix.acknowledged);
    assert_eq!(
        fix.changes.as_ref().unwrap().artifacts.len(),
        v1["fix"]["changes"]["artifacts"].as_array().unwrap().len()
    );
    assert!(fix.plan.is_some());
    assert_eq!(run.log.len(), v1["log"].as_array().unwrap().len());
    assert_eq!(run.log[0].step, StepId::Release);
    assert!(run.log.iter().any(|e| e.step == StepId::Fix));
    assert_eq!(run.summary().current_step_title, "Hotfix pipeline");
}

#[test]
fn a_v1_run_with_a_failed_branch_step_keeps_the_intent_and_the_note_and_saves_as_v2() {
    let (_dir, store, id, v1) = store_with("run-v1-branch-failed.json");
    let mut run = store.get(&id).unwrap();
    assert_eq!(run.current_step, StepId::Branch);
    assert_eq!(run.step_state(StepId::Branch), StepState::Failed);
    assert_eq!(
        run.step(StepId::Branch).unwrap().note.as_deref(),
        v1["steps"][1]["note"].as_str()
    );
    assert_eq!(
        run.steps.branch.intent.as_deref(),
        v1["branchIntent"].as_str()
    );
    assert!(run.steps.branch.branch.is_none());
    assert!(run.steps.fix.commits.is_empty());

    store.save(&mut run).unwrap();
    let saved: Value =
        serde_json::from_slice(&std::fs::read(store.dir().join(format!("{id}.json"))).unwrap())
            .unwrap();
    assert_eq!(saved["version"], RUN_VERSION);
    assert_eq!(saved["currentStep"], "branch");
    assert_eq!(saved["steps"]["branch"]["intent"], v1["branchIntent"]);
    assert!(saved.get("branchIntent").is_none());
    assert_eq!(
        store.get(&id).unwrap(),
        run,
        "the saved v2 file reads back the same"
    );
}
