//! App-level commands: the UI-ready signal (start-up benchmark), the About panel, and opening
//! addresses in the system browser through the core's allowlist.

use hotfix_core::secrets::KeychainStatus;
use hotfix_core::AppResult;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::commands::demo::DemoStatus;
use crate::state::{blocking, AppState};

/// The app's folders, for the About panel.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PathsInfo {
    pub config: String,
    pub data: String,
    pub logs: String,
    pub cache: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub paths: PathsInfo,
    pub keychain: KeychainStatus,
    pub demo: DemoStatus,
    /// Started with `--demo` / `SYNAPSE_HOTFIX_DEMO=1`: the UI opens the demo profile.
    pub demo_requested: bool,
}

/// The UI has mounted. Logs `ui-ready` with the milliseconds since the process started (the
/// start-up benchmark reads that line).
#[tauri::command]
pub fn app_ready() {
    tracing::info!(elapsed_ms = crate::logging::elapsed_ms(), "ui-ready");
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn app_info(state: State<'_, AppState>) -> AppResult<AppInfo> {
    let secrets = state.secrets.clone();
    let keychain = blocking(move || Ok(secrets.status())).await?;
    let show = |p: &std::path::Path| p.display().to_string();
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        paths: PathsInfo {
            config: show(&state.paths.config),
            data: show(&state.paths.data),
            logs: show(&state.paths.logs),
            cache: show(&state.paths.cache),
        },
        keychain,
        demo: crate::demo::status(&state),
        demo_requested: state.demo_requested,
    })
}

/// Opens `url` in the system browser when the allowlist accepts it (Azure DevOps and Synapse
/// hosts over https, or the running demo simulator).
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn open_url(state: State<'_, AppState>, url: String) -> AppResult<()> {
    let demo_base = crate::demo::base_url(&state).await;
    let checked = hotfix_core::open_url::check(&url, demo_base.as_ref())?;
    crate::browser::open(&checked)
}
