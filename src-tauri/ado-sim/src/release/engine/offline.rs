//! Deployments outside a live run: the instant completion the demo seed uses to build history, and
//! restarting the attempts a previous process left queued or running.

use chrono::{DateTime, Utc};

use super::approvals::automated_approval;
use super::run::{log_ts, spawn};
use crate::state::{AppState, World};

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
    let e_attempt = e.deploy_steps.last().map_or(0, |a| a.attempt);
    let requested_by = e.deploy_steps.last().map(|a| a.requested_by.clone());
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
    // The automated approvals carry the times of the seeded history.
    let queued = started - chrono::Duration::seconds(3);
    let attempt = e_attempt;
    for a in world
        .release
        .approvals
        .iter_mut()
        .filter(|a| a.release_environment_id == eid && a.attempt == attempt && a.is_automated)
    {
        a.created_on = queued;
        a.modified_on = queued;
    }
    if let Some(who) = requested_by {
        automated_approval(world, rid, eid, "postDeploy", &who, t_now);
    }
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
