//! Step 6 — confirm production after the deployment, point by point ([`ConfirmState`]): the stage
//! and every task succeeded; every trigger has the state it had before (a difference can be
//! restored in one click through the data plane, safe to repeat); the production workspace holds
//! the fix commit's artifacts (no drift left); the dev `main` head is the one of the run's start.
//! On failure: the failing task's log around its first error, explained ([`super::step6_failure`]),
//! and the ways forward — fix and deploy again, or roll back ([`super::step6_rollback`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::step6_failure::FailureReport;

/// What one point of the confirmation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ConfirmOutcome {
    Pass,
    Fail,
    /// The check could not run (no Synapse token, a read failed): `whatToDo` says why.
    NotRun,
}

/// The points of the confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ConfirmCheckId {
    Stage,
    Triggers,
    Artifacts,
    MainHead,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConfirmCheck {
    pub id: ConfirmCheckId,
    pub title: String,
    pub outcome: ConfirmOutcome,
    pub detail: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what_to_do: Option<String>,
}

/// A trigger whose state is not the one it had before the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TriggerDiff {
    pub name: String,
    /// As the review found it (`Started` / `Stopped`).
    pub before: String,
    /// As it is now (`Missing` when it no longer exists).
    pub now: String,
}

/// The release to roll back to: the one production ran before the hotfix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RollbackTarget {
    pub release_id: i32,
    pub release_name: String,
    pub environment_id: i32,
    pub stage_name: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    /// Its own pipeline starts every trigger (`*`) afterwards: the confirmation lists any that
    /// should stay stopped, with a restore.
    pub starts_all_triggers: bool,
}

/// Step 6's saved state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConfirmState {
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<DateTime<Utc>>,
    /// Which deployment was checked (`deploySteps[].attempt` of which release).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_id: Option<i32>,
    #[serde(default)]
    pub attempt: i32,
    #[serde(default)]
    pub checks: Vec<ConfirmCheck>,
    #[serde(default)]
    pub trigger_diffs: Vec<TriggerDiff>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureReport>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<RollbackTarget>,
    /// The signed-in user when every point passed (the change record's "confirmed by").
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<String>,
}

impl ConfirmState {
    /// Every point passed.
    pub fn all_passed(&self) -> bool {
        !self.checks.is_empty()
            && self
                .checks
                .iter()
                .all(|c| c.outcome == ConfirmOutcome::Pass)
    }
}
