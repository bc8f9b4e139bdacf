//! Step 8 — clean up: the hotfix branches of earlier releases (names matching the profile's
//! template, [`super::step8_template`]), each with the release it belongs to, whether that release
//! still runs in production (step 1's rule: the latest succeeded deployment to the production
//! stage), whether it is fully merged into the collaboration branch (`stats/branches`:
//! `aheadCount == 0`) and its active pull requests. A branch is *safe* to delete when its release
//! is no longer current, it is merged and no pull request is active from it; every other branch
//! says why not ([`super::step8_judge`]). The run's own hotfix branch is never offered. Deleting
//! is [`super::step8_delete`]; finishing the run too.
//!
//! Request budget of the list: the current production release (1), the releases of the
//! production definition (1 per 100), the refs matching the template's prefix (1 per 1000), and
//! per candidate its branch stats and its active pull requests (2) — `3 + 2n`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub(crate) use super::step8_judge::Facts;
use super::step8_template::BranchTemplate;
use super::{Action, StepCtx, StepId};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{EventLevel, HotfixRun, StepState};

/// Step 8's saved state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CleanupState {
    /// When the branches were last listed.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_at: Option<DateTime<Utc>>,
    /// The release running in production at that time.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_release: Option<ReleaseLink>,
    /// The branch "merged" is measured against (the profile's collaboration branch).
    #[serde(default)]
    pub collaboration_branch: String,
    /// The old hotfix branches as last read, by name.
    #[serde(default)]
    pub branches: Vec<CleanupBranch>,
    /// Branches this run deleted (or found already gone), oldest first.
    #[serde(default)]
    pub deleted: Vec<DeletedBranch>,
    /// Who finished the run (the signed-in user), and when.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_by: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
}

/// A release with its link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReleaseLink {
    pub id: i32,
    pub name: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

/// An active pull request from a branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ActivePullRequest {
    pub id: i32,
    pub title: String,
    /// Target branch, without `refs/heads/`.
    pub target_branch: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

/// One old hotfix branch and what decides whether it may go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CleanupBranch {
    /// Short name, without `refs/heads/`.
    pub name: String,
    /// The head as read: a deletion sends it as `oldObjectId`, so a branch that moved since is
    /// refused by Azure DevOps, never deleted unseen.
    pub object_id: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    /// The `{release}` part of the name (`3`).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_label: Option<String>,
    /// The release of the production pipeline the name points at, when it still exists.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<ReleaseLink>,
    /// True when that release is the one running in production.
    pub release_is_current: bool,
    /// Commits on the branch that are not in the collaboration branch.
    pub ahead_count: u32,
    /// Commits on the collaboration branch that are not on the branch.
    pub behind_count: u32,
    pub merged: bool,
    pub active_pull_requests: Vec<ActivePullRequest>,
    #[serde(default)]
    pub is_locked: bool,
    /// Release no longer current, merged, no active pull request, not locked.
    pub safe: bool,
    /// Why it is not safe, one sentence each (empty when safe).
    pub reasons: Vec<String>,
    /// What changed since the user last saw it (e.g. it moved and was read again).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A branch this run removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeletedBranch {
    pub name: String,
    /// The head it had (restore with a refs POST from zeros to this id).
    pub object_id: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    pub at: DateTime<Utc>,
    /// True when Azure DevOps said it was already gone (`succeededNonExistentRef`).
    pub already_gone: bool,
}

/// Step 8 may run once every earlier step of the run is done. The one place that decides it, so
/// it is easy to tighten (e.g. to "step 7 done or skipped" once step 7 can be skipped).
pub fn cleanup_reachable(run: &HotfixRun) -> AppResult<()> {
    if let Some(open) = StepId::ALL
        .iter()
        .copied()
        .filter(|s| *s < StepId::Cleanup)
        .find(|s| run.step_state(*s) != StepState::Done)
    {
        return Err(AppError::new(
            ErrorCode::Precondition,
            format!(
                "Finish step {} ({}) first: old hotfix branches are cleaned up at the end of a hotfix.",
                open.number(),
                open.title()
            ),
        ));
    }
    Ok(())
}

/// The run's own hotfix branch (never offered for deletion).
pub fn own_branch(run: &HotfixRun) -> Option<&str> {
    run.steps
        .branch
        .branch
        .as_ref()
        .map(|b| b.name.as_str())
        .or(run.steps.branch.intent.as_deref())
}

/// Lists the old hotfix branches and saves them on the run.
pub struct ListCleanup;

impl Action for ListCleanup {
    const STEP: StepId = StepId::Cleanup;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        cleanup_reachable(run)
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let facts = Facts::read(ctx.session).await?;
        let template = BranchTemplate::parse(&run.profile.branch_template)?;
        let repo = ctx.session.repo()?;
        let refs = repo.refs_with_prefix(&template.ref_filter()).await?;
        let own = own_branch(run).map(str::to_ascii_lowercase);
        let mut branches = Vec::new();
        for r in refs {
            let Some(name) = r.name.strip_prefix("refs/heads/") else {
                continue;
            };
            if own.as_deref() == Some(name.to_ascii_lowercase().as_str()) {
                continue;
            }
            let Some(m) = template.matches(name) else {
                continue;
            };
            branches.push(facts.judge(ctx.session, &r, name, &m, None).await?);
        }
        branches.sort_by(|a, b| {
            let key = |x: &CleanupBranch| x.release.as_ref().map(|r| r.id);
            key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name))
        });
        let safe = branches.iter().filter(|b| b.safe).count();
        run.log_event(
            StepId::Cleanup,
            EventLevel::Info,
            format!(
                "{} old hotfix branch(es) found, {safe} safe to delete.",
                branches.len()
            ),
        );
        let state = &mut run.steps.cleanup;
        state.listed_at = Some(Utc::now());
        state.current_release.clone_from(&facts.current);
        state.collaboration_branch.clone_from(&facts.collaboration);
        state.branches = branches;
        if run.step_state(StepId::Cleanup) != StepState::Done {
            run.set_step(StepId::Cleanup, StepState::Active, None);
        }
        Ok(())
    }
}
