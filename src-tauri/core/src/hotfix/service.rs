//! [`HotfixService`]: the run-level operations the commands call. Each loads the run, takes the
//! run's lock (one operation per run at a time), performs the step — remote reads first, then at
//! most the one write the step needs — and saves the run atomically before returning it.
//! A failed step is recorded as `failed` with the error's message; running it again resumes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::Utc;
use url::Url;

use super::run::{BranchOutcome, EventLevel, HotfixRun, RunStatus, RunSummary, StepState};
use super::session::Session;
use super::step1_release::{self, ProductionReleases, Resolution};
use super::step2_branch::{self, BranchNameCheck};
use super::step3_fix::{self, BranchPoll, StudioLink, POLL_INTERVAL_MS};
use super::store::RunStore;
use crate::ado::AdoClient;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::profiles::Profile;

/// Test hook called at the points where a crash would hurt most (after a remote call, before the
/// save). Returning an error aborts the operation there without saving — a simulated crash.
pub type CrashHook = Arc<dyn Fn(&str) -> AppResult<()> + Send + Sync>;

/// The crash points [`CrashHook`] is called with.
pub mod crash_points {
    pub const STEP1_AFTER_REMOTE: &str = "step1:after-remote";
    pub const STEP2_AFTER_REMOTE: &str = "step2:after-remote";
    pub const STEP3_AFTER_REMOTE: &str = "step3:after-remote";
}

const CRASH_DETAIL: &str = "simulated crash";

pub struct HotfixService {
    store: RunStore,
    run_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    polls: Mutex<HashMap<String, (Instant, BranchPoll)>>,
    crash_hook: Mutex<Option<CrashHook>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl HotfixService {
    /// Runs are kept in `{data_dir}/runs`.
    pub fn new(data_dir: &std::path::Path) -> Self {
        Self {
            store: RunStore::new(data_dir),
            run_locks: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            polls: Mutex::new(HashMap::new()),
            crash_hook: Mutex::new(None),
        }
    }

    pub fn store(&self) -> &RunStore {
        &self.store
    }

    #[doc(hidden)]
    pub fn set_crash_hook(&self, hook: Option<CrashHook>) {
        *lock(&self.crash_hook) = hook;
    }

    fn crash_point(&self, point: &str) -> AppResult<()> {
        let hook = lock(&self.crash_hook).clone();
        match hook {
            Some(h) => h(point).map_err(|e| e.with_detail(CRASH_DETAIL)),
            None => Ok(()),
        }
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

    fn run_lock(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        Arc::clone(lock(&self.run_locks).entry(id.to_owned()).or_default())
    }

    // ---- runs ------------------------------------------------------------------------------

    pub fn list_runs(&self, include_finished: bool) -> AppResult<Vec<RunSummary>> {
        Ok(self
            .store
            .list()?
            .iter()
            .filter(|r| include_finished || r.is_unfinished())
            .map(HotfixRun::summary)
            .collect())
    }

    pub fn get_run(&self, id: &str) -> AppResult<HotfixRun> {
        self.store.get(id)
    }

    pub fn start_run(&self, profile: &Profile) -> AppResult<HotfixRun> {
        self.store.create(profile)
    }

    pub async fn abandon_run(&self, id: &str) -> AppResult<HotfixRun> {
        let lock = self.run_lock(id);
        let _guard = lock.lock().await;
        let mut run = self.store.get(id)?;
        if run.is_unfinished() {
            run.status = RunStatus::Abandoned;
            let step = run.current_step;
            run.log_event(
                step,
                EventLevel::Warning,
                "Hotfix abandoned. Branches it created were left in place.",
            );
            self.store.save(&mut run)?;
        }
        Ok(run)
    }

    /// Loads the run under its lock; the guard keeps other operations on this run waiting.
    async fn load(&self, id: &str) -> AppResult<(tokio::sync::OwnedMutexGuard<()>, HotfixRun)> {
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

    /// Saves the run after a step succeeded. On error the step is marked failed on the run as saved
    /// on disk (not the half-changed copy) — unless the error is a simulated crash, which by
    /// definition saves nothing.
    fn finish<T>(
        &self,
        id: &str,
        step: u8,
        run: &mut HotfixRun,
        result: AppResult<T>,
    ) -> AppResult<T> {
        match result {
            Ok(value) => {
                self.store.save(run)?;
                Ok(value)
            }
            Err(err) if err.detail.as_deref() == Some(CRASH_DETAIL) => Err(err),
            Err(err) => {
                if matches!(
                    err.code,
                    ErrorCode::TokenRejected | ErrorCode::NotSignedIn | ErrorCode::MissingScope
                ) {
                    self.forget_session(&run.profile_id);
                }
                if let Ok(mut saved) = self.store.get(id) {
                    let blocked = matches!(
                        err.code,
                        ErrorCode::Precondition | ErrorCode::Conflict | ErrorCode::InvalidInput
                    );
                    let state = if blocked {
                        StepState::Active
                    } else {
                        StepState::Failed
                    };
                    saved.set_step(step, state, Some(err.message.clone()));
                    saved.log_event(step, EventLevel::Error, err.message.clone());
                    let _ = self.store.save(&mut saved);
                }
                Err(err)
            }
        }
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
        let lock = self.run_lock(id);
        let _guard = lock.lock().await;
        let mut run = self.store.get(id)?;
        if run.is_unfinished() && run.current_production_release_id != current {
            run.current_production_release_id = current;
            self.store.save(&mut run)?;
        }
        Ok(releases)
    }

    /// Picks a release: reads it, resolves the source artifact and the full commit. When the rules
    /// cannot decide, `run.artifactChoice` asks the user and step 1 stays active.
    pub async fn select_release(
        &self,
        s: &Session,
        id: &str,
        release_id: i32,
    ) -> AppResult<HotfixRun> {
        self.resolve(s, id, release_id, None).await
    }

    /// The user's answer to `run.artifactChoice`.
    pub async fn choose_artifact(
        &self,
        s: &Session,
        id: &str,
        alias: &str,
    ) -> AppResult<HotfixRun> {
        let run = self.store.get(id)?;
        let release_id = run.release.as_ref().map(|r| r.id).ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                "Pick a release first; then choose its source artifact.",
            )
        })?;
        self.resolve(s, id, release_id, Some(alias.to_owned()))
            .await
    }

