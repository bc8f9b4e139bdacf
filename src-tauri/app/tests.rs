//! Command tests through the real IPC path: the app is built by `configure()` on Tauri's mock
//! runtime, and each call goes through `get_ipc_response` exactly as the UI's `invoke` would.

use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

use hotfix_core::paths::HOME_ENV;
use hotfix_core::secrets::SecretStore;
use hotfix_core::AppPaths;

use crate::state::{AppState, KEYCHAIN_ENV};

/// Steps 5 and 6: visibility, the deploy commands, the notification permission.
#[path = "tests_deploy.rs"]
mod deploy;

/// The environment is process-wide: the tests that read it take this lock.
static ENV: Mutex<()> = Mutex::new(());

struct TestApp {
    _app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    home: tempfile::TempDir,
}

/// An app on a fresh home folder with tokens in memory, built by `configure()` like the real one.
fn app() -> TestApp {
    app_with(|_| {})
}

/// [`app`] with the state adjusted first (e.g. the demo's automatic sign-in).
fn app_with(adjust: impl FnOnce(&mut AppState)) -> TestApp {
    let home = tempfile::tempdir().expect("temp dir");
    let mut state =
        AppState::open(AppPaths::under(home.path()), SecretStore::in_memory()).expect("state");
    adjust(&mut state);
    let app = crate::configure(mock_builder())
        .manage(crate::commands::hotfix::service(&state))
        .manage(state)
        .build(mock_context(noop_assets()))
        .expect("app builds");
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("webview");
    TestApp {
        _app: app,
        webview,
        home,
    }
}

/// The state the real app would build from `SYNAPSE_HOTFIX_HOME` = `home`.
fn state_from_env(home: &std::path::Path) -> AppState {
    let _guard = ENV
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    std::env::set_var(HOME_ENV, home);
    std::env::set_var(KEYCHAIN_ENV, "memory");
    AppState::from_env().expect("state")
}

impl TestApp {
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        tauri::test::get_ipc_response(&self.webview, request)
            .map(|body| body.deserialize::<Value>().expect("json answer"))
    }

    fn ok<T: DeserializeOwned>(&self, cmd: &str, args: Value) -> T {
        let value = self
            .invoke(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"));
        serde_json::from_value(value).unwrap_or_else(|e| panic!("{cmd} answer: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.invoke(cmd, args) {
            Ok(v) => panic!("{cmd} should have failed, answered {v}"),
            Err(e) => e,
        }
    }
}

fn draft(app: &TestApp, name: &str) -> Value {
    let mut profile: Value = app.ok("new_profile", json!({}));
    profile["name"] = json!(name);
    profile["organizationUrl"] = json!("https://dev.azure.com/contoso");
    profile["devWorkspace"] = json!("contoso-synapse-dev");
    profile["prodWorkspace"] = json!("contoso-synapse-prod");
    profile
}

#[test]
fn a_saved_profile_is_listed_and_survives_a_restart() {
    let app = app();
    let saved: Value = app.ok(
        "save_profile",
        json!({ "profile": draft(&app, "Sales analytics") }),
    );
    let id = saved["id"].as_str().expect("id").to_owned();
    assert!(!id.is_empty(), "a new profile gets an id");

    let list: Value = app.ok("list_profiles", json!({}));
    let names: Vec<&str> = list["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Sales analytics"]);
    assert_eq!(list["warnings"], json!([]));

    // The real app started with SYNAPSE_HOTFIX_HOME on that folder reads the file written.
    let again = state_from_env(app.home.path());
    assert_eq!(again.paths, AppPaths::under(app.home.path()));
    assert_eq!(
        again.profiles.get(&id).expect("saved profile").name,
        "Sales analytics"
    );
}

