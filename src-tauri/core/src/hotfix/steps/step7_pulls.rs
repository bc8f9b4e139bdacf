//! Step 7 — the pull requests of the merge-back ([`OpenPullRequests`]) and reading them again
//! ([`read_pull_requests`]).
//!
//! One pull request per ticked target that lacks the fix, from the hotfix branch, never set to
//! delete it (several pull requests share it). Every create is preceded by a read of the active
//! pull requests for the same branches: one found is reused. The target is saved on the run
//! before the create, and the create is never repeated blindly: a `TF401179` (409, one exists
//! already) or an error or lost answer is followed by a read, and a pull request found is used;
//! none found is an error saying nothing was created. `TF401398` (the target branch is gone) is
//! said as such and the targets are listed again.

use chrono::Utc;

use super::step7_merge::{
    compute_listing, confirmed, fix_commit, hotfix_branch, record_listing, sync, CacheAccess,
};
use super::step7_state::{MergePullRequest, PullRequestIntent, PullRequestOrigin};
use super::step7_text;
use super::{Action, StepCtx, StepId};
use crate::ado::git::GitRepoApi;
use crate::ado::pulls::{self, GitPullRequest, NewPullRequest, WorkItemRef};
use crate::ado::{AdoError, AdoErrorKind};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{EventLevel, HotfixRun, StepState};
use crate::hotfix::session::Session;

/// Opens (or finds) the pull requests of the ticked targets. `work_items` are linked to new ones.
pub struct OpenPullRequests {
    pub access: CacheAccess,
    pub work_items: Vec<i32>,
}

fn as_merge_pr(
    pr: &GitPullRequest,
    target: &str,
    origin: PullRequestOrigin,
    repo_web: &str,
) -> MergePullRequest {
    MergePullRequest {
        target: target.to_owned(),
        pull_request_id: pr.pull_request_id,
        title: pr.title.clone(),
        status: if pr.status.is_empty() {
            "active".to_owned()
        } else {
            pr.status.clone()
        },
        merge_status: pr
            .merge_status
            .clone()
            .unwrap_or_else(|| "notSet".to_owned()),
        merge_failure_message: pr.merge_failure_message.clone(),
        web_url: pulls::web_url(pr, repo_web),
        origin,
        read_at: Utc::now(),
    }
}

/// Records `pr` as the target's pull request (replacing an older record of it).
fn record(run: &mut HotfixRun, pr: MergePullRequest) {
    let verb = match pr.origin {
        PullRequestOrigin::Created => "opened",
        PullRequestOrigin::Reused => "found open already and reused",
        PullRequestOrigin::Recovered => "found after an interrupted create",
    };
    run.log_event(
        StepId::MergeBack,
        EventLevel::Info,
        format!(
            "Pull request {} into {} {verb}.",
            pr.pull_request_id, pr.target
        ),
    );
    let list = &mut run.steps.merge_back.pull_requests;
    list.retain(|p| p.target != pr.target);
    list.push(pr);
}

/// The origin of a pull request found by the read before a create.
fn found_origin(run: &HotfixRun, target: &str, id: i32) -> PullRequestOrigin {
    let state = &run.steps.merge_back;
    if let Some(known) = state
        .pull_request(target)
        .filter(|p| p.pull_request_id == id)
    {
        return known.origin;
    }
    if state.intent.as_ref().is_some_and(|i| i.target == target) {
        PullRequestOrigin::Recovered
    } else {
        PullRequestOrigin::Reused
    }
}

enum Created {
    Done(MergePullRequest),
    /// `TF401398`: the target branch is gone.
    Gone,
}

async fn reread(
    repo: &GitRepoApi,
    source: &str,
    target: &str,
) -> AppResult<Option<GitPullRequest>> {
    Ok(repo
        .active_pull_requests(source, target)
        .await?
        .into_iter()
        .next())
}

