//! Wizard steps 5 and 6, deploy and confirm: the review of production, the typed confirmation that
//! creates the release and starts its stage, following it (also after a restart), cancel, the
//! window's visibility for the watcher's pace, the confirmation, a trigger restore and the
//! rollback. Thin like [`super::hotfix`]: each command finds the run's session and calls
//! [`HotfixService`]; the rules live in `hotfix_core::hotfix::steps::step5_*` / `step6_*`.

use hotfix_core::hotfix::{HotfixRun, HotfixService, WatchProgress};
use hotfix_core::AppResult;
use tauri::State;

use super::hotfix::session;
use crate::state::AppState;

/// Creates the release pinned to the fix commit and starts its stage, after `typed` (the
/// production workspace name) was checked; then follows it (`hotfix:watch-progress`). Repeating
/// it after a failure never creates a second release or starts the stage twice.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix, typed), err)]
pub async fn hotfix_deploy(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    typed: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.deploy(&s, &run_id, &typed).await
}

/// Follows the run's deployment in progress again (after the app was closed): resolves an
/// interrupted start from what Azure DevOps shows, then starts the watcher. `null` when nothing runs.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_deploy_attach(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<Option<WatchProgress>> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.deploy_attach(&s, &run_id).await
}

/// Cancels the running deployment in Azure DevOps (the watcher follows it to `canceled`).
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_deploy_cancel(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<bool> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.deploy_cancel(&s, &run_id).await
}

/// The window became visible or hidden: while hidden the watcher only checks the status slowly.
#[tauri::command]
#[tracing::instrument(skip(hotfix), err)]
pub async fn hotfix_window_visible(
    hotfix: State<'_, HotfixService>,
    visible: bool,
) -> AppResult<()> {
    hotfix.set_window_visible(visible);
    Ok(())
}

/// Reviews what production will receive (`run.steps.deploy.review`); the deployment needs a
/// fresh one.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_deploy_review(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.deploy_review(&s, &run_id).await
}

/// Checks production point by point after the deployment (`run.steps.confirm`).
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_confirm(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.confirm(&s, &run_id).await
}

/// Puts one trigger back in the state it had before the deployment; safe to repeat.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_restore_trigger(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    name: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.restore_trigger(&s, &run_id, &name).await
}

/// Redeploys the release that ran before the hotfix, after `typed` (the workspace name).
#[tauri::command]
#[tracing::instrument(skip(state, hotfix, typed), err)]
pub async fn hotfix_rollback(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    typed: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.rollback(&s, &run_id, &typed).await
}

/// After a failed deployment: open step 3 again to fix on the hotfix branch.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_reopen_fix(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.reopen_fix(&s, &run_id).await
}
