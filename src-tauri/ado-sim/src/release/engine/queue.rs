//! Queueing a deployment: the attempt, its phases and tasks built from the definition snapshot,
//! pre-deployment approvals that hold it, and cancelling it. Deciding on approvals is in
//! `approvals`.

use chrono::Utc;
use serde_json::Value;
use uuid::Uuid;

use super::approvals::automated_approval;
use super::{snapshot_env, DOWNLOAD, FINALIZE, INIT};
use crate::errors::{ApiError, ApiResult};
use crate::release::links::Person;
use crate::release::model::{
    Approval, Attempt, Counters, DeploymentEntry, Job, Phase, Task, TaskRef,
};
use crate::state::World;

fn task(id: i32, rank: i32, name: &str, agent: &str) -> Task {
    Task {
        id,
        name: name.to_owned(),
        rank,
        status: "pending".into(),
        start_time: None,
        finish_time: None,
        timeline_record_id: Uuid::new_v4(),
        agent_name: agent.to_owned(),
        task_ref: None,
        issues: Vec::new(),
        log: Vec::new(),
        workflow_index: None,
    }
}

/// Builds the phases / jobs / tasks of a new attempt from the stage snapshot.
fn build_phases(world: &mut World, snap: &Value, artifact_aliases: &[String]) -> Vec<Phase> {
    let mut phases = Vec::new();
    let phase_defs = snap["deployPhases"].as_array().cloned().unwrap_or_default();
    for (pi, ph) in phase_defs.iter().enumerate() {
        let agent = if ph["deploymentInput"]["queueId"].as_i64().unwrap_or(0) == 0 {
            "Hosted Agent"
        } else {
            "Azure Pipelines 2"
        };
        let mut tasks_v = Vec::new();
        let mut next_id = 2;
        let mut rank = 1;
        let push = |t: Task, tasks_v: &mut Vec<Task>| {
            tasks_v.push(t);
        };
        push(task(next_id, rank, INIT, agent), &mut tasks_v);
        next_id += 1;
        rank += 1;
        let download = !ph["deploymentInput"]["skipArtifactsDownload"]
            .as_bool()
            .unwrap_or(false);
        if download {
            for alias in artifact_aliases {
                push(
                    task(next_id, rank, &format!("{DOWNLOAD}{alias}"), agent),
                    &mut tasks_v,
                );
                next_id += 1;
                rank += 1;
            }
        }
        for (wi, wt) in ph["workflowTasks"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if !wt["enabled"].as_bool().unwrap_or(true) {
                continue;
            }
            let task_id = wt["taskId"].as_str().unwrap_or("").to_owned();
            let def = world.catalog.task(&task_id);
            let mut t = task(next_id, rank, wt["name"].as_str().unwrap_or("Task"), agent);
            t.workflow_index = Some(wi);
            t.task_ref = Some(TaskRef {
                id: task_id.clone(),
                name: def
                    .and_then(|d| d["name"].as_str())
                    .unwrap_or("")
                    .to_owned(),
                version: def.map_or_else(
                    || wt["version"].as_str().unwrap_or("").to_owned(),
                    |d| {
                        format!(
                            "{}.{}.{}",
                            d["version"]["major"], d["version"]["minor"], d["version"]["patch"]
                        )
                    },
                ),
            });
            push(t, &mut tasks_v);
            next_id += 1;
            rank += 1;
        }
        push(task(next_id, rank, FINALIZE, agent), &mut tasks_v);
        let job = task(1, 1, ph["name"].as_str().unwrap_or("Agent job"), agent);
        phases.push(Phase {
            id: Counters::next(&mut world.release.ids.phase),
            phase_id: Uuid::new_v4(),
            name: ph["name"].as_str().unwrap_or("Agent job").to_owned(),
            rank: ph["rank"]
                .as_i64()
                .and_then(|r| i32::try_from(r).ok())
                .unwrap_or(i32::try_from(pi + 1).unwrap_or(1)),
            phase_type: ph["phaseType"]
                .as_str()
                .unwrap_or("agentBasedDeployment")
                .to_owned(),
            status: "notStarted".into(),
            started_on: None,
            run_plan_id: Uuid::new_v4(),
            error_log: None,
            jobs: vec![Job {
                job,
                tasks: tasks_v,
            }],
        });
    }
    phases
}

