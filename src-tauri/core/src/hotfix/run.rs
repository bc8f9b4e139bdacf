//! The hotfix run: a persisted state machine, saved atomically after every step
//! ([`super::store::RunStore`]). It records where the wizard is ([`StepInfo`] per [`StepId`]) and
//! what each step found and did ([`RunSteps`], one state struct per step, owned by the step's
//! module), so that a step can be repeated or resumed after a crash without doing anything twice.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::profiles::Profile;

pub use super::steps::step1_release::{
    ArtifactCandidate, ArtifactChoice, ReleaseState, SelectedRelease, SourceArtifact,
};
pub use super::steps::step2_branch::{BranchOutcome, BranchState, HotfixBranch};
pub use super::steps::step3_fix::FixState;
pub use super::steps::step4_pipeline::PipelineState;
pub use super::steps::{RunSteps, StepId};

/// Schema version of a saved run; older files are migrated on load ([`super::migrate`]), newer
/// ones refused. Version 2: steps named by [`StepId`], per-step state in [`RunSteps`].
pub const RUN_VERSION: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum StepState {
    Pending,
    Active,
    Done,
    Failed,
    Blocked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RunStatus {
    Active,
    Completed,
    Abandoned,
}

/// Where one step stands (its title and description are in [`super::steps::CATALOG`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StepInfo {
    pub id: StepId,
    pub state: StepState,
    /// Why the step failed or is blocked, or what it is waiting for.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A commit as the user recognises it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CommitInfo {
    /// Full 40-character SHA.
    pub commit_id: String,
    pub message: String,
    pub author_name: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_email: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_date: Option<DateTime<Utc>>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum EventLevel {
    Info,
    Warning,
    Error,
}

/// One line of the run's log ("Branch Release3_Hotfixes created at 1a2b3c4").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunEvent {
    pub at: DateTime<Utc>,
    pub step: StepId,
    pub level: EventLevel,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HotfixRun {
    pub version: u32,
    pub id: String,
    pub profile_id: String,
    /// The profile as it was when the run started (the run keeps working if the profile changes).
    pub profile: Profile,
    pub prod_workspace: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub status: RunStatus,
    /// Who started it: the signed-in user as Azure DevOps names them (`connectionData`), when the
    /// app could read it (runs saved before this was recorded have none).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_by: Option<String>,
    /// The step the wizard shows.
    pub current_step: StepId,
    /// Every step in order with its state (the step rail).
    pub progress: Vec<StepInfo>,
    /// What each step found and did.
    #[serde(default)]
    pub steps: RunSteps,
    #[serde(default)]
    pub log: Vec<RunEvent>,
}

/// The line the "continue a run" list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunSummary {
    pub id: String,
    pub profile_id: String,
    pub profile_name: String,
    pub prod_workspace: String,
    pub status: RunStatus,
    pub current_step: StepId,
    /// 1-based number of the current step.
    pub current_step_number: u8,
    pub current_step_title: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The fix is in production but not yet in every branch ticked in step 7 (or, before step 7,
    /// in the collaboration branch): the next release would undo it.
    #[serde(default)]
    pub not_merged_back: bool,
    /// The branches that still lack the fix (when `not_merged_back`).
    #[serde(default)]
    pub merge_back_pending: Vec<String>,
}

impl HotfixRun {
    /// A fresh run for `profile`, step 1 active.
    pub fn new(id: String, profile: &Profile, now: DateTime<Utc>) -> Self {
        let progress = StepId::ALL
            .iter()
            .map(|&id| StepInfo {
                id,
                state: if id == StepId::Release {
                    StepState::Active
                } else {
                    StepState::Pending
                },
                note: None,
            })
            .collect();
        let mut run = Self {
            version: RUN_VERSION,
            id,
            profile_id: profile.id.clone(),
            profile: profile.clone(),
            prod_workspace: profile.prod_workspace.clone(),
            created_at: now,
            updated_at: now,
            status: RunStatus::Active,
            started_by: None,
            current_step: StepId::Release,
            progress,
            steps: RunSteps::default(),
            log: Vec::new(),
        };
        run.log_event(
            StepId::Release,
            EventLevel::Info,
            format!("Hotfix started from profile \"{}\".", profile.name),
        );
        run
    }

    pub fn is_unfinished(&self) -> bool {
        self.status == RunStatus::Active
    }

    pub fn step(&self, id: StepId) -> Option<&StepInfo> {
        self.progress.iter().find(|s| s.id == id)
    }

    pub fn step_state(&self, id: StepId) -> StepState {
        self.step(id).map_or(StepState::Pending, |s| s.state)
    }

    /// Sets a step's state and note.
    pub fn set_step(&mut self, id: StepId, state: StepState, note: Option<String>) {
        if let Some(step) = self.progress.iter_mut().find(|s| s.id == id) {
            step.state = state;
            step.note = note;
        }
    }

    /// Marks `id` done and makes the next step the current, active one.
    pub fn complete_step(&mut self, id: StepId) {
        self.set_step(id, StepState::Done, None);
        if let Some(next) = id.next() {
            if matches!(
                self.step_state(next),
                StepState::Pending | StepState::Blocked
            ) {
                self.set_step(next, StepState::Active, None);
            }
            self.current_step = self.current_step.max(next);
        }
    }

    /// Re-opens `id` (e.g. another release is picked): later steps go back to pending.
    pub fn reopen_step(&mut self, id: StepId) {
        for step in &mut self.progress {
            if step.id == id {
                step.state = StepState::Active;
                step.note = None;
            } else if step.id > id {
                step.state = StepState::Pending;
                step.note = None;
            }
        }
        self.current_step = id;
    }

    pub fn log_event(&mut self, step: StepId, level: EventLevel, message: impl Into<String>) {
        self.log.push(RunEvent {
            at: Utc::now(),
            step,
            level,
            message: message.into(),
        });
    }

    pub fn summary(&self) -> RunSummary {
        let pending = super::steps::step7_state::pending_targets(self).unwrap_or_default();
        RunSummary {
            id: self.id.clone(),
            profile_id: self.profile_id.clone(),
            profile_name: self.profile.name.clone(),
            prod_workspace: self.prod_workspace.clone(),
            status: self.status,
            current_step: self.current_step,
            current_step_number: self.current_step.number(),
            current_step_title: self.current_step.title().to_owned(),
            release_name: self.steps.release.release.as_ref().map(|r| r.name.clone()),
            branch_name: self.steps.branch.branch.as_ref().map(|b| b.name.clone()),
            created_at: self.created_at,
            updated_at: self.updated_at,
            not_merged_back: !pending.is_empty(),
            merge_back_pending: pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        let mut p = Profile::new_with_defaults("p1".into());
        p.name = "Contoso".into();
        p.prod_workspace = "contoso-synapse-prod".into();
        p
    }

    #[test]
    fn a_new_run_has_eight_steps_with_the_first_active() {
        let run = HotfixRun::new("r1".into(), &profile(), Utc::now());
        assert_eq!(run.progress.len(), 8);
        assert_eq!(run.step_state(StepId::Release), StepState::Active);
        assert!(run.progress[1..]
            .iter()
            .all(|s| s.state == StepState::Pending));
        assert_eq!(run.prod_workspace, "contoso-synapse-prod");
        assert_eq!(run.summary().current_step_title, "What runs in production");
    }

    #[test]
    fn completing_and_reopening_steps_moves_the_cursor() {
        let mut run = HotfixRun::new("r1".into(), &profile(), Utc::now());
        run.complete_step(StepId::Release);
        run.complete_step(StepId::Branch);
        assert_eq!(run.current_step, StepId::Fix);
        assert_eq!(run.step_state(StepId::Branch), StepState::Done);
        assert_eq!(run.step_state(StepId::Fix), StepState::Active);
        run.reopen_step(StepId::Release);
        assert_eq!(run.current_step, StepId::Release);
        assert_eq!(run.step_state(StepId::Release), StepState::Active);
        assert_eq!(run.step_state(StepId::Branch), StepState::Pending);
        assert_eq!(run.step_state(StepId::Fix), StepState::Pending);
    }

    #[test]
    fn round_trips_through_json_in_camel_case() {
        let run = HotfixRun::new("r1".into(), &profile(), Utc::now());
        let json = serde_json::to_value(&run).unwrap();
        assert_eq!(json["currentStep"], "release");
        assert_eq!(json["progress"][0]["state"], "active");
        let back: HotfixRun = serde_json::from_value(json).unwrap();
        assert_eq!(back, run);
    }
}
