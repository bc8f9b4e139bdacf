//! The release world (definitions, releases, approvals, the deployment index) and its rendering
//! into the REST shapes of `specification/release/7.1/httpExamples`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use super::links::{identity, ts, Person};

/// Everything the release area stores.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ReleaseWorld {
    pub definitions: Vec<Definition>,
    /// Releases by id (ids grow with creation time).
    pub releases: BTreeMap<i32, Release>,
    /// Manual approvals (automated ones are rendered from the attempt, not stored).
    pub approvals: Vec<Approval>,
    /// One entry per deployment attempt, in id order: the index that keeps
    /// `GET _apis/release/deployments` one cheap pass even with 10,000 releases.
    pub deployments: Vec<DeploymentEntry>,
    /// Definition environment id → id of the release last deployed successfully to it.
    pub current_release: BTreeMap<i32, i32>,
    pub ids: Counters,
    /// Pause / advance state of the deployment engine (not persisted).
    #[serde(skip)]
    pub engine: EngineControl,
}

/// Id counters (each id is the last one handed out).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Counters {
    pub definition: i32,
    pub definition_environment: i32,
    pub definition_approval: i32,
    pub release: i32,
    pub release_environment: i32,
    pub deployment: i32,
    pub approval: i32,
    pub phase: i32,
}

impl Counters {
    pub fn next(counter: &mut i32) -> i32 {
        *counter += 1;
        *counter
    }
}

/// Engine control shared with the admin API.
#[derive(Debug, Default, Clone)]
pub struct EngineControl {
    pub paused: bool,
    /// Steps that may run now even while paused (`/deployments/advance`).
    pub advance: u32,
}

/// A release definition: the body as the client saved it (with server-assigned ids filled in)
/// plus its revision history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Definition {
    pub id: i32,
    pub project_id: Uuid,
    pub project_name: String,
    pub revision: i32,
    pub created_by: Person,
    pub created_on: DateTime<Utc>,
    pub modified_by: Person,
    pub modified_on: DateTime<Utc>,
    pub is_deleted: bool,
    /// Next value of `$(rev:r)` in the release name format.
    pub next_release_number: i32,
    /// The saved body of every revision (index = revision - 1); the last is current.
    pub revisions: Vec<Value>,
}

impl Definition {
    pub fn body(&self) -> &Value {
        self.revisions.last().unwrap_or(&Value::Null)
    }
    pub fn name(&self) -> &str {
        self.body()["name"].as_str().unwrap_or("")
    }
    pub fn path(&self) -> &str {
        self.body()["path"].as_str().unwrap_or("\\")
    }
    pub fn snapshot(&self, revision: i32) -> &Value {
        usize::try_from(revision - 1)
            .ok()
            .and_then(|i| self.revisions.get(i))
            .unwrap_or_else(|| self.body())
    }
}

