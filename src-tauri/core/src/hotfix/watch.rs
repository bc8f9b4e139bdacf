//! Long-running steps (the deployment of step 5) as watchers, not blocking commands:
//! [`HotfixService::start_watch`] checks the step's preconditions and returns at once; the
//! [`Watch`] then runs in the background, reports [`WatchProgress`] through the
//! [`RunObserver`](super::service::RunObserver) (the app emits it as an event), records what it
//! finds on the run through [`WatchCtx::update`] (lock → load → change → save → event, like every
//! step action), and stops when [`HotfixService::cancel_watch`] cancels its token. One watcher per
//! run at a time.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::run::HotfixRun;
use super::service::{lock, HotfixService, RunCore};
use super::session::Session;
use super::steps::StepId;
use crate::error::{AppError, AppResult, ErrorCode};

/// How long a cancelled watcher may take to stop on its own before it is dropped.
pub const CANCEL_GRACE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum WatchState {
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// What a watcher reports: while it runs, and once at the end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WatchProgress {
    pub run_id: String,
    pub step: StepId,
    pub state: WatchState,
    /// What is happening now ("Stage Production_Hotfix: task 2 of 3 running").
    pub message: String,
    /// Share done (0–1) when the watcher knows it.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    pub elapsed_ms: u64,
    /// Why it failed (state `failed`).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AppError>,
}

/// A long-running part of a step. `watch` runs in the background until it is done; it should stop
/// soon after [`WatchCtx::cancelled`] fires (after [`CANCEL_GRACE`] it is dropped).
pub trait Watch: Send + 'static {
    const STEP: StepId;

    /// What must hold before the watcher starts (checked by `start_watch`, nothing sent yet).
    fn preconditions(&self, run: &HotfixRun) -> AppResult<()>;

    /// Does the long work, reporting progress and recording results on the run.
    fn watch(self, ctx: WatchCtx) -> impl Future<Output = AppResult<()>> + Send;
}

/// What a running watcher may use.
pub struct WatchCtx {
    run_id: String,
    step: StepId,
    session: Arc<Session>,
    token: CancellationToken,
    core: Arc<RunCore>,
    started: Instant,
    last: Arc<Mutex<WatchProgress>>,
}

impl WatchCtx {
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Resolves when the user cancelled the watch.
    pub async fn cancelled(&self) {
        self.token.cancelled().await;
    }

    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Reports progress (kept as the watch's status and sent to the observer).
    pub fn progress(&self, message: impl Into<String>, fraction: Option<f64>) {
        let p = WatchProgress {
            run_id: self.run_id.clone(),
            step: self.step,
            state: WatchState::Running,
            message: message.into(),
            fraction: fraction.map(|f| f.clamp(0.0, 1.0)),
            elapsed_ms: elapsed_ms(self.started),
            error: None,
        };
        *lock(&self.last) = p.clone();
        if let Some(o) = self.core.observer() {
            o.watch_progress(&p);
        }
    }

    /// The observer of the service (to announce what is not a save or a progress line).
    pub(crate) fn observer(&self) -> Option<Arc<dyn super::service::RunObserver>> {
        self.core.observer()
    }

    /// The test hook of [`super::service::CrashHook`]: an error here is a simulated crash (the
    /// watcher stops and records nothing).
    pub fn crash_point(&self, point: &str) -> AppResult<()> {
        self.core.crash_point(point)
    }

    /// Records something on the run: lock → load → `change` → save → event.
    pub async fn update<T>(
        &self,
        change: impl FnOnce(&mut HotfixRun) -> AppResult<T>,
    ) -> AppResult<T> {
        let (_guard, mut run) = self.core.load(&self.run_id).await?;
        let value = change(&mut run)?;
        self.core.save(&mut run)?;
        Ok(value)
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

struct Running {
    token: CancellationToken,
    last: Arc<Mutex<WatchProgress>>,
}

/// The running watchers, one per run.
#[derive(Default)]
pub(crate) struct Watchers {
    running: Arc<Mutex<HashMap<String, Running>>>,
}

impl Watchers {
    /// Cancels the run's watcher; true when one was running.
    pub(crate) fn cancel(&self, run_id: &str) -> bool {
        match lock(&self.running).get(run_id) {
            Some(r) => {
                r.token.cancel();
                true
            }
            None => false,
        }
    }
}

impl HotfixService {
    /// Starts `watch` for the run in the background and returns its first status at once.
    /// `Conflict` when a watcher already runs for this run.
    pub fn start_watch<W: Watch>(
        &self,
        s: Arc<Session>,
        id: &str,
        watch: W,
    ) -> AppResult<WatchProgress> {
        let run = self.store().get(id)?;
        if !run.is_unfinished() {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "This hotfix is finished or abandoned; start a new one to change anything.",
            ));
        }
        watch.preconditions(&run)?;
        let started = Instant::now();
        let first = WatchProgress {
            run_id: id.to_owned(),
            step: W::STEP,
            state: WatchState::Running,
            message: format!("Started {}.", W::STEP),
            fraction: None,
            elapsed_ms: 0,
            error: None,
        };
        let last = Arc::new(Mutex::new(first.clone()));
        let token = CancellationToken::new();
        {
            let mut running = lock(&self.watchers.running);
            if let Some(r) = running.get(id) {
                let now = lock(&r.last).clone();
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!(
                        "The app is already following {} of this hotfix ({}). Wait for it to end, or cancel it first.",
                        now.step, now.message
                    ),
                ));
            }
            running.insert(
                id.to_owned(),
                Running {
                    token: token.clone(),
                    last: Arc::clone(&last),
                },
            );
        }
        let ctx = WatchCtx {
            run_id: id.to_owned(),
            step: W::STEP,
            session: s,
            token: token.clone(),
            core: Arc::clone(&self.core),
            started,
            last: Arc::clone(&last),
        };
        let core = Arc::clone(&self.core);
        let running = Arc::clone(&self.watchers.running);
        let run_id = id.to_owned();
        if let Some(o) = core.observer() {
            o.watch_progress(&first);
        }
        tokio::spawn(async move {
            let work = watch.watch(ctx);
            let grace = async {
                token.cancelled().await;
                tokio::time::sleep(CANCEL_GRACE).await;
            };
            let result = tokio::select! {
                r = work => r,
                () = grace => Ok(()),
            };
            let (state, message, error) = match result {
                _ if token.is_cancelled() => (
                    WatchState::Cancelled,
                    format!("Stopped watching {}: you cancelled it.", W::STEP),
                    None,
                ),
                Ok(()) => (
                    WatchState::Succeeded,
                    format!("{} finished.", W::STEP),
                    None,
                ),
                Err(e) => {
                    let e = core.record_failure(&run_id, W::STEP, e);
                    (WatchState::Failed, e.message.clone(), Some(e))
                }
            };
            let end = WatchProgress {
                run_id: run_id.clone(),
                step: W::STEP,
                state,
                message,
                fraction: (state == WatchState::Succeeded).then_some(1.0),
                elapsed_ms: elapsed_ms(started),
                error,
            };
            *lock(&last) = end.clone();
            lock(&running).remove(&run_id);
            if let Some(o) = core.observer() {
                o.watch_progress(&end);
            }
        });
        Ok(first)
    }

    /// Cancels the run's watcher; false when none was running.
    pub fn cancel_watch(&self, id: &str) -> bool {
        self.watchers.cancel(id)
    }

    /// The running watcher's latest progress, if one runs for the run.
    pub fn watch_status(&self, id: &str) -> Option<WatchProgress> {
        lock(&self.watchers.running)
            .get(id)
            .map(|r| lock(&r.last).clone())
    }
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;