/// Creates the target's pull request after the read found none, and reads again on any
/// failure instead of repeating the create.
async fn create(
    s: &Session,
    run: &HotfixRun,
    repo: &GitRepoApi,
    body: &NewPullRequest,
    target: &str,
    repo_web: &str,
) -> AppResult<Created> {
    let source = hotfix_branch(run)?;
    let failed: AdoError = match repo.create_pull_request(body).await {
        Ok(pr) => {
            return Ok(Created::Done(as_merge_pr(
                &pr,
                target,
                PullRequestOrigin::Created,
                repo_web,
            )))
        }
        Err(e) if e.vss_code() == Some(pulls::TF_BRANCH_MISSING) => return Ok(Created::Gone),
        Err(e) => e,
    };
    let exists = failed.vss_code() == Some(pulls::TF_PR_EXISTS);
    let origin = if exists {
        PullRequestOrigin::Reused
    } else {
        PullRequestOrigin::Recovered
    };
    let found = reread(repo, &source, target).await.map_err(|read| {
        AppError::new(
            read.code,
            format!(
                "Opening the pull request into {target} failed, and reading the pull requests \
                 again failed too ({}), so the app cannot tell whether it was created. Open the \
                 pull requests again: the app looks for it first and never opens a second one.",
                read.message
            ),
        )
    })?;
    match found {
        Some(pr) => Ok(Created::Done(as_merge_pr(&pr, target, origin, repo_web))),
        None => {
            let reason = match failed.kind() {
                AdoErrorKind::ConnectionBroken { .. } => {
                    "the connection broke before its answer arrived".to_owned()
                }
                _ => AppError::from(failed.clone().with_org(s.client().org_url_str())).message,
            };
            let err = AppError::from(failed.with_org(s.client().org_url_str()));
            Err(AppError::new(
                if exists {
                    ErrorCode::Conflict
                } else {
                    err.code
                },
                format!(
                    "Azure DevOps did not open the pull request into {target} ({}). The app read \
                     the pull requests again and none was created, so nothing is duplicated. Open \
                     the pull requests again in a moment.",
                    reason.trim_end_matches('.')
                ),
            )
            .with_detail(err.detail.unwrap_or_default()))
        }
    }
}

impl Action for OpenPullRequests {
    const STEP: StepId = StepId::MergeBack;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        confirmed(run)?;
        let state = &run.steps.merge_back;
        if state.selected.is_empty() {
            return Err(AppError::invalid_input(
                "Tick at least one branch to merge the fix into, and preview the merges.",
            ));
        }
        if let Some(missing) = state.selected.iter().find(|t| state.preview(t).is_none()) {
            return Err(AppError::new(
                ErrorCode::Precondition,
                format!(
                    "Preview the merges first: there is no conflict preview for {missing} yet."
                ),
            ));
        }
        if let Some(bad) = self.work_items.iter().find(|w| **w <= 0) {
            return Err(AppError::invalid_input(format!(
                "{bad} is not a work item id; work item ids are positive numbers."
            )));
        }
        Ok(())
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let s = ctx.session;
        let repo = s.repo()?;
        let source = hotfix_branch(run)?;
        let fix = fix_commit(run)?;
        let repo_web = super::step7_merge::clone_url(s)?;
        run.steps.merge_back.work_items.clone_from(&self.work_items);
        let mut gone = Vec::new();
        for target in run.steps.merge_back.selected.clone() {
            if run.steps.merge_back.has_fix(&target) {
                continue;
            }
            if let Some(pr) = reread(&repo, &source, &target).await? {
                let origin = found_origin(run, &target, pr.pull_request_id);
                record(run, as_merge_pr(&pr, &target, origin, &repo_web));
                let state = &mut run.steps.merge_back;
                if state.intent.as_ref().is_some_and(|i| i.target == target) {
                    state.intent = None;
                }
                continue;
            }
            let body = NewPullRequest {
                source_ref_name: format!("refs/heads/{source}"),
                target_ref_name: format!("refs/heads/{target}"),
                title: step7_text::title(run, &source, &target),
                description: step7_text::description(run, &source, &fix, &target),
                is_draft: false,
                work_item_refs: self
                    .work_items
                    .iter()
                    .map(|w| WorkItemRef { id: w.to_string() })
                    .collect(),
            };
            run.steps.merge_back.intent = Some(PullRequestIntent {
                target: target.clone(),
                at: Utc::now(),
            });
            ctx.save_intent(run)?;
            let outcome = create(s, run, &repo, &body, &target, &repo_web).await;
            run.steps.merge_back.intent = None;
            match outcome {
                Ok(Created::Done(pr)) => record(run, pr),
                Ok(Created::Gone) => gone.push(target),
                Err(e) => {
                    ctx.save_intent(run)?;
                    return Err(e);
                }
            }
        }
        if !gone.is_empty() {
            return Err(target_gone(ctx, run, &self.access, &gone).await);
        }
        let state = &run.steps.merge_back;
        let waiting = state.selected.iter().filter(|t| !state.has_fix(t)).count();
        let note = if waiting == 0 {
            "Every ticked branch has the fix.".to_owned()
        } else {
            format!(
                "{waiting} pull request{} open: the fix is merged back once {} completed.",
                if waiting == 1 { "" } else { "s" },
                if waiting == 1 { "it is" } else { "they are" }
            )
        };
        run.complete_step(StepId::MergeBack);
        run.set_step(StepId::MergeBack, StepState::Done, Some(note));
        Ok(())
    }
}

