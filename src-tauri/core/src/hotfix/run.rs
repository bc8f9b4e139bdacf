//! The hotfix run: a persisted state machine, saved atomically after every step
//! ([`super::store::RunStore`]). It records what each step found and did, so that a step can be
//! repeated or resumed after a crash without doing anything twice.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::profiles::Profile;
use crate::synapse::{ChangeSummary, DeployPlan};

/// Schema version of a saved run; older files are migrated on load, newer ones refused.
pub const RUN_VERSION: u32 = 1;

/// Steps of the wizard (1-based numbers) and their titles.
pub const STEP_TITLES: [&str; 8] = [
    "What runs in production",
    "Hotfix branch",
    "Fix",
    "Hotfix pipeline",
    "Deploy",
    "Confirm",
    "Merge back",
    "Clean up",
];

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StepInfo {
    pub number: u8,
    pub title: String,
    pub state: StepState,
    /// Why the step failed or is blocked, or what it is waiting for.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The production release the hotfix starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SelectedRelease {
    pub id: i32,
    pub name: String,
    pub definition_id: i32,
    pub definition_environment_id: i32,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// True when this was the release deployed to production when it was picked.
    pub was_current: bool,
}

/// The source-code artifact of the release and how it was told apart from the ARM-template one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SourceArtifact {
    pub alias: String,
    /// `Git`, `Build`, … as Azure DevOps names the artifact type.
    pub artifact_type: String,
    /// Branch without `refs/heads/`.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub repository_id: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_name: Option<String>,
    /// Build id and number of a Build artifact.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_id: Option<i32>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_number: Option<String>,
    /// Why this artifact is the source code (shown to the user).
    pub reason: String,
}

/// One artifact the user may pick when the rules cannot decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ArtifactCandidate {
    pub alias: String,
    pub artifact_type: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The version the release took (commit for Git, build number for Build).
    pub version: String,
    /// What the tree at that version looks like, when it was read ("source folders", "ARM template").
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub looks_like: Option<String>,
}

/// The question put to the user when the rules cannot tell the source artifact apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ArtifactChoice {
    pub candidates: Vec<ArtifactCandidate>,
    pub why: String,
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
pub enum BranchOutcome {
    Created,
    Reused,
}

/// The hotfix branch, confirmed by re-reading the ref after creating or finding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HotfixBranch {
    /// Short name, without `refs/heads/`.
    pub name: String,
    pub object_id: String,
    pub outcome: BranchOutcome,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

