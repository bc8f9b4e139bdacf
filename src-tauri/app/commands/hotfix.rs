//! The hotfix wizard: each command loads what it needs from the managed state and calls
//! [`HotfixService`] in the core. The core announces every saved run and every watcher's progress
//! to [`EventObserver`], which emits them as [`RUN_UPDATED`] and [`WATCH_PROGRESS`]. No rules here.

use std::sync::Arc;

use hotfix_core::hotfix::step1_release::ProductionReleases;
use hotfix_core::hotfix::step2_branch::BranchNameCheck;
use hotfix_core::hotfix::step3_fix::{BranchPoll, StudioLink};
use hotfix_core::hotfix::steps::step5_watch::DeploymentEnded;
use hotfix_core::hotfix::steps::step7_service::GitProgress;
use hotfix_core::hotfix::{
    HotfixRun, HotfixService, RunObserver, RunSummary, Session, WatchProgress,
};
use hotfix_core::profiles::Profile;
use hotfix_core::{AppError, AppResult, ErrorCode};
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::state::AppState;

/// Emitted whenever a run was saved (also after a failed step: its state changed); the payload is
/// the saved [`HotfixRun`].
pub const RUN_UPDATED: &str = "hotfix:run-updated";
/// Emitted by a long-running step's watcher; the payload is a [`WatchProgress`].
pub const WATCH_PROGRESS: &str = "hotfix:watch-progress";
/// Emitted while the profile's cached repository is cloned or fetched (step 7); the payload is a
/// [`GitProgress`].
pub const GIT_PROGRESS: &str = "hotfix:git-progress";

/// The service to `app.manage(..)` at start-up: runs live in `{data}/runs`, the cached clones
/// of step 7 in the app's cache folder.
pub fn service(state: &AppState) -> HotfixService {
    HotfixService::new(&state.paths.data).with_cache_dir(&state.paths.cache)
}

/// Turns the core's announcements into Tauri events.
pub struct EventObserver<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> RunObserver for EventObserver<R> {
    fn run_saved(&self, run: &HotfixRun) {
        if let Err(e) = self.0.emit(RUN_UPDATED, run) {
            tracing::warn!(error = %e, "could not emit {RUN_UPDATED}");
        }
    }

    fn watch_progress(&self, progress: &WatchProgress) {
        if let Err(e) = self.0.emit(WATCH_PROGRESS, progress) {
            tracing::warn!(error = %e, "could not emit {WATCH_PROGRESS}");
        }
    }

    fn git_progress(&self, progress: &GitProgress) {
        if let Err(e) = self.0.emit(GIT_PROGRESS, progress) {
            tracing::warn!(error = %e, "could not emit {GIT_PROGRESS}");
        }
    }

    fn deployment_ended(&self, ended: &DeploymentEnded) {
        crate::notify::deployment_ended(&self.0, ended);
    }
}

fn profile_of(state: &AppState, run: &HotfixRun) -> AppResult<Profile> {
    state.profiles.get(&run.profile_id).map_err(|e| {
        if e.code == ErrorCode::NotFound {
            AppError::new(
                ErrorCode::Precondition,
                format!(
                    "The profile \"{}\" this hotfix was started from no longer exists, so the app has no \
                     token for it. Re-import the profile, or abandon this hotfix.",
                    run.profile.name
                ),
            )
        } else {
            e
        }
    })
}

/// The session of the run's profile: cached, else a client made with the saved token (the keychain
/// is read off the async runtime).
pub(crate) async fn session(
    state: &AppState,
    hotfix: &HotfixService,
    run_id: &str,
) -> AppResult<Arc<Session>> {
    let run = hotfix.get_run(run_id)?;
    let profile = profile_of(state, &run)?;
    // The data-plane token sources are set again on every use: the demo may have restarted.
    let access = crate::commands::signin::synapse_access(state, &profile).await;
    if let Some(s) = hotfix.cached_session(&profile) {
        s.set_synapse_access(access);
        return Ok(s);
    }
    let client = crate::commands::signin::client_for(state, &profile)
        .await
        .map_err(|e| crate::demo::advise_on_token(&profile, e))?;
    let client = state.prepare(client, profile.simulated);
    let session = hotfix.session(&profile, || Ok(client))?;
    session.set_synapse_access(access);
    Ok(session)
}

/// The run's Studio link, with the simulator's base URL when demo mode is running (the open
/// allowlist needs it too).
async fn studio_link(
    state: &AppState,
    hotfix: &HotfixService,
    run_id: &str,
) -> AppResult<(StudioLink, Option<url::Url>)> {
    let run = hotfix.get_run(run_id)?;
    let profile = profile_of(state, &run)?;
    let demo_base = crate::demo::base_url(state).await;
    let link = hotfix.studio_link(run_id, &profile, demo_base.as_ref())?;
    Ok((link, demo_base))
}

