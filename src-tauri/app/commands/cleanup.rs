//! Wizard step 8, clean up, and the run's end: list the old hotfix branches, delete the picked
//! ones, finish the run. Thin like [`super::hotfix`]; the rules live in
//! `hotfix_core::hotfix::step8_cleanup` and `step8_delete`.

use hotfix_core::hotfix::step8_delete::BranchPick;
use hotfix_core::hotfix::step8_service::CleanupReport;
use hotfix_core::hotfix::{HotfixRun, HotfixService};
use hotfix_core::AppResult;
use tauri::State;

use super::hotfix::session;
use crate::state::AppState;

/// Reads the hotfix branches of earlier releases; they are `run.steps.cleanup.branches`.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_cleanup_list(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.cleanup_list(&s, &run_id).await
}

/// Deletes the picked branches (each with the head the user saw) and says what happened to each.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_cleanup_delete(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    picks: Vec<BranchPick>,
) -> AppResult<CleanupReport> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.cleanup_delete(&s, &run_id, picks).await
}

/// Completes the run (step 8 done, status `completed`).
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_finish_run(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.finish_run(&s, &run_id).await
}
