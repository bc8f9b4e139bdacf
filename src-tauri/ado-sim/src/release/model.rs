//! The release world (definitions, releases, approvals, the deployment index) and its rendering
//! into the REST shapes of `specification/release/7.1/httpExamples`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use super::links::{identity, ts, Person};

mod definition_view;
mod release_view;

pub use definition_view::{
    manual_approvers, render_approvals_config, render_definition, render_phase_config,
};
pub use release_view::{
    render_approval, render_artifact, render_attempt, render_deployment, render_environment,
    render_release, ReleaseView,
};

/// Everything the release area stores.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ReleaseWorld {
    pub definitions: Vec<Definition>,
    /// Releases by id (ids grow with creation time).
    pub releases: BTreeMap<i32, Release>,
    /// Approvals, manual and automated: a stage without approvers gets an automated, approved
    /// record (with its own id and url, like the service) when an attempt is queued (pre) and when
    /// it succeeds (post).
    pub approvals: Vec<Approval>,
    /// One entry per deployment attempt, in id order: the index that keeps
    /// `GET _apis/release/deployments` one cheap pass even with 10,000 releases.
    pub deployments: Vec<DeploymentEntry>,
    /// Definition environment id → id of the release last deployed successfully to it.
    pub current_release: BTreeMap<i32, i32>,
    /// Release id → its release-scope variables (`ConfigurationVariableValue` by name): the
    /// definition's variables with the values the release was created with for those marked
    /// `allowOverride`. Task inputs see them as `$(Name)`.
    #[serde(default)]
    pub variables: BTreeMap<i32, serde_json::Map<String, Value>>,
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
    /// An automated approval (the stage has no approvers): no approver is rendered.
    #[serde(default)]
    pub is_automated: bool,
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

pub(super) fn opt_ts(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(ts(t)))
}