#[tauri::command]
#[tracing::instrument(skip(hotfix), err)]
pub async fn hotfix_list_runs(
    hotfix: State<'_, HotfixService>,
    include_finished: bool,
) -> AppResult<Vec<RunSummary>> {
    hotfix.list_runs(include_finished)
}

#[tauri::command]
#[tracing::instrument(skip(hotfix), err)]
pub async fn hotfix_get_run(
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    hotfix.get_run(&run_id)
}

/// Starts a hotfix from a profile. `Precondition` with `detail` = the unfinished run's id when one
/// exists for the same profile and production workspace.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_start_run(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    profile_id: String,
) -> AppResult<HotfixRun> {
    let profile = state.profiles.get(&profile_id)?;
    let run = hotfix.start_run(&profile)?;
    note_started_by(&state, &hotfix, &run.id).await;
    Ok(run)
}

/// Records who starts the run (the signed-in user, for the history). Informational: a run starts
/// even when the sign-in or the answer is missing; the run's end records it then.
async fn note_started_by(state: &AppState, hotfix: &HotfixService, run_id: &str) {
    let noted = match session(state, hotfix, run_id).await {
        Ok(s) => hotfix.note_started_by(&s, run_id).await.map(drop),
        Err(e) => Err(e),
    };
    if let Err(e) = noted {
        tracing::info!(error = %e, "who started the run is not known yet");
    }
}

#[tauri::command]
#[tracing::instrument(skip(hotfix), err)]
pub async fn hotfix_abandon_run(
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    hotfix.abandon_run(&run_id).await
}

#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_list_production_releases(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    top: u32,
) -> AppResult<ProductionReleases> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.list_production_releases(&s, &run_id, top).await
}

#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_select_release(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    release_id: i32,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.select_release(&s, &run_id, release_id).await
}

#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_choose_artifact(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    alias: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.choose_artifact(&s, &run_id, &alias).await
}

#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_check_branch_name(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    name: Option<String>,
) -> AppResult<BranchNameCheck> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.check_branch_name(&s, &run_id, name.as_deref()).await
}

#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_create_branch(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    name: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.create_branch(&s, &run_id, &name).await
}

#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_studio_url(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<StudioLink> {
    studio_link(&state, &hotfix, &run_id)
        .await
        .map(|(link, _)| link)
}

/// Opens Synapse Studio (demo: the branch on the simulator) in the system browser, after the
/// allowlist check, and returns what was opened with the instruction to show.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_open_studio(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<StudioLink> {
    let (link, demo_base) = studio_link(&state, &hotfix, &run_id).await?;
    let checked = hotfix_core::open_url::check(&link.url, demo_base.as_ref())?;
    crate::browser::open(&checked)?;
    Ok(link)
}

#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_poll_branch(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<BranchPoll> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.poll_branch(&s, &run_id).await
}

#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_refresh_changes(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.refresh_changes(&s, &run_id).await
}

#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_complete_fix(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
    acknowledge_warnings: bool,
) -> AppResult<HotfixRun> {
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.complete_fix(&s, &run_id, acknowledge_warnings).await
}

/// Demo mode only: commits a sample fix (pipeline edited, notebook added, dataset deleted) to the
/// hotfix branch as Synapse Studio would. Returns the new commit id.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn hotfix_demo_push_sample_fix(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<String> {
    let admin_url = {
        let slot = state.demo.lock().await;
        slot.as_ref().map(|sim| sim.info().admin_url.clone())
    }
    .ok_or_else(|| AppError::new(ErrorCode::Precondition, "Demo mode is not running, so there is no simulator to push the sample fix to. Start the demo first."))?;
    let s = session(&state, &hotfix, &run_id).await?;
    hotfix.demo_push_sample_fix(&s, &run_id, &admin_url).await
}

/// The latest progress of the run's long-running step, if one is being followed.
#[tauri::command]
#[tracing::instrument(skip(hotfix), err)]
pub async fn hotfix_watch_status(
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<Option<WatchProgress>> {
    Ok(hotfix.watch_status(&run_id))
}

/// Stops following the run's long-running step; false when none was running.
#[tauri::command]
#[tracing::instrument(skip(hotfix), err)]
pub async fn hotfix_cancel_watch(
    hotfix: State<'_, HotfixService>,
    run_id: String,
) -> AppResult<bool> {
    Ok(hotfix.cancel_watch(&run_id))
}
