//! Step 5 on the service: deploy (release → stage → watcher), attach to a deployment in progress
//! (after a restart), cancel it, and the window's visibility for the watcher's pace. Each write
//! goes through [`HotfixService::advance`] with its own action; the watcher through
//! [`HotfixService::start_watch`].

use std::sync::Arc;

use super::step5_deploy::{AttemptKind, DeployIntent};
use super::step5_release::CreateHotfixRelease;
use super::step5_resume::ResumeStart;
use super::step5_stage::{CancelDeployment, StartStage};
use super::step5_watch::DeployWatch;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::HotfixRun;
use crate::hotfix::service::HotfixService;
use crate::hotfix::session::Session;
use crate::hotfix::watch::WatchProgress;

impl HotfixService {
    /// The UI says whether the window is visible; the deployment watcher reads less while hidden.
    pub fn set_window_visible(&self, visible: bool) {
        self.window.set_visible(visible);
    }

    /// Whether the window is visible, as the UI last said.
    pub fn window_visible(&self) -> bool {
        self.window.visible()
    }

    /// Deploys the fix after the typed confirmation: the release pinned to the fix commit (found
    /// when it exists), its stage started (found started when it runs), then followed. Safe to
    /// repeat after any failure: nothing is created or started twice.
    pub async fn deploy(&self, s: &Arc<Session>, id: &str, typed: &str) -> AppResult<HotfixRun> {
        let typed = typed.to_owned();
        let (run, ()) = Box::pin(self.advance(s, id, CreateHotfixRelease { typed })).await?;
        let Some(release) = run.steps.deploy.release.clone() else {
            return Err(AppError::internal("The release was not recorded."));
        };
        let started = run
            .steps
            .deploy
            .current()
            .is_some_and(|a| a.release_id == release.id && !a.finished());
        let run = if started {
            run
        } else {
            let start = StartStage {
                kind: AttemptKind::Deploy,
                release_id: release.id,
                release_name: release.name.clone(),
                web_url: release.web_url.clone(),
                environment_id: release.environment_id,
                typed: None,
            };
            Box::pin(self.advance(s, id, start)).await?.0
        };
        self.follow(s, &run)?;
        Ok(run)
    }

    /// Starts the watcher on the run's latest deployment, unless one runs already.
    pub(crate) fn follow(
        &self,
        s: &Arc<Session>,
        run: &HotfixRun,
    ) -> AppResult<Option<WatchProgress>> {
        let Some(attempt) = run.steps.deploy.in_progress().cloned() else {
            return Ok(None);
        };
        if let Some(p) = self.watch_status(&run.id) {
            return Ok(Some(p));
        }
        let watch = DeployWatch {
            attempt,
            window: Arc::clone(&self.window),
        };
        match self.start_watch(Arc::clone(s), &run.id, watch) {
            Ok(p) => Ok(Some(p)),
            // Started by a concurrent call meanwhile: that one follows it.
            Err(e) if e.code == ErrorCode::Conflict => Ok(self.watch_status(&run.id)),
            Err(e) => Err(e),
        }
    }

    /// Attaches to the run's deployment after the app (re)opened it: an interrupted start is
    /// resolved from the remote state first (recorded when it landed, dropped when it did not —
    /// nothing is sent), then a deployment in progress is followed again. `None` when nothing runs.
    pub async fn deploy_attach(
        &self,
        s: &Arc<Session>,
        id: &str,
    ) -> AppResult<Option<WatchProgress>> {
        let run = self.get_run(id)?;
        if !run.is_unfinished() {
            return Ok(None);
        }
        let run = if run.steps.deploy.intent.is_some() {
            Box::pin(self.advance(s, id, ResumeStart)).await?.0
        } else {
            run
        };
        if matches!(
            run.steps.deploy.intent,
            Some(DeployIntent::StartStage { .. })
        ) {
            return Ok(None);
        }
        self.follow(s, &run)
    }

    /// Cancels the running deployment (the watcher follows it to `canceled`); false when it had
    /// ended or was already being cancelled.
    pub async fn deploy_cancel(&self, s: &Arc<Session>, id: &str) -> AppResult<bool> {
        let (run, asked) = Box::pin(self.advance(s, id, CancelDeployment)).await?;
        self.follow(s, &run)?;
        Ok(asked)
    }
}
