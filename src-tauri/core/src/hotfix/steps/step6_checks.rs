//! Step 6 — the confirmation's reads ([`ConfirmDeployment`]) and the one-click trigger restore
//! ([`RestoreTrigger`]). The confirmation only reads: the release (stage and tasks), the failing
//! task's log on failure, the triggers and artifacts of production through the Synapse data plane
//! (each point says when it could not run, and why), and the dev `main` head.

use chrono::Utc;

use super::step5_deploy::{err_of, fix_commit, DeployAttempt, TriggerBefore};
use super::step5_review::main_head;
use super::step5_status::{self, LiveDeployment};
use super::step6_confirm::{
    ConfirmCheck, ConfirmCheckId, ConfirmOutcome, ConfirmState, TriggerDiff,
};
use super::step6_failure;
use super::step6_rollback::rollback_target;
use super::{Action, StepCtx, StepId};
use crate::ado::release_deploy as api;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::review::{drift_against, DriftChange, DriftItem};
use crate::hotfix::run::{EventLevel, HotfixRun};
use crate::hotfix::session::Session;
use crate::synapse::dataplane::{DataPlane, LiveTrigger};

fn check(
    id: ConfirmCheckId,
    title: &str,
    outcome: ConfirmOutcome,
    detail: String,
    what: Option<String>,
) -> ConfirmCheck {
    ConfirmCheck {
        id,
        title: title.to_owned(),
        outcome,
        detail,
        what_to_do: what,
    }
}

fn finished(run: &HotfixRun) -> AppResult<DeployAttempt> {
    run.steps
        .deploy
        .current()
        .filter(|a| a.finished())
        .cloned()
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                "Deploy first (step 5): the confirmation checks a deployment that has ended.",
            )
        })
}

fn stage_check(live: &LiveDeployment) -> ConfirmCheck {
    let tasks: Vec<_> = live.tasks().map(|(_, t)| t).collect();
    let bad: Vec<String> = tasks
        .iter()
        .filter(|t| {
            !matches!(
                t.status.to_ascii_lowercase().as_str(),
                "succeeded" | "success" | "skipped"
            )
        })
        .map(|t| format!("{} ({})", t.name, t.status))
        .collect();
    let ok = live.result.is_some_and(|r| r.ok()) && bad.is_empty();
    check(
        ConfirmCheckId::Stage,
        "The stage and every task succeeded",
        if ok {
            ConfirmOutcome::Pass
        } else {
            ConfirmOutcome::Fail
        },
        if ok {
            format!(
                "Stage {} succeeded: all {} tasks succeeded.",
                live.stage_name,
                tasks.len()
            )
        } else {
            format!(
                "Stage {} {}. Not succeeded: {}.",
                live.stage_name,
                live.result.map_or("did not end", |r| r.word()),
                if bad.is_empty() {
                    "none listed".to_owned()
                } else {
                    bad.join(", ")
                }
            )
        },
        (!ok).then(|| {
            "See what went wrong below, then fix and deploy again or roll back.".to_owned()
        }),
    )
}

/// The triggers whose state differs from `before` (a trigger gone from production is `Missing`).
pub fn trigger_diffs(before: &[TriggerBefore], now: &[LiveTrigger]) -> Vec<TriggerDiff> {
    before
        .iter()
        .filter_map(|b| {
            let now_state = now
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(&b.name))
                .map_or("Missing", |t| t.runtime_state.as_str());
            (!now_state.eq_ignore_ascii_case(&b.runtime_state)).then(|| TriggerDiff {
                name: b.name.clone(),
                before: b.runtime_state.clone(),
                now: now_state.to_owned(),
            })
        })
        .collect()
}

