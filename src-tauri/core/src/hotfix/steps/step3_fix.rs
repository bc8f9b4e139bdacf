//! Step 3 — the fix. Where to make it (Synapse Studio on the development workspace, switched to the
//! hotfix branch), a cheap watch of the branch head, and what changed since the release commit as
//! Synapse artifacts with a readable diff each, plus the deploy plan.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use super::step3_changes::compute_changes;
use super::{Action, StepCtx, StepId};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{CommitInfo, EventLevel, HotfixRun, StepState};
use crate::hotfix::session::Session;
use crate::open_url;
use crate::profiles::Profile;
use crate::synapse::{ChangeSummary, DeployPlan};

/// Step 3's saved state: what the watch of the hotfix branch and the review found.
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

/// Lists the branch's new commits, the changed artifacts with their diffs, and the deploy plan.
pub struct RefreshChanges;

/// Marks the fix done, after checking the branch still is where the shown changes were computed,
/// has new commits, and that anything needing confirmation was confirmed (`acknowledge`).
pub struct CompleteFix {
    pub acknowledge: bool,
}

fn branch_done(run: &HotfixRun) -> AppResult<()> {
    if run.step_state(StepId::Branch) == StepState::Done {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::Precondition,
            "Create the hotfix branch (step 2) first.",
        ))
    }
}

impl Action for RefreshChanges {
    const STEP: StepId = StepId::Fix;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        branch_done(run)
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let s = ctx.session;
        let head = read_head(s, run).await?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "The hotfix branch no longer exists in Azure DevOps. Create it again in step 2.",
            )
        })?;
        let (commits, changes, plan) = compute_changes(s, run, &head).await?;
        let note = if commits.is_empty() {
            Some("No new commits on the hotfix branch yet.".to_owned())
        } else if plan.needs_acknowledgement {
            Some("Some changes need your confirmation (see the deploy plan).".to_owned())
        } else {
            None
        };
        if run.step_state(StepId::Fix) != StepState::Done {
            run.set_step(StepId::Fix, StepState::Active, note);
        }
        let fix = &mut run.steps.fix;
        fix.head = Some(head);
        fix.commits = commits;
        fix.changes = Some(changes);
        fix.plan = Some(plan);
        fix.acknowledged = false;
        fix.last_polled = Some(Utc::now());
        Ok(())
    }
}

impl Action for CompleteFix {
    const STEP: StepId = StepId::Fix;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        branch_done(run)
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let head = read_head(ctx.session, run).await?;
        if let Some(err) = completion_blocker(run, head.as_deref(), self.acknowledge) {
            return Err(err);
        }
        run.steps.fix.acknowledged = self.acknowledge;
        let headlines = run
            .steps
            .fix
            .changes
            .as_ref()
            .map(ChangeSummary::headlines)
            .unwrap_or_default();
        run.log_event(
            StepId::Fix,
            EventLevel::Info,
            format!("Fix ready: {}.", headlines.join(", ")),
        );
        run.complete_step(StepId::Fix);
        Ok(())
    }
}

/// Minimum time between two remote reads of the branch head for one run.
pub const POLL_INTERVAL_MS: u32 = 5_000;

/// Answer of one watch tick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BranchPoll {
    /// Head commit of the hotfix branch; `None` when the branch is gone.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// True when the head differs from the one the shown changes were computed for: call
    /// `hotfix_refresh_changes`.
    pub changed: bool,
    /// True when the branch has commits beyond the release commit.
    pub has_new_commits: bool,
    /// True when this answer was cached (asked again within 5 s): nothing was sent.
    pub from_cache: bool,
    pub polled_at: DateTime<Utc>,
    /// Milliseconds until the next tick may reach Azure DevOps.
    pub next_poll_in_ms: u32,
}

/// Where to make the fix, and what to tell the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StudioLink {
    pub url: String,
    pub instruction: String,
    /// Caveats (e.g. the development subscription was assumed to be the production one).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn branch_of(run: &HotfixRun) -> AppResult<&str> {
    run.steps
        .branch
        .branch
        .as_ref()
        .map(|b| b.name.as_str())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                "Create the hotfix branch (step 2) before making the fix.",
            )
        })
}

pub(super) fn release_sha(run: &HotfixRun) -> AppResult<&str> {
    run.steps
        .release
        .commit
        .as_ref()
        .map(|c| c.commit_id.as_str())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                "Resolve the production release commit (step 1) first.",
            )
        })
}

/// The label of the demo button in step 3 (`ui/src/lib/wizard/Step3Fix.svelte`, test id
/// `step3-demo-push`) that commits a sample fix; the demo instruction names it.
pub const DEMO_PUSH_BUTTON: &str = "Simulate Synapse Studio saving a fix";

