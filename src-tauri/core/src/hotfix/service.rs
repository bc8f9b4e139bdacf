//! [`HotfixService`]: the run-level operations the commands call. Every step action goes through
//! one generic path, [`HotfixService::advance`]: take the run's lock (one operation per run at a
//! time), load it, check the action's preconditions, let it read the remote state and make at most
//! the one write it needs, save the run atomically and announce it to the [`RunObserver`]. A failed
//! action is recorded on the step (`failed`, or left `active` when the user can fix the cause) with
//! the error's message; running it again resumes. A save that fails is an error the user sees.
//! Long-running steps run as watchers instead ([`super::watch`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::Utc;
use url::Url;

use super::run::{EventLevel, HotfixRun, RunStatus, RunSummary, StepState};
use super::session::Session;
use super::steps::step1_release::{self, ChooseArtifact, ProductionReleases, SelectRelease};
use super::steps::step2_branch::{self, BranchNameCheck, CreateBranch};
use super::steps::step3_fix::{
    self, BranchPoll, CompleteFix, RefreshChanges, StudioLink, POLL_INTERVAL_MS,
};
use super::steps::step4_pipeline::{PreviewDefinition, RunPreflight, SaveDefinition};
use super::steps::step7_service::GitProgress;
use super::steps::{Action, StepCtx, StepId};
use super::store::RunStore;
use super::watch::{WatchProgress, Watchers};
use crate::ado::AdoClient;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::profiles::Profile;

/// Test hook called at the points where a crash would hurt most (after a step's remote calls,
/// before the save). Returning an error aborts the operation there without saving — a simulated
/// crash.
pub type CrashHook = Arc<dyn Fn(&str) -> AppResult<()> + Send + Sync>;

/// The crash points [`CrashHook`] is called with: `{step}:after-remote` for every step.
pub mod crash_points {
    use super::StepId;

    pub const STEP1_AFTER_REMOTE: &str = "release:after-remote";
    pub const STEP2_AFTER_REMOTE: &str = "branch:after-remote";
    pub const STEP3_AFTER_REMOTE: &str = "fix:after-remote";
    pub const STEP4_AFTER_REMOTE: &str = "pipeline:after-remote";
    pub const STEP7_AFTER_REMOTE: &str = "mergeBack:after-remote";
    pub const STEP8_AFTER_REMOTE: &str = "cleanup:after-remote";

    /// The point after `step`'s remote calls, before its save.
    pub fn after_remote(step: StepId) -> String {
        format!("{}:after-remote", step.key())
    }
}

const CRASH_DETAIL: &str = "simulated crash";

/// Told about every saved run and every watcher's progress (the app turns them into events).
pub trait RunObserver: Send + Sync {
    fn run_saved(&self, run: &HotfixRun);
    fn watch_progress(&self, progress: &WatchProgress);
    /// Progress of a clone or fetch of the profile's cached repository (step 7).
    fn git_progress(&self, _progress: &GitProgress) {}
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the generic path and the watchers share: the store, the per-run locks, the observer and
/// the crash hook.
pub(crate) struct RunCore {
    pub(crate) store: RunStore,
    run_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    observer: Mutex<Option<Arc<dyn RunObserver>>>,
    crash_hook: Mutex<Option<CrashHook>>,
}

impl RunCore {
    fn run_lock(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        Arc::clone(lock(&self.run_locks).entry(id.to_owned()).or_default())
    }

