//! Step 7 over IPC in demo mode: the cached clone made with the demo's Entra ID sign-in under
//! the app's cache folder (no token in it), clone progress as an event, targets, preview, pull
//! requests, and the run list's "not merged back".

use std::sync::Arc;

use hotfix_core::hotfix::{HotfixService, StepId};
use serde_json::{json, Value};
use tauri::{Listener, Manager};

use super::*;

/// Files under `dir` whose bytes contain `needle`.
fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p)
                .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            {
                hits.push(p);
            }
        }
    }
    hits
}

#[test]
fn the_demo_merges_the_fix_back_over_ipc() {
    let app = app_with(|s| s.demo_auto_sign_in = true);
    // What `setup` does in the real app (the mock app is built without running it).
    let observer = crate::commands::hotfix::EventObserver(app._app.handle().clone());
    app._app
        .state::<HotfixService>()
        .set_observer(Some(Arc::new(observer)));
    let (profile, run_id) = demo_at_step4(&app);
    let _: Value = app.ok("hotfix_pipeline_preview", json!({ "runId": run_id }));
    let _: Value = app.ok(
        "hotfix_pipeline_save",
        json!({ "runId": run_id, "expectedRevision": null }),
    );
    // Step 7 waits for the confirmation of step 6.
    let err = app.err("hotfix_merge_back_list_targets", json!({ "runId": run_id }));
    assert_eq!(err["code"], "precondition", "{err}");
    // Steps 5–6 are built by another team and not in this branch yet: mark them done on the
    // saved run, as the app's store would after a confirmed deployment.
    let store = hotfix_core::hotfix::RunStore::new(&app.home.path().join("data"));
    let mut run = store.get(run_id.as_str().unwrap()).unwrap();
    run.complete_step(StepId::Deploy);
    run.complete_step(StepId::Confirm);
    store.save(&mut run).unwrap();

    let (tx, rx) = std::sync::mpsc::channel::<String>();
    app._app
        .listen_any(crate::commands::hotfix::GIT_PROGRESS, move |event| {
            let _ = tx.send(event.payload().to_owned());
        });
    let run: Value = app.ok("hotfix_merge_back_list_targets", json!({ "runId": run_id }));
    let progress: Value = serde_json::from_str(
        &rx.recv_timeout(std::time::Duration::from_secs(5))
            .expect("a hotfix:git-progress event"),
    )
    .unwrap();
    assert_eq!(progress["runId"], run_id);
    assert_eq!(progress["phase"], "cloning");
    assert!(
        progress["message"].as_str().unwrap().contains("objects"),
        "{progress}"
    );
    let names: Vec<&str> = run["steps"]["mergeBack"]["listing"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["main", "feature/customer-churn", "feature/sql-pool-views"]
    );
    // The clone lives in the app's cache folder, with no credential in it.
    let clone = app
        .home
        .path()
        .join("cache/git")
        .join(profile["id"].as_str().unwrap());
    assert!(clone.join("objects").is_dir(), "{}", clone.display());
    for needle in ["Bearer", "Authorization", "access_token", "eyJ"] {
        assert_eq!(
            files_containing(&app.home.path().join("cache"), needle),
            Vec::<std::path::PathBuf>::new(),
            "{needle}"
        );
    }

    let err = app.err(
        "hotfix_merge_back_preview",
        json!({ "runId": run_id, "targets": ["release/none"] }),
    );
    assert_eq!(err["code"], "invalidInput", "{err}");
    let run: Value = app.ok(
        "hotfix_merge_back_preview",
        json!({ "runId": run_id, "targets": names }),
    );
    assert_eq!(
        run["steps"]["mergeBack"]["previews"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let run: Value = app.ok(
        "hotfix_merge_back_open_prs",
        json!({ "runId": run_id, "workItems": [] }),
    );
    let prs = run["steps"]["mergeBack"]["pullRequests"]
        .as_array()
        .unwrap();
    assert_eq!(prs.len(), 3, "{prs:#?}");
    assert!(prs.iter().all(|p| p["origin"] == "created"));
    assert_eq!(run["currentStep"], "cleanup");
    let run: Value = app.ok("hotfix_merge_back_refresh", json!({ "runId": run_id }));
    assert_eq!(
        run["steps"]["mergeBack"]["pullRequests"][0]["status"],
        "active"
    );

    let runs: Value = app.ok("hotfix_list_runs", json!({ "includeFinished": true }));
    let mine = runs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == run_id)
        .unwrap();
    assert_eq!(mine["notMergedBack"], true);
    assert_eq!(mine["mergeBackPending"].as_array().unwrap().len(), 3);
}
