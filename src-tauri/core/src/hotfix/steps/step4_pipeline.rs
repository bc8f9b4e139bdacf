//! Step 4 — the hotfix release pipeline. Three actions, each through the service's generic path:
//!
//! * [`RunPreflight`]: the pre-flight checks ([`crate::pipeline::preflight`]) with the run's own
//!   facts (hotfix branch, fix commits, plan acknowledged); the report is saved, the step stays
//!   active.
//! * [`PreviewDefinition`]: the definition as it will be saved ([`crate::pipeline::definition`]),
//!   after a passed pre-flight (re-run here when it is missing or out of date). A value the task
//!   catalogue refuses stops it before any request of its own.
//! * [`SaveDefinition`] (in [`super::step4_save`]): create, update or reuse it, as confirmed.
//!
//! The Synapse tasks of the catalogue are not saved on the run: the session remembers them from
//! the pre-flight, and a new session reads the catalogue again (one request).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Action, StepCtx, StepId};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{EventLevel, HotfixRun, StepState};
use crate::hotfix::session::Session;
use crate::pipeline::catalog::SynapseTasks;
use crate::pipeline::definition::{
    self, DefinitionFacts, DefinitionPlan, DefinitionPreview, DefinitionSpec, PreviewAction,
    SavedDefinition, StaleDefinition,
};
use crate::pipeline::preflight::{run_preflight, PreflightReport, RunFacts};
use crate::profiles::Profile;

pub use super::step4_save::SaveDefinition;

/// A pre-flight older than this is run again before the definition is previewed.
pub const PREFLIGHT_MAX_AGE_MINUTES: i64 = 30;

/// Step 4's saved state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PipelineState {
    /// The last pre-flight.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight: Option<PreflightReport>,
    /// What that pre-flight was run for (to tell when it is out of date).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight_basis: Option<PreflightBasis>,
    /// The definition as the user was shown it (what saving will do).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<DefinitionPreview>,
    /// The plan behind `preview`: exactly what saving sends. Kept on disk, not sent to the UI.
    #[ts(skip)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<DefinitionPlan>,
    /// The saved (or reused) definition: step 5 creates its releases.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<SavedDefinition>,
    /// The save was refused because someone changed the definition after it was read: what they
    /// changed, and the new preview to confirm.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale: Option<StaleDefinition>,
    /// Saved just before the create or update request; cleared with the result. When a run is
    /// resumed with it set, the definition is looked for first, never created twice.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<DefinitionIntent>,
}

/// What the last pre-flight checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PreflightBasis {
    pub checked_at: DateTime<Utc>,
    /// Head of the hotfix branch reviewed in step 3.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// The profile settings the checks depend on (organization, project, connection, queue,
    /// resource group), as one string.
    pub profile_key: String,
}

/// The save about to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DefinitionIntent {
    pub action: PreviewAction,
    pub name: String,
    pub branch: String,
    /// The definition updated (absent for a create).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_id: Option<i32>,
    /// The revision the update was built on.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i32>,
    pub at: DateTime<Utc>,
}

/// Runs the pre-flight checks and saves the report.
pub struct RunPreflight;

/// Builds the definition for the run and looks for an existing one; saves the preview.
pub struct PreviewDefinition;

pub(super) fn fix_done(run: &HotfixRun) -> AppResult<()> {
    if run.step_state(StepId::Fix) == StepState::Done {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::Precondition,
            "Finish the fix (step 3) first: the hotfix pipeline deploys its commits.",
        ))
    }
}

/// The run's facts for the pre-flight.
pub fn run_facts(run: &HotfixRun) -> RunFacts {
    let fix = &run.steps.fix;
    RunFacts {
        hotfix_branch: branch_name(run).to_owned(),
        fix_commit_count: u32::try_from(fix.commits.len()).unwrap_or(u32::MAX),
        plan_needs_ack: fix.plan.as_ref().is_some_and(|p| p.needs_acknowledgement),
        plan_acknowledged: fix.acknowledged,
    }
}

fn branch_name(run: &HotfixRun) -> &str {
    run.steps
        .branch
        .branch
        .as_ref()
        .map_or("", |b| b.name.as_str())
}

/// The run's facts for the definition.
pub fn definition_facts(run: &HotfixRun, report: &PreflightReport) -> DefinitionFacts {
    DefinitionFacts {
        hotfix_branch: branch_name(run).to_owned(),
        release_name: run
            .steps
            .release
            .release
            .as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        effective_resource_group: report.effective_resource_group.clone(),
    }
}

/// The profile settings the pre-flight depends on.
pub fn profile_key(p: &Profile) -> String {
    format!(
        "{}|{}|{}|{}|{}",
        p.organization_url.trim_end_matches('/'),
        p.project.as_ref().map_or("", |r| r.id.as_str()),
        p.service_connection.as_ref().map_or("", |r| r.id.as_str()),
        p.agent_queue.as_ref().map_or(0, |q| q.id),
        p.prod_resource_group.trim()
    )
}