#[test]
fn errors_cross_ipc_as_code_and_message() {
    let app = app();
    let missing = app.err("get_profile", json!({ "profileId": "no-such-profile" }));
    assert_eq!(missing["code"], "notFound");
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("no longer exists"),
        "{missing}"
    );

    let mut bad = draft(&app, "");
    bad["organizationUrl"] = json!("not a url");
    let invalid = app.err("save_profile", json!({ "profile": bad }));
    assert_eq!(invalid["code"], "invalidInput");
    let issues: Vec<Value> =
        serde_json::from_str(invalid["detail"].as_str().expect("detail lists the issues")).unwrap();
    let fields: Vec<&str> = issues
        .iter()
        .map(|i| i["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"organizationUrl"), "{fields:?}");
    let list: Value = app.ok("list_profiles", json!({}));
    assert_eq!(list["profiles"], json!([]), "nothing was saved");
}

#[test]
fn a_token_is_stored_but_never_returned() {
    let app = app();
    let saved: Value = app.ok(
        "save_profile",
        json!({ "profile": draft(&app, "With token") }),
    );
    let id = saved["id"].as_str().unwrap();
    let secret = "pat-that-must-not-come-back-1234567890";

    let before: Value = app.ok("token_status", json!({ "profileId": id }));
    assert_eq!(before["stored"], false);
    let stored: Value = app.ok("set_token", json!({ "profileId": id, "token": secret }));
    assert_eq!(stored["persisted"], true);
    let after: Value = app.ok("token_status", json!({ "profileId": id }));
    assert_eq!(after["stored"], true);

    for (cmd, args) in [
        ("list_profiles", json!({})),
        ("get_profile", json!({ "profileId": id })),
        ("token_status", json!({ "profileId": id })),
        ("app_info", json!({})),
    ] {
        let answer = app
            .invoke(cmd, args)
            .map_or_else(|e| e.to_string(), |v| v.to_string());
        assert!(!answer.contains(secret), "{cmd} leaked the token");
    }

    let _: Value = app.ok("delete_profile", json!({ "profileId": id }));
    let gone: Value = app.ok("token_status", json!({ "profileId": id }));
    assert_eq!(
        gone["stored"], false,
        "deleting a profile deletes its token"
    );
}

#[test]
fn export_then_import_gives_a_second_profile_without_the_token() {
    let app = app();
    let saved: Value = app.ok("save_profile", json!({ "profile": draft(&app, "Shared") }));
    let id = saved["id"].as_str().unwrap();
    let exported: Value = app.ok("export_profile", json!({ "profileId": id }));
    let path = std::path::PathBuf::from(exported["path"].as_str().unwrap());
    assert!(
        path.starts_with(app.home.path()),
        "exports stay under SYNAPSE_HOTFIX_HOME: {path:?}"
    );
    let json = std::fs::read_to_string(&path).expect("export file");
    assert!(json.contains("synapse-hotfix.profiles"));

    let report: Value = app.ok("import_profiles", json!({ "json": json }));
    assert_eq!(report["imported"].as_array().unwrap().len(), 1, "{report}");
    let list: Value = app.ok("list_profiles", json!({}));
    assert_eq!(list["profiles"].as_array().unwrap().len(), 2);
    let garbage = app.err("import_profiles", json!({ "json": "{ not json" }));
    assert_eq!(garbage["code"], "invalidInput");
}

#[test]
fn a_corrupt_profiles_file_is_reported_with_where_it_went() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("config")).unwrap();
    std::fs::write(home.path().join("config/profiles.json"), "{ broken").unwrap();
    let state = state_from_env(home.path());
    let warnings = state.profiles.warnings();
    assert_eq!(warnings.len(), 1);
    assert!(
        std::path::Path::new(&warnings[0].path).exists(),
        "moved-aside copy exists"
    );
}

#[test]
fn test_connection_without_any_token_says_to_paste_one() {
    let app = app();
    let err = app.err(
        "test_connection",
        json!({ "target": { "organizationUrl": "https://dev.azure.com/contoso" } }),
    );
    assert_eq!(err["code"], "notSignedIn");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("_usersSettings/tokens"),
        "{err}"
    );
}

