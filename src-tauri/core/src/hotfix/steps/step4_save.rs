//! Step 4 — saving the hotfix definition the user confirmed ([`SaveDefinition`]).
//!
//! The plan shown in the preview is what is sent, and only when the user confirmed its revision
//! (`None` for a new definition). The intent is saved on the run before the create or update
//! request; a run resumed with an intent (the app stopped between the request and the save) looks
//! for the definition first — by repository and branch, as the preview does — and records the one
//! it finds instead of creating a second. A save refused as stale (someone changed the
//! definition after it was read) is not retried: the user sees what changed and confirms again.

use chrono::Utc;

use super::step4_pipeline::{definition_facts, fix_done, preflight_failed, DefinitionIntent};
use super::{Action, StepCtx, StepId};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{EventLevel, HotfixRun, StepState};
use crate::pipeline::definition::{
    self, ApplyOutcome, DefinitionPlan, DefinitionSpec, PreviewAction, SavedDefinition,
};

/// Creates, updates or reuses the previewed definition. `expected_revision` is the revision the
/// user confirmed (the preview's `revision`; `None` for a new definition).
pub struct SaveDefinition {
    pub expected_revision: Option<i32>,
}

fn plan_revision(plan: &DefinitionPlan) -> Option<i32> {
    plan.existing.as_ref().map(|e| e.revision)
}

fn revision_text(r: Option<i32>) -> String {
    r.map_or_else(|| "a new pipeline".to_owned(), |r| format!("revision {r}"))
}

/// What to do on a resumed save (an intent was saved and no result).
enum Resume {
    /// The earlier request did not land: send `plan` (built just now on what is there).
    Send(DefinitionPlan),
    /// The earlier request landed: the definition is as the app sent it.
    Found(DefinitionPlan),
    /// Something else is there now: show `plan` and let the user confirm again.
    Changed(DefinitionPlan),
}

fn resume(intent: &DefinitionIntent, fresh: DefinitionPlan) -> Resume {
    if fresh.preview.action == PreviewAction::Reuse {
        return Resume::Found(fresh);
    }
    let unchanged = match (intent.action, &fresh.existing) {
        (PreviewAction::Create, None) => true,
        (PreviewAction::Update, Some(e)) => {
            Some(e.id) == intent.definition_id && Some(e.revision) == intent.revision
        }
        _ => false,
    };
    if unchanged {
        Resume::Send(fresh)
    } else {
        Resume::Changed(fresh)
    }
}

