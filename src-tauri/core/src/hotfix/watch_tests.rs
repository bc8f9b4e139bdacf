//! The watcher mechanism with a fake long step: progress, cancel, failure, one per run.

use super::*;
use crate::hotfix::run::{EventLevel, StepState};
use crate::hotfix::service::RunObserver;

#[derive(Default)]
struct Recorder {
    progress: Mutex<Vec<WatchProgress>>,
    saved: Mutex<Vec<HotfixRun>>,
}

impl RunObserver for Recorder {
    fn run_saved(&self, run: &HotfixRun) {
        lock(&self.saved).push(run.clone());
    }
    fn watch_progress(&self, p: &WatchProgress) {
        lock(&self.progress).push(p.clone());
    }
}

/// A fake long step: ticks `ticks` times (recording each on the run), then fails or succeeds.
struct FakeDeploy {
    ticks: u32,
    fail: bool,
    tick: Duration,
}

impl Watch for FakeDeploy {
    const STEP: StepId = StepId::Deploy;

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        if run.profile.prod_workspace.is_empty() {
            return Err(AppError::new(ErrorCode::Precondition, "no workspace"));
        }
        Ok(())
    }

    async fn watch(self, ctx: WatchCtx) -> AppResult<()> {
        for i in 1..=self.ticks {
            tokio::select! {
                () = ctx.cancelled() => return Ok(()),
                () = tokio::time::sleep(self.tick) => {}
            }
            ctx.progress(
                format!("task {i} of {}", self.ticks),
                Some(f64::from(i) / f64::from(self.ticks)),
            );
            ctx.update(|run| {
                run.log_event(StepId::Deploy, EventLevel::Info, format!("tick {i}"));
                Ok(())
            })
            .await?;
        }
        if self.fail {
            return Err(AppError::new(
                ErrorCode::ServerError,
                "The deploy task failed.",
            ));
        }
        Ok(())
    }
}

fn setup() -> (
    tempfile::TempDir,
    HotfixService,
    Arc<Recorder>,
    Arc<Session>,
    String,
) {
    crate::hotfix::test_support::service_with_run()
}

async fn until_done(svc: &HotfixService, id: &str) {
    for _ in 0..500 {
        if svc.watch_status(id).is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the watcher did not end");
}

fn states(rec: &Recorder) -> Vec<WatchState> {
    lock(&rec.progress).iter().map(|p| p.state).collect()
}

#[tokio::test]
async fn a_long_step_returns_at_once_reports_progress_and_records_on_the_run() {
    let (_dir, svc, rec, s, id) = setup();
    let slow = FakeDeploy {
        ticks: 3,
        fail: false,
        tick: Duration::from_millis(30),
    };
    let t0 = Instant::now();
    let first = svc.start_watch(Arc::clone(&s), &id, slow).unwrap();
    assert!(
        t0.elapsed() < Duration::from_millis(30),
        "start does not wait for the work"
    );
    assert_eq!(first.state, WatchState::Running);
    assert_eq!(svc.watch_status(&id).unwrap().step, StepId::Deploy);
    // One watcher per run.
    let again = FakeDeploy {
        ticks: 1,
        fail: false,
        tick: Duration::ZERO,
    };
    assert_eq!(
        svc.start_watch(Arc::clone(&s), &id, again)
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    until_done(&svc, &id).await;
    let progress = lock(&rec.progress).clone();
    let fractions: Vec<Option<f64>> = progress.iter().map(|p| p.fraction).collect();
    assert_eq!(
        states(&rec),
        [
            WatchState::Running,
            WatchState::Running,
            WatchState::Running,
            WatchState::Running,
            WatchState::Succeeded
        ]
    );
    assert_eq!(
        fractions[1..4],
        [Some(1.0 / 3.0), Some(2.0 / 3.0), Some(1.0)]
    );
    let run = svc.get_run(&id).unwrap();
    let ticks = run
        .log
        .iter()
        .filter(|e| e.message.starts_with("tick"))
        .count();
    assert_eq!(ticks, 3, "each update was saved");
    assert_eq!(
        lock(&rec.saved).len(),
        1 + 3,
        "start + each update announced"
    );
    // Done: a new watcher may start.
    let next = FakeDeploy {
        ticks: 1,
        fail: false,
        tick: Duration::ZERO,
    };
    svc.start_watch(s, &id, next).unwrap();
}

#[tokio::test]
async fn cancel_stops_the_watcher_and_a_failure_is_recorded_on_the_step() {
    let (_dir, svc, rec, s, id) = setup();
    let endless = FakeDeploy {
        ticks: 1000,
        fail: false,
        tick: Duration::from_millis(20),
    };
    svc.start_watch(Arc::clone(&s), &id, endless).unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(svc.cancel_watch(&id));
    until_done(&svc, &id).await;
    assert_eq!(states(&rec).last(), Some(&WatchState::Cancelled));
    assert!(!svc.cancel_watch(&id), "nothing left to cancel");
    let ticks = svc
        .get_run(&id)
        .unwrap()
        .log
        .iter()
        .filter(|e| e.message.starts_with("tick"))
        .count();
    assert!(ticks < 10, "stopped early ({ticks} ticks)");

    let failing = FakeDeploy {
        ticks: 1,
        fail: true,
        tick: Duration::ZERO,
    };
    svc.start_watch(s, &id, failing).unwrap();
    until_done(&svc, &id).await;
    let end = lock(&rec.progress).last().cloned().unwrap();
    assert_eq!(end.state, WatchState::Failed);
    assert_eq!(end.error.unwrap().code, ErrorCode::ServerError);
    let run = svc.get_run(&id).unwrap();
    assert_eq!(run.step_state(StepId::Deploy), StepState::Failed);
    assert_eq!(
        run.step(StepId::Deploy).unwrap().note.as_deref(),
        Some("The deploy task failed.")
    );
}

#[tokio::test]
async fn preconditions_are_checked_before_anything_starts() {
    let (_dir, svc, rec, s, id) = setup();
    let mut run = svc.get_run(&id).unwrap();
    run.profile.prod_workspace.clear();
    svc.store().save(&mut run).unwrap();
    let w = FakeDeploy {
        ticks: 1,
        fail: false,
        tick: Duration::ZERO,
    };
    assert_eq!(
        svc.start_watch(s, &id, w).unwrap_err().code,
        ErrorCode::Precondition
    );
    assert!(svc.watch_status(&id).is_none());
    assert!(lock(&rec.progress).is_empty());
}