    async fn resolve(
        &self,
        s: &Session,
        id: &str,
        release_id: i32,
        alias: Option<String>,
    ) -> AppResult<HotfixRun> {
        let (_guard, mut run) = self.load(id).await?;
        let result = self
            .resolve_on(s, &mut run, release_id, alias.as_deref())
            .await;
        self.finish(id, 1, &mut run, result)?;
        Ok(run)
    }

    async fn resolve_on(
        &self,
        s: &Session,
        run: &mut HotfixRun,
        release_id: i32,
        alias: Option<&str>,
    ) -> AppResult<()> {
        if let Some(b) = &run.branch {
            return Err(AppError::new(
                ErrorCode::Precondition,
                format!(
                    "This hotfix already has its branch {} from {}. Start a new hotfix to work from another release.",
                    b.name,
                    run.release.as_ref().map_or("the chosen release", |r| r.name.as_str())
                ),
            ));
        }
        let release = step1_release::read_release(s, release_id).await?;
        let resolution = step1_release::resolve_release(s, &release, alias).await?;
        self.crash_point(crash_points::STEP1_AFTER_REMOTE)?;
        let was_current = run.current_production_release_id == Some(release.id);
        run.reopen_step(1);
        run.release = Some(step1_release::selected_release(s, &release, was_current)?);
        match resolution {
            Resolution::Resolved { artifact, commit } => {
                run.log_event(
                    1,
                    EventLevel::Info,
                    format!(
                        "{} runs commit {} (artifact `{}`). {}",
                        release.name,
                        short(&commit.commit_id),
                        artifact.alias,
                        artifact.reason
                    ),
                );
                run.artifact = Some(*artifact);
                run.commit = Some(*commit);
                run.artifact_choice = None;
                run.complete_step(1);
            }
            Resolution::AskUser(choice) => {
                run.log_event(1, EventLevel::Warning, choice.why.clone());
                run.set_step(1, StepState::Active, Some(choice.why.clone()));
                run.artifact = None;
                run.commit = None;
                run.artifact_choice = Some(choice);
            }
        }
        Ok(())
    }