fn triggers_check(
    before: Option<&Vec<TriggerBefore>>,
    now: AppResult<Vec<LiveTrigger>>,
) -> (ConfirmCheck, Vec<TriggerDiff>) {
    let title = "Every trigger has the state it had before";
    let Some(before) = before else {
        return (
            check(
                ConfirmCheckId::Triggers,
                title,
                ConfirmOutcome::NotRun,
                "The review could not read the triggers before the deployment, so there is \
                 nothing to compare with."
                    .into(),
                Some("Check the triggers in Synapse Studio (Manage → Triggers).".into()),
            ),
            Vec::new(),
        );
    };
    match now {
        Err(e) => (
            check(
                ConfirmCheckId::Triggers,
                title,
                ConfirmOutcome::NotRun,
                format!(
                    "The triggers of production could not be read: {}",
                    e.message
                ),
                Some("Check again in a moment.".into()),
            ),
            Vec::new(),
        ),
        Ok(now) => {
            let diffs = trigger_diffs(before, &now);
            let c = if diffs.is_empty() {
                let stopped = before.iter().filter(|t| !t.started()).count();
                check(
                    ConfirmCheckId::Triggers,
                    title,
                    ConfirmOutcome::Pass,
                    format!(
                        "All {} triggers are as before ({} running, {stopped} stopped).",
                        before.len(),
                        before.len() - stopped
                    ),
                    None,
                )
            } else {
                check(
                    ConfirmCheckId::Triggers,
                    title,
                    ConfirmOutcome::Fail,
                    format!(
                        "{} trigger(s) differ: {}.",
                        diffs.len(),
                        diffs
                            .iter()
                            .map(|d| format!("{} was {}, now {}", d.name, d.before, d.now))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    Some("Restore each one below (one click; safe to repeat).".into()),
                )
            };
            (c, diffs)
        }
    }
}

async fn failure(
    s: &Session,
    live: &LiveDeployment,
    a: &DeployAttempt,
) -> Option<step6_failure::FailureReport> {
    let (path, task) = live.failed_task(a.release_id, a.environment_id)?;
    let log = match s.project() {
        Ok(p) => api::task_log(s.client(), p, &path, 0)
            .await
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    Some(step6_failure::report(&task.name, &log, &task.issues))
}

/// Checks production point by point after the latest deployment.
pub struct ConfirmDeployment;

impl Action for ConfirmDeployment {
    const STEP: StepId = StepId::Confirm;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        finished(run).map(|_| ())
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let s = ctx.session;
        let a = finished(run)?;
        let release = api::release_with_tasks(s.client(), s.project()?, a.release_id)
            .await
            .map_err(|e| err_of(&e))?;
        let live = step5_status::live(&release, a.environment_id, a.attempt).ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!(
                    "{} no longer has the stage that was deployed.",
                    a.release_name
                ),
            )
        })?;
        let ok = live.result.is_some_and(|r| r.ok());
        let mut checks = vec![stage_check(&live)];
        let failure_report = if ok {
            None
        } else {
            failure(s, &live, &a).await
        };
        let rollback = if ok || a.kind != super::step5_deploy::AttemptKind::Deploy {
            None
        } else {
            rollback_target(s, run).await?
        };
        let before = run
            .steps
            .deploy
            .basis
            .as_ref()
            .and_then(|b| b.triggers.clone());
        let (trigger_check, diffs, artifacts) =
            match DataPlane::for_profile(s, &run.prod_workspace).await {
                Err(un) => {
                    let not_run = |id, title: &str| {
                        check(
                            id,
                            title,
                            ConfirmOutcome::NotRun,
                            un.reason.clone(),
                            Some(un.what_to_do.clone()),
                        )
                    };
                    (
                        not_run(
                            ConfirmCheckId::Triggers,
                            "Every trigger has the state it had before",
                        ),
                        Vec::new(),
                        not_run(
                            ConfirmCheckId::Artifacts,
                            "Production holds the deployed commit's artifacts",
                        ),
                    )
                }
                Ok(dp) => {
                    let (c, d) = triggers_check(before.as_ref(), dp.triggers().await);
                    let artifacts = artifacts_check(s, &dp, run, &a, ok).await;
                    (c, d, artifacts)
                }
            };
        checks.push(trigger_check);
        checks.push(artifacts);
        checks.push(main_check(
            run.steps.deploy.main_head.as_deref(),
            main_head(s).await,
        ));
        let state = ConfirmState {
            checked_at: Some(Utc::now()),
            release_id: Some(a.release_id),
            attempt: a.attempt,
            checks,
            trigger_diffs: diffs,
            failure: failure_report,
            rollback,
            confirmed_by: None,
        };
        let passed = state.all_passed();
        let state = ConfirmState {
            confirmed_by: if passed {
                s.signed_in_user().await
            } else {
                None
            },
            ..state
        };
        run.log_event(
            StepId::Confirm,
            if passed {
                EventLevel::Info
            } else {
                EventLevel::Warning
            },
            format!(
                "Confirmation of {}: {} of {} points passed.",
                a.release_name,
                state
                    .checks
                    .iter()
                    .filter(|c| c.outcome == ConfirmOutcome::Pass)
                    .count(),
                state.checks.len()
            ),
        );
        run.steps.confirm = state;
        if passed {
            run.complete_step(StepId::Confirm);
        }
        Ok(())
    }
}