/// Queues a deployment of a stage: a new attempt, the deployment index entry and, when the stage
/// has manual pre-deployment approvals, pending approvals that hold it.
pub fn queue_deployment(
    world: &mut World,
    rid: i32,
    eid: i32,
    who: &Person,
    reason: &str,
    comment: &str,
) -> ApiResult<()> {
    let snap = snapshot_env(world, rid, eid).ok_or_else(|| {
        ApiError::not_found(
            format!("Stage with id {eid} does not exist in release {rid}."),
            "ReleaseEnvironmentNotFoundException",
        )
    })?;
    let aliases: Vec<String> = world
        .release
        .releases
        .get(&rid)
        .map(|r| r.artifacts.iter().map(|a| a.alias.clone()).collect())
        .unwrap_or_default();
    let phases = build_phases(world, &snap, &aliases);
    let approvers = crate::release::model::manual_approvers(&snap);
    let now = Utc::now();
    let rel = &mut world.release;
    let deployment_id = Counters::next(&mut rel.ids.deployment);
    let definition_id = rel.releases.get(&rid).map_or(0, |r| r.definition_id);
    let mut new_approvals = Vec::new();
    let (def_env_id, attempt_no) = {
        let r = rel.releases.get_mut(&rid).ok_or_else(|| {
            ApiError::not_found(
                format!("A release with id {rid} does not exist."),
                "ReleaseNotFoundException",
            )
        })?;
        r.modified_on = now;
        r.modified_by = who.clone();
        let e = r
            .environments
            .iter_mut()
            .find(|e| e.id == eid)
            .ok_or_else(|| {
                ApiError::not_found(
                    format!("Stage with id {eid} does not exist in release {rid}."),
                    "ReleaseEnvironmentNotFoundException",
                )
            })?;
        let attempt_no = i32::try_from(e.deploy_steps.len()).unwrap_or(0) + 1;
        let pending = !approvers.is_empty();
        e.status = if pending {
            "inProgress".into()
        } else {
            "queued".into()
        };
        e.modified_on = now;
        e.deploy_steps.push(Attempt {
            id: deployment_id,
            deployment_id,
            attempt: attempt_no,
            reason: reason.to_owned(),
            status: "inProgress".into(),
            operation_status: if pending {
                "Pending".into()
            } else {
                "Queued".into()
            },
            queued_on: now,
            started_on: None,
            completed_on: None,
            last_modified_on: now,
            requested_by: who.clone(),
            comment: comment.to_owned(),
            phases,
        });
        (e.definition_environment_id, attempt_no)
    };
    for (rank, approver) in approvers.iter().cloned() {
        new_approvals.push(Approval {
            id: Counters::next(&mut rel.ids.approval),
            revision: 1,
            release_id: rid,
            release_environment_id: eid,
            definition_id,
            approval_type: "preDeploy".into(),
            status: "pending".into(),
            approver,
            approved_by: None,
            comments: String::new(),
            created_on: now,
            modified_on: now,
            rank,
            attempt: attempt_no,
            is_automated: false,
        });
    }
    rel.approvals.extend(new_approvals);
    if approvers.is_empty() {
        automated_approval(world, rid, eid, "preDeploy", who, now);
    }
    let rel = &mut world.release;
    rel.deployments.push(DeploymentEntry {
        id: deployment_id,
        release_id: rid,
        release_environment_id: eid,
        definition_id,
        definition_environment_id: def_env_id,
        attempt: attempt_no,
    });
    Ok(())
}

/// Asks to cancel a queued or running deployment of a stage: the attempt (and its unfinished
/// phases) is `cancelling`, pending approvals are canceled, and [`finish_cancel`] completes it a
/// moment later, as the service does (`cancelling` then `canceled`, API.md "Steps 4–6").
pub fn cancel(world: &mut World, rid: i32, eid: i32, comment: &str) -> ApiResult<()> {
    let now = Utc::now();
    let rel = &mut world.release;
    let e = rel
        .releases
        .get_mut(&rid)
        .and_then(|r| r.environments.iter_mut().find(|e| e.id == eid))
        .ok_or_else(|| {
            ApiError::not_found(
                format!("Stage with id {eid} does not exist in release {rid}."),
                "ReleaseEnvironmentNotFoundException",
            )
        })?;
    if !matches!(e.status.as_str(), "queued" | "inProgress") {
        return Err(ApiError::bad_request(
            format!(
                "Stage '{}' is not being deployed (status {}); there is nothing to cancel.",
                e.name, e.status
            ),
            "InvalidRequestException",
        ));
    }
    e.status = "inProgress".into();
    e.modified_on = now;
    if let Some(a) = e.deploy_steps.last_mut() {
        a.operation_status = "Cancelling".into();
        a.last_modified_on = now;
        if !comment.is_empty() {
            a.comment = comment.to_owned();
        }
        for p in &mut a.phases {
            if !matches!(p.status.as_str(), "succeeded" | "failed" | "skipped") {
                p.status = "cancelling".into();
            }
        }
    }
    for a in rel
        .approvals
        .iter_mut()
        .filter(|a| a.release_environment_id == eid && a.status == "pending")
    {
        a.status = "canceled".into();
        a.modified_on = now;
    }
    Ok(())
}

/// Whether the stage's latest attempt is being cancelled.
pub fn is_cancelling(e: &crate::release::model::ReleaseEnvironment) -> bool {
    e.deploy_steps
        .last()
        .is_some_and(|a| a.operation_status == "Cancelling")
}

/// Completes a cancel asked for with [`cancel`]: the stage `canceled`, unfinished tasks canceled.
pub fn finish_cancel(world: &mut World, rid: i32, eid: i32) {
    let now = Utc::now();
    let Some(e) = world
        .release
        .releases
        .get_mut(&rid)
        .and_then(|r| r.environments.iter_mut().find(|e| e.id == eid))
    else {
        return;
    };
    if !is_cancelling(e) {
        return;
    }
    e.status = "canceled".into();
    e.modified_on = now;
    if let Some(a) = e.deploy_steps.last_mut() {
        a.operation_status = "Canceled".into();
        a.status = "notDeployed".into();
        a.completed_on = Some(now);
        a.last_modified_on = now;
        for p in &mut a.phases {
            if p.status != "succeeded" && p.status != "failed" {
                p.status = "canceled".into();
            }
            for j in &mut p.jobs {
                for t in std::iter::once(&mut j.job).chain(j.tasks.iter_mut()) {
                    if t.status == "pending" || t.status == "inProgress" {
                        t.status = "canceled".into();
                        t.finish_time = Some(now);
                    }
                }
            }
        }
    }
}
