//! One history entry per run: what a change record needs (who, when, profile, release, commit,
//! hotfix branch, fix commits, pipeline, deployment, trigger changes, pull requests, clean up),
//! with web links, built from the saved run ([`HistoryEntry::from_run`]). The fields of steps 5–7
//! are `Option`: absent on runs that did not get that far, and on entries recorded before those
//! steps existed, which still load.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::hotfix::run::{RunStatus, StepState};
use crate::hotfix::steps::StepId;

/// A run as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryEntry {
    pub run_id: String,
    pub profile_id: String,
    pub profile_name: String,
    pub organization_url: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    pub prod_workspace: String,
    pub status: RunStatus,
    /// Where the run is (or stopped).
    pub current_step: StepId,
    pub current_step_title: String,
    pub current_step_state: StepState,
    /// Why the current step failed or waits, when it says.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step_note: Option<String>,
    /// The signed-in user who started it, and who finished it.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_by: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_by: Option<String>,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// The production release the hotfix started from.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<HistoryRelease>,
    /// The commit production ran (what the hotfix branch started from).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_commit: Option<HistoryCommit>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotfix_branch: Option<HistoryLink>,
    /// The fix commits, newest first.
    #[serde(default)]
    pub fix_commits: Vec<HistoryCommit>,
    /// What production receives: `pipeline pl_ingest_sales` per created / updated / deleted artifact.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<HistoryPlan>,
    /// The hotfix release pipeline (step 4).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotfix_pipeline: Option<HistoryPipeline>,
    /// Step 5–6: the hotfix release and how its deployment went.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<HistoryDeployment>,
    /// Step 5–6: triggers stopped and started by the deployment.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_changes: Option<Vec<HistoryTriggerChange>>,
    /// Step 7: the merge-back pull requests.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_requests: Option<Vec<HistoryPullRequest>>,
    /// Step 8: the old hotfix branches deleted.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup: Option<HistoryCleanup>,
    /// False when the run's own file is gone and only the history remembers it.
    #[serde(default)]
    pub run_available: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryLink {
    pub name: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryRelease {
    pub id: i32,
    pub name: String,
    pub definition_id: i32,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_name: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryCommit {
    pub commit_id: String,
    /// First line of the message.
    pub message: String,
    pub author: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryPlan {
    pub create: Vec<String>,
    pub update: Vec<String>,
    pub delete: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryPipeline {
    pub definition_id: i32,
    pub name: String,
    pub revision: i32,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryDeployment {
    pub release_id: i32,
    pub release_name: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    /// The commit deployed.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_id: Option<String>,
    /// `succeeded`, `failed`, `canceled`, … as Azure DevOps said; `inProgress` while running.
    pub result: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<i64>,
    /// Who confirmed production afterwards (step 6).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryTriggerChange {
    pub trigger: String,
    /// Runtime state before the deployment (`Started`, `Stopped`).
    pub before: String,
    /// Runtime state after it, as step 6 read it.
    pub after: String,
    /// The deployment stopped it first and started it again (`TriggersToStop`/`TriggersToStart`);
    /// false for a trigger it left alone (one that was stopped before, say).
    #[serde(default)]
    pub stopped_for_deployment: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryPullRequest {
    pub id: i32,
    pub target_branch: String,
    pub title: String,
    /// `active`, `completed`, `abandoned`.
    pub status: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_status: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryCleanup {
    pub deleted: Vec<HistoryDeletedBranch>,
    /// Old hotfix branches left in place, with the first reason.
    pub kept: Vec<HistoryKeptBranch>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryDeletedBranch {
    pub name: String,
    /// Its head when deleted (to recreate it).
    pub object_id: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryKeptBranch {
    pub name: String,
    pub reason: String,
}

impl HistoryEntry {
    /// The title a change record starts with: "Hotfix of Release-3 in contoso-synapse-prod".
    pub fn title(&self) -> String {
        match &self.release {
            Some(r) => format!("Hotfix of {} in {}", r.name, self.prod_workspace),
            None => format!("Hotfix in {} (release not picked)", self.prod_workspace),
        }
    }
}
