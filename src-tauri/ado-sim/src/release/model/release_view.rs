//! Rendering releases, stages, approvals, attempts and deployments into the shapes of
//! `specification/release/7.1/httpExamples`.

use serde_json::{json, Value};

use super::definition_view::{render_approvals_config, render_phase_config};
use super::{
    opt_ts, Approval, Attempt, Ctx, Phase, Release, ReleaseArtifact, ReleaseEnvironment,
    ReleaseWorld, Task,
};
use crate::release::links::ts;

/// Options of `render_release`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReleaseView {
    pub environments: bool,
    pub artifacts: bool,
    pub tasks: bool,
    pub approvals: bool,
}

pub fn render_release(ctx: &Ctx, world: &ReleaseWorld, r: &Release, view: ReleaseView) -> Value {
    let def = world.definitions.iter().find(|d| d.id == r.definition_id);
    let def_ref = def.map_or(Value::Null, |d| ctx.definition_ref(d));
    let url = format!("{}/releases/{}", ctx.vsrm(), r.id);
    let mut v = json!({
        "id": r.id,
        "name": r.name,
        "status": r.status,
        "createdOn": ts(r.created_on),
        "modifiedOn": ts(r.modified_on),
        "modifiedBy": ctx.who(&r.modified_by),
        "createdBy": ctx.who(&r.created_by),
        "createdFor": ctx.who(&r.created_by),
        "environments": [],
        "variables": render_variables(world.variables.get(&r.id)),
        "variableGroups": [],
        "artifacts": [],
        "releaseDefinition": def_ref,
        "releaseDefinitionRevision": r.definition_revision,
        "description": r.description,
        "reason": r.reason,
        "releaseNameFormat": def.and_then(|d| d.body()["releaseNameFormat"].as_str()).unwrap_or("Release-$(rev:r)"),
        "keepForever": false,
        "definitionSnapshotRevision": r.definition_revision,
        "logsContainerUrl": format!("{url}/logs"),
        "url": url,
        "_links": {"self": {"href": url}, "web": {"href": ctx.release_web(r.id)}},
        "tags": [],
        "triggeringArtifactAlias": null,
        "projectReference": ctx.project_ref(),
        "properties": {},
    });
    if view.environments {
        v["environments"] = Value::Array(
            r.environments
                .iter()
                .map(|e| render_environment(ctx, world, r, e, view.tasks))
                .collect(),
        );
    }
    if view.artifacts {
        v["artifacts"] = Value::Array(r.artifacts.iter().map(render_artifact).collect());
    }
    v
}

/// Release variables as the service shows them: a secret's value is never returned.
fn render_variables(vars: Option<&serde_json::Map<String, Value>>) -> Value {
    let mut out = serde_json::Map::new();
    for (name, v) in vars.into_iter().flatten() {
        let mut v = v.clone();
        if v["isSecret"].as_bool().unwrap_or(false) {
            v["value"] = Value::Null;
        }
        out.insert(name.clone(), v);
    }
    Value::Object(out)
}

pub fn render_artifact(a: &ReleaseArtifact) -> Value {
    json!({
        "sourceId": a.source_id,
        "type": a.kind,
        "alias": a.alias,
        "definitionReference": a.definition_reference,
        "isRetained": false,
        "isPrimary": a.is_primary,
    })
}

