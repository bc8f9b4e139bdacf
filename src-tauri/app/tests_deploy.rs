//! Steps 5 and 6 through the real IPC path: the window's visibility reaches the deployment watcher
//! (it reads less while hidden), the step 5–6 commands answer with the app's error shape for a run
//! that does not exist, and the desktop notification is granted to the main window.

use hotfix_core::hotfix::HotfixService;
use serde_json::{json, Value};
use tauri::Manager;

use super::app;

#[test]
fn the_window_visibility_reaches_the_deployment_watcher() {
    let app = app();
    let service = app._app.state::<HotfixService>();
    assert!(
        service.window_visible(),
        "visible until the window says otherwise"
    );
    let answer: Value = app.ok("hotfix_window_visible", json!({ "visible": false }));
    assert_eq!(answer, Value::Null);
    assert!(!service.window_visible());
    let _: Value = app.ok("hotfix_window_visible", json!({ "visible": true }));
    assert!(service.window_visible());
    // A wrong argument is refused with the app's error shape, and changes nothing.
    let err = app.err("hotfix_window_visible", json!({ "visible": "no" }));
    assert!(err.to_string().contains("visible"), "{err}");
    assert!(service.window_visible());
}

#[test]
fn the_step_5_and_6_commands_say_a_missing_run_is_missing() {
    let app = app();
    for (cmd, args) in [
        ("hotfix_deploy_review", json!({ "runId": "nope" })),
        (
            "hotfix_deploy",
            json!({ "runId": "nope", "typed": "contoso-synapse-prod" }),
        ),
        ("hotfix_deploy_attach", json!({ "runId": "nope" })),
        ("hotfix_deploy_cancel", json!({ "runId": "nope" })),
        ("hotfix_confirm", json!({ "runId": "nope" })),
        (
            "hotfix_restore_trigger",
            json!({ "runId": "nope", "name": "tr_daily" }),
        ),
        (
            "hotfix_rollback",
            json!({ "runId": "nope", "typed": "contoso-synapse-prod" }),
        ),
        ("hotfix_reopen_fix", json!({ "runId": "nope" })),
    ] {
        let err = app.err(cmd, args);
        assert_eq!(err["code"], "notFound", "{cmd}: {err}");
        assert!(
            err["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{cmd}: {err}"
        );
    }
}

#[test]
fn the_main_window_may_show_the_deployment_notification() {
    let capability: Value =
        serde_json::from_str(include_str!("../../capabilities/main.json")).expect("capability");
    assert!(capability["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("notification:default")));
}