async fn artifacts_check(
    s: &Session,
    dp: &DataPlane,
    run: &HotfixRun,
    a: &DeployAttempt,
    ok: bool,
) -> ConfirmCheck {
    let title = "Production holds the deployed commit's artifacts";
    let commit = match a.kind {
        super::step5_deploy::AttemptKind::Deploy => fix_commit(run).ok(),
        super::step5_deploy::AttemptKind::Rollback => run
            .steps
            .release
            .commit
            .as_ref()
            .map(|c| c.commit_id.clone()),
    };
    let Some(commit) = commit else {
        return check(
            ConfirmCheckId::Artifacts,
            title,
            ConfirmOutcome::NotRun,
            "The deployed commit is not known.".into(),
            None,
        );
    };
    if !ok {
        return check(
            ConfirmCheckId::Artifacts,
            title,
            ConfirmOutcome::Fail,
            format!(
                "The deployment did not succeed, so production does not hold commit {}.",
                &commit[..8.min(commit.len())]
            ),
            Some("Fix and deploy again, or roll back.".into()),
        );
    }
    let drift = drift_against(s, dp, run, &commit).await.map(|d| {
        d.into_iter()
            .partition::<Vec<_>, _>(|x| x.change != DriftChange::AddedInProduction)
    });
    match drift {
        Ok((d, extra)) if d.is_empty() => check(
            ConfirmCheckId::Artifacts,
            title,
            ConfirmOutcome::Pass,
            kept_note(&commit, &extra),
            None,
        ),
        Ok((d, _)) => check(
            ConfirmCheckId::Artifacts,
            title,
            ConfirmOutcome::Fail,
            format!(
                "{} artifact(s) differ from commit {}: {}.",
                d.len(),
                &commit[..8],
                d.iter()
                    .map(|x| format!("{} {}", x.kind, x.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(
                "Someone may have changed production meanwhile; compare them in Synapse Studio."
                    .into(),
            ),
        ),
        Err(e) => check(
            ConfirmCheckId::Artifacts,
            title,
            ConfirmOutcome::NotRun,
            format!(
                "The artifacts of production could not be compared: {}",
                e.message
            ),
            Some("Check again in a moment.".into()),
        ),
    }
}

fn kept_note(commit: &str, extra: &[DriftItem]) -> String {
    let short = &commit[..8.min(commit.len())];
    if extra.is_empty() {
        return format!("Every artifact of production matches commit {short} as deployed.");
    }
    format!(
        "Every artifact of commit {short} is in production as deployed. {} more exist only in \
         production and were kept (DeleteArtifactsNotInTemplate is off): {}.",
        extra.len(),
        extra
            .iter()
            .map(|x| format!("{} {}", x.kind, x.name))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn main_check(then: Option<&str>, now: AppResult<Option<String>>) -> ConfirmCheck {
    let title = "The dev main head is the one of the run's start";
    match (then, now) {
        (None, _) => check(ConfirmCheckId::MainHead, title, ConfirmOutcome::NotRun, "The main head was not recorded when the run was reviewed.".into(), None),
        (Some(_), Err(e)) => check(ConfirmCheckId::MainHead, title, ConfirmOutcome::NotRun, format!("main could not be read: {}", e.message), Some("Check again in a moment.".into())),
        (Some(t), Ok(n)) if n.as_deref() == Some(t) => check(ConfirmCheckId::MainHead, title, ConfirmOutcome::Pass, format!("main is still at {}.", &t[..8.min(t.len())]), None),
        (Some(t), Ok(n)) => check(
            ConfirmCheckId::MainHead,
            title,
            ConfirmOutcome::Fail,
            format!(
                "main moved from {} to {} since the run began.",
                &t[..8.min(t.len())],
                n.as_deref().map_or("(deleted)", |n| &n[..8.min(n.len())])
            ),
            Some("Someone merged into main meanwhile: the merge back (step 7) shows whether it conflicts with the fix.".into()),
        ),
    }
}

/// Puts one trigger back in the state it had before (start or stop, then confirmed by a read);
/// safe to repeat: a trigger already in that state gets no write. The triggers point is checked
/// again.
pub struct RestoreTrigger {
    pub name: String,
}

fn before_of(run: &HotfixRun, name: &str) -> AppResult<TriggerBefore> {
    let before = run
        .steps
        .deploy
        .basis
        .as_ref()
        .and_then(|b| b.triggers.as_ref())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                "The triggers before the deployment are not known (the review could not read \
                 them), so there is no state to restore. Set the trigger in Synapse Studio \
                 (Manage → Triggers).",
            )
        })?;
    before
        .iter()
        .find(|t| t.name == name)
        .cloned()
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                format!(
                    "Trigger {name} was not in production before the deployment, so it has no \
                 earlier state to restore. Check production again."
                ),
            )
        })
}

