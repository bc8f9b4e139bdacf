//! Step 8, judging an old hotfix branch: what the list reads once (the release in production,
//! the releases of the production definition, the collaboration branch), the reads per branch
//! (its stats against the collaboration branch and its active pull requests), and the verdict —
//! safe, or every reason why not. [`super::step8_cleanup`] lists; [`super::step8_delete`] judges
//! a picked branch again before deleting it.

use super::step1_release::list_production_releases;
use super::step8_cleanup::{ActivePullRequest, CleanupBranch, ReleaseLink};
use super::step8_template::TemplateMatch;
use crate::ado::cleanup::{active_pull_requests_from, branch_stats, definition_releases};
use crate::ado::git::GitRef;
use crate::ado::release::ReleaseShallow;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::session::Session;

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
#[path = "step8_judge_tests.rs"]
mod tests;
