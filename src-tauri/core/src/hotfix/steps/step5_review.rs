//! Step 5 — the review before deploying ([`ReviewProduction`]): what production will really
//! receive ([`crate::hotfix::review::review_production`]: the triggers as they run now, drift of
//! the live workspace, parameters left at their development values), saved on the run with the
//! [`ReviewBasis`] the deployment rests on (the commit, the time, the triggers as they were). The
//! first review also records the dev `main` head, which step 6 checks did not move.

use super::step5_deploy::{definition, fix_commit, not_in_progress, ReviewBasis, TriggerBefore};
use super::{Action, StepCtx, StepId};
use crate::error::AppResult;
use crate::hotfix::review::{self, CheckOutcome};
use crate::hotfix::run::{EventLevel, HotfixRun, StepState};
use crate::hotfix::session::Session;

/// Reads the head of the collaboration branch (`main`).
pub async fn main_head(s: &Session) -> AppResult<Option<String>> {
    let branch = s
        .profile()
        .collaboration_branch
        .trim()
        .trim_start_matches("refs/heads/")
        .to_owned();
    Ok(s.repo()?
        .branch(&branch)
        .await?
        .map(|r| r.object_id.to_ascii_lowercase()))
}

/// Reviews production for the fix commit and saves it with its basis.
pub struct ReviewProduction;

impl Action for ReviewProduction {
    const STEP: StepId = StepId::Deploy;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        fix_commit(run)?;
        definition(run)?;
        not_in_progress(run)
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let s = ctx.session;
        let commit = fix_commit(run)?;
        let (definition_id, ..) = definition(run)?;
        let review = review::review_production(s, run).await?;
        if run.steps.deploy.main_head.is_none() {
            run.steps.deploy.main_head = main_head(s).await?;
        }
        let triggers = match &review.triggers {
            CheckOutcome::Ran { result } => Some(
                result
                    .iter()
                    .map(|t| TriggerBefore {
                        name: t.name.clone(),
                        runtime_state: t.runtime_state.clone(),
                    })
                    .collect::<Vec<_>>(),
            ),
            CheckOutcome::NotRun { .. } => None,
        };
        let warnings = review.warnings();
        let started = review.started_triggers().map(|t| t.len());
        run.log_event(
            StepId::Deploy,
            if warnings.is_empty() {
                EventLevel::Info
            } else {
                EventLevel::Warning
            },
            format!(
                "Production reviewed for commit {}: {}{}.",
                &commit[..8],
                started.map_or_else(
                    || "the triggers could not be read".to_owned(),
                    |n| format!("{n} trigger(s) running")
                ),
                if warnings.is_empty() {
                    String::new()
                } else {
                    format!(", {} point(s) to check", warnings.len())
                }
            ),
        );
        let note = (!warnings.is_empty()).then(|| {
            format!(
                "{} point(s) of the review need your attention before deploying.",
                warnings.len()
            )
        });
        if run.step_state(StepId::Deploy) != StepState::Done {
            run.set_step(StepId::Deploy, StepState::Active, note);
        }
        let state = &mut run.steps.deploy;
        state.basis = Some(ReviewBasis {
            checked_at: review.checked_at,
            fix_commit: commit,
            definition_id,
            triggers,
        });
        state.review = Some(review);
        Ok(())
    }
}