impl Action for SaveDefinition {
    const STEP: StepId = StepId::Pipeline;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        fix_done(run)?;
        let state = &run.steps.pipeline;
        let Some(plan) = &state.plan else {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "Preview the hotfix pipeline first: the app saves only what you were shown.",
            ));
        };
        match &state.preflight {
            Some(r) if r.ok => {}
            Some(r) => return Err(preflight_failed(r)),
            None => {
                return Err(AppError::new(
                    ErrorCode::Precondition,
                    "Run the pre-flight checks first.",
                ))
            }
        }
        let shown = plan_revision(plan);
        if self.expected_revision != shown {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "You confirmed {} but the preview now shows {}. Review the preview and save \
                     again; nothing was sent.",
                    revision_text(self.expected_revision),
                    revision_text(shown)
                ),
            ));
        }
        Ok(())
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let s = ctx.session;
        let state = &run.steps.pipeline;
        let (Some(plan), Some(report)) = (state.plan.clone(), state.preflight.clone()) else {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "Preview the hotfix pipeline first.",
            ));
        };
        let spec = DefinitionSpec::from_profile(s.profile(), &definition_facts(run, &report))?;
        if spec != plan.spec {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "The profile or the run changed since the preview, so it no longer shows what \
                 would be saved. Preview the pipeline again; nothing was sent.",
            ));
        }
        let tasks = s.synapse_tasks().await?;
        let intent = state.intent.clone();
        let (plan, resumed) = match &intent {
            None => (plan, false),
            Some(i) => match resume(i, definition::plan(s.client(), &spec, &tasks).await?) {
                Resume::Send(p) | Resume::Found(p) => (p, true),
                Resume::Changed(p) => {
                    let note = format!(
                        "The pipeline {} is not as the interrupted save would have left it: review \
                         the new preview and save again.",
                        p.preview.name
                    );
                    run.log_event(StepId::Pipeline, EventLevel::Warning, note.clone());
                    run.set_step(StepId::Pipeline, StepState::Active, Some(note));
                    let state = &mut run.steps.pipeline;
                    state.preview = Some(p.preview.clone());
                    state.plan = Some(p);
                    state.intent = None;
                    state.stale = None;
                    return Ok(());
                }
            },
        };
        if plan.preview.action != PreviewAction::Reuse {
            run.steps.pipeline.intent = Some(DefinitionIntent {
                action: plan.preview.action,
                name: plan.spec.name.clone(),
                branch: plan.spec.branch.clone(),
                definition_id: plan.existing.as_ref().map(|e| e.id),
                revision: plan_revision(&plan),
                at: Utc::now(),
            });
            ctx.save_intent(run)?;
        }
        let outcome = definition::apply(s.client(), &tasks, &plan).await?;
        record(run, outcome, intent.as_ref().filter(|_| resumed));
        Ok(())
    }
}

/// Records what the save did; `resumed` = the intent of the interrupted save this one finished.
fn record(run: &mut HotfixRun, outcome: ApplyOutcome, resumed: Option<&DefinitionIntent>) {
    let (verb, mut saved): (&str, SavedDefinition) = match outcome {
        ApplyOutcome::Created(d) => ("created", d),
        ApplyOutcome::Updated(d) => ("updated", d),
        ApplyOutcome::Reused(d) => match resumed.map(|i| i.action) {
            Some(PreviewAction::Create) => ("created", d),
            Some(PreviewAction::Update) => ("updated", d),
            _ => ("reused", d),
        },
        ApplyOutcome::Stale { report, plan } => {
            let who = report
                .modified_by
                .as_deref()
                .map(|w| format!(" by {w}"))
                .unwrap_or_default();
            let note = format!(
                "The pipeline {} was changed{who} after it was read (revision {} → {}); nothing \
                 was saved. Review what changed and save again.",
                report.name, report.read_revision, report.current_revision
            );
            run.log_event(StepId::Pipeline, EventLevel::Warning, note.clone());
            run.set_step(StepId::Pipeline, StepState::Active, Some(note));
            let state = &mut run.steps.pipeline;
            state.preview = Some(report.preview.clone());
            state.plan = Some(*plan);
            state.stale = Some(*report);
            state.intent = None;
            return;
        }
    };
    if resumed.is_some() {
        saved.recovered = true;
    }
    let found = if saved.recovered {
        " (found after an interrupted save)"
    } else {
        ""
    };
    run.log_event(
        StepId::Pipeline,
        EventLevel::Info,
        format!(
            "Hotfix pipeline {} {verb}{found}: id {}, revision {}.",
            saved.name, saved.id, saved.revision
        ),
    );
    if saved.stage_id.is_none() {
        run.log_event(
            StepId::Pipeline,
            EventLevel::Warning,
            "The saved pipeline has no stage of the profile's stage name; step 5 cannot deploy \
             with it. Check the stage name in Profile → Hotfix pipeline.",
        );
    }
    let state = &mut run.steps.pipeline;
    if let Some(p) = &mut state.preview {
        p.definition_id = Some(saved.id);
        p.revision = Some(saved.revision);
        p.web_url.clone_from(&saved.web_url);
    }
    state.definition = Some(saved);
    state.plan = None;
    state.stale = None;
    state.intent = None;
    run.complete_step(StepId::Pipeline);
}
