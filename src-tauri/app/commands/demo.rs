//! Demo mode commands: start the built-in simulated organization, reset it, ask about it.

use hotfix_core::profiles::Profile;
use hotfix_core::AppResult;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::state::AppState;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DemoStatus {
    pub running: bool,
    /// The simulator is being started or reset right now.
    pub starting: bool,
    /// The demo profile, once it exists (it stays when the simulator is not running).
    pub profile_id: Option<String>,
    /// The simulated organization URL while it runs.
    pub organization_url: Option<String>,
    /// Where the simulator keeps its world.
    pub state_dir: String,
}

/// Starts the simulator (if needed) and returns the demo profile, created or refreshed.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn demo_start(state: State<'_, AppState>) -> AppResult<Profile> {
    crate::demo::start(&state).await
}

/// Stops the simulator, deletes its saved world and starts a fresh one.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn demo_reset(state: State<'_, AppState>) -> AppResult<Profile> {
    crate::demo::reset(&state).await
}

#[tauri::command]
pub fn demo_status(state: State<'_, AppState>) -> DemoStatus {
    crate::demo::status(&state)
}