    /// Loads the run under its lock; the guard keeps other operations on this run waiting.
    pub(crate) async fn load(
        &self,
        id: &str,
    ) -> AppResult<(tokio::sync::OwnedMutexGuard<()>, HotfixRun)> {
        let guard = self.run_lock(id).lock_owned().await;
        let run = self.store.get(id)?;
        if !run.is_unfinished() {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "This hotfix is finished or abandoned; start a new one to change anything.",
            ));
        }
        Ok((guard, run))
    }

    pub(crate) fn crash_point(&self, point: &str) -> AppResult<()> {
        let hook = lock(&self.crash_hook).clone();
        match hook {
            Some(h) => h(point).map_err(|e| e.with_detail(CRASH_DETAIL)),
            None => Ok(()),
        }
    }

    pub(crate) fn observer(&self) -> Option<Arc<dyn RunObserver>> {
        lock(&self.observer).clone()
    }

    /// Saves and announces the run.
    pub(crate) fn save(&self, run: &mut HotfixRun) -> AppResult<()> {
        self.store.save(run)?;
        if let Some(o) = self.observer() {
            o.run_saved(run);
        }
        Ok(())
    }

    /// Records a failed step on the run as saved on disk (not the half-changed copy) and hands
    /// the error back — unless it is a simulated crash, which by definition saves nothing. When
    /// the failure itself cannot be saved, the user is told that too.
    pub(crate) fn record_failure(&self, id: &str, step: StepId, err: AppError) -> AppError {
        if err.detail.as_deref() == Some(CRASH_DETAIL) {
            return err;
        }
        let blocked = matches!(
            err.code,
            ErrorCode::Precondition | ErrorCode::Conflict | ErrorCode::InvalidInput
        );
        let state = if blocked {
            StepState::Active
        } else {
            StepState::Failed
        };
        let recorded = self.store.get(id).and_then(|mut saved| {
            saved.set_step(step, state, Some(err.message.clone()));
            saved.log_event(step, EventLevel::Error, err.message.clone());
            self.save(&mut saved)
        });
        match recorded {
            Ok(()) => err,
            Err(save_err) => AppError::new(
                save_err.code,
                format!(
                    "{} In addition, the app could not record this on the saved hotfix: {} \
                     Fix that first; the hotfix then shows this step as it was before.",
                    err.message, save_err.message
                ),
            )
            .with_detail(save_err.detail.or(err.detail).unwrap_or_default()),
        }
    }
}

pub struct HotfixService {
    pub(crate) core: Arc<RunCore>,
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    polls: Mutex<HashMap<String, (Instant, BranchPoll)>>,
    pub(crate) watchers: Watchers,
    /// The cached clones of step 7 (`{data}/cache` unless [`Self::with_cache_dir`] says where).
    pub(crate) git_cache: Arc<crate::git::GitCache>,
}

impl HotfixService {
    /// Runs are kept in `{data_dir}/runs`.
    pub fn new(data_dir: &std::path::Path) -> Self {
        Self {
            core: Arc::new(RunCore {
                store: RunStore::new(data_dir),
                run_locks: Mutex::new(HashMap::new()),
                observer: Mutex::new(None),
                crash_hook: Mutex::new(None),
            }),
            sessions: Mutex::new(HashMap::new()),
            polls: Mutex::new(HashMap::new()),
            watchers: Watchers::default(),
            git_cache: Arc::new(crate::git::GitCache::new(&data_dir.join("cache"))),
        }
    }

    pub fn store(&self) -> &RunStore {
        &self.core.store
    }

    /// Who is told about saved runs and watcher progress (the app emits them as events).
    pub fn set_observer(&self, observer: Option<Arc<dyn RunObserver>>) {
        *lock(&self.core.observer) = observer;
    }

    #[doc(hidden)]
    pub fn set_crash_hook(&self, hook: Option<CrashHook>) {
        *lock(&self.core.crash_hook) = hook;
    }

    /// The session for `profile` (the profile as saved now, so a changed organization URL — the
    /// demo simulator's port changes at every start — is honoured), made with `client` on first use
    /// and cached until [`Self::forget_session`] (e.g. when the token changes) or a rejected token.
    pub fn session(
        &self,
        profile: &Profile,
        client: impl FnOnce() -> AppResult<AdoClient>,
    ) -> AppResult<Arc<Session>> {
        let key = format!("{}|{}", profile.id, profile.organization_url);
        if let Some(s) = lock(&self.sessions).get(&key) {
            if s.profile() == profile {
                return Ok(Arc::clone(s));
            }
        }
        let session = Arc::new(Session::new(client()?, profile.clone()));
        lock(&self.sessions).insert(key, Arc::clone(&session));
        Ok(session)
    }

    /// The cached session for `profile`, if one was made for it as it is now.
    pub fn cached_session(&self, profile: &Profile) -> Option<Arc<Session>> {
        let key = format!("{}|{}", profile.id, profile.organization_url);
        lock(&self.sessions)
            .get(&key)
            .filter(|s| s.profile() == profile)
            .cloned()
    }