/// The link that opens the fix environment, checked against the browser allowlist. In demo mode
/// (`demo_base` = the simulator's base URL) it is the branch page on the simulator.
pub fn studio_link(
    run: &HotfixRun,
    profile: &Profile,
    demo_base: Option<&Url>,
) -> AppResult<StudioLink> {
    let branch = branch_of(run)?;
    let p = profile;
    let instruction = format!(
        "In Synapse Studio, open the branch picker at the top left and switch from {} to {branch}. \
         Make the fix there and commit it (\"Commit\" or \"Commit all\"); do not publish. The app watches \
         {branch} and lists your commits here.",
        p.collaboration_branch
    );
    if p.simulated {
        let base = demo_base.ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                "The demo simulator is not running; restart demo mode and try again.",
            )
        })?;
        let (project, repo) = match (&p.project, &p.repository) {
            (Some(pr), Some(r)) => (pr.name.clone(), r.name.clone()),
            _ => {
                return Err(AppError::new(
                    ErrorCode::Precondition,
                    "The demo profile names no project or repository.",
                ))
            }
        };
        let url = format!(
            "{}/{}/_git/{}?version=GB{}",
            p.organization_url.trim_end_matches('/'),
            crate::ado::encode_segment(&project),
            crate::ado::encode_segment(&repo),
            crate::ado::encode_segment(branch)
        );
        let url = open_url::check(&url, Some(base))?;
        return Ok(StudioLink {
            url: url.to_string(),
            instruction: format!(
                "Demo mode has no real Synapse Studio. Click \"{DEMO_PUSH_BUTTON}\" below to commit a \
                 sample fix to {branch} as Studio would. Or use the simulated Studio page that opens: \
                 edit an artifact and commit it to {branch}. The app lists the commit here either way."
            ),
            note: None,
        });
    }
    if p.dev_workspace.trim().is_empty() {
        return Err(AppError::new(
            ErrorCode::Precondition,
            "The profile names no development workspace. Add it in Profile → Workspaces to open Synapse Studio.",
        ));
    }
    let dev = p.dev_location();
    let url =
        open_url::synapse_studio_url(dev.subscription_id, dev.resource_group, &p.dev_workspace);
    let url = open_url::check(url.as_str(), None)?;
    let assumed = match (dev.assumed_subscription, dev.assumed_resource_group) {
        (true, true) => Some("subscription and resource group"),
        (true, false) => Some("subscription"),
        (false, true) => Some("resource group"),
        (false, false) => None,
    };
    Ok(StudioLink {
        url: url.to_string(),
        instruction,
        note: assumed.map(|what| {
            format!(
                "The profile names no development {what}, so the link assumes the development \
                 workspace {} lives in the production {what}. If Studio cannot find it, add them \
                 in Profile → Workspaces or pick the workspace in Studio's workspace switcher.",
                p.dev_workspace
            )
        }),
    })
}

/// Reads the branch head (one request).
pub async fn read_head(s: &Session, run: &HotfixRun) -> AppResult<Option<String>> {
    let branch = branch_of(run)?;
    let repo = s.repo()?;
    Ok(repo
        .branch(branch)
        .await?
        .map(|r| r.object_id.to_ascii_lowercase()))
}

/// Builds the poll answer from a fresh head.
pub fn poll_answer(
    run: &HotfixRun,
    head: Option<String>,
    from_cache: bool,
    polled_at: DateTime<Utc>,
    wait_ms: u32,
) -> BranchPoll {
    let computed_for = run
        .steps
        .fix
        .changes
        .as_ref()
        .map(|c| c.target_commit.as_str());
    let release = run
        .steps
        .release
        .commit
        .as_ref()
        .map(|c| c.commit_id.as_str());
    BranchPoll {
        changed: head.as_deref() != computed_for,
        has_new_commits: head.is_some() && head.as_deref() != release,
        head,
        from_cache,
        polled_at,
        next_poll_in_ms: wait_ms,
    }
}

/// Why step 3 cannot be completed yet, if it cannot.
pub fn completion_blocker(
    run: &HotfixRun,
    head: Option<&str>,
    acknowledge: bool,
) -> Option<AppError> {
    let branch = run
        .steps
        .branch
        .branch
        .as_ref()
        .map_or("the hotfix branch", |b| b.name.as_str());
    let Some(head) = head else {
        return Some(AppError::new(
            ErrorCode::NotFound,
            format!("{branch} no longer exists in Azure DevOps. Create it again in step 2."),
        ));
    };
    let Some(changes) = run.steps.fix.changes.as_ref() else {
        return Some(AppError::new(
            ErrorCode::Precondition,
            "Load the changes of the hotfix branch first.",
        ));
    };
    if changes.target_commit != head {
        return Some(AppError::new(
            ErrorCode::Precondition,
            format!("{branch} moved since the changes were shown (now at {}). Review the new changes first.", head.get(..8).unwrap_or(head)),
        ));
    }
    if run.steps.fix.commits.is_empty()
        || run
            .steps
            .release
            .commit
            .as_ref()
            .is_some_and(|c| c.commit_id == head)
    {
        return Some(AppError::new(
            ErrorCode::Precondition,
            format!("{branch} has no new commits since the release commit. Make the fix in Synapse Studio on {branch} and commit it first."),
        ));
    }
    let plan = run.steps.fix.plan.as_ref()?;
    if plan.needs_acknowledgement && !acknowledge {
        let warnings: Vec<&str> = plan.warnings.iter().map(|w| w.message.as_str()).collect();
        return Some(
            AppError::new(
                ErrorCode::Precondition,
                "Some changes need your confirmation before going on (see the deploy plan). Confirm them to continue.",
            )
            .with_detail(warnings.join("\n")),
        );
    }
    None
}

#[cfg(test)]
#[path = "step3_fix_tests.rs"]
mod tests;