/// `TF401398` for `gone`: the targets are listed again (saved), and the error says so.
async fn target_gone(
    ctx: &StepCtx<'_>,
    run: &mut HotfixRun,
    access: &CacheAccess,
    gone: &[String],
) -> AppError {
    let names = gone.join(", ");
    let relisted = async {
        let synced = sync(ctx.session, access).await?;
        compute_listing(ctx.session, run, access, &synced).await
    }
    .await;
    let state = &mut run.steps.merge_back;
    state.selected.retain(|t| !gone.contains(t));
    state.previews.retain(|p| !gone.contains(&p.target));
    let relist_note = match relisted {
        Ok(listing) => {
            record_listing(run, listing);
            "The targets were listed again without it".to_owned()
        }
        Err(e) => format!(
            "Listing the targets again failed too ({}); list them again",
            e.message.trim_end_matches('.')
        ),
    };
    run.log_event(
        StepId::MergeBack,
        EventLevel::Warning,
        format!(
            "Target branch {names} no longer exists (TF401398); no pull request was opened for it."
        ),
    );
    let saved = ctx.save_intent(run);
    let err = AppError::new(
        ErrorCode::Conflict,
        format!(
            "The branch {names} no longer exists in Azure DevOps (TF401398: it was deleted after \
             the targets were listed), so no pull request was opened into it. {relist_note}; \
             the pull requests of the other targets are kept. Check the ticks and open the pull \
             requests again."
        ),
    );
    match saved {
        Ok(()) => err,
        Err(e) => AppError::new(e.code, format!("{} {}", err.message, e.message)),
    }
}

/// Reads each pull request of the merge-back that is still active (one request each).
pub(super) async fn read_pull_requests(
    s: &Session,
    run: &HotfixRun,
) -> AppResult<Vec<MergePullRequest>> {
    let repo = s.repo()?;
    let repo_web = super::step7_merge::clone_url(s)?;
    let mut out = Vec::new();
    for known in &run.steps.merge_back.pull_requests {
        if !known.active() {
            out.push(known.clone());
            continue;
        }
        let pr = repo.pull_request(known.pull_request_id).await?;
        out.push(as_merge_pr(&pr, &known.target, known.origin, &repo_web));
    }
    Ok(out)
}
