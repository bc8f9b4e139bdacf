//! The history on disk, without a simulator: a run file of format 1 shows in the history; a
//! history file written before the later fields existed (and one without `version`) loads; one
//! from a newer app is neither read nor overwritten; a run whose file is deleted stays in the
//! history; nothing is lost after a failed export, a crash mid-save (a temp file left behind) or a
//! history file made unreadable.

use hotfix_core::hotfix::history::{ExportFormat, HistoryEntry, HistoryFilter};
use hotfix_core::hotfix::run::RunStatus;
use hotfix_core::hotfix::{HotfixService, StepId};
use hotfix_core::profiles::Profile;
use hotfix_core::ErrorCode;
use serde_json::{json, Value};

fn profile(id: &str) -> Profile {
    let mut p = Profile::new_with_defaults(id.into());
    p.name = format!("Profile {id}");
    p.prod_workspace = "prod-ws".into();
    p.organization_url = "https://dev.azure.com/contoso".into();
    p
}

fn service() -> (tempfile::TempDir, HotfixService) {
    let dir = tempfile::tempdir().unwrap();
    let svc = HotfixService::new(dir.path());
    (dir, svc)
}

fn all(svc: &HotfixService) -> Vec<HistoryEntry> {
    svc.history_list(&HistoryFilter::default()).unwrap()
}

#[test]
fn every_save_records_the_entry_and_a_deleted_run_file_leaves_it_in_the_history() {
    let (dir, svc) = service();
    let mut run = svc.start_run(&profile("p1")).unwrap();
    let file = dir.path().join("history").join(format!("{}.json", run.id));
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["entry"]["runId"], run.id.as_str());
    assert_eq!(saved["entry"]["status"], "active");

    run.complete_step(StepId::Release);
    svc.store().save(&mut run).unwrap();
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["entry"]["currentStep"], "branch");

    let before = all(&svc);
    std::fs::remove_file(svc.store().dir().join(format!("{}.json", run.id))).unwrap();
    let after = all(&svc);
    assert_eq!(after.len(), 1);
    assert!(!after[0].run_available);
    let mut same = after[0].clone();
    same.run_available = true;
    assert_eq!(same, before[0], "nothing else changed");
    assert_eq!(svc.history_entry(&run.id).unwrap().run_id, run.id);
}

#[test]
fn a_format_1_run_file_shows_in_the_history() {
    let (_dir, svc) = service();
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/run-v1-fixed.json"),
    )
    .unwrap();
    let v1: Value = serde_json::from_str(&text).unwrap();
    std::fs::create_dir_all(svc.store().dir()).unwrap();
    let id = v1["id"].as_str().unwrap();
    std::fs::write(svc.store().dir().join(format!("{id}.json")), &text).unwrap();
    let e = svc.history_entry(id).unwrap();
    assert_eq!(e.release.as_ref().unwrap().name, v1["release"]["name"]);
    assert_eq!(
        e.release_commit.as_ref().unwrap().commit_id,
        v1["commit"]["commitId"]
    );
    assert_eq!(e.hotfix_branch.as_ref().unwrap().name, v1["branch"]["name"]);
    assert_eq!(e.fix_commits.len(), 1);
    assert_eq!(e.current_step, StepId::Pipeline);
    assert_eq!(e.started_by, None, "format 1 did not record who");
    assert!(e.deployment.is_none() && e.pull_requests.is_none() && e.cleanup.is_none());
    let md = svc
        .history_document(Some(id), &HistoryFilter::default(), ExportFormat::Markdown)
        .unwrap()
        .content;
    assert!(md.contains("| Run by | unknown |"), "{md}");
}

/// An entry as written before the fields of steps 5–8 and `startedBy` existed.
fn early_entry(id: &str) -> Value {
    json!({
        "runId": id, "profileId": "p9", "profileName": "Old profile",
        "organizationUrl": "https://dev.azure.com/contoso", "prodWorkspace": "prod-ws",
        "status": "completed", "currentStep": "cleanup", "currentStepTitle": "Clean up",
        "currentStepState": "done",
        "startedAt": "2026-05-01T10:00:00Z", "updatedAt": "2026-05-01T12:00:00Z",
        "release": {"id": 3, "name": "Release-3", "definitionId": 1},
        "fixCommits": [{"commitId": "a".repeat(40), "message": "Fix", "author": "Maya"}]
    })
}