    // ---- step 2 ----------------------------------------------------------------------------

    pub async fn check_branch_name(
        &self,
        s: &Session,
        id: &str,
        name: Option<&str>,
    ) -> AppResult<BranchNameCheck> {
        let run = self.store.get(id)?;
        step2_branch::check_name(s, &run, name).await
    }

    /// Creates (or reuses) the hotfix branch. The name is saved on the run *before* the request, so
    /// a resumed run looks for exactly that branch.
    pub async fn create_branch(&self, s: &Session, id: &str, name: &str) -> AppResult<HotfixRun> {
        let name = super::branch_name::short_name(name).to_owned();
        let (_guard, mut run) = self.load(id).await?;
        let result = self.create_branch_on(s, &mut run, &name).await;
        self.finish(id, 2, &mut run, result)?;
        Ok(run)
    }

    async fn create_branch_on(
        &self,
        s: &Session,
        run: &mut HotfixRun,
        name: &str,
    ) -> AppResult<()> {
        if run.step_state(1) != StepState::Done || run.commit.is_none() {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "Finish step 1 (the release commit) first.",
            ));
        }
        if let Some(b) = &run.branch {
            if b.name != name {
                return Err(AppError::new(
                    ErrorCode::Precondition,
                    format!("This hotfix already uses the branch {}. Start a new hotfix to use another branch.", b.name),
                ));
            }
        }
        super::branch_name::validate(name).map_err(|p| {
            AppError::invalid_input(format!("{p} Nothing was sent to Azure DevOps."))
        })?;
        if run.branch_intent.as_deref() != Some(name) {
            run.branch_intent = Some(name.to_owned());
            self.store.save(run)?;
        }
        let mut result = step2_branch::create_or_reuse(s, run, name).await?;
        self.crash_point(crash_points::STEP2_AFTER_REMOTE)?;
        if let Some(previous) = &run.branch {
            // Repeating a finished step 2 confirms the branch; it does not re-label how it came to be.
            result.branch.outcome = previous.outcome;
        }
        let b = &result.branch;
        let what = match b.outcome {
            BranchOutcome::Created => "created",
            BranchOutcome::Reused => "already existed at the release commit and is reused",
        };
        run.log_event(
            2,
            EventLevel::Info,
            format!("Branch {} {what} ({}).", b.name, short(&b.object_id)),
        );
        run.fix.head = Some(b.object_id.clone());
        run.branch = Some(result.branch);
        run.branch_intent = None;
        run.complete_step(2);
        Ok(())
    }

    // ---- step 3 ----------------------------------------------------------------------------

    /// Where to make the fix. `profile` is the profile as saved now (its URLs may have changed).
    pub fn studio_link(
        &self,
        id: &str,
        profile: &Profile,
        demo_base: Option<&Url>,
    ) -> AppResult<StudioLink> {
        let run = self.store.get(id)?;
        step3_fix::studio_link(&run, profile, demo_base)
    }

    /// One watch tick: at most one remote request per 5 s per run; within that window the cached
    /// answer comes back with `fromCache: true`.
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
        let run = self.store.get(id)?;
        lock(&self.polls).insert(
            id.to_owned(),
            (
                now,
                step3_fix::poll_answer(
                    &run,
                    run.fix.head.clone(),
                    true,
                    Utc::now(),
                    POLL_INTERVAL_MS,
                ),
            ),
        );
        let head = step3_fix::read_head(s, &run).await?;
        let answer =
            step3_fix::poll_answer(&run, head.clone(), false, Utc::now(), POLL_INTERVAL_MS);
        lock(&self.polls).insert(id.to_owned(), (now, answer.clone()));
        if head != run.fix.head {
            let lock = self.run_lock(id);
            let _guard = lock.lock().await;
            let mut run = self.store.get(id)?;
            run.fix.head.clone_from(&head);
            run.fix.last_polled = Some(answer.polled_at);
            if let Some(h) = &head {
                run.log_event(
                    3,
                    EventLevel::Info,
                    format!("New head on the hotfix branch: {}.", &h[..h.len().min(8)]),
                );
            }
            self.store.save(&mut run)?;
        }
        Ok(answer)
    }

    /// Lists the branch's new commits, the changed artifacts with their diffs, and the deploy plan.
    pub async fn refresh_changes(&self, s: &Session, id: &str) -> AppResult<HotfixRun> {
        let (_guard, mut run) = self.load(id).await?;
        let result = self.refresh_changes_on(s, &mut run).await;
        self.finish(id, 3, &mut run, result)?;
        Ok(run)
    }

    async fn refresh_changes_on(&self, s: &Session, run: &mut HotfixRun) -> AppResult<()> {
        if run.step_state(2) != StepState::Done {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "Create the hotfix branch (step 2) first.",
            ));
        }
        let head = step3_fix::read_head(s, run).await?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "The hotfix branch no longer exists in Azure DevOps. Create it again in step 2.",
            )
        })?;
        let (commits, changes, plan) = step3_fix::compute_changes(s, run, &head).await?;
        self.crash_point(crash_points::STEP3_AFTER_REMOTE)?;
        let note = if commits.is_empty() {
            Some("No new commits on the hotfix branch yet.".to_owned())
        } else if plan.needs_acknowledgement {
            Some("Some changes need your confirmation (see the deploy plan).".to_owned())
        } else {
            None
        };
        if run.step_state(3) != StepState::Done {
            run.set_step(3, StepState::Active, note);
        }
        run.fix.head = Some(head);
        run.fix.commits = commits;
        run.fix.changes = Some(changes);
        run.fix.plan = Some(plan);
        run.fix.acknowledged = false;
        run.fix.last_polled = Some(Utc::now());
        Ok(())
    }

    /// Marks the fix done, after checking the branch still is where the shown changes were
    /// computed, has new commits, and that anything needing confirmation was confirmed.
    pub async fn complete_fix(
        &self,
        s: &Session,
        id: &str,
        acknowledge: bool,
    ) -> AppResult<HotfixRun> {
        let (_guard, mut run) = self.load(id).await?;
        let result = Self::complete_fix_on(s, &mut run, acknowledge).await;
        self.finish(id, 3, &mut run, result)?;
        Ok(run)
    }

    async fn complete_fix_on(s: &Session, run: &mut HotfixRun, acknowledge: bool) -> AppResult<()> {
        if run.step_state(2) != StepState::Done {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "Create the hotfix branch (step 2) first.",
            ));
        }
        let head = step3_fix::read_head(s, run).await?;
        if let Some(err) = step3_fix::completion_blocker(run, head.as_deref(), acknowledge) {
            return Err(err);
        }
        run.fix.acknowledged = acknowledge;
        let headlines = run
            .fix
            .changes
            .as_ref()
            .map(crate::synapse::ChangeSummary::headlines)
            .unwrap_or_default();
        run.log_event(
            3,
            EventLevel::Info,
            format!("Fix ready: {}.", headlines.join(", ")),
        );
        run.complete_step(3);
        Ok(())
    }

    /// Demo mode: pushes the sample fix to the run's branch through the simulator's admin API.
    pub async fn demo_push_sample_fix(
        &self,
        s: &Session,
        id: &str,
        admin_url: &str,
    ) -> AppResult<String> {
        let run = self.store.get(id)?;
        super::demo::push_sample_fix(s, &run, admin_url).await
    }
}

fn short(sha: &str) -> &str {
    sha.get(..8).unwrap_or(sha)
}
