//! Step 5 — following a stage deployment as a [`Watch`]: read the release (`$expand=tasks`),
//! record stage → phase → job → task and the pending approvals on the run, read the running task's
//! log from the last line read (`startLine`), and pause as [`super::step5_pacing`] says. The run is
//! saved (and announced) only when something changed. When the stage ends, the attempt's result is
//! recorded and the wizard moves on to step 6.
//!
//! A read that fails for a passing reason (5xx, 429, a dropped connection) is tried again with
//! growing pauses; one that cannot get better by waiting (the token was refused) stops the watcher
//! with what to do — the deployment goes on in Azure DevOps, and opening the hotfix again attaches
//! to it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;

use super::step5_deploy::{AttemptKind, DeployAttempt, LogTail, LOG_TAIL_LINES};
use super::step5_pacing::{next_delay, read_logs, PaceInput, RUNNING_INTERVAL};
use super::step5_status::{self, DeployPhase, DeployResult, LiveDeployment};
use super::StepId;
use crate::ado::release_deploy as api;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{EventLevel, HotfixRun, StepState};
use crate::hotfix::watch::{Watch, WatchCtx};

/// Failed reads in a row after which the watcher gives up (about ten minutes of trying).
pub const MAX_FAILURES: u32 = 12;
/// The crash point after the watcher saved its first read (tests: an app that dies while following).
pub const CRASH_WATCHING: &str = "deploy:watching";

/// Whether the app's window is visible (the UI says so); the watcher reads less while hidden.
#[derive(Debug)]
pub struct WindowState {
    visible: AtomicBool,
    changed: tokio::sync::Notify,
}

impl Default for WindowState {
    fn default() -> Self {
        Self {
            visible: AtomicBool::new(true),
            changed: tokio::sync::Notify::new(),
        }
    }
}

impl WindowState {
    pub fn set_visible(&self, visible: bool) {
        if self.visible.swap(visible, Ordering::SeqCst) != visible {
            self.changed.notify_waiters();
        }
    }

    pub fn visible(&self) -> bool {
        self.visible.load(Ordering::SeqCst)
    }
}

/// A followed deployment ended: what the desktop notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentEnded {
    pub run_id: String,
    pub kind: AttemptKind,
    pub release_name: String,
    pub stage_name: String,
    pub result: DeployResult,
}

impl DeploymentEnded {
    /// The notification's title and body.
    pub fn text(&self) -> (String, String) {
        let what = match self.kind {
            AttemptKind::Deploy => "Deployment",
            AttemptKind::Rollback => "Rollback",
        };
        let title = format!("{what} {}", self.result.word());
        let next = if self.result.ok() {
            "Open Synapse Hotfix to confirm production."
        } else {
            "Open Synapse Hotfix to see what went wrong and the ways forward."
        };
        let body = format!(
            "{} to stage {} {}. {next}",
            self.release_name,
            self.stage_name,
            self.result.word()
        );
        (title, body)
    }
}

/// Follows `attempt` until its stage ends.
pub struct DeployWatch {
    pub attempt: DeployAttempt,
    pub window: Arc<WindowState>,
}

impl Watch for DeployWatch {
    const STEP: StepId = StepId::Deploy;

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        match run.steps.deploy.current() {
            Some(a)
                if a.release_id == self.attempt.release_id && a.attempt == self.attempt.attempt =>
            {
                Ok(())
            }
            _ => Err(AppError::new(
                ErrorCode::Precondition,
                "That deployment is not this hotfix's latest one; open the hotfix again.",
            )),
        }
    }

    async fn watch(self, ctx: WatchCtx) -> AppResult<()> {
        Box::pin(follow(self, ctx)).await
    }
}

/// An error the watcher cannot wait away.
fn lasting(e: &AppError) -> bool {
    matches!(
        e.code,
        ErrorCode::TokenRejected
            | ErrorCode::NotSignedIn
            | ErrorCode::MissingScope
            | ErrorCode::NoPermission
            | ErrorCode::NotFound
            | ErrorCode::SignInRefused
            | ErrorCode::InteractionRequired
    )
}

fn stopped_following(e: AppError, a: &DeployAttempt) -> AppError {
    AppError {
        message: format!(
            "The app stopped following the deployment of {}: {} The deployment itself goes on \
             in Azure DevOps. Once that is fixed, press \"Follow the deployment\" (or open this \
             hotfix again) to see where it stands.",
            a.release_name, e.message
        ),
        ..e
    }
}

