//! Step 7's saved state ([`MergeBackState`]): the targets as last listed from the cached clone,
//! the ones the user ticked, the conflict preview of each, the pull requests opened (or found),
//! the optional tag of the fix commit, and what was about to be sent when the app stopped.
//! Also what the run list shows: which ticked targets still lack the fix ([`pending_targets`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::StepId;
use crate::hotfix::run::{HotfixRun, StepState};
use crate::synapse::ArtifactRef;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MergeBackState {
    /// The targets as last listed.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing: Option<TargetListing>,
    /// The branches the user ticked (short names).
    #[serde(default)]
    pub selected: Vec<String>,
    /// The conflict preview of each ticked target.
    #[serde(default)]
    pub previews: Vec<ConflictPreview>,
    /// One pull request per ticked target that lacks the fix.
    #[serde(default)]
    pub pull_requests: Vec<MergePullRequest>,
    /// The target whose pull request was about to be created, saved before the request; a
    /// resumed run looks for that pull request before creating anything.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<PullRequestIntent>,
    /// Work items linked to the pull requests.
    #[serde(default)]
    pub work_items: Vec<i32>,
    /// When the pull requests were last read (refreshes within a few seconds are answered from
    /// the run).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refreshed_at: Option<DateTime<Utc>>,
    /// The tag on the deployed fix commit.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<FixTag>,
    /// The tag about to be created, saved before the request.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_intent: Option<String>,
}

/// The merge-back targets, computed from the cached clone after a fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TargetListing {
    pub listed_at: DateTime<Utc>,
    pub hotfix_branch: String,
    /// Head of the hotfix branch now (the source of every pull request).
    pub hotfix_head: String,
    /// The commit deployed to production (what "contains the fix" looks for).
    pub fix_commit: String,
    /// Commits on the hotfix branch after the deployed one (they were not deployed, and every
    /// pull request would bring them along).
    pub undeployed_commits: u32,
    /// The collaboration branch first, then the feature branches by name.
    pub targets: Vec<MergeTarget>,
    /// Feature branch patterns of the profile that matched no branch.
    #[serde(default)]
    pub unmatched_patterns: Vec<String>,
    /// What the user should know about the list (no feature branch matched, the clone was
    /// made again, …).
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum TargetKind {
    Collaboration,
    Feature,
}

/// One branch the fix can be merged into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MergeTarget {
    /// Short name (`main`, `feature/x`).
    pub name: String,
    pub kind: TargetKind,
    /// The profile pattern it matched (feature branches).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    pub head: String,
    /// Commits on the target the hotfix branch does not have.
    pub ahead: u32,
    /// Commits of the hotfix branch the target does not have yet.
    pub behind: u32,
    /// The deployed fix commit is already in the target.
    pub contains_fix: bool,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ConflictKind {
    /// Changed on both branches.
    BothModified,
    /// Added on both branches with different content.
    BothAdded,
    /// Deleted on the target, changed by the hotfix.
    DeletedInTarget,
    /// Changed on the target, deleted by the hotfix.
    DeletedInHotfix,
}

/// One conflicting file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConflictFile {
    /// Repository path (`/pipeline/pl_ingest_sales.json`).
    pub path: String,
    pub kind: ConflictKind,
    /// The Synapse artifact the file is, when it is one.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<ArtifactRef>,
}

/// What merging the hotfix head into one target would do, computed in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConflictPreview {
    pub target: String,
    pub target_head: String,
    pub hotfix_head: String,
    pub computed_at: DateTime<Utc>,
    /// The target already contains the hotfix head: no pull request is needed.
    pub up_to_date: bool,
    pub conflicts: Vec<ConflictFile>,
    /// Synapse artifacts a clean merge changes on the target.
    #[serde(default)]
    pub changed_artifacts: Vec<ArtifactRef>,
    /// Files a clean merge changes on the target (artifacts and others).
    #[serde(default)]
    pub changed_files: u32,
}

impl ConflictPreview {
    pub fn clean(&self) -> bool {
        self.conflicts.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum PullRequestOrigin {
    /// Opened by this run.
    Created,
    /// An active pull request for the same branches existed and is used.
    Reused,
    /// Found after the answer to the app's own create was lost (or the app stopped).
    Recovered,
}

/// A pull request of the merge-back, as last read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MergePullRequest {
    pub target: String,
    pub pull_request_id: i32,
    pub title: String,
    /// `active`, `completed`, `abandoned`.
    pub status: String,
    /// `queued`, `succeeded`, `conflicts`, `rejectedByPolicy`, `failure`, `notSet`.
    pub merge_status: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_failure_message: Option<String>,
    pub web_url: String,
    pub origin: PullRequestOrigin,
    pub read_at: DateTime<Utc>,
}

impl MergePullRequest {
    pub fn completed(&self) -> bool {
        self.status.eq_ignore_ascii_case("completed")
    }

    pub fn active(&self) -> bool {
        self.status.eq_ignore_ascii_case("active")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PullRequestIntent {
    pub target: String,
    pub at: DateTime<Utc>,
}

/// The tag on the deployed fix commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FixTag {
    /// Short name (`Release-3-hotfix-1`).
    pub name: String,
    pub commit: String,
    /// True when the tag already existed at the commit.
    pub reused: bool,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

impl MergeBackState {
    pub fn preview(&self, target: &str) -> Option<&ConflictPreview> {
        self.previews.iter().find(|p| p.target == target)
    }

    pub fn pull_request(&self, target: &str) -> Option<&MergePullRequest> {
        self.pull_requests.iter().find(|p| p.target == target)
    }

    pub fn target(&self, name: &str) -> Option<&MergeTarget> {
        self.listing
            .as_ref()
            .and_then(|l| l.targets.iter().find(|t| t.name == name))
    }

    /// True when `target` has the fix: the branch contains it (as last listed or previewed), or
    /// its pull request was completed.
    pub fn has_fix(&self, target: &str) -> bool {
        self.target(target).is_some_and(|t| t.contains_fix)
            || self.preview(target).is_some_and(|p| p.up_to_date)
            || self
                .pull_request(target)
                .is_some_and(MergePullRequest::completed)
    }
}

/// The fix reached production (step 5 deployed it, or step 6 confirmed it).
pub fn fix_in_production(run: &HotfixRun) -> bool {
    run.step_state(StepId::Deploy) == StepState::Done
        || run.step_state(StepId::Confirm) == StepState::Done
}

/// The targets that still lack the fix, when the fix is in production: the ticked ones without
/// it, or the collaboration branch when nothing was ticked yet. `None` before the deployment.
pub fn pending_targets(run: &HotfixRun) -> Option<Vec<String>> {
    if !fix_in_production(run) {
        return None;
    }
    let state = &run.steps.merge_back;
    if state.selected.is_empty() {
        let collab = run
            .profile
            .collaboration_branch
            .trim_start_matches("refs/heads/")
            .to_owned();
        return Some(if state.has_fix(&collab) {
            Vec::new()
        } else {
            vec![collab]
        });
    }
    Some(
        state
            .selected
            .iter()
            .filter(|t| !state.has_fix(t))
            .cloned()
            .collect(),
    )
}
