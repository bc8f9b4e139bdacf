//! Step 5 — starting and cancelling a stage deployment. [`StartStage`] PATCHes the stage to
//! `inProgress` with an intent saved first; when a start's answer was lost, the next try reads the
//! stage and records the attempt that is there, so a stage is never started twice. A rollback uses
//! it on the release that was in production before ([`super::step6_rollback`]).
//! [`CancelDeployment`] PATCHes `canceled` when the stage still runs; the watcher then follows it
//! through `cancelling` to `canceled`.

use chrono::Utc;

use super::step5_deploy::{
    check_typed, err_of, not_in_progress, AttemptKind, DeployAttempt, DeployIntent,
};
use super::step5_status;
use super::{Action, StepCtx, StepId};
use crate::ado::release_deploy as api;
use crate::ado::AdoError;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{EventLevel, HotfixRun, StepState};

/// Starts (or finds started) a stage deployment: the fix's stage, or a rollback's.
pub struct StartStage {
    pub kind: AttemptKind,
    pub release_id: i32,
    pub release_name: String,
    pub web_url: Option<String>,
    pub environment_id: i32,
    /// For a rollback: the typed confirmation, checked in the preconditions.
    pub typed: Option<String>,
}

impl Action for StartStage {
    const STEP: StepId = StepId::Deploy;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        if let Some(t) = &self.typed {
            check_typed(run, t, "roll back")?;
        }
        not_in_progress(run)
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let s = ctx.session;
        let project = s.project()?;
        let release = api::release_with_tasks(s.client(), project, self.release_id)
            .await
            .map_err(|e| err_of(&e))?;
        let env = step5_status::environment(&release, self.environment_id).ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!(
                    "Release {} has no stage with id {}; nothing was started.",
                    self.release_name, self.environment_id
                ),
            )
        })?;
        let stage_name = env["name"].as_str().unwrap_or("").to_owned();
        let highest = step5_status::attempts(env).last().copied().unwrap_or(0);
        let status = env["status"].as_str().unwrap_or("").to_ascii_lowercase();
        let resumed = landed(
            run.steps.deploy.intent.as_ref(),
            self.release_id,
            self.environment_id,
            highest,
            &status,
        );
        let attempt = if let Some(n) = resumed {
            n
        } else {
            if matches!(status.as_str(), "inprogress" | "queued") {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!(
                        "Stage {stage_name} of {} is already being deployed (status {status}), \
                         not by this hotfix. Wait for it to end; nothing was started.",
                        self.release_name
                    ),
                ));
            }
            run.steps.deploy.intent = Some(DeployIntent::StartStage {
                deploy_kind: self.kind,
                release_id: self.release_id,
                environment_id: self.environment_id,
                attempts_before: highest,
                at: Utc::now(),
            });
            ctx.save_intent(run)?;
            let comment = match self.kind {
                AttemptKind::Deploy => "Hotfix deployment (Synapse Hotfix)",
                AttemptKind::Rollback => "Rollback after a failed hotfix (Synapse Hotfix)",
            };
            api::update_environment(
                s.client(),
                project,
                self.release_id,
                self.environment_id,
                "inProgress",
                comment,
            )
            .await
            .map_err(|e| start_error(&e, &stage_name, &self.release_name))?;
            highest + 1
        };
        record_attempt(
            run,
            DeployAttempt {
                kind: self.kind,
                release_id: self.release_id,
                release_name: self.release_name,
                web_url: self.web_url,
                environment_id: self.environment_id,
                stage_name,
                attempt,
                requested_at: Utc::now(),
                finished_at: None,
                result: None,
            },
            resumed.is_some(),
        );
        Ok(())
    }
}

/// The attempt a start whose answer was lost made, read from the stage now: `intent` is the
/// start that was about to be sent; the stage has a newer attempt, or is queued / running.
pub(super) fn landed(
    intent: Option<&DeployIntent>,
    release: i32,
    environment: i32,
    highest: i32,
    status: &str,
) -> Option<i32> {
    match intent {
        Some(DeployIntent::StartStage {
            release_id,
            environment_id,
            attempts_before,
            ..
        }) if *release_id == release && *environment_id == environment => {
            let status = status.to_ascii_lowercase();
            (highest > *attempts_before || matches!(status.as_str(), "inprogress" | "queued"))
                .then_some(highest.max(attempts_before + 1))
        }
        _ => None,
    }
}

/// Records a started deployment (the intent is done; the live state starts over).
pub(super) fn record_attempt(run: &mut HotfixRun, a: DeployAttempt, resumed: bool) {
    let what = match a.kind {
        AttemptKind::Deploy => "Deployment",
        AttemptKind::Rollback => "Rollback",
    };
    run.log_event(
        StepId::Deploy,
        EventLevel::Info,
        format!(
            "{what} of {} started: stage {}, attempt {}{}.",
            a.release_name,
            a.stage_name,
            a.attempt,
            if resumed {
                " (found started after an interrupted start)"
            } else {
                ""
            }
        ),
    );
    let state = &mut run.steps.deploy;
    state.intent = None;
    state.live = None;
    state.log_tail = None;
    state.attempts.push(a);
    run.steps.confirm = super::step6_confirm::ConfirmState::default();
    // A redeploy or a rollback from step 6 brings the wizard back here; later steps wait again.
    run.reopen_step(StepId::Deploy);
    run.set_step(StepId::Deploy, StepState::Active, Some("Deploying…".into()));
}

fn start_error(e: &AdoError, stage: &str, release: &str) -> AppError {
    let base = err_of(e);
    let tail = match base.code {
        ErrorCode::Unreachable | ErrorCode::ServerError | ErrorCode::RateLimited => {
            " The stage may or may not have started: trying again first reads the stage, so it \
             is never started twice."
        }
        _ => " Nothing was started.",
    };
    AppError {
        message: format!(
            "Azure DevOps did not start stage {stage} of {release}: {}{tail}",
            base.message
        ),
        ..base
    }
}

/// Cancels the running stage deployment (PATCH `canceled`); the watcher then follows it to
/// `canceled`.
pub struct CancelDeployment;

impl Action for CancelDeployment {
    const STEP: StepId = StepId::Deploy;
    type Output = bool;

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        run.steps.deploy.in_progress().map(|_| ()).ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                "No deployment of this hotfix is running.",
            )
        })
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<bool> {
        let s = ctx.session;
        let Some(a) = run.steps.deploy.in_progress().cloned() else {
            return Ok(false);
        };
        let project = s.project()?;
        let release = api::release_with_tasks(s.client(), project, a.release_id)
            .await
            .map_err(|e| err_of(&e))?;
        let now = step5_status::live(&release, a.environment_id, a.attempt);
        if now
            .as_ref()
            .is_some_and(|l| l.result.is_some() || l.phase == step5_status::DeployPhase::Cancelling)
        {
            return Ok(false);
        }
        api::update_environment(
            s.client(),
            project,
            a.release_id,
            a.environment_id,
            "canceled",
            "Canceled in Synapse Hotfix",
        )
        .await
        .map_err(|e| {
            let base = err_of(&e);
            AppError {
                message: format!(
                    "Azure DevOps did not cancel the deployment: {} The deployment goes on; try \
                     again, or cancel it in Azure DevOps.",
                    base.message
                ),
                ..base
            }
        })?;
        run.log_event(
            StepId::Deploy,
            EventLevel::Warning,
            format!(
                "Cancel asked for {} (attempt {}).",
                a.release_name, a.attempt
            ),
        );
        Ok(true)
    }
}