async fn follow(w: DeployWatch, ctx: WatchCtx) -> AppResult<()> {
    let a = w.attempt;
    let s = ctx.session();
    let project = s.project()?.to_owned();
    let mut tail: Option<LogTail> = None;
    let mut saved_tail: Option<LogTail> = None;
    let mut last: Option<LiveDeployment> = None;
    let mut same = 0u32;
    let mut failures = 0u32;
    let mut first = true;
    loop {
        if ctx.is_cancelled() {
            return Ok(());
        }
        let read_started = Instant::now();
        let phase = match api::release_with_tasks(s.client(), &project, a.release_id).await {
            Err(e) => {
                let e = AppError::from(e);
                failures += 1;
                if lasting(&e) || failures > MAX_FAILURES {
                    return Err(stopped_following(e, &a));
                }
                ctx.progress(
                    format!(
                        "Lost contact with Azure DevOps ({}); trying again.",
                        e.message
                    ),
                    None,
                );
                last.as_ref().map_or(DeployPhase::Queued, |l| l.phase)
            }
            Ok(release) => {
                failures = 0;
                let live =
                    step5_status::live(&release, a.environment_id, a.attempt).ok_or_else(|| {
                        stopped_following(
                            AppError::new(
                                ErrorCode::NotFound,
                                format!(
                                    "release {} has no stage {} any more.",
                                    a.release_name, a.environment_id
                                ),
                            ),
                            &a,
                        )
                    })?;
                let rate = s.client().rate_limit();
                if read_logs(w.window.visible(), rate) {
                    tail = read_tail(&ctx, &project, &a, &live, tail).await;
                }
                let changed = last.as_ref().is_none_or(|l| differs(l, &live)) || tail != saved_tail;
                same = if last.as_ref().is_some_and(|l| l.phase == live.phase) {
                    same + 1
                } else {
                    0
                };
                if changed || first {
                    record(&ctx, &a, &live, tail.clone()).await?;
                    saved_tail.clone_from(&tail);
                    if first {
                        ctx.crash_point(CRASH_WATCHING)?;
                        first = false;
                    }
                }
                ctx.progress(live.summary(), live.fraction());
                let phase = live.phase;
                last = Some(live);
                if phase == DeployPhase::Finished {
                    if let (Some(o), Some(result)) =
                        (ctx.observer(), last.as_ref().and_then(|l| l.result))
                    {
                        o.deployment_ended(&DeploymentEnded {
                            run_id: ctx.run_id().to_owned(),
                            kind: a.kind,
                            release_name: a.release_name.clone(),
                            stage_name: a.stage_name.clone(),
                            result,
                        });
                    }
                    return Ok(());
                }
                phase
            }
        };
        let delay = next_delay(&PaceInput {
            phase,
            same_phase_reads: same,
            window_visible: w.window.visible(),
            rate: s.client().rate_limit(),
            client_pause: s.client().paused_for(),
            failures,
        });
        let until = read_started + delay;
        loop {
            let wake = tokio::time::sleep_until(until.into());
            tokio::select! {
                () = ctx.cancelled() => return Ok(()),
                () = wake => break,
                () = w.window.changed.notified() => {
                    // Shown again: read soon, but never sooner than the budget allows.
                    if w.window.visible() {
                        let soonest = read_started + RUNNING_INTERVAL;
                        tokio::time::sleep_until(soonest.into()).await;
                        break;
                    }
                }
            }
        }
    }
}

/// Whether anything the screen shows changed (the read time aside).
fn differs(a: &LiveDeployment, b: &LiveDeployment) -> bool {
    let mut x = a.clone();
    x.read_at = b.read_at;
    &x != b
}

/// Reads the running task's new log lines (one request), keeping the last [`LOG_TAIL_LINES`].
async fn read_tail(
    ctx: &WatchCtx,
    project: &str,
    a: &DeployAttempt,
    live: &LiveDeployment,
    tail: Option<LogTail>,
) -> Option<LogTail> {
    let (path, task) = live.current_task(a.release_id, a.environment_id)?;
    let mut t = match tail {
        Some(t) if t.task_id == task.id => t,
        _ => LogTail {
            task_id: task.id,
            task_name: task.name.clone(),
            lines: Vec::new(),
            next_line: 0,
        },
    };
    let running = task.status.eq_ignore_ascii_case("inProgress");
    if !running && t.next_line >= task.line_count {
        return Some(t);
    }
    match api::task_log(ctx.session().client(), project, &path, t.next_line).await {
        Ok(text) => {
            let new: Vec<String> = text.lines().map(str::to_owned).collect();
            t.next_line += new.len() as u64;
            t.lines.extend(new);
            let extra = t.lines.len().saturating_sub(LOG_TAIL_LINES);
            t.lines.drain(..extra);
            Some(t)
        }
        // The log is a convenience: the status is what counts; the next read tries again.
        Err(e) => {
            tracing::debug!(error = %e, "could not read the task log");
            Some(t)
        }
    }
}

/// Saves the live state; when the stage ended, the attempt's result and the step it leads to.
async fn record(
    ctx: &WatchCtx,
    a: &DeployAttempt,
    live: &LiveDeployment,
    tail: Option<LogTail>,
) -> AppResult<()> {
    let live = live.clone();
    let a = a.clone();
    ctx.update(move |run| {
        let state = &mut run.steps.deploy;
        if !state
            .current()
            .is_some_and(|c| c.release_id == a.release_id && c.attempt == a.attempt)
        {
            return Ok(());
        }
        state.live = Some(live.clone());
        state.log_tail = tail;
        if let (Some(result), Some(cur)) = (live.result, state.attempts.last_mut()) {
            if cur.result.is_none() {
                cur.result = Some(result);
                cur.finished_at = live.finished_at.or(Some(Utc::now()));
                finish(run, &a, result);
            }
        }
        Ok(())
    })
    .await
}

/// The stage ended with `result`: log it and move the wizard to step 6.
pub fn finish(run: &mut HotfixRun, a: &DeployAttempt, result: DeployResult) {
    let what = match a.kind {
        AttemptKind::Deploy => "The deployment",
        AttemptKind::Rollback => "The rollback",
    };
    let message = format!("{what} of {} {}.", a.release_name, result.word());
    if result.ok() {
        run.log_event(StepId::Deploy, EventLevel::Info, message);
        run.complete_step(StepId::Deploy);
    } else {
        run.log_event(StepId::Deploy, EventLevel::Error, message.clone());
        run.set_step(StepId::Deploy, StepState::Failed, Some(message));
        run.set_step(StepId::Confirm, StepState::Active, None);
        run.current_step = run.current_step.max(StepId::Confirm);
    }
}