#[test]
fn the_hotfix_commands_are_registered_with_their_state() {
    let app = app();
    let runs: Vec<Value> = app.ok("hotfix_list_runs", json!({ "includeFinished": true }));
    assert!(runs.is_empty());
}

#[test]
fn open_url_refuses_addresses_outside_the_allowlist() {
    let app = app();
    let err = app.err("open_url", json!({ "url": "https://evil.example.com/" }));
    assert_eq!(err["code"], "invalidInput");
}

#[test]
fn demo_start_returns_a_simulated_profile_filled_from_the_simulator() {
    // As in the e2e harness: the app clicks the simulated sign-in page itself.
    let app = app_with(|s| s.demo_auto_sign_in = true);
    let profile: Value = app.ok("demo_start", json!({}));
    assert_eq!(profile["simulated"], true);
    assert_eq!(profile["name"], crate::demo::DEMO_PROFILE_NAME);
    assert!(profile["organizationUrl"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    assert_eq!(profile["project"]["name"], "DataPlatform");
    assert_eq!(profile["repository"]["name"], "synapse-analytics");
    assert_eq!(profile["productionStage"]["name"], "Production");
    assert_eq!(profile["serviceConnection"]["name"], "contoso-prod-arm");
    assert_eq!(profile["prodWorkspace"], "contoso-synapse-prod");

    let status: Value = app.ok("demo_status", json!({}));
    assert_eq!(status["running"], true);
    assert_eq!(status["profileId"], profile["id"]);
    assert!(app
        .home
        .path()
        .join("data")
        .join(crate::demo::DEMO_DIR)
        .is_dir());

    // Starting again reuses the simulator and the profile.
    let again: Value = app.ok("demo_start", json!({}));
    assert_eq!(again["id"], profile["id"]);
    let list: Value = app.ok("list_profiles", json!({}));
    assert_eq!(list["profiles"].as_array().unwrap().len(), 1);

    // The demo profile signed in with (simulated) Entra ID, and the connection test passes with it.
    assert_eq!(profile["signIn"]["method"], "entra");
    let status: Value = app.ok("sign_in_status", json!({ "profileId": profile["id"] }));
    assert!(
        status["account"]["username"]
            .as_str()
            .unwrap()
            .contains('@'),
        "{status}"
    );
    let tested: Value = app.ok(
        "test_connection",
        json!({ "target": {
            "organizationUrl": profile["organizationUrl"],
            "profileId": profile["id"],
            "simulated": true,
            "method": "entra",
        }}),
    );
    assert_eq!(tested["ok"], true, "{tested}");
    assert!(
        tested["signedInAs"].as_str().unwrap().contains('@'),
        "{tested}"
    );

    // Signing out leaves the profile not signed in; a PAT was never stored for it.
    let _: Value = app.ok("sign_out", json!({ "profileId": profile["id"] }));
    let status: Value = app.ok("sign_in_status", json!({ "profileId": profile["id"] }));
    assert!(status.get("account").is_none(), "{status}");
    let token: Value = app.ok("token_status", json!({ "profileId": profile["id"] }));
    assert_eq!(token["stored"], false);
    // The development workspace's own subscription and resource group, from the simulator.
    assert!(!profile["devResourceGroup"].as_str().unwrap().is_empty());
    assert_ne!(profile["devResourceGroup"], profile["prodResourceGroup"]);
}

/// From a fresh demo (signed in with the simulated Entra ID, as the e2e harness does) through
/// steps 1–3 over IPC: returns the demo profile and the run id, at step 4.
fn demo_at_step4(app: &TestApp) -> (Value, Value) {
    let profile: Value = app.ok("demo_start", json!({}));
    let run: Value = app.ok("hotfix_start_run", json!({ "profileId": profile["id"] }));
    let run_id = run["id"].clone();
    let releases: Value = app.ok(
        "hotfix_list_production_releases",
        json!({ "runId": run_id, "top": 10 }),
    );
    let release_id = releases["current"]["releaseId"].clone();
    let _: Value = app.ok(
        "hotfix_select_release",
        json!({ "runId": run_id, "releaseId": release_id }),
    );
    let name: Value = app.ok(
        "hotfix_check_branch_name",
        json!({ "runId": run_id, "name": null }),
    );
    let _: Value = app.ok(
        "hotfix_create_branch",
        json!({ "runId": run_id, "name": name["name"] }),
    );
    // Step 4 refuses before the fix is done.
    let err = app.err("hotfix_pipeline_preflight", json!({ "runId": run_id }));
    assert_eq!(err["code"], "precondition", "{err}");
    let _: Value = app.ok("hotfix_demo_push_sample_fix", json!({ "runId": run_id }));
    let _: Value = app.ok("hotfix_refresh_changes", json!({ "runId": run_id }));
    let _: Value = app.ok(
        "hotfix_complete_fix",
        json!({ "runId": run_id, "acknowledgeWarnings": true }),
    );
    (profile, run_id)
}

/// The demo profile has what step 4 needs: from a fresh demo through steps 1–3 to the hotfix
/// pipeline, over IPC with the commands' camelCase arguments.
#[test]
fn the_demo_walks_through_step_4_over_ipc() {
    let app = app_with(|s| s.demo_auto_sign_in = true);
    let (profile, run_id) = demo_at_step4(&app);
    assert_eq!(profile["hotfixPipeline"]["stageName"], "Production_Hotfix");
    assert_eq!(profile["agentQueue"]["name"], "Azure Pipelines");
    let run: Value = app.ok("hotfix_pipeline_preflight", json!({ "runId": run_id }));
    let report = &run["steps"]["pipeline"]["preflight"];
    assert_eq!(report["ok"], true, "{report:#}");
    assert_eq!(
        report["effectiveResourceGroup"],
        profile["prodResourceGroup"]
    );
    let run: Value = app.ok("hotfix_pipeline_preview", json!({ "runId": run_id }));
    let preview = &run["steps"]["pipeline"]["preview"];
    assert_eq!(preview["action"], "create");
    // A revision the preview does not show is refused.
    let err = app.err(
        "hotfix_pipeline_save",
        json!({ "runId": run_id, "expectedRevision": 7 }),
    );
    assert_eq!(err["code"], "conflict", "{err}");
    let run: Value = app.ok(
        "hotfix_pipeline_save",
        json!({ "runId": run_id, "expectedRevision": null }),
    );
    let saved = &run["steps"]["pipeline"]["definition"];
    assert!(saved["id"].as_i64().unwrap() > 0, "{saved}");
    assert!(saved["stageId"].as_i64().is_some(), "{saved}");
    assert!(saved["webUrl"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    assert_eq!(run["currentStep"], "deploy");
}

#[test]
fn a_token_the_demo_refuses_says_to_reset_the_demo_not_to_visit_a_tokens_page() {
    let app = app();
    let profile: Value = app.ok("demo_start", json!({}));
    let err = app.err(
        "list_projects",
        json!({ "target": {
            "organizationUrl": profile["organizationUrl"],
            "token": "not-the-demo-token",
            "simulated": true,
        }}),
    );
    assert_eq!(err["code"], "tokenRejected", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("Reset the demo"), "{message}");
    assert!(!message.contains("_usersSettings"), "{message}");
}

#[test]
fn the_clients_waits_reach_the_window_as_an_event() {
    use tauri::{Listener, Manager};
    // The demo profile signs in with the simulated Entra ID, as the e2e harness does.
    let app = app_with(|s| s.demo_auto_sign_in = true);
    // What `setup` does in the real app (the mock app is built without running it).
    crate::forward_waits(app._app.handle());
    let profile: Value = app.ok("demo_start", json!({}));
    let admin = {
        let state = app._app.state::<AppState>();
        let slot = state.demo.blocking_lock();
        slot.as_ref()
            .expect("demo running")
            .info()
            .admin_url
            .clone()
    };
    tauri::async_runtime::block_on(async {
        let r = reqwest::Client::new()
            .post(format!("{admin}/faults"))
            .json(
                &json!({"method": "GET", "path": "/_apis/projects$", "status": 429,
                          "headers": {"Retry-After": "1"}, "times": 1}),
            )
            .send()
            .await
            .expect("admin call");
        assert!(r.status().is_success());
    });
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    app._app.listen_any(crate::ADO_WAIT, move |event| {
        let _ = tx.send(event.payload().to_owned());
    });
    let projects: Value = app.ok(
        "list_projects",
        json!({ "target": {
            "organizationUrl": profile["organizationUrl"],
            "profileId": profile["id"],
            "simulated": true,
            "method": profile["signIn"]["method"],
        }}),
    );
    assert!(!projects.as_array().unwrap().is_empty());
    let payload: Value = serde_json::from_str(
        &rx.recv_timeout(std::time::Duration::from_secs(5))
            .expect("an ado:wait event"),
    )
    .unwrap();
    assert_eq!(payload["reason"], "rateLimited");
    assert_eq!(payload["status"], 429);
    assert_eq!(payload["waitMs"], 1000);
    assert_eq!(payload["serverAsked"], true);
}

#[test]
fn demo_reset_deletes_the_saved_world_and_starts_a_fresh_one() {
    let app = app();
    let first: Value = app.ok("demo_start", json!({}));
    let dir = app.home.path().join("data").join(crate::demo::DEMO_DIR);
    let marker = dir.join("left-over-from-the-last-demo");
    std::fs::write(&marker, "x").unwrap();

    let again: Value = app.ok("demo_reset", json!({}));
    assert!(!marker.exists(), "the old demo state was deleted");
    assert!(dir.is_dir(), "a fresh world was written");
    assert_eq!(
        again["id"], first["id"],
        "the demo profile is kept and refreshed"
    );
    assert_ne!(
        again["organizationUrl"], first["organizationUrl"],
        "a new simulator, on a new port"
    );
    let status: Value = app.ok("demo_status", json!({}));
    assert_eq!(status["running"], true);
}

/// The command names listed in `build.rs` (which generates the `allow-*` permissions).
fn manifest_commands() -> Vec<String> {
    let build = include_str!("../build.rs");
    let list = &build[build.find("const COMMANDS").expect("COMMANDS")..];
    let list = &list[..list.find("];").expect("end of COMMANDS")];
    list.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('"'))
        .map(|l| l.trim_matches(|c| c == '"' || c == ',').to_owned())
        .collect()
}

#[test]
fn the_main_window_capability_allows_exactly_the_listed_commands() {
    let capability: Value =
        serde_json::from_str(include_str!("../../capabilities/main.json")).expect("capability");
    let mut granted: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .filter(|p| p.starts_with("allow-"))
        .collect();
    let mut expected: Vec<String> = manifest_commands()
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    granted.sort();
    expected.sort();
    assert_eq!(granted, expected);
    assert!(capability["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("core:default")));
}

#[test]
fn every_listed_command_is_registered() {
    let app = app();
    let unregistered = |cmd: &str| {
        // Missing arguments are fine here; only an unknown command answers "Command … not found".
        app.invoke(cmd, json!({}))
            .err()
            .is_some_and(|e| e.to_string().contains(&format!("Command {cmd} not found")))
    };
    assert!(
        unregistered("no_such_command"),
        "the probe recognises an unknown command: {:?}",
        app.invoke("no_such_command", json!({}))
    );
    let commands = manifest_commands();
    assert!(commands.len() > 20, "{commands:?}");
    for cmd in commands {
        assert!(
            !unregistered(&cmd),
            "{cmd} is listed in build.rs but not registered"
        );
    }
}

#[path = "tests_cleanup.rs"]
mod cleanup;
#[path = "tests_merge_back.rs"]
mod merge_back;
