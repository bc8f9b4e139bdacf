//! Step 8 and the history over IPC: a demo run brought to step 8 lists one safe and one unsafe
//! old hotfix branch, deletes the safe one, finishes, and its history entry is listed, filtered,
//! rendered and exported to the exports folder.

use hotfix_core::hotfix::{HotfixService, StepId};
use serde_json::{json, Value};
use tauri::Manager;

use super::app_with;

#[test]
fn the_demo_cleans_up_finishes_and_exports_its_history_over_ipc() {
    let app = app_with(|s| s.demo_auto_sign_in = true);
    let profile: Value = app.ok("demo_start", json!({}));
    let run: Value = app.ok("hotfix_start_run", json!({ "profileId": profile["id"] }));
    let run_id = run["id"].as_str().unwrap().to_owned();
    let noted: Value = app.ok("hotfix_get_run", json!({ "runId": run_id }));
    assert!(
        noted["startedBy"].as_str().is_some_and(|w| !w.is_empty()),
        "who started it: {noted}"
    );
    let releases: Value = app.ok(
        "hotfix_list_production_releases",
        json!({ "runId": run_id, "top": 10 }),
    );
    let _: Value = app.ok(
        "hotfix_select_release",
        json!({ "runId": run_id, "releaseId": releases["current"]["releaseId"] }),
    );
    let _: Value = app.ok(
        "hotfix_create_branch",
        json!({ "runId": run_id, "name": "Release3_Hotfixes" }),
    );
    // Step 8 waits for the steps before it.
    let err = app.err("hotfix_cleanup_list", json!({ "runId": run_id }));
    assert_eq!(err["code"], "precondition", "{err}");
    // Steps 3–7 are marked done through the store: steps 5–7 are built in parallel and step 8
    // reads nothing they record.
    let hotfix = app._app.state::<HotfixService>();
    let mut saved = hotfix.get_run(&run_id).unwrap();
    for s in [
        StepId::Fix,
        StepId::Pipeline,
        StepId::Deploy,
        StepId::Confirm,
        StepId::MergeBack,
    ] {
        saved.complete_step(s);
    }
    hotfix.store().save(&mut saved).unwrap();

    let run: Value = app.ok("hotfix_cleanup_list", json!({ "runId": run_id }));
    let branches = run["steps"]["cleanup"]["branches"].as_array().unwrap();
    let names: Vec<&str> = branches
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Release1_Hotfixes", "Release2_Hotfixes"]);
    assert_eq!(branches[0]["safe"], false);
    assert_eq!(branches[1]["safe"], true);
    let report: Value = app.ok(
        "hotfix_cleanup_delete",
        json!({ "runId": run_id, "picks": [{"name": "Release2_Hotfixes", "objectId": branches[1]["objectId"]}] }),
    );
    assert_eq!(report["results"][0]["outcome"], "deleted", "{report}");
    assert_eq!(
        report["run"]["steps"]["cleanup"]["deleted"][0]["name"],
        "Release2_Hotfixes"
    );
    let done: Value = app.ok("hotfix_finish_run", json!({ "runId": run_id }));
    assert_eq!(done["status"], "completed");

    let entries: Value = app.ok(
        "history_list",
        json!({ "filter": { "profileId": profile["id"], "status": "completed" } }),
    );
    assert_eq!(entries.as_array().unwrap().len(), 1, "{entries}");
    assert_eq!(entries[0]["runId"], run_id.as_str());
    let none: Value = app.ok(
        "history_list",
        json!({ "filter": { "status": "abandoned" } }),
    );
    assert_eq!(none, json!([]));
    let entry: Value = app.ok("history_entry", json!({ "runId": run_id }));
    assert_eq!(entry["hotfixBranch"]["name"], "Release3_Hotfixes");
    let doc: Value = app.ok(
        "history_document",
        json!({ "runId": run_id, "filter": {}, "format": "markdown" }),
    );
    let md = doc["content"].as_str().unwrap();
    assert!(
        md.starts_with("# Hotfix of Release-3 in contoso-synapse-prod\n"),
        "{md}"
    );
    assert!(
        md.contains("- Deleted `Release2_Hotfixes` of Release-2"),
        "{md}"
    );
    let exported: Value = app.ok(
        "history_export",
        json!({ "runId": null, "filter": {}, "format": "json" }),
    );
    let path = std::path::PathBuf::from(exported["path"].as_str().unwrap());
    assert!(
        path.starts_with(app.home.path()),
        "exports stay in the test's home: {path:?}"
    );
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(written["entries"][0]["runId"], run_id.as_str());
    assert_eq!(exported["runs"], 1);
    let again: Value = app.ok(
        "history_export",
        json!({ "runId": null, "filter": {}, "format": "json" }),
    );
    assert_ne!(
        again["path"], exported["path"],
        "an export never overwrites another"
    );
}