/// A release artifact: alias, type and the resolved `definitionReference` (incl. `version`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReleaseArtifact {
    pub alias: String,
    pub kind: String,
    pub is_primary: bool,
    pub source_id: String,
    pub definition_reference: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Release {
    pub id: i32,
    pub name: String,
    pub definition_id: i32,
    pub definition_revision: i32,
    pub project_id: Uuid,
    pub status: String,
    pub reason: String,
    pub description: String,
    pub created_on: DateTime<Utc>,
    pub modified_on: DateTime<Utc>,
    pub created_by: Person,
    pub modified_by: Person,
    pub artifacts: Vec<ReleaseArtifact>,
    pub environments: Vec<ReleaseEnvironment>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReleaseEnvironment {
    pub id: i32,
    pub definition_environment_id: i32,
    pub name: String,
    pub rank: i32,
    pub status: String,
    pub created_on: DateTime<Utc>,
    pub modified_on: DateTime<Utc>,
    pub trigger_reason: String,
    pub deploy_steps: Vec<Attempt>,
}

/// One deployment attempt of a stage (`deploySteps[]`, `DeploymentAttempt`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attempt {
    pub id: i32,
    pub deployment_id: i32,
    pub attempt: i32,
    pub reason: String,
    /// DeploymentStatus: notDeployed, inProgress, succeeded, partiallySucceeded, failed.
    pub status: String,
    /// DeploymentOperationStatus, PascalCase like the live service (`PhaseFailed`).
    pub operation_status: String,
    pub queued_on: DateTime<Utc>,
    pub started_on: Option<DateTime<Utc>>,
    pub completed_on: Option<DateTime<Utc>>,
    pub last_modified_on: DateTime<Utc>,
    pub requested_by: Person,
    pub comment: String,
    pub phases: Vec<Phase>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Phase {
    /// `releaseDeployPhaseId` of the log URL.
    pub id: i32,
    pub phase_id: Uuid,
    pub name: String,
    pub rank: i32,
    pub phase_type: String,
    /// DeployPhaseStatus: notStarted, inProgress, succeeded, failed, canceled, skipped, …
    pub status: String,
    pub started_on: Option<DateTime<Utc>>,
    pub run_plan_id: Uuid,
    pub error_log: Option<String>,
    pub jobs: Vec<Job>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub job: Task,
    pub tasks: Vec<Task>,
}

/// A `ReleaseTask` plus its log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Task {
    pub id: i32,
    pub name: String,
    pub rank: i32,
    /// TaskStatus: pending, inProgress, succeeded, failed, skipped, canceled.
    pub status: String,
    pub start_time: Option<DateTime<Utc>>,
    pub finish_time: Option<DateTime<Utc>>,
    pub timeline_record_id: Uuid,
    pub agent_name: String,
    /// `task.id/name/version` of a definition task (None for job-level records).
    pub task_ref: Option<TaskRef>,
    pub issues: Vec<String>,
    pub log: Vec<String>,
    /// Index of the workflow task in the phase snapshot (None for built-in steps).
    pub workflow_index: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskRef {
    pub id: String,
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Approval {
    pub id: i32,
    pub revision: i32,
    pub release_id: i32,
    pub release_environment_id: i32,
    pub definition_id: i32,
    pub approval_type: String,
    /// pending, approved, rejected, reassigned, canceled, skipped.
    pub status: String,
    pub approver: Person,
    pub approved_by: Option<Person>,
    pub comments: String,
    pub created_on: DateTime<Utc>,
    pub modified_on: DateTime<Utc>,
    pub rank: i32,
    pub attempt: i32,
}

/// An entry of the deployment index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeploymentEntry {
    pub id: i32,
    pub release_id: i32,
    pub release_environment_id: i32,
    pub definition_id: i32,
    pub definition_environment_id: i32,
    pub attempt: i32,
}

impl ReleaseWorld {
    pub fn definition(&self, id: i32) -> Option<&Definition> {
        self.definitions
            .iter()
            .find(|d| d.id == id && !d.is_deleted)
    }

    /// The release, environment and attempt of a deployment entry.
    pub fn attempt_of(
        &self,
        e: &DeploymentEntry,
    ) -> Option<(&Release, &ReleaseEnvironment, &Attempt)> {
        let r = self.releases.get(&e.release_id)?;
        let env = r
            .environments
            .iter()
            .find(|x| x.id == e.release_environment_id)?;
        let a = env.deploy_steps.iter().find(|a| a.deployment_id == e.id)?;
        Some((r, env, a))
    }
}

// ------------------------------------------------------------------------------------------------
// Rendering.

/// What every rendered URL needs.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub base: String,
    pub org: String,
    pub project_id: Uuid,
    pub project_name: String,
}

impl Ctx {
    pub fn vsrm(&self) -> String {
        format!(
            "{}/vsrm/{}/{}/_apis/Release",
            self.base, self.org, self.project_id
        )
    }
    pub fn who(&self, p: &Person) -> Value {
        identity(&self.base, &self.org, p)
    }
    pub fn release_web(&self, id: i32) -> String {
        format!(
            "{}/{}/{}/_release?releaseId={id}&_a=release-summary",
            self.base, self.org, self.project_id
        )
    }
    pub fn definition_ref(&self, d: &Definition) -> Value {
        let url = format!("{}/definitions/{}", self.vsrm(), d.id);
        json!({
            "id": d.id, "name": d.name(), "path": d.path(), "projectReference": null, "url": url,
            "_links": {"self": {"href": url},
                       "web": {"href": format!("{}/{}/{}/_release?definitionId={}", self.base, self.org, self.project_id, d.id)}}
        })
    }
    pub fn release_ref(&self, r: &Release) -> Value {
        let url = format!("{}/releases/{}", self.vsrm(), r.id);
        json!({"id": r.id, "name": r.name, "url": url,
               "_links": {"self": {"href": url}, "web": {"href": self.release_web(r.id)}}})
    }
    pub fn project_ref(&self) -> Value {
        json!({"id": self.project_id.to_string(), "name": self.project_name})
    }
}

fn opt_ts(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(ts(t)))
}