#[test]
fn older_history_files_load_and_newer_ones_are_left_alone() {
    let (dir, svc) = service();
    let hist = dir.path().join("history");
    std::fs::create_dir_all(&hist).unwrap();
    std::fs::write(
        hist.join("old-1.json"),
        serde_json::to_vec(&json!({"version": 1, "entry": early_entry("old-1")})).unwrap(),
    )
    .unwrap();
    std::fs::write(
        hist.join("old-2.json"),
        serde_json::to_vec(&json!({"entry": early_entry("old-2")})).unwrap(),
    )
    .unwrap();
    let entries = all(&svc);
    assert_eq!(entries.len(), 2);
    let e = entries.iter().find(|e| e.run_id == "old-1").unwrap();
    assert_eq!(e.status, RunStatus::Completed);
    assert_eq!(e.release.as_ref().unwrap().name, "Release-3");
    assert!(!e.run_available);
    assert!(e.started_by.is_none() && e.deployment.is_none() && e.cleanup.is_none());

    // A run whose history file a newer app wrote: the file is kept byte for byte.
    let mut run = svc.start_run(&profile("p1")).unwrap();
    let newer = hist.join(format!("{}.json", run.id));
    let bytes = serde_json::to_vec(&json!({"version": 99, "entry": {"future": true}})).unwrap();
    std::fs::write(&newer, &bytes).unwrap();
    run.complete_step(StepId::Release);
    svc.store().save(&mut run).unwrap();
    assert_eq!(std::fs::read(&newer).unwrap(), bytes);
    assert_eq!(
        all(&svc).len(),
        3,
        "the run itself is still listed from its file"
    );
}

#[test]
fn nothing_is_lost_after_a_failed_export_a_crash_mid_save_or_a_broken_file() {
    let (dir, svc) = service();
    let mut run = svc.start_run(&profile("p1")).unwrap();
    run.complete_step(StepId::Release);
    svc.store().save(&mut run).unwrap();
    let before = all(&svc);

    // A failed export (its folder cannot exist: a file is in the way) writes nothing.
    let doc = svc
        .history_document(None, &HistoryFilter::default(), ExportFormat::Json)
        .unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    let err = svc
        .history_write(&doc, &blocker.join("export.json"))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Storage);
    assert!(
        err.message.contains("history itself is unchanged"),
        "{}",
        err.message
    );
    assert_eq!(all(&svc), before);

    // A crash in the middle of writing the history leaves its temp file; the entry is intact.
    let hist = dir.path().join("history");
    let tmp = hist.join(format!(".{}.json.4242.0.tmp", run.id));
    std::fs::write(&tmp, b"{\"version\":1,\"entry\":{\"runI").unwrap();
    assert_eq!(all(&svc), before);

    // A history file broken by hand is moved aside; the run file still tells the entry, and the
    // next save writes it again.
    let file = hist.join(format!("{}.json", run.id));
    std::fs::write(&file, b"{broken").unwrap();
    assert_eq!(all(&svc), before);
    assert!(std::fs::read_dir(&hist)
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().contains(".corrupt-")));
    svc.store().save(&mut run).unwrap();
    let v: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(v["entry"]["runId"], run.id.as_str());

    // A history folder that cannot be written does not stop the run from being saved.
    std::fs::remove_dir_all(&hist).unwrap();
    std::fs::write(&hist, b"in the way").unwrap();
    run.complete_step(StepId::Branch);
    svc.store().save(&mut run).unwrap();
    assert_eq!(svc.get_run(&run.id).unwrap().current_step, StepId::Fix);
    assert_eq!(
        all(&svc)[0].current_step,
        StepId::Fix,
        "read from the run file"
    );
}