/// Why the saved pre-flight cannot be used now, if it cannot.
pub fn preflight_out_of_date(
    state: &PipelineState,
    run: &HotfixRun,
    profile: &Profile,
    now: DateTime<Utc>,
) -> Option<&'static str> {
    let (Some(_), Some(basis)) = (&state.preflight, &state.preflight_basis) else {
        return Some("the checks have not run yet");
    };
    if basis.profile_key != profile_key(profile) {
        return Some("the profile changed since the checks ran");
    }
    if basis.head != run.steps.fix.head {
        return Some("the hotfix branch moved since the checks ran");
    }
    if now - basis.checked_at > Duration::minutes(PREFLIGHT_MAX_AGE_MINUTES) {
        return Some("the checks are older than 30 minutes");
    }
    None
}

/// Runs the checks, records the report on the run and remembers the catalogue's tasks.
async fn preflight(s: &Session, run: &mut HotfixRun) -> PreflightReport {
    let profile = s.profile();
    let report = run_preflight(s.client(), profile, &run_facts(run)).await;
    if let Some(t) = &report.tasks {
        s.remember_synapse_tasks(t);
    }
    let problems: Vec<&str> = report.problems().map(|c| c.title.as_str()).collect();
    let (level, message) = if problems.is_empty() {
        (
            EventLevel::Info,
            format!("Pre-flight: all {} checks passed.", report.checks.len()),
        )
    } else {
        (
            EventLevel::Warning,
            format!(
                "Pre-flight: {} of {} checks need attention ({}).",
                problems.len(),
                report.checks.len(),
                problems.join(", ")
            ),
        )
    };
    run.log_event(StepId::Pipeline, level, message);
    if run.step_state(StepId::Pipeline) != StepState::Done {
        let note = (!problems.is_empty()).then(|| {
            format!(
                "{} pre-flight check{} did not pass.",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            )
        });
        run.set_step(StepId::Pipeline, StepState::Active, note);
    }
    let state = &mut run.steps.pipeline;
    state.preflight = Some(report.clone());
    state.preflight_basis = Some(PreflightBasis {
        checked_at: Utc::now(),
        head: run.steps.fix.head.clone(),
        profile_key: profile_key(profile),
    });
    report
}

/// The error for a pre-flight that did not pass: what failed and what to do.
pub(super) fn preflight_failed(report: &PreflightReport) -> AppError {
    let lines: Vec<String> = report
        .problems()
        .map(|c| match &c.fix {
            Some(fix) => format!("{}: {} {}", c.title, c.detail, fix),
            None => format!("{}: {}", c.title, c.detail),
        })
        .collect();
    AppError::new(
        ErrorCode::Precondition,
        format!(
            "The pre-flight checks did not all pass ({}). Fix what they show, then run the checks \
             again; nothing was created.",
            report
                .problems()
                .map(|c| c.title.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .with_detail(lines.join("\n"))
}

impl Action for RunPreflight {
    const STEP: StepId = StepId::Pipeline;
    type Output = PreflightReport;

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        fix_done(run)
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<PreflightReport> {
        Ok(preflight(ctx.session, run).await)
    }
}

/// The plan for the run, from the current profile and `report`: the spec and the definition are
/// built first (a refused value stops here, before any request), then the existing definition of
/// the branch is looked for.
pub(super) async fn plan_for(
    s: &Session,
    run: &HotfixRun,
    report: &PreflightReport,
    tasks: &SynapseTasks,
) -> AppResult<DefinitionPlan> {
    let spec = DefinitionSpec::from_profile(s.profile(), &definition_facts(run, report))?;
    definition::plan(s.client(), &spec, tasks).await
}

fn preview_note(preview: &DefinitionPreview) -> String {
    match preview.action {
        PreviewAction::Create => format!("Review the pipeline {} and create it.", preview.name),
        PreviewAction::Update => format!(
            "The pipeline {} exists and differs in {} field{}: review and update it.",
            preview.name,
            preview.changes.len(),
            if preview.changes.len() == 1 { "" } else { "s" }
        ),
        PreviewAction::Reuse => format!(
            "The pipeline {} exists and is as the app would make it: confirm to use it.",
            preview.name
        ),
    }
}

impl Action for PreviewDefinition {
    const STEP: StepId = StepId::Pipeline;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        fix_done(run)
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let s = ctx.session;
        let state = &run.steps.pipeline;
        let (report, fresh) = match (
            preflight_out_of_date(state, run, s.profile(), Utc::now()),
            &state.preflight,
        ) {
            (None, Some(r)) => (r.clone(), false),
            _ => (preflight(s, run).await, true),
        };
        if !report.ok {
            if fresh {
                // Keep the report the user needs to see; the failure is recorded on top of it.
                ctx.save_intent(run)?;
            }
            return Err(preflight_failed(&report));
        }
        let tasks = match &report.tasks {
            Some(t) => t.clone(),
            None => s.synapse_tasks().await?,
        };
        let plan = plan_for(s, run, &report, &tasks).await?;
        let note = preview_note(&plan.preview);
        if run.step_state(StepId::Pipeline) != StepState::Done {
            run.set_step(StepId::Pipeline, StepState::Active, Some(note));
        }
        let state = &mut run.steps.pipeline;
        state.preview = Some(plan.preview.clone());
        state.plan = Some(plan);
        state.stale = None;
        Ok(())
    }
}

#[cfg(test)]
#[path = "step4_pipeline_tests.rs"]
mod tests;
