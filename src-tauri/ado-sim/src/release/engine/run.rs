//! Running a deployment: the background task that executes a queued attempt's steps one by one
//! (waiting its turn, pause and advance), writing task logs and moving statuses. What each step
//! does is in `steps`; the instant completion and the restart after a crash in `offline`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::approvals::automated_approval;
use super::steps::execute;
use super::{snapshot_env, FINALIZE};
use crate::state::{AppState, Sim, World};

/// A timestamp for a log line (`2026-11-26T10:11:31.1234567Z`, as agents write them).
pub(super) fn log_ts(t: DateTime<Utc>) -> String {
    let s = t.format("%Y-%m-%dT%H:%M:%S%.9f").to_string();
    format!("{}Z", &s[..s.len() - 2])
}

/// Starts the background run of a stage's latest attempt (no-op while it awaits approval).
pub fn spawn(sim: &AppState, rid: i32, eid: i32) {
    let sim = Arc::clone(sim);
    tokio::spawn(async move {
        run(&sim, rid, eid).await;
        let s = Arc::clone(&sim);
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || s.persist()).await {
            tracing::warn!("could not persist the world after a deployment: {e:#}");
        }
    });
}

/// Waits for this deployment's turn: `ms` elapsed and not paused, or an `advance`.
async fn wait_turn(sim: &Sim, ms: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
    loop {
        let notified = sim.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let paused = {
            let mut w = sim.world();
            let e = &mut w.release.engine;
            if e.advance > 0 {
                e.advance -= 1;
                return;
            }
            if !e.paused && tokio::time::Instant::now() >= deadline {
                return;
            }
            e.paused
        };
        if paused {
            notified.await;
        } else {
            tokio::select! {
                () = &mut notified => {}
                () = tokio::time::sleep_until(deadline) => {}
            }
        }
    }
}

/// Mutable access to the latest attempt of a stage.
fn with_attempt<R>(
    sim: &Sim,
    rid: i32,
    eid: i32,
    f: impl FnOnce(&mut World, usize) -> R,
) -> Option<R> {
    let mut w = sim.world();
    let idx = w
        .release
        .releases
        .get(&rid)?
        .environments
        .iter()
        .position(|e| e.id == eid)?;
    Some(f(&mut w, idx))
}

fn env_mut(
    w: &mut World,
    rid: i32,
    idx: usize,
) -> Option<&mut crate::release::model::ReleaseEnvironment> {
    w.release
        .releases
        .get_mut(&rid)
        .and_then(|r| r.environments.get_mut(idx))
}

/// Canceled, or being cancelled: the engine stops at the next step.
fn stopping(e: &crate::release::model::ReleaseEnvironment) -> bool {
    e.status == "canceled" || super::is_cancelling(e)
}

fn canceled(sim: &Sim, rid: i32, eid: i32) -> bool {
    with_attempt(sim, rid, eid, |w, idx| {
        env_mut(w, rid, idx).is_none_or(|e| stopping(e))
    })
    .unwrap_or(true)
}

