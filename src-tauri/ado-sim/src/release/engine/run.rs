//! Running a deployment: the background task that executes a queued attempt's steps one by one
//! (waiting its turn, pause and advance), writing task logs and moving statuses; the instant
//! completion the demo seed uses; resuming attempts a restart interrupted.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{snapshot_env, DOWNLOAD, FINALIZE, INIT};
use crate::release::model::Task;
use crate::release::tasks::{self, AgentArtifact, Outcome, WORK_DIR};
use crate::state::{AppState, Sim, World};

/// A timestamp for a log line (`2026-11-26T10:11:31.1234567Z`, as agents write them).
fn log_ts(t: DateTime<Utc>) -> String {
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

fn canceled(sim: &Sim, rid: i32, eid: i32) -> bool {
    with_attempt(sim, rid, eid, |w, idx| {
        env_mut(w, rid, idx).is_none_or(|e| e.status == "canceled")
    })
    .unwrap_or(true)
}

/// Artifacts as the agent downloads them.
fn agent_artifacts(w: &World, rid: i32) -> Vec<AgentArtifact> {
    let Some(r) = w.release.releases.get(&rid) else {
        return Vec::new();
    };
    r.artifacts
        .iter()
        .map(|a| {
            let dr = &a.definition_reference;
            let repo_id = if a.kind.eq_ignore_ascii_case("Git") {
                dr["definition"]["id"].as_str().unwrap_or("").to_owned()
            } else {
                dr["repository"]["id"].as_str().unwrap_or("").to_owned()
            };
            let project = dr["project"]["id"].as_str().unwrap_or("");
            let repo = w
                .git
                .repo(project, &repo_id)
                .or_else(|| w.git.repos.iter().find(|x| x.id.to_string() == repo_id));
            let commit = if a.kind.eq_ignore_ascii_case("Git") {
                dr["version"]["id"].as_str().unwrap_or("").to_owned()
            } else {
                dr["sourceVersion"]["id"].as_str().unwrap_or("").to_owned()
            };
            AgentArtifact {
                alias: a.alias.clone(),
                kind: a.kind.clone(),
                repo_name: repo.map_or_else(
                    || dr["definition"]["name"].as_str().unwrap_or("").to_owned(),
                    |x| x.name.clone(),
                ),
                repo_path: repo.map(|x| x.path.clone()),
                commit,
                branch: dr["branch"]["id"].as_str().unwrap_or("").to_owned(),
            }
        })
        .collect()
}

/// Runs the built-in or workflow step `ti` of phase `pi`.
fn execute(w: &mut World, rid: i32, eid: i32, pi: usize, t: &Task) -> Outcome {
    let artifacts = agent_artifacts(w, rid);
    if t.name == INIT {
        let mut out = Outcome {
            ok: true,
            ..Outcome::default()
        };
        out.lines.push(format!("Agent name: '{}'", t.agent_name));
        out.lines.push("Agent machine name: 'fv-az512-317'".into());
        out.lines.push("Current agent version: '4.248.0'".into());
        out.lines
            .push("Operating System: Ubuntu 22.04.5 LTS".into());
        out.lines.push(format!(
            "Prepare release directory: {}",
            WORK_DIR.trim_end_matches("/a")
        ));
        let names: Vec<String> = w
            .release
            .releases
            .get(&rid)
            .and_then(|r| r.environments.iter().find(|e| e.id == eid))
            .and_then(|e| e.deploy_steps.last())
            .and_then(|a| a.phases.get(pi))
            .map(|p| {
                p.jobs
                    .iter()
                    .flat_map(|j| j.tasks.iter())
                    .filter_map(|t| t.task_ref.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                if r.name.is_empty() {
                    format!("Downloading task: {}", r.id)
                } else {
                    format!("Downloading task: {} ({})", r.name, r.version)
                }
            })
            .collect();
        out.lines.extend(names);
        return out;
    }
    if t.name == FINALIZE {
        let mut out = Outcome {
            ok: true,
            ..Outcome::default()
        };
        out.lines.push("Cleaning up task key".into());
        out.lines.push("Start cleaning up orphan processes.".into());
        return out;
    }
    if let Some(alias) = t.name.strip_prefix(DOWNLOAD) {
        let mut out = Outcome {
            ok: true,
            ..Outcome::default()
        };
        match artifacts.iter().find(|a| a.alias == alias) {
            Some(a) => {
                out.lines.push(format!(
                    "Downloading linked artifact '{}' of type {} ...",
                    a.alias, a.kind
                ));
                out.lines.push(format!(
                    "Repository '{}', branch '{}', version {}",
                    a.repo_name, a.branch, a.commit
                ));
                if a.repo_path.is_none() {
                    out.error(format!(
                        "Repository '{}' of artifact '{}' was not found. It may have been deleted.",
                        a.repo_name, a.alias
                    ));
                } else {
                    out.lines.push(format!(
                        "Successfully downloaded artifact to {WORK_DIR}/{}",
                        a.alias
                    ));
                }
            }
            None => out.error(format!("Artifact '{alias}' is not linked to this release.")),
        }
        return out;
    }
    let Some(wi) = t.workflow_index else {
        return Outcome {
            ok: true,
            ..Outcome::default()
        };
    };
    let wt = snapshot_env(w, rid, eid)
        .and_then(|s| {
            s["deployPhases"]
                .get(pi)
                .and_then(|p| p["workflowTasks"].get(wi))
                .cloned()
        })
        .unwrap_or(Value::Null);
    let task_id = wt["taskId"].as_str().unwrap_or("").to_owned();
    let kind = w.catalog.task_kind(&task_id);
    let inputs = wt["inputs"].clone();
    let mut out = Outcome {
        ok: true,
        ..Outcome::default()
    };
    if let Some(def) = w.catalog.task(&task_id) {
        out.lines.push(
            "==============================================================================".into(),
        );
        out.lines.push(format!(
            "Task         : {}",
            def["friendlyName"].as_str().unwrap_or("")
        ));
        out.lines.push(format!(
            "Description  : {}",
            def["description"].as_str().unwrap_or("")
        ));
        out.lines.push(format!(
            "Version      : {}.{}.{}",
            def["version"]["major"], def["version"]["minor"], def["version"]["patch"]
        ));
        out.lines.push(format!(
            "Author       : {}",
            def["author"].as_str().unwrap_or("")
        ));
        out.lines.push(
            "==============================================================================".into(),
        );
    }
    let result = tasks::run_task(w, kind, &task_id, &inputs, &artifacts);
    out.lines.extend(result.lines);
    out.errors = result.errors;
    out.ok = result.ok;
    out
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
        if e.status == "canceled" {
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
                    if e.status == "canceled" {
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
            if e.status == "canceled" {
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
        }
    });
}

/// Marks a freshly queued attempt as a finished, succeeded deployment that ran at `started`
/// (used by the seeds to build history without running it). `logs` adds short task logs.
pub fn complete_as_succeeded(
    world: &mut World,
    rid: i32,
    eid: i32,
    started: DateTime<Utc>,
    step: chrono::Duration,
    logs: bool,
) {
    let Some(e) = world
        .release
        .releases
        .get_mut(&rid)
        .and_then(|r| r.environments.iter_mut().find(|e| e.id == eid))
    else {
        return;
    };
    let mut t_now = started;
    let def_env = e.definition_environment_id;
    e.status = "succeeded".into();
    if let Some(a) = e.deploy_steps.last_mut() {
        a.queued_on = started - chrono::Duration::seconds(3);
        a.started_on = Some(started);
        a.operation_status = "PhaseSucceeded".into();
        a.status = "succeeded".into();
        for p in &mut a.phases {
            p.status = "succeeded".into();
            p.started_on = Some(t_now);
            for j in &mut p.jobs {
                j.job.status = "succeeded".into();
                j.job.start_time = Some(t_now);
                for t in &mut j.tasks {
                    t.status = "succeeded".into();
                    t.start_time = Some(t_now);
                    if logs {
                        t.log
                            .push(format!("{} ##[section]Starting: {}", log_ts(t_now), t.name));
                    }
                    t_now += step;
                    if logs {
                        t.log.push(format!(
                            "{} ##[section]Finishing: {}",
                            log_ts(t_now),
                            t.name
                        ));
                    }
                    t.finish_time = Some(t_now);
                }
                j.job.finish_time = Some(t_now);
            }
        }
        a.completed_on = Some(t_now);
        a.last_modified_on = t_now;
    }
    e.modified_on = t_now;
    if let Some(r) = world.release.releases.get_mut(&rid) {
        r.modified_on = t_now;
    }
    world.release.current_release.insert(def_env, rid);
}

/// Restarts the deployments a previous run of the simulator left queued or running (the process
/// stopped mid-deployment, e.g. the demo app was closed): each is reset to `Queued` with fresh
/// tasks and run again. Deployments held by a pending approval stay held. Call once after the
/// world was loaded, inside the runtime. Returns how many were restarted.
pub fn resume_interrupted(sim: &AppState) -> usize {
    let mut restart = Vec::new();
    {
        let mut w = sim.world();
        let now = Utc::now();
        for r in w.release.releases.values_mut() {
            for e in &mut r.environments {
                let Some(a) = e.deploy_steps.last_mut() else {
                    continue;
                };
                let running = matches!(
                    a.operation_status.as_str(),
                    "Queued" | "Approved" | "QueuedForAgent" | "PhaseInProgress"
                );
                if !running || !matches!(e.status.as_str(), "queued" | "inProgress") {
                    continue;
                }
                a.operation_status = "Queued".into();
                a.started_on = None;
                a.last_modified_on = now;
                for p in &mut a.phases {
                    p.status = "notStarted".into();
                    p.started_on = None;
                    p.error_log = None;
                    for j in &mut p.jobs {
                        for t in std::iter::once(&mut j.job).chain(j.tasks.iter_mut()) {
                            t.status = "pending".into();
                            t.start_time = None;
                            t.finish_time = None;
                            t.issues.clear();
                            t.log.clear();
                        }
                    }
                }
                e.status = "queued".into();
                e.modified_on = now;
                restart.push((r.id, e.id));
            }
        }
    }
    for (rid, eid) in &restart {
        spawn(sim, *rid, *eid);
    }
    restart.len()
}