/// The definition in the shape of `GET _apis/release/definitions/{id}`.
pub fn render_definition(
    ctx: &Ctx,
    d: &Definition,
    world: &ReleaseWorld,
    expand_envs: bool,
    expand_artifacts: bool,
) -> Value {
    let mut v = d.body().clone();
    let url = format!("{}/definitions/{}", ctx.vsrm(), d.id);
    let obj = v.as_object_mut().map(std::mem::take).unwrap_or_default();
    let mut out = serde_json::Map::new();
    out.insert(
        "source".into(),
        obj.get("source")
            .cloned()
            .unwrap_or_else(|| json!("restApi")),
    );
    out.insert("revision".into(), json!(d.revision));
    out.insert(
        "description".into(),
        obj.get("description").cloned().unwrap_or(Value::Null),
    );
    out.insert("createdBy".into(), ctx.who(&d.created_by));
    out.insert("createdOn".into(), json!(ts(d.created_on)));
    out.insert("modifiedBy".into(), ctx.who(&d.modified_by));
    out.insert("modifiedOn".into(), json!(ts(d.modified_on)));
    out.insert("isDeleted".into(), json!(false));
    out.insert("lastRelease".into(), last_release(ctx, d, world));
    out.insert("retentionPolicy".into(), json!({"daysToKeep": 30}));
    out.insert(
        "variables".into(),
        obj.get("variables").cloned().unwrap_or_else(|| json!({})),
    );
    out.insert(
        "variableGroups".into(),
        obj.get("variableGroups")
            .cloned()
            .unwrap_or_else(|| json!([])),
    );
    let envs: Vec<Value> = obj
        .get("environments")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|e| render_definition_environment(ctx, d, world, e))
        .collect();
    if expand_envs {
        out.insert("environments".into(), Value::Array(envs));
    }
    if expand_artifacts {
        out.insert(
            "artifacts".into(),
            obj.get("artifacts").cloned().unwrap_or_else(|| json!([])),
        );
    }
    out.insert(
        "triggers".into(),
        obj.get("triggers").cloned().unwrap_or_else(|| json!([])),
    );
    out.insert(
        "releaseNameFormat".into(),
        obj.get("releaseNameFormat")
            .cloned()
            .unwrap_or_else(|| json!("Release-$(rev:r)")),
    );
    out.insert(
        "tags".into(),
        obj.get("tags").cloned().unwrap_or_else(|| json!([])),
    );
    out.insert(
        "properties".into(),
        obj.get("properties").cloned().unwrap_or_else(|| json!({})),
    );
    out.insert("id".into(), json!(d.id));
    out.insert("name".into(), json!(d.name()));
    out.insert("path".into(), json!(d.path()));
    out.insert("projectReference".into(), Value::Null);
    out.insert("url".into(), json!(url));
    out.insert(
        "_links".into(),
        json!({"self": {"href": url},
               "web": {"href": format!("{}/{}/{}/_release?definitionId={}", ctx.base, ctx.org, ctx.project_id, d.id)}}),
    );
    Value::Object(out)
}

/// `lastRelease` of a definition (a `ReleaseReference`), `null` before the first release.
fn last_release(ctx: &Ctx, d: &Definition, world: &ReleaseWorld) -> Value {
    world.releases.values().rev().find(|r| r.definition_id == d.id).map_or(Value::Null, |r| {
        let url = format!("{}/releases/{}", ctx.vsrm(), r.id);
        json!({
            "id": r.id, "name": r.name, "artifacts": [], "webAccessUri": ctx.release_web(r.id),
            "_links": {"self": {"href": url}, "web": {"href": ctx.release_web(r.id)}},
            "description": r.description,
            "releaseDefinition": {"id": d.id, "_links": {}},
            "createdOn": ts(r.created_on), "createdBy": ctx.who(&r.created_by), "modifiedBy": ctx.who(&r.modified_by),
            "reason": r.reason,
        })
    })
}

/// An identity stored in a definition (possibly just `{"id": ...}`) rendered as a full IdentityRef.
fn expand_identity(ctx: &Ctx, v: &Value, fallback: &Person) -> Value {
    let person = v["id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .map_or_else(
            || fallback.clone(),
            |id| Person {
                id,
                display_name: v["displayName"]
                    .as_str()
                    .unwrap_or(&fallback.display_name)
                    .to_owned(),
                unique_name: v["uniqueName"]
                    .as_str()
                    .unwrap_or(&fallback.unique_name)
                    .to_owned(),
            },
        );
    ctx.who(&person)
}

