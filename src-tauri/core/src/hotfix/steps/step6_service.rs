//! Steps 5 (review) and 6 on the service: review production, confirm after the deployment,
//! restore a trigger, roll back (followed like a deployment) and fix again. Each through
//! [`HotfixService::advance`] with its own action.

use std::sync::Arc;

use super::step5_deploy::AttemptKind;
use super::step5_review::ReviewProduction;
use super::step5_stage::StartStage;
use super::step6_checks::{ConfirmDeployment, RestoreTrigger};
use super::step6_rollback::ReopenFix;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::HotfixRun;
use crate::hotfix::service::HotfixService;
use crate::hotfix::session::Session;

impl HotfixService {
    /// Step 5: what production will receive, saved on the run (the basis of the deployment).
    pub async fn deploy_review(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        Ok(Box::pin(self.advance(s, id, ReviewProduction)).await?.0)
    }

    /// Step 6: checks production point by point after the latest deployment.
    pub async fn confirm(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        Ok(Box::pin(self.advance(s, id, ConfirmDeployment)).await?.0)
    }

    /// Step 6: puts `name` back in the state it had before the deployment (safe to repeat).
    pub async fn restore_trigger(&self, s: &Session, id: &str, name: &str) -> AppResult<HotfixRun> {
        let name = name.to_owned();
        Ok(Box::pin(self.advance(s, id, RestoreTrigger { name }))
            .await?
            .0)
    }

    /// Step 6: redeploys the production stage of the release that ran before the hotfix, after
    /// `typed` (the workspace name) was checked, and follows it like the deployment.
    pub async fn rollback(&self, s: &Arc<Session>, id: &str, typed: &str) -> AppResult<HotfixRun> {
        let run = self.get_run(id)?;
        let Some(target) = run.steps.confirm.rollback.clone() else {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "There is no release to roll back to: check production first (step 6).",
            ));
        };
        let start = StartStage {
            kind: AttemptKind::Rollback,
            release_id: target.release_id,
            release_name: target.release_name,
            web_url: target.web_url,
            environment_id: target.environment_id,
            typed: Some(typed.to_owned()),
        };
        let (run, ()) = Box::pin(self.advance(s, id, start)).await?;
        self.follow(s, &run)?;
        Ok(run)
    }

    /// Step 6 → 3: fix again after a failed deployment.
    pub async fn reopen_fix(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        Ok(Box::pin(self.advance(s, id, ReopenFix)).await?.0)
    }
}
