//! The service operations of step 8 (clean up) and the run's end: list the old hotfix branches,
//! delete the picked ones (one action per branch, each saved before the next), finish the run,
//! and note who runs it.

use serde::Serialize;
use ts_rs::TS;

use super::step8_cleanup::ListCleanup;
use super::step8_delete::{BranchPick, DeleteBranch, DeleteResult, FinishRun};
use crate::error::AppResult;
use crate::hotfix::run::HotfixRun;
use crate::hotfix::service::HotfixService;
use crate::hotfix::session::Session;

/// The answer to a deletion: the run as saved, and what happened to each picked branch (in the
/// order picked; a global failure stops at that branch and is the error instead).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CleanupReport {
    pub run: HotfixRun,
    pub results: Vec<DeleteResult>,
}

impl HotfixService {
    /// Step 8: reads the old hotfix branches and saves them on the run (`run.steps.cleanup`).
    pub async fn cleanup_list(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        Ok(Box::pin(self.advance(s, id, ListCleanup)).await?.0)
    }

    /// Step 8: deletes the picked branches one by one. A branch that is not safe any more, moved,
    /// or was refused is reported in its result and the next one goes on; an error (Azure DevOps
    /// unreachable, a 500 that left the branch in place) stops there and is returned.
    pub async fn cleanup_delete(
        &self,
        s: &Session,
        id: &str,
        picks: Vec<BranchPick>,
    ) -> AppResult<CleanupReport> {
        if picks.is_empty() {
            return Err(crate::error::AppError::invalid_input(
                "Tick at least one branch to delete.",
            ));
        }
        let mut results = Vec::new();
        let mut run = self.get_run(id)?;
        for pick in picks {
            let (saved, r) = Box::pin(self.advance(s, id, DeleteBranch { pick })).await?;
            run = saved;
            results.push(r);
        }
        Ok(CleanupReport { run, results })
    }

    /// Finishes the run: step 8 done, the run `completed`, who finished it recorded. Nothing can
    /// change the run afterwards.
    pub async fn finish_run(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        Ok(Box::pin(self.advance(s, id, FinishRun)).await?.0)
    }

    /// Records who runs the hotfix (the session's signed-in user) when the run does not say yet.
    /// Informational: when the server does not tell, nothing changes.
    pub async fn note_started_by(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        let who = s.signed_in_user().await;
        self.update(id, |run| {
            if run.started_by.is_some() || who.is_none() {
                return false;
            }
            run.started_by.clone_from(&who);
            true
        })
        .await
    }
}