    pub fn forget_session(&self, profile_id: &str) {
        let prefix = format!("{profile_id}|");
        lock(&self.sessions).retain(|k, _| !k.starts_with(&prefix));
    }

    // ---- the generic path ----------------------------------------------------------------------

    /// Runs one step action: lock → load → preconditions → the action's remote reads and at most
    /// one write → save → event. On error the step records the failure (see the module docs).
    pub async fn advance<A: Action>(
        &self,
        s: &Session,
        id: &str,
        action: A,
    ) -> AppResult<(HotfixRun, A::Output)> {
        let (_guard, mut run) = self.core.load(id).await?;
        let ctx = StepCtx {
            session: s,
            store: &self.core.store,
        };
        let result: AppResult<A::Output> = async {
            action.preconditions(&run)?;
            let output = action.advance(&ctx, &mut run).await?;
            self.core
                .crash_point(&crash_points::after_remote(A::STEP))?;
            self.core.save(&mut run)?;
            Ok(output)
        }
        .await;
        match result {
            Ok(output) => Ok((run, output)),
            Err(err) => {
                if matches!(
                    err.code,
                    ErrorCode::TokenRejected | ErrorCode::NotSignedIn | ErrorCode::MissingScope
                ) {
                    self.forget_session(&run.profile_id);
                }
                Err(self.core.record_failure(id, A::STEP, err))
            }
        }
    }

    /// A bookkeeping change outside any step action (abandon, what production runs now, a new
    /// branch head): lock → load → change → save → event.
    pub(crate) async fn update(
        &self,
        id: &str,
        change: impl FnOnce(&mut HotfixRun) -> bool,
    ) -> AppResult<HotfixRun> {
        let lock = self.core.run_lock(id);
        let _guard = lock.lock().await;
        let mut run = self.core.store.get(id)?;
        if change(&mut run) {
            self.core.save(&mut run)?;
        }
        Ok(run)
    }

    // ---- runs ------------------------------------------------------------------------------

    pub fn list_runs(&self, include_finished: bool) -> AppResult<Vec<RunSummary>> {
        Ok(self
            .store()
            .list()?
            .iter()
            .filter(|r| include_finished || r.is_unfinished())
            .map(HotfixRun::summary)
            .collect())
    }

    pub fn get_run(&self, id: &str) -> AppResult<HotfixRun> {
        self.store().get(id)
    }

    pub fn start_run(&self, profile: &Profile) -> AppResult<HotfixRun> {
        let run = self.store().create(profile)?;
        if let Some(o) = self.core.observer() {
            o.run_saved(&run);
        }
        Ok(run)
    }

    pub async fn abandon_run(&self, id: &str) -> AppResult<HotfixRun> {
        self.watchers.cancel(id);
        self.update(id, |run| {
            if !run.is_unfinished() {
                return false;
            }
            run.status = RunStatus::Abandoned;
            let step = run.current_step;
            run.log_event(
                step,
                EventLevel::Warning,
                "Hotfix abandoned. Branches it created were left in place.",
            );
            true
        })
        .await
    }

    // ---- step 1 ----------------------------------------------------------------------------

    pub async fn list_production_releases(
        &self,
        s: &Session,
        id: &str,
        top: u32,
    ) -> AppResult<ProductionReleases> {
        let releases = step1_release::list_production_releases(s, top).await?;
        let current = releases.current.as_ref().map(|c| c.release_id);
        self.update(id, |run| {
            let state = &mut run.steps.release;
            let changed =
                run.status == RunStatus::Active && state.current_production_release_id != current;
            state.current_production_release_id = current;
            changed
        })
        .await?;
        Ok(releases)
    }

    pub async fn select_release(
        &self,
        s: &Session,
        id: &str,
        release_id: i32,
    ) -> AppResult<HotfixRun> {
        Ok(self.advance(s, id, SelectRelease { release_id }).await?.0)
    }

    pub async fn choose_artifact(
        &self,
        s: &Session,
        id: &str,
        alias: &str,
    ) -> AppResult<HotfixRun> {
        let alias = alias.to_owned();
        Ok(self.advance(s, id, ChooseArtifact { alias }).await?.0)
    }

    // ---- step 2 ----------------------------------------------------------------------------

