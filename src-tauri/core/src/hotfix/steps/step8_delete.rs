//! Step 8, deleting what the user picked, and finishing the run. Each deletion is one action
//! through the generic path (one write, then the save): first the branch is judged again on what
//! can change while it stays put (the current production release and its active pull requests —
//! a pull request opened since the list makes it unsafe, and it is not deleted), then
//! `POST …/refs` with the head as listed as `oldObjectId` and zeros as the new id. `succeeded` — deleted; `succeededNonExistentRef` —
//! already gone, fine; `staleOldObjectId` — it moved since the user saw it: read again and shown
//! with its new state, never deleted in that call. A failed or lost answer is never repeated: the
//! branch is read back and decides. Request budget per branch: 2 reads + 1 POST (+1 read after a
//! `staleOldObjectId` or an error, +3 to judge a moved branch again).

use chrono::Utc;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::step2_refs::results_in_error_body;
use super::step8_cleanup::{cleanup_reachable, own_branch, CleanupBranch, DeletedBranch, Facts};
use super::step8_template::BranchTemplate;
use super::{Action, StepCtx, StepId};
use crate::ado::git::{GitRef, RefUpdate, RefUpdateResult, ZERO_ID};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{EventLevel, HotfixRun, RunStatus, StepState};
use crate::hotfix::session::Session;

/// A branch the user ticked, with the head they saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BranchPick {
    pub name: String,
    pub object_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum DeleteOutcome {
    /// Deleted now.
    Deleted,
    /// Azure DevOps said it did not exist any more (`succeededNonExistentRef`, or gone on re-read).
    AlreadyGone,
    /// It moved since it was listed: read again and shown with its new state, not deleted.
    Moved,
    /// Judged again before deleting, it is not safe any more (e.g. a pull request was opened).
    NotSafe,
    /// Azure DevOps refused the deletion (locked, permission, policy); nothing changed.
    Refused,
}

/// What happened to one picked branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeleteResult {
    pub name: String,
    pub outcome: DeleteOutcome,
    /// One sentence for the user.
    pub message: String,
}

/// Deletes one listed, safe branch (not the run's own).
pub struct DeleteBranch {
    pub pick: BranchPick,
}

fn listed<'a>(run: &'a HotfixRun, name: &str) -> Option<&'a CleanupBranch> {
    run.steps
        .cleanup
        .branches
        .iter()
        .find(|b| b.name.eq_ignore_ascii_case(name))
}

impl Action for DeleteBranch {
    const STEP: StepId = StepId::Cleanup;
    type Output = DeleteResult;

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        cleanup_reachable(run)?;
        let name = &self.pick.name;
        if own_branch(run).is_some_and(|own| own.eq_ignore_ascii_case(name)) {
            return Err(AppError::new(
                ErrorCode::Precondition,
                format!("{name} is this hotfix's own branch; it is never deleted here."),
            ));
        }
        let Some(b) = listed(run, name) else {
            return Err(AppError::new(
                ErrorCode::Precondition,
                format!("{name} is not in the list of old hotfix branches. List them again and pick from the list."),
            ));
        };
        if !b.object_id.eq_ignore_ascii_case(&self.pick.object_id) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("{name} was read again since you picked it and is now at {}. Review it and pick it again.", short(&b.object_id)),
            ));
        }
        if !b.safe {
            return Err(AppError::new(
                ErrorCode::Precondition,
                format!("{name} is not safe to delete: {}", b.reasons.join(" ")),
            ));
        }
        Ok(())
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<DeleteResult> {
        let s = ctx.session;
        let row = listed(run, &self.pick.name).cloned().ok_or_else(|| {
            AppError::internal("the picked branch left the list during the deletion")
        })?;
        let name = row.name.clone();
        // Judge again on what may have changed without the branch moving.
        let template = BranchTemplate::parse(&run.profile.branch_template)?;
        let m = template.matches(&name).unwrap_or_default();
        let again = Facts::current_only(s).await?.recheck(s, &row, &m).await?;
        if !again.safe {
            let message = format!("{name} was not deleted: {}", again.reasons.join(" "));
            replace_row(run, again);
            return Ok(result(&name, DeleteOutcome::NotSafe, message));
        }
        let update = RefUpdate {
            name: format!("refs/heads/{name}"),
            old_object_id: row.object_id.clone(),
            new_object_id: ZERO_ID.to_owned(),
        };
        let repo = s.repo()?;
        let answer = match repo.update_ref(&update).await {
            Ok(r) => Ok(r),
            Err(e) => results_in_error_body(&e).ok_or_else(|| AppError::from(e)),
        };
        match answer {
            Ok(r) if r.success => {
                let gone = r
                    .update_status
                    .eq_ignore_ascii_case("succeededNonExistentRef");
                Ok(record_deleted(run, &row, gone))
            }
            Ok(r) if r.update_status.eq_ignore_ascii_case("staleOldObjectId") => {
                moved_or_gone(s, run, &row).await
            }
            Ok(r) => {
                let message = refused_message(&name, &r);
                if let Some(b) = run
                    .steps
                    .cleanup
                    .branches
                    .iter_mut()
                    .find(|b| b.name == name)
                {
                    b.note = Some(message.clone());
                }
                run.log_event(StepId::Cleanup, EventLevel::Warning, message.clone());
                Ok(result(&name, DeleteOutcome::Refused, message))
            }
            Err(err) => after_failed_post(s, run, &row, err).await,
        }
    }
}

