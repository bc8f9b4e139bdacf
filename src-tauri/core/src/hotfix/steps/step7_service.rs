//! The step-7 operations the commands call ([`HotfixService`] methods): list the targets,
//! preview the merges, open the pull requests, read them again, tag the fix commit. The actions
//! run through the generic path ([`HotfixService::advance`]); a clone or fetch of the cached
//! repository reports [`GitProgress`] to the run observer (the app emits it as an event).
//! Reading the pull requests again works on finished runs too (the run list's "not merged back"
//! clears once they are completed) and is answered from the run within
//! [`REFRESH_MIN_INTERVAL_MS`] of the last read.

use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::step7_merge::{CacheAccess, ListTargets, PreviewConflicts};
use super::step7_pulls::{read_pull_requests, OpenPullRequests};
use super::step7_tag::TagFixCommit;
use super::StepId;
use crate::error::AppResult;
use crate::git::{CachePhase, CacheProgress, GitCache};
use crate::hotfix::run::{EventLevel, HotfixRun};
use crate::hotfix::service::HotfixService;
use crate::hotfix::session::Session;

/// Pull requests are read at most once per this many milliseconds per run.
pub const REFRESH_MIN_INTERVAL_MS: u32 = 5000;

/// Progress of a clone or fetch of the run's cached repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GitProgress {
    pub run_id: String,
    pub phase: CachePhase,
    pub received_objects: u32,
    pub total_objects: u32,
    #[ts(type = "number")]
    pub received_bytes: u64,
    /// "Fetching the repository: 120 of 400 objects".
    pub message: String,
}

impl GitProgress {
    fn new(run_id: &str, p: &CacheProgress) -> Self {
        let what = match p.phase {
            CachePhase::Cloning => "Copying the repository",
            CachePhase::Fetching => "Fetching the latest commits",
            CachePhase::Recloning => "Copying the repository again (the old copy was damaged)",
        };
        Self {
            run_id: run_id.to_owned(),
            phase: p.phase,
            received_objects: p.received_objects,
            total_objects: p.total_objects,
            received_bytes: p.received_bytes,
            message: format!(
                "{what}: {} of {} objects",
                p.received_objects, p.total_objects
            ),
        }
    }
}

impl HotfixService {
    /// Keeps the cached clones under `dir` (the app's cache folder).
    #[must_use]
    pub fn with_cache_dir(mut self, dir: &Path) -> Self {
        self.git_cache = Arc::new(GitCache::new(dir));
        self
    }

    /// The cached clones.
    pub fn git_cache(&self) -> &GitCache {
        &self.git_cache
    }

    fn cache_access(&self, run_id: &str) -> CacheAccess {
        let core = Arc::clone(&self.core);
        let run_id = run_id.to_owned();
        CacheAccess {
            cache: Arc::clone(&self.git_cache),
            progress: Arc::new(move |p: CacheProgress| {
                if let Some(o) = core.observer() {
                    o.git_progress(&GitProgress::new(&run_id, &p));
                }
            }),
        }
    }

    /// Fetches the cached clone and lists the merge-back targets.
    pub async fn merge_back_list_targets(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        let access = self.cache_access(id);
        Ok(Box::pin(self.advance(s, id, ListTargets { access }))
            .await?
            .0)
    }

    /// Ticks `targets` and computes their conflict preview (after a fetch).
    pub async fn merge_back_preview(
        &self,
        s: &Session,
        id: &str,
        targets: Vec<String>,
    ) -> AppResult<HotfixRun> {
        let access = self.cache_access(id);
        let action = PreviewConflicts { access, targets };
        Ok(Box::pin(self.advance(s, id, action)).await?.0)
    }

    /// Opens (or finds) one pull request per ticked target lacking the fix.
    pub async fn merge_back_open_pull_requests(
        &self,
        s: &Session,
        id: &str,
        work_items: Vec<i32>,
    ) -> AppResult<HotfixRun> {
        let access = self.cache_access(id);
        let action = OpenPullRequests { access, work_items };
        Ok(Box::pin(self.advance(s, id, action)).await?.0)
    }

    /// Tags the deployed fix commit with the profile's template (or finds the tag).
    pub async fn merge_back_tag(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        Ok(Box::pin(self.advance(s, id, TagFixCommit)).await?.0)
    }

    /// Reads the merge-back pull requests again (status, `mergeStatus`); answered from the run
    /// within [`REFRESH_MIN_INTERVAL_MS`] of the last read.
    pub async fn merge_back_refresh(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        let run = self.store().get(id)?;
        let state = &run.steps.merge_back;
        let recent = state.refreshed_at.is_some_and(|at| {
            Utc::now() - at < Duration::milliseconds(i64::from(REFRESH_MIN_INTERVAL_MS))
        });
        if recent || !state.pull_requests.iter().any(|p| p.active()) {
            return Ok(run);
        }
        let fresh = read_pull_requests(s, &run).await?;
        self.update(id, move |run| {
            let state = &mut run.steps.merge_back;
            let mut events = Vec::new();
            for pr in fresh {
                if let Some(old) = state
                    .pull_requests
                    .iter_mut()
                    .find(|p| p.pull_request_id == pr.pull_request_id)
                {
                    if old.status != pr.status {
                        events.push(format!(
                            "Pull request {} into {} is now {}.",
                            pr.pull_request_id, pr.target, pr.status
                        ));
                    }
                    *old = pr;
                }
            }
            state.refreshed_at = Some(Utc::now());
            for e in events {
                run.log_event(StepId::MergeBack, EventLevel::Info, e);
            }
            true
        })
        .await
    }
}