/// Approvals block of a stage (`preDeployApprovals` / snapshot) with complete approver identities
/// and the default approval options the service fills in.
pub fn render_approvals_config(
    ctx: &Ctx,
    v: Option<&Value>,
    fallback: &Person,
    pre: bool,
) -> Value {
    let mut v = v.cloned().unwrap_or_else(|| json!({"approvals": []}));
    if let Some(list) = v.get_mut("approvals").and_then(Value::as_array_mut) {
        for a in list {
            if let Some(ap) = a.get("approver").filter(|x| !x.is_null()).cloned() {
                a["approver"] = expand_identity(ctx, &ap, fallback);
            }
            if a.get("id").is_none() {
                a["id"] = json!(0);
            }
        }
    }
    if pre {
        let defaults = json!({"requiredApproverCount": 0, "releaseCreatorCanBeApprover": true,
            "autoTriggeredAndPreviousEnvironmentApprovedCanBeSkipped": false, "enforceIdentityRevalidation": false,
            "timeoutInMinutes": 0, "executionOrder": "beforeGates"});
        let opts = v
            .get("approvalOptions")
            .filter(|o| o.is_object())
            .cloned()
            .unwrap_or_else(|| json!({}));
        let mut merged = defaults;
        if let (Some(m), Some(o)) = (merged.as_object_mut(), opts.as_object()) {
            for (k, x) in o {
                if !x.is_null() {
                    m.insert(k.clone(), x.clone());
                }
            }
        }
        v["approvalOptions"] = merged;
    }
    v
}

/// A deploy phase with the defaults the service fills into `deploymentInput`.
pub fn render_phase_config(p: &Value) -> Value {
    let mut p = p.clone();
    if let Some(di) = p.get_mut("deploymentInput").and_then(Value::as_object_mut) {
        di.entry("overrideInputs").or_insert_with(|| json!({}));
        di.entry("demands").or_insert_with(|| json!([]));
        let adi = di
            .entry("artifactsDownloadInput")
            .or_insert_with(|| json!({}));
        if let Some(o) = adi.as_object_mut() {
            o.entry("downloadInputs").or_insert_with(|| json!([]));
        }
    }
    p
}

fn render_definition_environment(
    ctx: &Ctx,
    d: &Definition,
    world: &ReleaseWorld,
    mut e: Value,
) -> Value {
    let env_id = e["id"]
        .as_i64()
        .and_then(|i| i32::try_from(i).ok())
        .unwrap_or(0);
    let current = world.current_release.get(&env_id).copied().unwrap_or(0);
    let current_url = format!("{}/releases/{current}", ctx.vsrm());
    let owner = expand_identity(ctx, &e["owner"], &d.created_by);
    let pre = render_approvals_config(ctx, e.get("preDeployApprovals"), &d.created_by, true);
    let post = render_approvals_config(ctx, e.get("postDeployApprovals"), &d.created_by, false);
    let phases: Vec<Value> = e["deployPhases"]
        .as_array()
        .map(|p| p.iter().map(render_phase_config).collect())
        .unwrap_or_default();
    if let Some(o) = e.as_object_mut() {
        o.insert("owner".into(), owner);
        o.insert("preDeployApprovals".into(), pre);
        o.insert("postDeployApprovals".into(), post);
        o.insert("deployPhases".into(), Value::Array(phases));
        o.entry("environmentOptions").or_insert_with(|| {
            json!({"emailNotificationType": "OnlyOnFailure", "emailRecipients": "release.environment.owner;release.creator",
                   "skipArtifactsDownload": false, "timeoutInMinutes": 0, "enableAccessToken": false,
                   "publishDeploymentStatus": true, "badgeEnabled": false, "autoLinkWorkItems": false,
                   "pullRequestDeploymentEnabled": false})
        });
        o.entry("variables").or_insert_with(|| json!({}));
        o.entry("variableGroups").or_insert_with(|| json!([]));
        o.entry("demands").or_insert_with(|| json!([]));
        o.entry("conditions").or_insert_with(|| json!([]));
        o.entry("schedules").or_insert_with(|| json!([]));
        o.entry("environmentTriggers").or_insert_with(|| json!([]));
        o.entry("properties").or_insert_with(|| json!({}));
        o.entry("executionPolicy")
            .or_insert_with(|| json!({"concurrencyCount": 1, "queueDepthCount": 0}));
        o.entry("retentionPolicy")
            .or_insert_with(|| json!({"daysToKeep": 30, "releasesToKeep": 3, "retainBuild": true}));
        o.entry("preDeploymentGates")
            .or_insert_with(|| json!({"id": 0, "gatesOptions": null, "gates": []}));
        o.entry("postDeploymentGates")
            .or_insert_with(|| json!({"id": 0, "gatesOptions": null, "gates": []}));
        o.insert(
            "currentRelease".into(),
            json!({"id": current, "url": current_url, "_links": {}}),
        );
        o.insert(
            "badgeUrl".into(),
            json!(format!(
                "{}/vsrm/{}/_apis/public/Release/badge/{}/{}/{env_id}",
                ctx.base, ctx.org, ctx.project_id, d.id
            )),
        );
    }
    e
}