fn result(name: &str, outcome: DeleteOutcome, message: String) -> DeleteResult {
    DeleteResult {
        name: name.to_owned(),
        outcome,
        message,
    }
}

fn short(sha: &str) -> &str {
    sha.get(..8).unwrap_or(sha)
}

/// Judges `r` again: the current release, its stats and pull requests (3 requests).
async fn rejudge(s: &Session, run: &HotfixRun, r: &GitRef) -> AppResult<CleanupBranch> {
    let name = r.name.trim_start_matches("refs/heads/");
    let template = BranchTemplate::parse(&run.profile.branch_template)?;
    let m = template.matches(name).unwrap_or_default();
    let known = listed(run, name).and_then(|b| b.release.clone());
    let facts = Facts::current_only(s).await?;
    facts.judge(s, r, name, &m, known.as_ref()).await
}

fn replace_row(run: &mut HotfixRun, b: CleanupBranch) {
    let rows = &mut run.steps.cleanup.branches;
    match rows
        .iter_mut()
        .find(|x| x.name.eq_ignore_ascii_case(&b.name))
    {
        Some(x) => *x = b,
        None => rows.push(b),
    }
}

fn record_deleted(run: &mut HotfixRun, row: &CleanupBranch, already_gone: bool) -> DeleteResult {
    let name = row.name.clone();
    run.steps
        .cleanup
        .branches
        .retain(|b| !b.name.eq_ignore_ascii_case(&name));
    run.steps.cleanup.deleted.push(DeletedBranch {
        name: name.clone(),
        object_id: row.object_id.clone(),
        release_name: row.release.as_ref().map(|r| r.name.clone()),
        at: Utc::now(),
        already_gone,
    });
    let (outcome, message) = if already_gone {
        (
            DeleteOutcome::AlreadyGone,
            format!("{name} was already deleted (by someone else or an earlier try)."),
        )
    } else {
        (
            DeleteOutcome::Deleted,
            format!(
                "{name} deleted (it was at {}; recreate it from that commit if needed).",
                short(&row.object_id)
            ),
        )
    };
    run.log_event(StepId::Cleanup, EventLevel::Info, message.clone());
    if run.step_state(StepId::Cleanup) == StepState::Failed {
        run.set_step(StepId::Cleanup, StepState::Active, None);
    }
    result(&name, outcome, message)
}

