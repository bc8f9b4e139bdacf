//! Wizard step 4, the hotfix release pipeline: pre-flight checks, the definition preview and its
//! save. Thin like [`super::hotfix`]: each command finds the run's session and calls
//! [`HotfixService`]; the rules live in `hotfix_core::hotfix::step4_pipeline`.

use hotfix_core::hotfix::{HotfixRun, HotfixService};
use hotfix_core::AppResult;
use tauri::State;

use super::hotfix::session;
use crate::state::AppState;

/// Runs the pre-flight checks; the report is `run.steps.pipeline.preflight`.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_pipeline_preflight(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.pipeline_preflight(&s, &run_id).await
}

/// Builds the definition as it will be saved (`run.steps.pipeline.preview`); re-runs an
/// out-of-date pre-flight first. `precondition` when a check fails, `invalidInput` when the task
/// catalogue refuses a value of the profile.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_pipeline_preview(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.pipeline_preview(&s, &run_id).await
}

/// Saves the previewed definition. `expected_revision` = the preview's `revision` the user
/// confirmed (`null` for a new one). When someone changed it meanwhile, nothing is saved and
/// `run.steps.pipeline.stale` says what changed, with the new preview to confirm.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_pipeline_save(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    expected_revision: Option<i32>,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.pipeline_save(&s, &run_id, expected_revision).await
}