async fn run(sim: &AppState, rid: i32, eid: i32) {
    let delay = sim.opts.task_delay_ms;
    // Claim the attempt (exactly one runner per attempt).
    let claimed = with_attempt(sim, rid, eid, |w, idx| {
        let Some(e) = env_mut(w, rid, idx) else {
            return false;
        };
        let Some(a) = e.deploy_steps.last_mut() else {
            return false;
        };
        if a.operation_status != "Queued" && a.operation_status != "Approved" {
            return false;
        }
        a.operation_status = "QueuedForAgent".into();
        a.last_modified_on = Utc::now();
        true
    })
    .unwrap_or(false);
    if !claimed {
        return;
    }
    wait_turn(sim, delay / 4).await;
    let phase_count = with_attempt(sim, rid, eid, |w, idx| {
        let now = Utc::now();
        let Some(e) = env_mut(w, rid, idx) else {
            return 0;
        };
        if stopping(e) {
            return 0;
        }
        e.status = "inProgress".into();
        e.modified_on = now;
        let Some(a) = e.deploy_steps.last_mut() else {
            return 0;
        };
        a.operation_status = "PhaseInProgress".into();
        a.started_on = Some(now);
        a.last_modified_on = now;
        a.phases.len()
    })
    .unwrap_or(0);
    let mut all_ok = true;
    for pi in 0..phase_count {
        if canceled(sim, rid, eid) {
            return;
        }
        let task_count = with_attempt(sim, rid, eid, |w, idx| {
            let now = Utc::now();
            let Some(p) = env_mut(w, rid, idx)
                .and_then(|e| e.deploy_steps.last_mut())
                .and_then(|a| a.phases.get_mut(pi))
            else {
                return 0;
            };
            if !all_ok {
                p.status = "skipped".into();
                return 0;
            }
            p.status = "inProgress".into();
            p.started_on = Some(now);
            let Some(j) = p.jobs.first_mut() else {
                return 0;
            };
            j.job.status = "inProgress".into();
            j.job.start_time = Some(now);
            j.tasks.len()
        })
        .unwrap_or(0);
        if task_count == 0 && !all_ok {
            continue;
        }
        let mut phase_ok = true;
        let mut first_error: Option<String> = None;
        for ti in 0..task_count {
            if canceled(sim, rid, eid) {
                return;
            }
            let skip = with_attempt(sim, rid, eid, |w, idx| {
                let Some(t) = env_mut(w, rid, idx)
                    .and_then(|e| e.deploy_steps.last_mut())
                    .and_then(|a| a.phases.get_mut(pi))
                    .and_then(|p| p.jobs.first_mut())
                    .and_then(|j| j.tasks.get_mut(ti))
                else {
                    return true;
                };
                if !phase_ok && t.name != FINALIZE {
                    t.status = "skipped".into();
                    return true;
                }
                false
            })
            .unwrap_or(true);
            if skip {
                continue;
            }
            let builtin_step = delay / 4;
            let is_workflow = with_attempt(sim, rid, eid, |w, idx| {
                env_mut(w, rid, idx)
                    .and_then(|e| e.deploy_steps.last())
                    .and_then(|a| a.phases.get(pi))
                    .and_then(|p| p.jobs.first())
                    .and_then(|j| j.tasks.get(ti))
                    .is_some_and(|t| t.workflow_index.is_some())
            })
            .unwrap_or(false);
            let step_ms = if is_workflow { delay } else { builtin_step };
            wait_turn(sim, step_ms / 2).await;
            if canceled(sim, rid, eid) {
                return;
            }
            // Start the task and run it against the world.
            let outcome = with_attempt(sim, rid, eid, |w, idx| {
                let now = Utc::now();
                let t = {
                    let t = env_mut(w, rid, idx)
                        .and_then(|e| e.deploy_steps.last_mut())
                        .and_then(|a| a.phases.get_mut(pi))
                        .and_then(|p| p.jobs.first_mut())
                        .and_then(|j| j.tasks.get_mut(ti))?;
                    t.status = "inProgress".into();
                    t.start_time = Some(now);
                    t.log
                        .push(format!("{} ##[section]Starting: {}", log_ts(now), t.name));
                    t.clone()
                };
                let continue_on_error = t.workflow_index.is_some_and(|wi| {
                    snapshot_env(w, rid, eid)
                        .and_then(|s| {
                            s["deployPhases"]
                                .get(pi)
                                .and_then(|p| p["workflowTasks"].get(wi))
                                .map(|x| x["continueOnError"].as_bool().unwrap_or(false))
                        })
                        .unwrap_or(false)
                });
                Some((execute(w, rid, eid, pi, &t), continue_on_error, t.name))
            })
            .flatten();
            let Some((outcome, continue_on_error, name)) = outcome else {
                continue;
            };
            // Stream the lines over the rest of the step.
            let n = u64::try_from(outcome.lines.len().max(1)).unwrap_or(1);
            let per_line = Duration::from_millis((step_ms / 2) / n);
            for line in &outcome.lines {
                let stop = with_attempt(sim, rid, eid, |w, idx| {
                    let Some(e) = env_mut(w, rid, idx) else {
                        return true;
                    };
                    if stopping(e) {
                        return true;
                    }
                    if let Some(t) = e
                        .deploy_steps
                        .last_mut()
                        .and_then(|a| a.phases.get_mut(pi))
                        .and_then(|p| p.jobs.first_mut())
                        .and_then(|j| j.tasks.get_mut(ti))
                    {
                        t.log.push(format!("{} {line}", log_ts(Utc::now())));
                    }
                    false
                })
                .unwrap_or(true);
                if stop {
                    return;
                }
                tokio::time::sleep(per_line).await;
            }
            let failed_hard = !outcome.ok && !continue_on_error;
            with_attempt(sim, rid, eid, |w, idx| {
                let now = Utc::now();
                if let Some(t) = env_mut(w, rid, idx)
                    .and_then(|e| e.deploy_steps.last_mut())
                    .and_then(|a| a.phases.get_mut(pi))
                    .and_then(|p| p.jobs.first_mut())
                    .and_then(|j| j.tasks.get_mut(ti))
                {
                    if !outcome.ok {
                        t.log
                            .push(format!("{} ##[error]Task '{name}' failed.", log_ts(now)));
                    }
                    t.log
                        .push(format!("{} ##[section]Finishing: {name}", log_ts(now)));
                    t.status = if outcome.ok {
                        "succeeded".into()
                    } else if continue_on_error {
                        "partiallySucceeded".into()
                    } else {
                        "failed".into()
                    };
                    t.finish_time = Some(now);
                    t.issues.clone_from(&outcome.errors);
                }
            });
            if failed_hard {
                phase_ok = false;
                if first_error.is_none() {
                    first_error = outcome.errors.first().cloned();
                }
            }
        }
        all_ok &= phase_ok;
        with_attempt(sim, rid, eid, |w, idx| {
            let now = Utc::now();
            if let Some(p) = env_mut(w, rid, idx)
                .and_then(|e| e.deploy_steps.last_mut())
                .and_then(|a| a.phases.get_mut(pi))
            {
                p.status = if phase_ok {
                    "succeeded".into()
                } else {
                    "failed".into()
                };
                p.error_log.clone_from(&first_error);
                if let Some(j) = p.jobs.first_mut() {
                    j.job.status = if phase_ok {
                        "succeeded".into()
                    } else {
                        "failed".into()
                    };
                    j.job.finish_time = Some(now);
                }
            }
        });
    }
    with_attempt(sim, rid, eid, |w, idx| {
        let now = Utc::now();
        let def_env = {
            let Some(e) = env_mut(w, rid, idx) else {
                return;
            };
            if stopping(e) {
                return;
            }
            e.status = if all_ok {
                "succeeded".into()
            } else {
                "rejected".into()
            };
            e.modified_on = now;
            if let Some(a) = e.deploy_steps.last_mut() {
                a.status = if all_ok {
                    "succeeded".into()
                } else {
                    "failed".into()
                };
                a.operation_status = if all_ok {
                    "PhaseSucceeded".into()
                } else {
                    "PhaseFailed".into()
                };
                a.completed_on = Some(now);
                a.last_modified_on = now;
            }
            e.definition_environment_id
        };
        if let Some(r) = w.release.releases.get_mut(&rid) {
            r.modified_on = now;
        }
        if all_ok {
            w.release.current_release.insert(def_env, rid);
            let who = env_mut(w, rid, idx)
                .and_then(|e| e.deploy_steps.last())
                .map(|a| a.requested_by.clone());
            if let Some(who) = who {
                automated_approval(w, rid, eid, "postDeploy", &who, now);
            }
        }
    });
}
