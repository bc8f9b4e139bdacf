//! Step 8 — clean up: the hotfix branches of earlier releases (names matching the profile's
//! template, [`super::step8_template`]), each with the release it belongs to, whether that release
//! still runs in production (step 1's rule: the latest succeeded deployment to the production
//! stage), whether it is fully merged into the collaboration branch (`stats/branches`:
//! `aheadCount == 0`) and its active pull requests. A branch is *safe* to delete when its release
//! is no longer current, it is merged and no pull request is active from it; every other branch
//! says why not. The run's own hotfix branch is never offered. Deleting is
//! [`super::step8_delete`]; finishing the run too.
//!
//! Request budget of the list: the current production release (1), the releases of the
//! production definition (1 per 100), the refs matching the template's prefix (1 per 1000), and
//! per candidate its branch stats and its active pull requests (2) — `3 + 2n`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::step1_release::list_production_releases;
use super::step8_template::{BranchTemplate, TemplateMatch};
use super::{Action, StepCtx, StepId};
use crate::ado::cleanup::{active_pull_requests_from, branch_stats, definition_releases};
use crate::ado::git::GitRef;
use crate::ado::release::ReleaseShallow;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{EventLevel, HotfixRun, StepState};
use crate::hotfix::session::Session;

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

/// What judging a branch needs besides the branch: read once per list.
pub(crate) struct Facts {
    pub(crate) current: Option<ReleaseLink>,
    releases: Vec<ReleaseShallow>,
    pub(crate) collaboration: String,
}

fn link_of(r: &ReleaseShallow) -> ReleaseLink {
    ReleaseLink {
        id: r.id,
        name: r.name.clone(),
        web_url: r
            .links
            .web
            .as_ref()
            .map(|h| h.href.clone())
            .or(r.web_access_uri.clone()),
    }
}

