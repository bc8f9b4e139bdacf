//! Step 6 — the ways forward after a failed deployment: roll back by redeploying the production
//! stage of the release that ran before the hotfix ([`rollback_target`], then
//! [`super::step5_stage::StartStage`] with the typed confirmation: a new attempt on the old release,
//! followed like the deployment), or fix again ([`ReopenFix`]: step 3 opens again, the hotfix
//! pipeline of step 4 is kept, and the next deployment is a new release from the new commit).

use serde_json::Value;

use super::step5_deploy::err_of;
use super::step6_confirm::RollbackTarget;
use super::{Action, StepCtx, StepId};
use crate::ado::release_deploy as api;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{EventLevel, HotfixRun, StepState};
use crate::hotfix::session::Session;

/// Whether a stage snapshot's last toggle task starts every trigger (`ToggleOn` true, `Triggers`
/// `*` or not set, the task's default being `*`).
pub fn starts_all_triggers(env: &Value) -> bool {
    env["deployPhasesSnapshot"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["workflowTasks"].as_array().into_iter().flatten())
        .filter(|t| t["enabled"].as_bool().unwrap_or(true))
        .any(|t| {
            let inputs = &t["inputs"];
            let on = inputs["ToggleOn"].as_str();
            let triggers = inputs["Triggers"].as_str();
            on.is_some_and(|v| v.eq_ignore_ascii_case("true"))
                && triggers.is_none_or(|v| v.trim() == "*")
        })
}

/// The release production ran before the hotfix (the one step 1 found current, else the one the
/// hotfix was made from) and its production stage: one request.
pub async fn rollback_target(s: &Session, run: &HotfixRun) -> AppResult<Option<RollbackTarget>> {
    let Some(selected) = &run.steps.release.release else {
        return Ok(None);
    };
    let release_id = run
        .steps
        .release
        .current_production_release_id
        .unwrap_or(selected.id);
    let release = api::release_with_tasks(s.client(), s.project()?, release_id)
        .await
        .map_err(|e| err_of(&e))?;
    let Some(env) = release["environments"].as_array().and_then(|envs| {
        envs.iter().find(|e| {
            e["definitionEnvironmentId"].as_i64()
                == Some(i64::from(selected.definition_environment_id))
        })
    }) else {
        return Ok(None);
    };
    Ok(Some(RollbackTarget {
        release_id,
        release_name: release["name"].as_str().unwrap_or("").to_owned(),
        environment_id: i32::try_from(env["id"].as_i64().unwrap_or(0)).unwrap_or(0),
        stage_name: env["name"].as_str().unwrap_or("").to_owned(),
        web_url: release["_links"]["web"]["href"].as_str().map(str::to_owned),
        starts_all_triggers: starts_all_triggers(env),
    }))
}

/// After a failed deployment of the fix: open step 3 again to fix on the hotfix branch. The
/// hotfix pipeline stays as saved; the review is to be done again for the new commit.
pub struct ReopenFix;

impl Action for ReopenFix {
    const STEP: StepId = StepId::Confirm;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        match run.steps.deploy.current() {
            Some(a) if a.result.is_some_and(|r| !r.ok()) => Ok(()),
            Some(a) if a.result.is_none() => Err(AppError::new(
                ErrorCode::Conflict,
                "The deployment is still running; wait for it to end or cancel it first.",
            )),
            _ => Err(AppError::new(
                ErrorCode::Precondition,
                "Fixing again is offered after a failed deployment.",
            )),
        }
    }

    async fn advance(self, _ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        run.set_step(
            StepId::Fix,
            StepState::Active,
            Some("Fix again: commit on the hotfix branch, then record the fix.".into()),
        );
        run.set_step(StepId::Deploy, StepState::Pending, None);
        run.set_step(StepId::Confirm, StepState::Pending, None);
        run.current_step = StepId::Fix;
        run.steps.deploy.basis = None;
        run.log_event(
            StepId::Confirm,
            EventLevel::Info,
            "Fixing again after the failed deployment: the next deployment is a new release from \
             the new commit.",
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_start_task_with_star_or_no_list_starts_every_trigger() {
        let env = |inputs: Value| {
            json!({"deployPhasesSnapshot": [{"workflowTasks": [
                {"enabled": true, "inputs": {"ToggleOn": "false", "Triggers": "*"}},
                {"enabled": true, "inputs": inputs}]}]})
        };
        assert!(starts_all_triggers(&env(
            json!({"ToggleOn": "true", "Triggers": "*"})
        )));
        assert!(starts_all_triggers(&env(json!({"ToggleOn": "true"}))));
        assert!(!starts_all_triggers(&env(
            json!({"ToggleOn": "true", "Triggers": "tr_a,tr_b"})
        )));
        assert!(!starts_all_triggers(&env(json!({"operation": "deploy"}))));
    }
}
