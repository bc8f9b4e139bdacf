//! [`HistoryEntry::from_run`]: the history entry of a saved run, one `From` per step state it
//! reads, so a field added to a step is added to the history in one place.

use super::entry::{
    HistoryCleanup, HistoryCommit, HistoryDeletedBranch, HistoryDeployment, HistoryEntry,
    HistoryKeptBranch, HistoryLink, HistoryPipeline, HistoryPlan, HistoryPullRequest,
    HistoryRelease, HistoryTriggerChange,
};
use crate::hotfix::run::{CommitInfo, HotfixRun, StepState};
use crate::hotfix::steps::step2_branch::HotfixBranch;
use crate::hotfix::steps::step5_deploy::AttemptKind;
use crate::hotfix::steps::step7_state::MergePullRequest;
use crate::hotfix::steps::step8_cleanup::{CleanupBranch, DeletedBranch};
use crate::hotfix::steps::{ConfirmState, DeployState};
use crate::pipeline::definition::SavedDefinition;
use crate::synapse::{DeployPlan, PlanItem};

impl From<&CommitInfo> for HistoryCommit {
    fn from(c: &CommitInfo) -> Self {
        Self {
            commit_id: c.commit_id.clone(),
            message: c.message.lines().next().unwrap_or("").trim().to_owned(),
            author: c.author_name.clone(),
            web_url: c.web_url.clone(),
        }
    }
}

impl From<&HotfixBranch> for HistoryLink {
    fn from(b: &HotfixBranch) -> Self {
        Self {
            name: b.name.clone(),
            web_url: b.web_url.clone(),
        }
    }
}

impl From<&DeployPlan> for HistoryPlan {
    fn from(p: &DeployPlan) -> Self {
        let names = |items: &[PlanItem]| {
            items
                .iter()
                .map(|i| format!("{} {}", i.artifact.kind.label(), i.artifact.name))
                .collect()
        };
        Self {
            create: names(&p.create),
            update: names(&p.update),
            delete: names(&p.delete),
        }
    }
}

impl From<&SavedDefinition> for HistoryPipeline {
    fn from(d: &SavedDefinition) -> Self {
        Self {
            definition_id: d.id,
            name: d.name.clone(),
            revision: d.revision,
            web_url: d.web_url.clone(),
        }
    }
}

impl From<&MergePullRequest> for HistoryPullRequest {
    fn from(p: &MergePullRequest) -> Self {
        Self {
            id: p.pull_request_id,
            target_branch: p.target.clone(),
            title: p.title.clone(),
            status: p.status.clone(),
            merge_status: Some(p.merge_status.clone()),
            web_url: Some(p.web_url.clone()),
        }
    }
}

impl From<&DeletedBranch> for HistoryDeletedBranch {
    fn from(d: &DeletedBranch) -> Self {
        Self {
            name: d.name.clone(),
            object_id: d.object_id.clone(),
            release_name: d.release_name.clone(),
            at: d.at,
        }
    }
}

impl From<&CleanupBranch> for HistoryKeptBranch {
    fn from(b: &CleanupBranch) -> Self {
        Self {
            name: b.name.clone(),
            reason: b
                .reasons
                .first()
                .cloned()
                .unwrap_or_else(|| "Safe to delete, but not picked.".to_owned()),
        }
    }
}

/// The fix's deployment (the latest one of the fix, not a rollback's): its release, result and
/// duration as last read, and who confirmed production afterwards.
fn deployment(deploy: &DeployState, confirm: &ConfirmState) -> Option<HistoryDeployment> {
    let a = deploy
        .attempts
        .iter()
        .rev()
        .find(|a| a.kind == AttemptKind::Deploy)?;
    // The live read has the service's own start and end of the stage; the attempt has the
    // app's request time and the end it saw.
    let live = deploy
        .live
        .as_ref()
        .filter(|l| l.attempt == a.attempt && deploy.current() == Some(a));
    let started_at = live.and_then(|l| l.started_at).or(Some(a.requested_at));
    let finished_at = live.and_then(|l| l.finished_at).or(a.finished_at);
    let duration_seconds = match (started_at, finished_at) {
        (Some(s), Some(f)) => Some((f - s).num_seconds().max(0)),
        _ => None,
    };
    let confirmed = confirm.release_id == Some(a.release_id) && confirm.attempt == a.attempt;
    Some(HistoryDeployment {
        release_id: a.release_id,
        release_name: a.release_name.clone(),
        web_url: a.web_url.clone(),
        commit_id: deploy
            .release
            .as_ref()
            .filter(|r| r.id == a.release_id)
            .map(|r| r.commit.clone()),
        result: a
            .result
            .map_or_else(|| "inProgress".to_owned(), |r| r.word().to_owned()),
        started_at,
        finished_at,
        duration_seconds,
        confirmed_by: confirm
            .confirmed_by
            .clone()
            .filter(|_| confirmed && confirm.all_passed()),
    })
}