pub fn render_environment(
    ctx: &Ctx,
    world: &ReleaseWorld,
    r: &Release,
    e: &ReleaseEnvironment,
    tasks: bool,
) -> Value {
    let def = world.definitions.iter().find(|d| d.id == r.definition_id);
    let snap_env = def
        .map(|d| d.snapshot(r.definition_revision))
        .and_then(|s| s["environments"].as_array())
        .and_then(|envs| {
            envs.iter()
                .find(|x| x["id"].as_i64() == Some(i64::from(e.definition_environment_id)))
        })
        .cloned()
        .unwrap_or_else(|| json!({}));
    let pre: Vec<Value> = approvals_for(ctx, world, e, "preDeploy");
    let def_ref = def.map_or(Value::Null, |d| ctx.definition_ref(d));
    json!({
        "id": e.id,
        "releaseId": r.id,
        "name": e.name,
        "status": e.status,
        "variables": {},
        "variableGroups": [],
        "preDeployApprovals": pre,
        "postDeployApprovals": approvals_for(ctx, world, e, "postDeploy"),
        "preApprovalsSnapshot": render_approvals_config(ctx, snap_env.get("preDeployApprovals"), &r.created_by, true),
        "postApprovalsSnapshot": render_approvals_config(ctx, snap_env.get("postDeployApprovals"), &r.created_by, false),
        "deploySteps": e.deploy_steps.iter().map(|a| render_attempt(ctx, r, e, a, tasks)).collect::<Vec<_>>(),
        "rank": e.rank,
        "definitionEnvironmentId": e.definition_environment_id,
        "environmentOptions": snap_env.get("environmentOptions").cloned().unwrap_or_else(|| json!({
            "emailNotificationType": "OnlyOnFailure", "emailRecipients": "release.environment.owner;release.creator",
            "skipArtifactsDownload": false, "timeoutInMinutes": 0, "enableAccessToken": false,
            "publishDeploymentStatus": true, "badgeEnabled": false, "autoLinkWorkItems": false,
            "pullRequestDeploymentEnabled": false})),
        "demands": [],
        "conditions": snap_env.get("conditions").cloned().unwrap_or_else(|| json!([])),
        "createdOn": ts(e.created_on),
        "modifiedOn": ts(e.modified_on),
        "workflowTasks": [],
        "deployPhasesSnapshot": snap_env["deployPhases"].as_array().map(|p| p.iter().map(render_phase_config).collect::<Vec<_>>()).unwrap_or_default(),
        "owner": ctx.who(&r.created_by),
        "schedules": [],
        "release": ctx.release_ref(r),
        "releaseDefinition": def_ref,
        "releaseCreatedBy": ctx.who(&r.created_by),
        "triggerReason": e.trigger_reason,
        "timeToDeploy": e.deploy_steps.last().and_then(|a| Some((a.completed_on? - a.started_on?).num_milliseconds() as f64 / 60000.0)).unwrap_or(0.0),
        "processParameters": {},
        "preDeploymentGatesSnapshot": {"id": 0, "gatesOptions": null, "gates": []},
        "postDeploymentGatesSnapshot": {"id": 0, "gatesOptions": null, "gates": []},
    })
}

/// Approvals of a stage of one kind (`preDeploy` / `postDeploy`), manual and automated, in id order.
fn approvals_for(
    ctx: &Ctx,
    world: &ReleaseWorld,
    e: &ReleaseEnvironment,
    kind: &str,
) -> Vec<Value> {
    world
        .approvals
        .iter()
        .filter(|a| a.release_environment_id == e.id && a.approval_type == kind)
        .map(|a| render_approval(ctx, world, a))
        .collect()
}

pub fn render_approval(ctx: &Ctx, world: &ReleaseWorld, a: &Approval) -> Value {
    let r = world.releases.get(&a.release_id);
    let env_name = r
        .and_then(|r| {
            r.environments
                .iter()
                .find(|e| e.id == a.release_environment_id)
        })
        .map_or("", |e| e.name.as_str());
    let mut v = json!({
        "id": a.id,
        "revision": a.revision,
        "approvalType": a.approval_type,
        "createdOn": ts(a.created_on),
        "modifiedOn": ts(a.modified_on),
        "status": a.status,
        "comments": a.comments,
        "isAutomated": a.is_automated,
        "isNotificationOn": !a.is_automated,
        "trialNumber": 1,
        "attempt": a.attempt,
        "rank": a.rank,
        "release": {"id": a.release_id, "name": r.map_or("", |r| r.name.as_str()),
                    "url": format!("{}/releases/{}", ctx.vsrm(), a.release_id), "_links": {}},
        "releaseDefinition": {"id": a.definition_id, "name": world.definition(a.definition_id).map_or("", |d| d.name()),
                              "url": format!("{}/definitions/{}", ctx.vsrm(), a.definition_id), "_links": {}},
        "releaseEnvironment": {"id": a.release_environment_id, "name": env_name, "_links": {}},
        "url": format!("{}/approvals/{}", ctx.vsrm(), a.id),
    });
    // The service's automated approvals carry neither an approver nor a history
    // (GET__ListDeployments.json, approval 190).
    if !a.is_automated {
        v["approver"] = ctx.who(&a.approver);
        v["history"] = json!([]);
    }
    if let Some(p) = &a.approved_by {
        v["approvedBy"] = ctx.who(p);
    }
    v
}

pub fn render_attempt(
    ctx: &Ctx,
    r: &Release,
    e: &ReleaseEnvironment,
    a: &Attempt,
    tasks: bool,
) -> Value {
    json!({
        "id": a.id,
        "deploymentId": a.deployment_id,
        "attempt": a.attempt,
        "reason": a.reason,
        "status": a.status,
        "operationStatus": a.operation_status,
        "releaseDeployPhases": a.phases.iter().map(|p| render_phase(ctx, r, e, p, tasks)).collect::<Vec<_>>(),
        "requestedBy": ctx.who(&a.requested_by),
        "requestedFor": ctx.who(&a.requested_by),
        "queuedOn": ts(a.queued_on),
        "lastModifiedBy": ctx.who(&a.requested_by),
        "lastModifiedOn": ts(a.last_modified_on),
        "hasStarted": a.started_on.is_some(),
        "tasks": [],
        "runPlanId": a.phases.first().map_or(Value::Null, |p| json!(p.run_plan_id.to_string())),
        "issues": [],
    })
}