/// Step 3: what the watch of the hotfix branch found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FixState {
    /// Head of the hotfix branch at the last poll.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// Commits on the branch that are not in the release commit, newest first.
    #[serde(default)]
    pub commits: Vec<CommitInfo>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<ChangeSummary>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<DeployPlan>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_polled: Option<DateTime<Utc>>,
    /// The user went on although the plan needed acknowledging.
    #[serde(default)]
    pub acknowledged: bool,
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
    pub step: u8,
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
    /// 1-based number of the step the wizard shows.
    pub current_step: u8,
    pub steps: Vec<StepInfo>,
    /// The release the last look at production found running there (latest succeeded deployment).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_production_release_id: Option<i32>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<SelectedRelease>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<SourceArtifact>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_choice: Option<ArtifactChoice>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
    /// The branch name step 2 is about to create, saved *before* the request, so a resumed run knows
    /// which name to look for.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_intent: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<HotfixBranch>,
    #[serde(default)]
    pub fix: FixState,
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
    pub current_step: u8,
    pub current_step_title: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl HotfixRun {
    /// A fresh run for `profile`, step 1 active.
    pub fn new(id: String, profile: &Profile, now: DateTime<Utc>) -> Self {
        let steps = (1u8..)
            .zip(STEP_TITLES)
            .map(|(number, title)| StepInfo {
                number,
                title: title.to_owned(),
                state: if number == 1 {
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
            current_step: 1,
            steps,
            current_production_release_id: None,
            release: None,
            artifact: None,
            artifact_choice: None,
            commit: None,
            branch_intent: None,
            branch: None,
            fix: FixState::default(),
            log: Vec::new(),
        };
        run.log_event(
            1,
            EventLevel::Info,
            format!("Hotfix started from profile \"{}\".", profile.name),
        );
        run
    }

    pub fn is_unfinished(&self) -> bool {
        self.status == RunStatus::Active
    }

    pub fn step(&self, number: u8) -> Option<&StepInfo> {
        self.steps.iter().find(|s| s.number == number)
    }

    pub fn step_state(&self, number: u8) -> StepState {
        self.step(number).map_or(StepState::Pending, |s| s.state)
    }

    /// Sets a step's state and note.
    pub fn set_step(&mut self, number: u8, state: StepState, note: Option<String>) {
        if let Some(step) = self.steps.iter_mut().find(|s| s.number == number) {
            step.state = state;
            step.note = note;
        }
    }

    /// Marks `number` done and makes the next step the current, active one.
    pub fn complete_step(&mut self, number: u8) {
        self.set_step(number, StepState::Done, None);
        let next = number + 1;
        if usize::from(next) <= self.steps.len() {
            if matches!(
                self.step_state(next),
                StepState::Pending | StepState::Blocked
            ) {
                self.set_step(next, StepState::Active, None);
            }
            self.current_step = self.current_step.max(next);
        }
    }

    /// Re-opens `number` (e.g. another release is picked): later steps go back to pending.
    pub fn reopen_step(&mut self, number: u8) {
        for step in &mut self.steps {
            if step.number == number {
                step.state = StepState::Active;
                step.note = None;
            } else if step.number > number {
                step.state = StepState::Pending;
                step.note = None;
            }
        }
        self.current_step = number;
    }

    pub fn log_event(&mut self, step: u8, level: EventLevel, message: impl Into<String>) {
        self.log.push(RunEvent {
            at: Utc::now(),
            step,
            level,
            message: message.into(),
        });
    }

    pub fn summary(&self) -> RunSummary {
        let title = STEP_TITLES
            .get(usize::from(self.current_step.max(1)) - 1)
            .copied()
            .unwrap_or_default();
        RunSummary {
            id: self.id.clone(),
            profile_id: self.profile_id.clone(),
            profile_name: self.profile.name.clone(),
            prod_workspace: self.prod_workspace.clone(),
            status: self.status,
            current_step: self.current_step,
            current_step_title: title.to_owned(),
            release_name: self.release.as_ref().map(|r| r.name.clone()),
            branch_name: self.branch.as_ref().map(|b| b.name.clone()),
            created_at: self.created_at,
            updated_at: self.updated_at,
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
        assert_eq!(run.steps.len(), 8);
        assert_eq!(run.step_state(1), StepState::Active);
        assert!(run.steps[1..].iter().all(|s| s.state == StepState::Pending));
        assert_eq!(run.prod_workspace, "contoso-synapse-prod");
        assert_eq!(run.summary().current_step_title, "What runs in production");
    }

    #[test]
    fn completing_and_reopening_steps_moves_the_cursor() {
        let mut run = HotfixRun::new("r1".into(), &profile(), Utc::now());
        run.complete_step(1);
        run.complete_step(2);
        assert_eq!(run.current_step, 3);
        assert_eq!(run.step_state(2), StepState::Done);
        assert_eq!(run.step_state(3), StepState::Active);
        run.reopen_step(1);
        assert_eq!(run.current_step, 1);
        assert_eq!(run.step_state(1), StepState::Active);
        assert_eq!(run.step_state(2), StepState::Pending);
        assert_eq!(run.step_state(3), StepState::Pending);
    }

    #[test]
    fn round_trips_through_json_in_camel_case() {
        let run = HotfixRun::new("r1".into(), &profile(), Utc::now());
        let json = serde_json::to_value(&run).unwrap();
        assert_eq!(json["currentStep"], 1);
        assert_eq!(json["steps"][0]["state"], "active");
        let back: HotfixRun = serde_json::from_value(json).unwrap();
        assert_eq!(back, run);
    }
}