/// Every trigger as the review found it and as step 6 read it after the deployment, marking the
/// ones the deployment stopped and started. `None` until production was checked after it.
fn trigger_changes(
    deploy: &DeployState,
    confirm: &ConfirmState,
) -> Option<Vec<HistoryTriggerChange>> {
    confirm.checked_at?;
    let before = deploy.basis.as_ref()?.triggers.as_ref()?;
    let stopped: Vec<&str> = deploy
        .release
        .as_ref()
        .map(|r| {
            r.triggers
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some(
        before
            .iter()
            .map(|t| HistoryTriggerChange {
                trigger: t.name.clone(),
                before: t.runtime_state.clone(),
                after: confirm
                    .trigger_diffs
                    .iter()
                    .find(|d| d.name == t.name)
                    .map_or_else(|| t.runtime_state.clone(), |d| d.now.clone()),
                stopped_for_deployment: stopped.contains(&t.name.as_str()),
            })
            .collect(),
    )
}

impl HistoryEntry {
    /// The entry of `run` as saved now.
    pub fn from_run(run: &HotfixRun) -> Self {
        let steps = &run.steps;
        let current = run.step(run.current_step);
        let cleanup = &steps.cleanup;
        let touched_cleanup = cleanup.listed_at.is_some() || !cleanup.deleted.is_empty();
        let prs = &steps.merge_back.pull_requests;
        Self {
            run_id: run.id.clone(),
            profile_id: run.profile_id.clone(),
            profile_name: run.profile.name.clone(),
            organization_url: run.profile.organization_url.clone(),
            project: run.profile.project.as_ref().map(|p| p.name.clone()),
            repository: run.profile.repository.as_ref().map(|r| r.name.clone()),
            prod_workspace: run.prod_workspace.clone(),
            status: run.status,
            current_step: run.current_step,
            current_step_title: run.current_step.title().to_owned(),
            current_step_state: current.map_or(StepState::Pending, |s| s.state),
            current_step_note: current.and_then(|s| s.note.clone()),
            started_by: run.started_by.clone(),
            finished_by: cleanup.finished_by.clone(),
            started_at: run.created_at,
            updated_at: run.updated_at,
            finished_at: cleanup.finished_at,
            release: steps.release.release.as_ref().map(|r| HistoryRelease {
                id: r.id,
                name: r.name.clone(),
                definition_id: r.definition_id,
                definition_name: run
                    .profile
                    .release_definition
                    .as_ref()
                    .filter(|d| d.id == r.definition_id)
                    .map(|d| d.name.clone()),
                web_url: r.web_url.clone(),
            }),
            release_commit: steps.release.commit.as_ref().map(Into::into),
            hotfix_branch: steps.branch.branch.as_ref().map(Into::into),
            fix_commits: steps.fix.commits.iter().map(Into::into).collect(),
            plan: steps.fix.plan.as_ref().map(Into::into),
            hotfix_pipeline: steps.pipeline.definition.as_ref().map(Into::into),
            deployment: deployment(&steps.deploy, &steps.confirm),
            trigger_changes: trigger_changes(&steps.deploy, &steps.confirm),
            pull_requests: (!prs.is_empty()).then(|| prs.iter().map(Into::into).collect()),
            cleanup: touched_cleanup.then(|| HistoryCleanup {
                deleted: cleanup.deleted.iter().map(Into::into).collect(),
                kept: cleanup.branches.iter().map(Into::into).collect(),
            }),
            run_available: true,
        }
    }
}

#[cfg(test)]
#[path = "from_run_tests.rs"]
mod tests;