fn render_phase(ctx: &Ctx, r: &Release, e: &ReleaseEnvironment, p: &Phase, tasks: bool) -> Value {
    json!({
        "id": p.id,
        "phaseId": p.phase_id.to_string(),
        "name": p.name,
        "rank": p.rank,
        "phaseType": p.phase_type,
        "status": p.status,
        "runPlanId": p.run_plan_id.to_string(),
        "deploymentJobs": p.jobs.iter().map(|j| json!({
            "job": render_task(ctx, r, e, p, &j.job, true),
            "tasks": if tasks { j.tasks.iter().map(|t| render_task(ctx, r, e, p, t, false)).collect::<Vec<_>>() } else { Vec::new() },
        })).collect::<Vec<_>>(),
        "manualInterventions": [],
        "startedOn": opt_ts(p.started_on),
        "errorLog": p.error_log,
    })
}

fn render_task(
    ctx: &Ctx,
    r: &Release,
    e: &ReleaseEnvironment,
    p: &Phase,
    t: &Task,
    is_job: bool,
) -> Value {
    let log_url = if is_job {
        Value::Null
    } else {
        json!(format!(
            "{}/releases/{}/environments/{}/deployPhases/{}/tasks/{}/logs",
            ctx.vsrm(),
            r.id,
            e.id,
            p.id,
            t.id
        ))
    };
    json!({
        "id": t.id,
        "timelineRecordId": t.timeline_record_id.to_string(),
        "name": t.name,
        "dateStarted": opt_ts(t.start_time),
        "dateEnded": opt_ts(t.finish_time),
        "startTime": opt_ts(t.start_time),
        "finishTime": opt_ts(t.finish_time),
        "status": t.status,
        "rank": t.rank,
        "lineCount": t.log.len(),
        "issues": t.issues.iter().map(|m| json!({"issueType": "Error", "message": m, "data": {"type": "error", "logFileLineNumber": "0"}})).collect::<Vec<_>>(),
        "agentName": t.agent_name,
        "logUrl": log_url,
        "task": t.task_ref.as_ref().map_or(Value::Null, |tr| json!({"id": tr.id, "name": tr.name, "version": tr.version})),
        "percentComplete": if t.status == "inProgress" { 50 } else if t.finish_time.is_some() { 100 } else { 0 },
        "resultCode": null,
    })
}

/// A deployment in the shape of `GET _apis/release/deployments`.
pub fn render_deployment(
    ctx: &Ctx,
    world: &ReleaseWorld,
    r: &Release,
    e: &ReleaseEnvironment,
    a: &Attempt,
) -> Value {
    let def = world.definitions.iter().find(|d| d.id == r.definition_id);
    let release_url = format!("{}/releases/{}", ctx.vsrm(), r.id);
    let of_attempt = |kind: &str| -> Vec<Value> {
        approvals_for(ctx, world, e, kind)
            .into_iter()
            .filter(|x| x["attempt"].as_i64() == Some(i64::from(a.attempt)))
            .collect()
    };
    json!({
        "id": a.deployment_id,
        "release": {
            "id": r.id, "name": r.name, "url": release_url,
            // The service's list does not reliably carry a release's artifacts (most items of
            // GET__ListDeployments.json have `artifacts: []`): the commit comes from GET release.
            "artifacts": [],
            "webAccessUri": ctx.release_web(r.id),
            "_links": {"self": {"href": release_url}, "web": {"href": ctx.release_web(r.id)}},
            "description": r.description,
            "releaseDefinition": def.map_or(Value::Null, |d| ctx.definition_ref(d)),
            "createdOn": ts(r.created_on),
            "createdBy": ctx.who(&r.created_by),
            "modifiedBy": ctx.who(&r.modified_by),
            "reason": r.reason,
        },
        "releaseDefinition": def.map_or(Value::Null, |d| ctx.definition_ref(d)),
        "releaseEnvironment": {"id": e.id, "name": e.name, "_links": {}},
        "projectReference": ctx.project_ref(),
        "definitionEnvironmentId": e.definition_environment_id,
        "attempt": a.attempt,
        "reason": a.reason,
        "deploymentStatus": a.status,
        "operationStatus": a.operation_status,
        "requestedBy": ctx.who(&a.requested_by),
        "requestedFor": ctx.who(&a.requested_by),
        "queuedOn": ts(a.queued_on),
        "startedOn": opt_ts(a.started_on),
        "completedOn": opt_ts(a.completed_on),
        "lastModifiedOn": ts(a.last_modified_on),
        "lastModifiedBy": ctx.who(&a.requested_by),
        "conditions": [],
        // The service's placeholder for "not scheduled".
        "scheduledDeploymentTime": "0001-01-01T00:00:00",
        "preDeployApprovals": of_attempt("preDeploy"),
        "postDeployApprovals": of_attempt("postDeploy"),
        "_links": {},
    })
}