/// `staleOldObjectId`: read the branch again; gone → fine; elsewhere → shown again, not deleted.
async fn moved_or_gone(
    s: &Session,
    run: &mut HotfixRun,
    row: &CleanupBranch,
) -> AppResult<DeleteResult> {
    let repo = s.repo()?;
    match repo.branch(&row.name).await? {
        None => Ok(record_deleted(run, row, true)),
        Some(now) => Ok(show_moved(s, run, row, &now).await?),
    }
}

async fn show_moved(
    s: &Session,
    run: &mut HotfixRun,
    row: &CleanupBranch,
    now: &GitRef,
) -> AppResult<DeleteResult> {
    let mut again = rejudge(s, run, now).await?;
    let message = format!(
        "{} moved from {} to {} since it was listed, so it was not deleted. Review it again.",
        row.name,
        short(&row.object_id),
        short(&now.object_id)
    );
    again.note = Some(message.clone());
    replace_row(run, again);
    run.log_event(StepId::Cleanup, EventLevel::Warning, message.clone());
    Ok(result(&row.name, DeleteOutcome::Moved, message))
}

/// The POST failed or its answer was lost: the branch is read back, never deleted blindly again.
async fn after_failed_post(
    s: &Session,
    run: &mut HotfixRun,
    row: &CleanupBranch,
    err: AppError,
) -> AppResult<DeleteResult> {
    let repo = s.repo()?;
    match repo.branch(&row.name).await {
        Ok(None) => Ok(record_deleted(run, row, false)),
        Ok(Some(now)) if now.object_id.eq_ignore_ascii_case(&row.object_id) => Err(AppError::new(
            err.code,
            format!(
                "{} The branch {} is still there: it was not deleted and nothing changed. Try again.",
                err.message, row.name
            ),
        )
        .with_detail(err.detail.unwrap_or_default())),
        Ok(Some(now)) => show_moved(s, run, row, &now).await,
        Err(_) => Err(AppError::new(
            err.code,
            format!(
                "{} The app could not check whether {} was deleted; it reads it again before anything else when you retry.",
                err.message, row.name
            ),
        )
        .with_detail(err.detail.unwrap_or_default())),
    }
}

fn refused_message(name: &str, r: &RefUpdateResult) -> String {
    let custom = r
        .custom_message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .map(|m| format!(" Azure DevOps said: \"{m}\""))
        .unwrap_or_default();
    let text = match r.update_status.to_ascii_lowercase().as_str() {
        "locked" => format!("{name} is locked (locked): unlock it in Azure Repos first."),
        "forcepushrequired" | "writepermissionrequired" => format!(
            "You may not delete {name} ({}): deleting a branch needs the \"Force push (rewrite history, delete branches and tags)\" permission. Ask a project administrator.",
            r.update_status
        ),
        "rejectedbypolicy" => format!("A branch policy protects {name} (rejectedByPolicy); it stays."),
        "rejectedbyplugin" => format!("A server-side check refused deleting {name} (rejectedByPlugin)."),
        _ => format!("Azure DevOps did not delete {name} (updateStatus \"{}\").", r.update_status),
    };
    format!("{text}{custom} Nothing changed.")
}

/// Finishes the run: step 8 done, the run completed, who finished it recorded.
pub struct FinishRun;

impl Action for FinishRun {
    const STEP: StepId = StepId::Cleanup;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        cleanup_reachable(run)
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let who = ctx.session.signed_in_user().await;
        let now = Utc::now();
        let state = &mut run.steps.cleanup;
        state.finished_by.clone_from(&who);
        state.finished_at = Some(now);
        if run.started_by.is_none() {
            run.started_by.clone_from(&who);
        }
        let deleted = run.steps.cleanup.deleted.len();
        run.complete_step(StepId::Cleanup);
        run.status = RunStatus::Completed;
        run.log_event(
            StepId::Cleanup,
            EventLevel::Info,
            format!(
                "Hotfix completed{}; {deleted} old hotfix branch(es) deleted.",
                who.map(|w| format!(" by {w}")).unwrap_or_default()
            ),
        );
        Ok(())
    }
}