impl Facts {
    /// The current production release and the releases of the production definition (2 requests).
    pub(crate) async fn read(s: &Session) -> AppResult<Self> {
        let current = Self::current(s).await?;
        let project = s.project()?;
        let def = s.profile().release_definition.as_ref().ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                "The profile has no production release pipeline. Pick it in the profile, save, and try again.",
            )
        })?;
        let releases = definition_releases(s.client(), project, def.id).await?;
        Ok(Self {
            current,
            releases,
            collaboration: collaboration_branch(s),
        })
    }

    /// Only the current production release (1 request), for judging again a branch already listed.
    pub(crate) async fn current_only(s: &Session) -> AppResult<Self> {
        Ok(Self {
            current: Self::current(s).await?,
            releases: Vec::new(),
            collaboration: collaboration_branch(s),
        })
    }

    /// The release deployed to production now (1 request).
    pub(crate) async fn current(s: &Session) -> AppResult<Option<ReleaseLink>> {
        Ok(list_production_releases(s, 1)
            .await?
            .current
            .map(|c| ReleaseLink {
                id: c.release_id,
                name: c.release_name,
                web_url: c.web_url,
            }))
    }

    fn release_for(&self, m: &TemplateMatch) -> Option<ReleaseLink> {
        if let Some(id) = m.release_id {
            return self.releases.iter().find(|r| r.id == id).map(link_of);
        }
        let label = m.release_label.as_deref()?;
        // Newest first: when two releases share a label, the newer one.
        self.releases
            .iter()
            .find(|r| crate::validate::release_label(&r.name).eq_ignore_ascii_case(label))
            .map(link_of)
    }

    /// True when the name points at the release running in production.
    fn is_current(&self, m: &TemplateMatch) -> bool {
        let Some(current) = &self.current else {
            return false;
        };
        m.release_id == Some(current.id)
            || m.release_label.as_deref().is_some_and(|l| {
                crate::validate::release_label(&current.name).eq_ignore_ascii_case(l)
            })
    }

    /// Reads the branch's stats and active pull requests (2 requests) and judges it.
    /// `known` is the release found for it at an earlier read, kept when the release list was not
    /// read again.
    pub(crate) async fn judge(
        &self,
        s: &Session,
        r: &GitRef,
        name: &str,
        m: &TemplateMatch,
        known: Option<&ReleaseLink>,
    ) -> AppResult<CleanupBranch> {
        let repo = s.repo()?;
        let stats = branch_stats(&repo, name, &self.collaboration).await?;
        let prs = active_pull_requests_from(&repo, name).await?;
        let active_pull_requests = pr_rows(s, prs);
        let mut b = CleanupBranch {
            name: name.to_owned(),
            object_id: r.object_id.to_ascii_lowercase(),
            web_url: branch_url(s, name),
            release_label: m
                .release_label
                .clone()
                .or(m.release_id.map(|i| i.to_string())),
            release: self.release_for(m).or_else(|| known.cloned()),
            release_is_current: self.is_current(m),
            ahead_count: stats.ahead_count,
            behind_count: stats.behind_count,
            merged: stats.ahead_count == 0,
            active_pull_requests,
            is_locked: r.is_locked,
            safe: false,
            reasons: Vec::new(),
            note: None,
        };
        self.verdict(&mut b, m);
        Ok(b)
    }

    /// Judges a listed branch again on what can change while it stays where it was: the release
    /// in production and its active pull requests (1 request; merged-ness only changes when the
    /// branch moves, which the deletion's `oldObjectId` catches).
    pub(crate) async fn recheck(
        &self,
        s: &Session,
        row: &CleanupBranch,
        m: &TemplateMatch,
    ) -> AppResult<CleanupBranch> {
        let repo = s.repo()?;
        let prs = active_pull_requests_from(&repo, &row.name).await?;
        let mut b = row.clone();
        b.active_pull_requests = pr_rows(s, prs);
        b.release_is_current = self.is_current(m);
        b.note = None;
        self.verdict(&mut b, m);
        Ok(b)
    }

    /// Fills `safe` and `reasons`.
    fn verdict(&self, b: &mut CleanupBranch, m: &TemplateMatch) {
        let mut reasons = Vec::new();
        if !m.names_a_release() {
            reasons.push(
                "Its name does not say which release it belongs to (the template has no {release} or {releaseId}), so the app cannot tell whether production still runs it.".to_owned(),
            );
        } else if self.current.is_none() {
            reasons.push("No release was found deployed to the production stage, so the app cannot tell whether this branch's release still runs there.".to_owned());
        } else if b.release_is_current {
            let name = self
                .current
                .as_ref()
                .map_or("Its release", |c| c.name.as_str());
            reasons.push(format!(
                "{name} is still the release in production: a hotfix of it may be needed again."
            ));
        }
        if !b.merged {
            reasons.push(format!(
                "{} commit(s) on this branch are not in {}: merge them back first, or the next release undoes the fix.",
                b.ahead_count, self.collaboration
            ));
        }
        if !b.active_pull_requests.is_empty() {
            let ids: Vec<String> = b
                .active_pull_requests
                .iter()
                .map(|p| format!("!{}", p.id))
                .collect();
            reasons.push(format!(
                "Active pull request {} from this branch: complete or abandon it first (deleting the branch would break it).",
                ids.join(", ")
            ));
        }
        if b.is_locked {
            reasons.push("The branch is locked in Azure Repos.".to_owned());
        }
        b.safe = reasons.is_empty();
        b.reasons = reasons;
    }
}

fn pr_rows(s: &Session, prs: Vec<crate::ado::cleanup::PullRequestRef>) -> Vec<ActivePullRequest> {
    prs.into_iter()
        .map(|p| ActivePullRequest {
            web_url: pull_request_url(s, p.pull_request_id),
            id: p.pull_request_id,
            title: p.title,
            target_branch: p
                .target_ref_name
                .trim_start_matches("refs/heads/")
                .to_owned(),
            created_by: p
                .created_by
                .map(|i| i.display_name)
                .filter(|n| !n.is_empty()),
        })
        .collect()
}

/// The profile's collaboration branch, short.
pub(crate) fn collaboration_branch(s: &Session) -> String {
    let b = s
        .profile()
        .collaboration_branch
        .trim()
        .trim_start_matches("refs/heads/");
    if b.is_empty() {
        "main".to_owned()
    } else {
        b.to_owned()
    }
}

fn repo_web(s: &Session) -> Option<String> {
    let p = s.profile();
    let (project, repo) = (p.project.as_ref()?, p.repository.as_ref()?);
    Some(format!(
        "{}/{}/_git/{}",
        p.organization_url.trim_end_matches('/'),
        crate::ado::encode_segment(&project.name),
        crate::ado::encode_segment(&repo.name)
    ))
}

pub(crate) fn branch_url(s: &Session, name: &str) -> Option<String> {
    repo_web(s).map(|r| format!("{r}?version=GB{}", crate::ado::encode_segment(name)))
}

pub(crate) fn pull_request_url(s: &Session, id: i32) -> Option<String> {
    repo_web(s).map(|r| format!("{r}/pullrequest/{id}"))
}

#[cfg(test)]
#[path = "step8_cleanup_tests.rs"]
mod tests;
