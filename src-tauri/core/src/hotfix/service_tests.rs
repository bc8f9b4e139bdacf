//! The generic path with fake actions: what is saved, what is announced, and a save that fails.

use std::sync::Mutex;

use super::*;
use crate::hotfix::watch::WatchProgress;

#[derive(Default)]
struct Saved(Mutex<Vec<HotfixRun>>);

impl RunObserver for Saved {
    fn run_saved(&self, run: &HotfixRun) {
        lock(&self.0).push(run.clone());
    }
    fn watch_progress(&self, _: &WatchProgress) {}
}

/// Step 1 as a fake: records a note in the run's log, or fails with `fail`.
struct Fake {
    fail: Option<ErrorCode>,
    precondition: bool,
}

impl Action for Fake {
    const STEP: StepId = StepId::Release;
    type Output = &'static str;

    fn preconditions(&self, _: &HotfixRun) -> AppResult<()> {
        if self.precondition {
            Ok(())
        } else {
            Err(AppError::new(ErrorCode::Precondition, "Do step 0 first."))
        }
    }

    async fn advance(self, _: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<&'static str> {
        run.log_event(StepId::Release, EventLevel::Info, "advanced");
        run.complete_step(StepId::Release);
        match self.fail {
            Some(code) => Err(AppError::new(code, "Azure DevOps failed.")),
            None => Ok("done"),
        }
    }
}

fn ok() -> Fake {
    Fake {
        fail: None,
        precondition: true,
    }
}

fn setup() -> (
    tempfile::TempDir,
    HotfixService,
    Arc<Saved>,
    Arc<Session>,
    String,
) {
    crate::hotfix::test_support::service_with_run()
}

/// Makes every save of run `id` fail: the temporary files the atomic write needs are taken.
fn block_saves(svc: &HotfixService, id: &str) {
    for attempt in 0..16 {
        let name = format!(".{id}.json.{}.{attempt}.tmp", std::process::id());
        std::fs::create_dir_all(svc.store().dir().join(name)).unwrap();
    }
}

#[tokio::test]
async fn an_action_is_saved_and_announced_once() {
    let (_dir, svc, saved, s, id) = setup();
    let (run, out) = svc.advance(&s, &id, ok()).await.unwrap();
    assert_eq!(out, "done");
    assert_eq!(run.current_step, StepId::Branch);
    assert_eq!(svc.get_run(&id).unwrap(), run);
    let announced = lock(&saved.0).clone();
    assert_eq!(announced.len(), 2, "the start and the action");
    assert_eq!(announced[1], run);
}

#[tokio::test]
async fn a_failed_action_keeps_nothing_of_its_changes_and_records_the_failure() {
    let (_dir, svc, saved, s, id) = setup();
    let fail = Fake {
        fail: Some(ErrorCode::ServerError),
        precondition: true,
    };
    let err = svc.advance(&s, &id, fail).await.unwrap_err();
    assert_eq!(err.message, "Azure DevOps failed.");
    let run = svc.get_run(&id).unwrap();
    assert_eq!(run.step_state(StepId::Release), StepState::Failed);
    assert_eq!(run.current_step, StepId::Release);
    assert!(!run.log.iter().any(|e| e.message == "advanced"));
    assert_eq!(
        lock(&saved.0).last(),
        Some(&run),
        "the failure is announced"
    );

    let blocked = Fake {
        fail: None,
        precondition: false,
    };
    let err = svc.advance(&s, &id, blocked).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition);
    let run = svc.get_run(&id).unwrap();
    assert_eq!(run.step_state(StepId::Release), StepState::Active);
    assert_eq!(
        run.step(StepId::Release).unwrap().note.as_deref(),
        Some("Do step 0 first.")
    );
}

#[tokio::test]
async fn a_save_that_fails_is_an_error_that_says_what_to_do() {
    let (_dir, svc, saved, s, id) = setup();
    block_saves(&svc, &id);
    let before = lock(&saved.0).len();
    let err = svc.advance(&s, &id, ok()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Storage, "{err:?}");
    assert!(
        err.message.contains("Could not save the hotfix run"),
        "{}",
        err.message
    );
    assert!(err.message.contains("repeat the step"), "{}", err.message);
    assert_eq!(
        lock(&saved.0).len(),
        before,
        "nothing announced that was not saved"
    );
    assert_eq!(svc.get_run(&id).unwrap().current_step, StepId::Release);

    // A failed step whose failure cannot be recorded says both.
    let fail = Fake {
        fail: Some(ErrorCode::ServerError),
        precondition: true,
    };
    let err = svc.advance(&s, &id, fail).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Storage);
    assert!(
        err.message.starts_with("Azure DevOps failed."),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("could not record this"),
        "{}",
        err.message
    );

    // Bookkeeping saves too.
    assert_eq!(
        svc.abandon_run(&id).await.unwrap_err().code,
        ErrorCode::Storage
    );
}
