//! Step 5 — deploy the fix: its saved state ([`DeployState`]) and the rules its actions share
//! (the typed confirmation, a fresh review, the trigger list). The actions that write, each
//! through the service's generic path with an intent saved before its one write, are in
//! [`super::step5_release`] (the release pinned to the fix commit) and [`super::step5_stage`]
//! (start or cancel a stage deployment); the review in [`super::step5_review`], the watcher in
//! [`super::step5_watch`] and the service methods in [`super::step5_service`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::step5_status::{DeployResult, LiveDeployment};
use super::StepId;
use crate::ado::AdoError;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::review::ProductionReview;
use crate::hotfix::run::{HotfixRun, StepState};

/// A review older than this is run again before deploying.
pub const REVIEW_MAX_AGE_MINUTES: i64 = 15;

/// A trigger of the production workspace as the review found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TriggerBefore {
    pub name: String,
    /// `Started`, `Stopped` or `Disabled`.
    pub runtime_state: String,
}

impl TriggerBefore {
    pub fn started(&self) -> bool {
        self.runtime_state.eq_ignore_ascii_case("Started")
    }
}

/// What the last review established for the deployment: for which commit and when, the triggers
/// as they were (step 6 compares against them), and the dev `main` head then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReviewBasis {
    pub checked_at: DateTime<Utc>,
    pub fix_commit: String,
    pub definition_id: i32,
    /// The triggers of production when reviewed; `None` when that check could not run.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggers: Option<Vec<TriggerBefore>>,
}

/// Whether the deployment is the fix or a rollback to the release that ran before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum AttemptKind {
    Deploy,
    Rollback,
}

/// One release the run created (or found after an interrupted create) for the fix commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HotfixRelease {
    pub id: i32,
    pub name: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    /// The `Production_Hotfix` stage of the release (`releaseEnvironmentId`).
    pub environment_id: i32,
    pub definition_id: i32,
    /// The 40-character commit the release is pinned to.
    pub commit: String,
    /// `TriggersToStop` / `TriggersToStart` as sent (`a,b,c`).
    pub triggers: String,
    /// Found after an interrupted create, not created by this request.
    pub recovered: bool,
}

/// One stage deployment the run started (or found started).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeployAttempt {
    pub kind: AttemptKind,
    pub release_id: i32,
    pub release_name: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    pub environment_id: i32,
    pub stage_name: String,
    /// `deploySteps[].attempt` this deployment is.
    pub attempt: i32,
    pub requested_at: DateTime<Utc>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<DeployResult>,
}

impl DeployAttempt {
    pub fn finished(&self) -> bool {
        self.result.is_some()
    }
}

/// The write about to be sent, saved before it; cleared with its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[ts(export)]
pub enum DeployIntent {
    /// POST of the release of `commit`.
    CreateRelease {
        definition_id: i32,
        commit: String,
        at: DateTime<Utc>,
    },
    /// PATCH of the stage to `inProgress`; `attempts_before` = the highest attempt then.
    StartStage {
        deploy_kind: AttemptKind,
        release_id: i32,
        environment_id: i32,
        attempts_before: i32,
        at: DateTime<Utc>,
    },
}

/// The tail of the running task's log, read incrementally (`startLine`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LogTail {
    #[ts(type = "number")]
    pub task_id: i64,
    pub task_name: String,
    /// The last lines read (at most [`LOG_TAIL_LINES`]).
    pub lines: Vec<String>,
    /// The next line to read (lines before it were read).
    #[ts(type = "number")]
    pub next_line: u64,
}

/// Lines of the running task's log kept for the screen.
pub const LOG_TAIL_LINES: usize = 40;

/// Step 5's saved state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeployState {
    /// What production will really receive, as last reviewed (triggers, drift, parameters).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ProductionReview>,
    /// What the deployment decision rests on (commit, time, triggers as they were).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<ReviewBasis>,
    /// The dev `main` head when the run was first reviewed (step 6 checks it did not move).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_head: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<DeployIntent>,
    /// The release of the fix commit.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<HotfixRelease>,
    /// Every stage deployment started, oldest first (the fix, a redeploy, a rollback).
    #[serde(default)]
    pub attempts: Vec<DeployAttempt>,
    /// The latest attempt as last read.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<LiveDeployment>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_tail: Option<LogTail>,
}

impl DeployState {
    /// The latest stage deployment.
    pub fn current(&self) -> Option<&DeployAttempt> {
        self.attempts.last()
    }

    /// A started deployment that has not ended.
    pub fn in_progress(&self) -> Option<&DeployAttempt> {
        self.current().filter(|a| !a.finished())
    }
}