/// The approval configuration of a definition stage: manual approvers (empty = automated).
pub fn manual_approvers(def_env: &Value) -> Vec<(i32, Person)> {
    def_env["preDeployApprovals"]["approvals"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|x| !x["isAutomated"].as_bool().unwrap_or(true))
                .filter_map(|x| {
                    let ap = &x["approver"];
                    let id = ap["id"].as_str().and_then(|s| Uuid::parse_str(s).ok())?;
                    Some((
                        x["rank"]
                            .as_i64()
                            .and_then(|r| i32::try_from(r).ok())
                            .unwrap_or(1),
                        Person {
                            id,
                            display_name: ap["displayName"].as_str().unwrap_or("").to_owned(),
                            unique_name: ap["uniqueName"].as_str().unwrap_or("").to_owned(),
                        },
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

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
        "variables": {},
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
    let pre: Vec<Value> = approvals_for(ctx, world, r, e, "preDeploy");
    let def_ref = def.map_or(Value::Null, |d| ctx.definition_ref(d));
    json!({
        "id": e.id,
        "releaseId": r.id,
        "name": e.name,
        "status": e.status,
        "variables": {},
        "variableGroups": [],
        "preDeployApprovals": pre,
        "postDeployApprovals": approvals_for(ctx, world, r, e, "postDeploy"),
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

/// Approvals of a stage: stored manual ones plus the automated approval every started attempt has.
fn approvals_for(
    ctx: &Ctx,
    world: &ReleaseWorld,
    r: &Release,
    e: &ReleaseEnvironment,
    kind: &str,
) -> Vec<Value> {
    let mut out: Vec<Value> = world
        .approvals
        .iter()
        .filter(|a| a.release_environment_id == e.id && a.approval_type == kind)
        .map(|a| render_approval(ctx, world, a))
        .collect();
    if out.is_empty() {
        for a in &e.deploy_steps {
            let done = a.started_on.is_some() && (kind == "preDeploy" || a.completed_on.is_some());
            if done {
                out.push(json!({
                    "id": 0, "revision": 1, "approvalType": kind, "createdOn": ts(a.queued_on),
                    "modifiedOn": ts(a.started_on.unwrap_or(a.queued_on)), "status": "approved", "comments": "",
                    "isAutomated": true, "isNotificationOn": false, "trialNumber": 1, "attempt": a.attempt, "rank": 1,
                    "release": {"id": r.id, "name": r.name, "url": format!("{}/releases/{}", ctx.vsrm(), r.id), "_links": {}},
                    "releaseDefinition": {"id": r.definition_id, "name": world.definition(r.definition_id).map_or("", |d| d.name()),
                        "url": format!("{}/definitions/{}", ctx.vsrm(), r.definition_id), "_links": {}},
                    "releaseEnvironment": {"id": e.id, "name": e.name, "_links": {}},
                }));
            }
        }
    }
    out
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
        "approver": ctx.who(&a.approver),
        "approvalType": a.approval_type,
        "createdOn": ts(a.created_on),
        "modifiedOn": ts(a.modified_on),
        "status": a.status,
        "comments": a.comments,
        "isAutomated": false,
        "isNotificationOn": true,
        "trialNumber": 1,
        "attempt": a.attempt,
        "rank": a.rank,
        "history": [],
        "release": {"id": a.release_id, "name": r.map_or("", |r| r.name.as_str()),
                    "url": format!("{}/releases/{}", ctx.vsrm(), a.release_id), "_links": {}},
        "releaseDefinition": {"id": a.definition_id, "name": world.definition(a.definition_id).map_or("", |d| d.name()),
                              "url": format!("{}/definitions/{}", ctx.vsrm(), a.definition_id), "_links": {}},
        "releaseEnvironment": {"id": a.release_environment_id, "name": env_name, "_links": {}},
        "url": format!("{}/approvals/{}", ctx.vsrm(), a.id),
    });
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
    let pre: Vec<Value> = approvals_for(ctx, world, r, e, "preDeploy")
        .into_iter()
        .filter(|x| x["attempt"].as_i64() == Some(i64::from(a.attempt)))
        .collect();
    json!({
        "id": a.deployment_id,
        "release": {
            "id": r.id, "name": r.name, "url": release_url,
            "artifacts": r.artifacts.iter().map(render_artifact).collect::<Vec<_>>(),
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
        "preDeployApprovals": pre,
        "postDeployApprovals": [],
        "_links": {},
    })
}