    pub async fn check_branch_name(
        &self,
        s: &Session,
        id: &str,
        name: Option<&str>,
    ) -> AppResult<BranchNameCheck> {
        let run = self.store().get(id)?;
        step2_branch::check_name(s, &run, name).await
    }

    pub async fn create_branch(&self, s: &Session, id: &str, name: &str) -> AppResult<HotfixRun> {
        Ok(self.advance(s, id, CreateBranch::new(name)).await?.0)
    }

    // ---- step 3 ----------------------------------------------------------------------------

    /// Where to make the fix. `profile` is the profile as saved now (its URLs may have changed).
    pub fn studio_link(
        &self,
        id: &str,
        profile: &Profile,
        demo_base: Option<&Url>,
    ) -> AppResult<StudioLink> {
        let run = self.store().get(id)?;
        step3_fix::studio_link(&run, profile, demo_base)
    }

    /// One watch tick: at most one remote request per 5 s per run; within that window the cached
    /// answer comes back with `fromCache: true`. A new head is saved on the run (and announced).
    pub async fn poll_branch(&self, s: &Session, id: &str) -> AppResult<BranchPoll> {
        let interval = Duration::from_millis(u64::from(POLL_INTERVAL_MS));
        if let Some((at, answer)) = lock(&self.polls).get(id) {
            let elapsed = at.elapsed();
            if elapsed < interval {
                let mut cached = answer.clone();
                cached.from_cache = true;
                cached.next_poll_in_ms =
                    u32::try_from((interval - elapsed).as_millis()).unwrap_or(POLL_INTERVAL_MS);
                return Ok(cached);
            }
        }
        // Reserve the slot before the request so concurrent ticks do not both go out.
        let now = Instant::now();
        let run = self.store().get(id)?;
        let head = run.steps.fix.head.clone();
        let reserved = step3_fix::poll_answer(&run, head, true, Utc::now(), POLL_INTERVAL_MS);
        lock(&self.polls).insert(id.to_owned(), (now, reserved));
        let head = step3_fix::read_head(s, &run).await?;
        let answer =
            step3_fix::poll_answer(&run, head.clone(), false, Utc::now(), POLL_INTERVAL_MS);
        lock(&self.polls).insert(id.to_owned(), (now, answer.clone()));
        if head != run.steps.fix.head {
            self.update(id, |run| {
                run.steps.fix.head.clone_from(&head);
                run.steps.fix.last_polled = Some(answer.polled_at);
                if let Some(h) = &head {
                    run.log_event(
                        StepId::Fix,
                        EventLevel::Info,
                        format!("New head on the hotfix branch: {}.", &h[..h.len().min(8)]),
                    );
                }
                true
            })
            .await?;
        }
        Ok(answer)
    }

    pub async fn refresh_changes(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        Ok(self.advance(s, id, RefreshChanges).await?.0)
    }

    pub async fn complete_fix(
        &self,
        s: &Session,
        id: &str,
        acknowledge: bool,
    ) -> AppResult<HotfixRun> {
        Ok(self.advance(s, id, CompleteFix { acknowledge }).await?.0)
    }

    // ---- step 4 ----------------------------------------------------------------------------

    /// Runs the pre-flight checks and saves the report on the run.
    pub async fn pipeline_preflight(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        Ok(self.advance(s, id, RunPreflight).await?.0)
    }

    /// Builds the hotfix definition and saves its preview (re-running an out-of-date pre-flight).
    pub async fn pipeline_preview(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        Ok(self.advance(s, id, PreviewDefinition).await?.0)
    }

    /// Saves the previewed definition; `expected_revision` is the preview's revision the user
    /// confirmed (`None` for a new one).
    pub async fn pipeline_save(
        &self,
        s: &Session,
        id: &str,
        expected_revision: Option<i32>,
    ) -> AppResult<HotfixRun> {
        Ok(self
            .advance(s, id, SaveDefinition { expected_revision })
            .await?
            .0)
    }

    /// Demo mode: pushes the sample fix to the run's branch through the simulator's admin API.
    pub async fn demo_push_sample_fix(
        &self,
        s: &Session,
        id: &str,
        admin_url: &str,
    ) -> AppResult<String> {
        let run = self.store().get(id)?;
        super::demo::push_sample_fix(s, &run, admin_url).await
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