/// The user typed `typed` to confirm: it must be the production workspace name.
pub fn check_typed(run: &HotfixRun, typed: &str, what: &str) -> AppResult<()> {
    let want = run.prod_workspace.trim();
    if typed.trim() == want && !want.is_empty() {
        return Ok(());
    }
    let said = if typed.trim().is_empty() {
        "Nothing was typed".to_owned()
    } else {
        format!("You typed \"{}\"", typed.trim())
    };
    Err(AppError::invalid_input(format!(
        "{said}, which is not the production workspace name. Type {want} exactly to {what}; \
         nothing was sent."
    )))
}

pub(super) fn fix_commit(run: &HotfixRun) -> AppResult<String> {
    run.steps
        .fix
        .head
        .clone()
        .filter(|h| h.len() == 40)
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                "The fix commit is not known: finish step 3 (Fix) first.",
            )
        })
}

/// The hotfix definition and its stage, saved in step 4.
pub fn definition(run: &HotfixRun) -> AppResult<(i32, i32, String)> {
    let d = run
        .steps
        .pipeline
        .definition
        .as_ref()
        .filter(|_| run.step_state(StepId::Pipeline) == StepState::Done)
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                "Save the hotfix pipeline first (step 4): the deployment creates a release of it.",
            )
        })?;
    let stage = d.stage_id.ok_or_else(|| {
        AppError::new(
            ErrorCode::Precondition,
            format!(
                "The hotfix pipeline {} has no stage of the profile's stage name. Check the stage \
                 name in Profile → Hotfix pipeline and save the pipeline again (step 4).",
                d.name
            ),
        )
    })?;
    Ok((d.id, stage, d.name.clone()))
}

/// The review is for this commit and definition, recent enough, and listed the triggers.
pub fn fresh_basis(run: &HotfixRun, now: DateTime<Utc>) -> AppResult<&ReviewBasis> {
    let commit = fix_commit(run)?;
    let (definition_id, ..) = definition(run)?;
    let again = "Review production again; nothing was sent.";
    let Some(b) = &run.steps.deploy.basis else {
        return Err(AppError::new(
            ErrorCode::Precondition,
            format!("Review what production will receive before deploying. {again}"),
        ));
    };
    if b.fix_commit != commit || b.definition_id != definition_id {
        return Err(AppError::new(
            ErrorCode::Precondition,
            format!("The fix or the hotfix pipeline changed since the review. {again}"),
        ));
    }
    if now - b.checked_at > chrono::Duration::minutes(REVIEW_MAX_AGE_MINUTES) {
        return Err(AppError::new(
            ErrorCode::Precondition,
            format!(
                "The review is older than {REVIEW_MAX_AGE_MINUTES} minutes; production may have \
                 changed. {again}"
            ),
        ));
    }
    if b.triggers.is_none() {
        return Err(AppError::new(
            ErrorCode::Precondition,
            "The review could not read the triggers of production, so the app cannot tell \
             which ones to stop and start again (it never starts all of them). Make the trigger \
             check run (see the review), then review again; nothing was sent.",
        ));
    }
    Ok(b)
}

/// The triggers that run now, as the toggle tasks read them: `a,b,c`, no spaces, never `*`.
pub fn trigger_list(basis: &ReviewBasis) -> AppResult<String> {
    let started: Vec<&str> = basis
        .triggers
        .iter()
        .flatten()
        .filter(|t| t.started())
        .map(|t| t.name.as_str())
        .collect();
    if let Some(bad) = started
        .iter()
        .find(|n| n.contains(',') || n.trim() != **n || **n == "*")
    {
        return Err(AppError::invalid_input(format!(
            "The trigger name \"{bad}\" cannot be passed to the toggle task (it splits the list \
             on commas and does not trim). Rename the trigger in Synapse Studio; nothing was sent."
        )));
    }
    if started.is_empty() {
        return Err(AppError::new(
            ErrorCode::Precondition,
            "No trigger runs in production now. The hotfix pipeline's toggle tasks need at least \
             one trigger name (an empty list is refused, and `*` would start triggers that were \
             stopped on purpose). Disable the two toggle tasks of the hotfix pipeline in Azure \
             DevOps for this deployment, or start the trigger that should run, then review \
             again; nothing was sent.",
        ));
    }
    Ok(started.join(","))
}

pub(super) fn not_in_progress(run: &HotfixRun) -> AppResult<()> {
    match run.steps.deploy.in_progress() {
        Some(a) => Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "{} is still being deployed (attempt {}). Wait for it to end, or cancel it.",
                a.release_name, a.attempt
            ),
        )),
        None => Ok(()),
    }
}

pub(super) fn err_of(e: &AdoError) -> AppError {
    AppError::from(e.clone())
}
