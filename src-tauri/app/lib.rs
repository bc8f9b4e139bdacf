//! The Tauri shell: wires state, logging and commands to `hotfix-core`. No business rules here.
//!
//! * `state.rs` — the managed [`state::AppState`] (paths, profile store, token store, demo slot);
//! * `logging.rs` — tracing to stderr and a daily file;
//! * `demo.rs` — the in-process simulator behind demo mode;
//! * `exports.rs` — where profile exports are written;
//! * `browser.rs` — opening addresses in the system browser (or, for tests, a file);
//! * `commands/` — one file per domain, each command a few lines.

pub mod browser;
pub mod commands;
pub mod demo;
pub mod exports;
pub mod logging;
pub mod state;

use tauri::Manager;

use crate::state::AppState;

/// Registers every command and the start-up hook on `builder`. The app and the command tests both
/// build through this, so they can never disagree on what is registered. The command list must
/// match `src-tauri/build.rs` (which generates the `allow-*` permissions the capability grants).
pub fn configure<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .invoke_handler(tauri::generate_handler![
            commands::profiles::list_profiles,
            commands::profiles::dismiss_profile_warnings,
            commands::profiles::get_profile,
            commands::profiles::new_profile,
            commands::profiles::validate_profile,
            commands::profiles::save_profile,
            commands::profiles::duplicate_profile,
            commands::profiles::delete_profile,
            commands::profiles::export_profile,
            commands::profiles::import_profiles,
            commands::credentials::set_token,
            commands::credentials::delete_token,
            commands::credentials::token_status,
            commands::signin::sign_in,
            commands::signin::sign_in_cancel,
            commands::signin::sign_out,
            commands::signin::sign_in_status,
            commands::signin::azure_cli_account,
            commands::connection::test_connection,
            commands::connection::list_projects,
            commands::connection::list_repositories,
            commands::connection::list_release_definitions,
            commands::connection::list_service_connections,
            commands::connection::list_agent_queues,
            commands::connection::read_publish_branch,
            commands::demo::demo_start,
            commands::demo::demo_reset,
            commands::demo::demo_status,
            commands::system::app_ready,
            commands::system::app_info,
            commands::system::open_url,
            commands::hotfix::hotfix_list_runs,
            commands::hotfix::hotfix_get_run,
            commands::hotfix::hotfix_start_run,
            commands::hotfix::hotfix_abandon_run,
            commands::hotfix::hotfix_list_production_releases,
            commands::hotfix::hotfix_select_release,
            commands::hotfix::hotfix_choose_artifact,
            commands::hotfix::hotfix_check_branch_name,
            commands::hotfix::hotfix_create_branch,
            commands::hotfix::hotfix_studio_url,
            commands::hotfix::hotfix_open_studio,
            commands::hotfix::hotfix_poll_branch,
            commands::hotfix::hotfix_refresh_changes,
            commands::hotfix::hotfix_complete_fix,
            commands::hotfix::hotfix_demo_push_sample_fix,
            commands::pipeline::hotfix_pipeline_preflight,
            commands::pipeline::hotfix_pipeline_preview,
            commands::pipeline::hotfix_pipeline_save,
            commands::merge_back::hotfix_merge_back_list_targets,
            commands::merge_back::hotfix_merge_back_preview,
            commands::merge_back::hotfix_merge_back_open_prs,
            commands::merge_back::hotfix_merge_back_refresh,
            commands::merge_back::hotfix_merge_back_tag,
            commands::hotfix::hotfix_watch_status,
            commands::hotfix::hotfix_cancel_watch,
            commands::cleanup::hotfix_cleanup_list,
            commands::cleanup::hotfix_cleanup_delete,
            commands::cleanup::hotfix_finish_run,
            commands::history::history_list,
            commands::history::history_entry,
            commands::history::history_document,
            commands::history::history_export,
        ])
        .setup(|app| {
            // Tests manage their own state before building; the app reads the environment.
            if app.try_state::<AppState>().is_none() {
                let state = AppState::from_env()?;
                app.manage(commands::hotfix::service(&state));
                app.manage(state);
            }
            let observer = commands::hotfix::EventObserver(app.handle().clone());
            app.state::<hotfix_core::hotfix::HotfixService>()
                .set_observer(Some(std::sync::Arc::new(observer)));
            forward_waits(app.handle());
            let demo = app.state::<AppState>().demo_requested;
            if demo {
                // Start the simulator while the window loads; the UI's demo_start waits for it.
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    let state = handle.state::<AppState>();
                    if let Err(e) = demo::start(&state).await {
                        tracing::error!(error = %e, detail = ?e.detail, "demo mode could not start");
                    }
                });
            }
            Ok(())
        })
}

/// Emitted whenever the Azure DevOps client waits before repeating a call; the payload is a
/// [`hotfix_core::ado::RetryWait`] (the screen says "Azure DevOps asked us to wait 12 s").
pub const ADO_WAIT: &str = "ado:wait";

/// Sends every wait of the Azure DevOps clients the commands make to the window as [`ADO_WAIT`].
/// Called once the app handle exists (in `setup`); a second call keeps the first forwarder.
pub fn forward_waits<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    let handle = app.clone();
    let waits: hotfix_core::ado::WaitObserver = std::sync::Arc::new(move |wait| {
        if let Err(e) = tauri::Emitter::emit(&handle, ADO_WAIT, wait) {
            tracing::warn!(error = %e, "could not emit {ADO_WAIT}");
        }
    });
    let _ = tauri::Manager::state::<AppState>(app).ado_waits.set(waits);
}

/// Starts the app.
pub fn run() {
    logging::mark_process_start();
    prefer_software_compositing();
    logging::init(&hotfix_core::AppPaths::resolve().logs);
    configure(tauri::Builder::default())
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| panic!("Synapse Hotfix failed to start: {e}"));
}

/// Opt-in variable that keeps WebKitGTK's accelerated compositing on.
pub const GPU_COMPOSITING_ENV: &str = "SYNAPSE_HOTFIX_GPU_COMPOSITING";

/// On Linux, turns off WebKitGTK's accelerated compositing unless the user set
/// `WEBKIT_DISABLE_COMPOSITING_MODE` or `SYNAPSE_HOTFIX_GPU_COMPOSITING=1` themselves.
///
/// The app is forms and lists, with no animation that needs the GPU, and the compositing path
/// costs the web process about 85 MB (PSS 309 MB → 225 MB idle, BENCHMARKS.md); where no GPU is
/// available it also runs on software GL. Runs first thing in `run()`, before any thread exists.
fn prefer_software_compositing() {
    const WEBKIT: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if cfg!(target_os = "linux")
        && std::env::var_os(WEBKIT).is_none()
        && std::env::var(GPU_COMPOSITING_ENV).as_deref() != Ok("1")
    {
        std::env::set_var(WEBKIT, "1");
    }
}

#[cfg(test)]
mod tests;
