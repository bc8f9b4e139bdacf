//! Wizard step 7, merge back: list the targets from the cached clone, preview the merges, open
//! the pull requests, read them again, tag the fix commit. Thin like [`super::hotfix`]: each
//! command finds the run's session and calls [`HotfixService`]; the rules live in
//! `hotfix_core::hotfix::steps::step7_*`. Clone and fetch progress reaches the window as
//! [`super::hotfix::GIT_PROGRESS`].

use hotfix_core::hotfix::{HotfixRun, HotfixService};
use hotfix_core::AppResult;
use tauri::State;

use super::hotfix::session;
use crate::state::AppState;

/// Fetches the profile's cached clone and lists the targets (`run.steps.mergeBack.listing`).
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_merge_back_list_targets(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.merge_back_list_targets(&s, &run_id).await
}

/// Ticks `targets` (short branch names from the listing) and computes their conflict preview.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_merge_back_preview(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    targets: Vec<String>,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.merge_back_preview(&s, &run_id, targets).await
}

/// Opens (or finds) one pull request per ticked target; `work_items` are linked to new ones.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_merge_back_open_prs(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    work_items: Vec<i32>,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix
        .merge_back_open_pull_requests(&s, &run_id, work_items)
        .await
}

/// Reads the pull requests again (at most once per 5 s per run; answered from the run within).
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_merge_back_refresh(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.merge_back_refresh(&s, &run_id).await
}

/// Tags the deployed fix commit with the profile's tag template (idempotent).
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_merge_back_tag(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.merge_back_tag(&s, &run_id).await
}