impl Action for RestoreTrigger {
    const STEP: StepId = StepId::Confirm;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        finished(run)?;
        before_of(run, &self.name).map(|_| ())
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let s = ctx.session;
        let want = before_of(run, &self.name)?;
        let before = run
            .steps
            .deploy
            .basis
            .as_ref()
            .and_then(|b| b.triggers.clone())
            .unwrap_or_default();
        let dp = DataPlane::for_profile(s, &run.prod_workspace)
            .await
            .map_err(|u| {
                AppError::new(
                    ErrorCode::Precondition,
                    format!(
                        "The trigger cannot be restored: {} {}",
                        u.reason, u.what_to_do
                    ),
                )
            })?;
        // Reads the trigger first and writes only when it is not in that state already.
        dp.set_trigger_state(&self.name, want.started()).await?;
        run.log_event(
            StepId::Confirm,
            EventLevel::Info,
            format!(
                "Trigger {} is {} again, as before the deployment.",
                self.name,
                if want.started() { "started" } else { "stopped" }
            ),
        );
        let (c, diffs) = triggers_check(Some(&before), dp.triggers().await);
        let state = &mut run.steps.confirm;
        if let Some(slot) = state
            .checks
            .iter_mut()
            .find(|x| x.id == ConfirmCheckId::Triggers)
        {
            *slot = c;
        }
        state.trigger_diffs = diffs;
        let ended_ok = run
            .steps
            .deploy
            .current()
            .is_some_and(|a| a.result.is_some_and(|r| r.ok()));
        if run.steps.confirm.all_passed() && ended_ok {
            run.complete_step(StepId::Confirm);
        }
        Ok(())
    }
}
