//! Wizard steps 5 and 6 against the simulator, the way the app runs them in demo mode: review
//! production (stored on the run: the stopped trigger, the hand change, the dev-valued parameter),
//! deploy with the typed confirmation, then confirm point by point — a trigger that differs is
//! restored in one click (safe to repeat), and a check that cannot run for want of a Synapse token
//! says so instead of passing. The broken-artifact fix fails at validation: its log line is
//! surfaced and explained, and the rollback redeploys the release that ran before (a new attempt
//! on the old release, no new release), confirmed the same way.

mod support;

use ado_sim::seed::demo_production::{HAND_CHANGED, UNCOVERED_PARAMETER};
use ado_sim::Seed;
use hotfix_core::hotfix::steps::step5_deploy::AttemptKind;
use hotfix_core::hotfix::steps::step5_status::DeployResult;
use hotfix_core::hotfix::steps::step6_confirm::{ConfirmCheckId, ConfirmOutcome};
use hotfix_core::hotfix::{StepId, StepState};
use hotfix_core::synapse::dataplane::{DataPlane, SynapseAccess};
use hotfix_core::ErrorCode;
use serde_json::{json, Value};
use support::*;

/// The demo world (production overrides, the simulator's data-plane token), steps 1–4 done and
/// production reviewed by the review action.
async fn demo_reviewed() -> (World, String, i32) {
    let mut w = world(Seed::Demo).await;
    as_demo(&mut w);
    let (id, def) = Box::pin(created(&w)).await;
    let run = w.svc.deploy_review(&w.session, &id).await.unwrap();
    let basis = run.steps.deploy.basis.clone().unwrap();
    assert_eq!(Some(&basis.fix_commit), run.steps.fix.head.as_ref());
    assert!(run.steps.deploy.review.is_some());
    assert!(run.steps.deploy.main_head.is_some());
    (w, id, def)
}

#[tokio::test]
async fn a_reviewed_fix_deploys_pinned_to_its_commit_with_logs_and_is_confirmed() {
    let (w, id, def) = demo_reviewed().await;
    let fix = w.svc.get_run(&id).unwrap().steps.fix.head.unwrap();
    w.clear_journal().await;

    let run = w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    let release = run.steps.deploy.release.clone().unwrap();
    assert_eq!(release.commit, fix);
    assert!(!release.triggers.contains('*') && !release.triggers.contains(' '));
    assert!(!release.triggers.split(',').any(|t| t == STOPPED_ON_PURPOSE));
    let run = w.until_deployed(&id).await;
    let a = run.steps.deploy.current().unwrap();
    assert_eq!(a.result, Some(DeployResult::Succeeded));
    assert_eq!(run.step_state(StepId::Deploy), StepState::Done);
    assert_eq!(run.current_step, StepId::Confirm);
    let live = run.steps.deploy.live.clone().unwrap();
    let names: Vec<String> = live.tasks().map(|(_, t)| t.name.clone()).collect();
    assert!(
        names.iter().any(|n| n.starts_with("Synapse deployment")),
        "{names:?}"
    );
    assert!(live.tasks().all(|(_, t)| t.duration_ms.is_some()));
    let tail = run.steps.deploy.log_tail.clone().expect("a log tail");
    assert!(!tail.lines.is_empty());

    // The release is pinned to the exact commit, with the variables, and there is one.
    let journal = w.journal().await;
    assert_eq!(count(&journal, "POST", "/release/releases"), 1);
    assert_eq!(count(&journal, "PATCH", "/environments/"), 1);
    assert!(count(&journal, "GET", "/logs") >= 1, "the log was read");
    let releases = w.releases_of(def).await;
    assert_eq!(releases.len(), 1);
    let r = w
        .rest(
            reqwest::Method::GET,
            &w.rm_url(&format!("releases/{}", release.id)),
            None,
        )
        .await;
    let art = &r["artifacts"][0]["definitionReference"]["version"]["id"];
    assert_eq!(art, &json!(fix));
    assert_eq!(
        r["variables"]["TriggersToStart"]["value"],
        json!(release.triggers)
    );
    assert_eq!(
        r["variables"]["TriggersToStop"]["value"],
        json!(release.triggers)
    );

    // The trigger stopped on purpose is still stopped; the others run again.
    assert_eq!(w.trigger_state(STOPPED_ON_PURPOSE).await, "Stopped");
    for t in release.triggers.split(',') {
        assert_eq!(w.trigger_state(t).await, "Started", "{t}");
    }

    let run = w.svc.confirm(&w.session, &id).await.unwrap();
    let c = &run.steps.confirm;
    for check in &c.checks {
        assert_eq!(check.outcome, ConfirmOutcome::Pass, "{check:?}");
    }
    assert_eq!(c.checks.len(), 4);
    assert!(c.checks.iter().any(|x| x.id == ConfirmCheckId::MainHead));
    assert_eq!(run.step_state(StepId::Confirm), StepState::Done);
    assert_eq!(run.current_step, StepId::MergeBack);
}

#[tokio::test]
async fn the_review_is_stored_with_the_stopped_trigger_the_hand_change_and_the_dev_value() {
    let (w, id, _) = demo_reviewed().await;
    let run = w.svc.get_run(&id).unwrap();
    let review = run.steps.deploy.review.clone().unwrap();
    let triggers = review.triggers.result().expect("the trigger check ran");
    let stopped = triggers
        .iter()
        .find(|t| t.name == STOPPED_ON_PURPOSE)
        .unwrap();
    assert_eq!(stopped.runtime_state, "Stopped");
    let started = review.started_triggers().unwrap();
    assert!(!started.is_empty() && !started.iter().any(|t| t == STOPPED_ON_PURPOSE));
    let drift = review.drift.result().expect("the drift check ran");
    assert!(
        drift
            .iter()
            .any(|d| d.kind == HAND_CHANGED.0 && d.name == HAND_CHANGED.1),
        "{drift:?}"
    );
    let params = review.parameters.result().expect("the parameter check ran");
    assert!(
        params.iter().any(|p| p.parameter == UNCOVERED_PARAMETER),
        "{params:?}"
    );
    // The basis the deployment rests on: the triggers as they were, for the fix commit.
    let basis = run.steps.deploy.basis.clone().unwrap();
    assert_eq!(basis.triggers.unwrap().len(), triggers.len());
    assert_eq!(run.step_state(StepId::Deploy), StepState::Active);
    assert!(!review.warnings().is_empty());
}

#[tokio::test]
async fn a_trigger_that_differs_after_the_deployment_is_restored_and_the_restore_is_safe_to_repeat()
{
    let (w, id, _) = demo_reviewed().await;
    w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    w.until_deployed(&id).await;
    let release = w.svc.get_run(&id).unwrap().steps.deploy.release.unwrap();
    let running = release.triggers.split(',').next().unwrap().to_owned();
    // Someone starts the trigger stopped on purpose and stops a running one meanwhile.
    let dp = DataPlane::for_profile(&w.session, PROD).await.unwrap();
    dp.set_trigger_state(STOPPED_ON_PURPOSE, true)
        .await
        .unwrap();
    dp.set_trigger_state(&running, false).await.unwrap();

    let run = w.svc.confirm(&w.session, &id).await.unwrap();
    let c = &run.steps.confirm;
    let triggers = c
        .checks
        .iter()
        .find(|x| x.id == ConfirmCheckId::Triggers)
        .unwrap();
    assert_eq!(triggers.outcome, ConfirmOutcome::Fail);
    let mut diffs: Vec<_> = c.trigger_diffs.iter().map(|d| d.name.clone()).collect();
    diffs.sort();
    let mut want = vec![STOPPED_ON_PURPOSE.to_owned(), running.clone()];
    want.sort();
    assert_eq!(diffs, want);
    assert_ne!(run.step_state(StepId::Confirm), StepState::Done);

    w.clear_journal().await;
    w.svc
        .restore_trigger(&w.session, &id, STOPPED_ON_PURPOSE)
        .await
        .unwrap();
    assert_eq!(w.trigger_state(STOPPED_ON_PURPOSE).await, "Stopped");
    let run = w
        .svc
        .restore_trigger(&w.session, &id, &running)
        .await
        .unwrap();
    assert_eq!(w.trigger_state(&running).await, "Started");
    assert!(run.steps.confirm.trigger_diffs.is_empty());
    assert!(
        run.steps.confirm.all_passed(),
        "{:?}",
        run.steps.confirm.checks
    );
    assert_eq!(run.step_state(StepId::Confirm), StepState::Done);
    let writes = |j: &[Value]| {
        j.iter()
            .filter(|e| e["method"] == "POST" && e["path"].as_str().unwrap().contains("/triggers/"))
            .count()
    };
    assert_eq!(writes(&w.journal().await), 2, "one start or stop each");

    // Repeating it (a double click, a retry after a lost answer) changes nothing and sends no write.
    w.clear_journal().await;
    let run = w
        .svc
        .restore_trigger(&w.session, &id, STOPPED_ON_PURPOSE)
        .await
        .unwrap();
    assert_eq!(writes(&w.journal().await), 0);
    assert_eq!(w.trigger_state(STOPPED_ON_PURPOSE).await, "Stopped");
    assert!(run.steps.confirm.all_passed());
}

#[tokio::test]
async fn without_a_synapse_token_the_confirmation_says_which_checks_did_not_run() {
    let (w, id, _) = demo_reviewed().await;
    w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    w.until_deployed(&id).await;
    w.session.set_synapse_access(SynapseAccess::default());
    let run = w.svc.confirm(&w.session, &id).await.unwrap();
    let outcome = |id| {
        run.steps
            .confirm
            .checks
            .iter()
            .find(|c| c.id == id)
            .unwrap()
            .clone()
    };
    assert_eq!(outcome(ConfirmCheckId::Stage).outcome, ConfirmOutcome::Pass);
    assert_eq!(
        outcome(ConfirmCheckId::MainHead).outcome,
        ConfirmOutcome::Pass
    );
    for check in [ConfirmCheckId::Triggers, ConfirmCheckId::Artifacts] {
        let c = outcome(check);
        assert_eq!(c.outcome, ConfirmOutcome::NotRun, "{c:?}");
        assert!(!c.detail.is_empty());
        assert!(
            c.what_to_do.as_deref().is_some_and(|w| !w.is_empty()),
            "{c:?}"
        );
    }
    assert_ne!(
        run.step_state(StepId::Confirm),
        StepState::Done,
        "a check that did not run is never taken as passed"
    );
}

/// Steps 1–4 of a fix that also brings the broken pipeline of the seed's `demo/broken-artifact`
/// branch (it refers to a dataset that does not exist), reviewed.
async fn broken_reviewed() -> (World, String) {
    let mut w = world(Seed::Demo).await;
    as_demo(&mut w);
    let run = Box::pin(w.run_at_step3()).await;
    Box::pin(w.push_fix(&run.id)).await;
    let item = w
        .rest(
            reqwest::Method::GET,
            &w.git_url(&format!(
                "items?path=/{BROKEN_PATH}&versionDescriptor.version=demo/broken-artifact&\
                 versionDescriptor.versionType=branch&includeContent=true"
            )),
            None,
        )
        .await;
    let broken: Value = serde_json::from_str(item["content"].as_str().unwrap()).unwrap();
    w.admin_post(
        "/git/push-files",
        &json!({"project": PROJECT, "repository": info(&w).repository, "branch": BRANCH,
                "message": "Add pl_ingest_returns", "files": {BROKEN_PATH: broken}}),
    )
    .await;
    Box::pin(w.svc.refresh_changes(&w.session, &run.id))
        .await
        .unwrap();
    Box::pin(w.svc.complete_fix(&w.session, &run.id, true))
        .await
        .unwrap();
    Box::pin(w.svc.pipeline_preview(&w.session, &run.id))
        .await
        .unwrap();
    Box::pin(w.svc.pipeline_save(&w.session, &run.id, None))
        .await
        .unwrap();
    w.svc.deploy_review(&w.session, &run.id).await.unwrap();
    (w, run.id)
}

const BROKEN_PATH: &str = "pipeline/pl_ingest_returns.json";

#[tokio::test]
async fn a_broken_artifact_fails_validation_with_its_log_line_explained_and_is_rolled_back() {
    let (w, id) = broken_reviewed().await;
    let before = w.prod_triggers().await;
    w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    let run = w.until_deployed(&id).await;
    assert_eq!(
        run.steps.deploy.current().unwrap().result,
        Some(DeployResult::Failed)
    );
    assert_eq!(run.step_state(StepId::Deploy), StepState::Failed);
    assert_eq!(run.current_step, StepId::Confirm);

    let run = w.svc.confirm(&w.session, &id).await.unwrap();
    let c = &run.steps.confirm;
    let stage = c
        .checks
        .iter()
        .find(|x| x.id == ConfirmCheckId::Stage)
        .unwrap();
    assert_eq!(stage.outcome, ConfirmOutcome::Fail);
    let failure = c.failure.clone().expect("what went wrong");
    let first = failure.first_error.clone().unwrap();
    assert!(
        first.contains("pl_ingest_returns") && first.contains("ds_raw_returns_csv"),
        "{first}"
    );
    assert!(failure
        .excerpt
        .iter()
        .any(|l| l.error && l.text.contains("ds_raw_returns_csv")));
    assert!(
        failure
            .explanations
            .iter()
            .any(|e| e.code == "Validation failed"),
        "{:?}",
        failure.explanations
    );
    let target = c.rollback.clone().expect("a rollback is offered");
    let old = run.steps.release.release.clone().unwrap();
    assert_eq!(
        target.release_id,
        run.steps
            .release
            .current_production_release_id
            .unwrap_or(old.id)
    );

    // A wrong name sends nothing; the typed name redeploys the old release's stage.
    w.clear_journal().await;
    let err = w
        .svc
        .rollback(&w.session, &id, "contoso-synapse-dev")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(w.journal().await.iter().all(|e| e["method"] == "GET"));
    let run = w.svc.rollback(&w.session, &id, PROD).await.unwrap();
    let a = run.steps.deploy.current().unwrap().clone();
    assert_eq!(a.kind, AttemptKind::Rollback);
    assert_eq!(a.release_id, target.release_id);
    assert!(
        a.attempt >= 2,
        "a new attempt on the old release: {}",
        a.attempt
    );
    let run = w.until_deployed(&id).await;
    assert_eq!(
        run.steps.deploy.current().unwrap().result,
        Some(DeployResult::Succeeded)
    );
    assert_eq!(run.steps.deploy.attempts.len(), 2);
    let journal = w.journal().await;
    assert_eq!(
        count(&journal, "POST", "/release/releases"),
        0,
        "no new release"
    );
    assert_eq!(count(&journal, "PATCH", "/environments/"), 1);

    // Confirmed like a deployment: the old release's own pipeline starts every trigger, so the
    // one stopped on purpose shows as changed, with its restore.
    let run = w.svc.confirm(&w.session, &id).await.unwrap();
    let c = &run.steps.confirm;
    assert_eq!(c.attempt, a.attempt);
    let stage = c
        .checks
        .iter()
        .find(|x| x.id == ConfirmCheckId::Stage)
        .unwrap();
    assert_eq!(stage.outcome, ConfirmOutcome::Pass, "{stage:?}");
    for d in c.trigger_diffs.clone() {
        let was = before.iter().find(|t| t.name == d.name).unwrap();
        assert_eq!(d.before, was.runtime_state);
        w.svc
            .restore_trigger(&w.session, &id, &d.name)
            .await
            .unwrap();
    }
    assert_eq!(w.prod_triggers().await.len(), before.len());
    for t in &before {
        assert_eq!(
            w.trigger_state(&t.name).await,
            t.runtime_state,
            "{}",
            t.name
        );
    }
}

#[tokio::test]
async fn the_confirmation_tries_failing_reads_again_and_says_which_point_could_not_be_read() {
    let (w, id, _) = demo_reviewed().await;
    w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    w.until_deployed(&id).await;
    // One passing failure on each of its calls: the release, the triggers and artifacts of
    // production (data plane) and the main head.
    for (path, status) in [
        (r"/_apis/release/releases/\d+$", 500),
        (r"/synapse/[^/]+/triggers$", 429),
        (r"/synapse/[^/]+/pipelines$", 503),
        (r"/_apis/git/repositories/[^/]+/refs$", 500),
    ] {
        w.fault("GET", path, status, 1).await;
    }
    w.clear_journal().await;
    let run = w.svc.confirm(&w.session, &id).await.unwrap();
    assert!(
        run.steps.confirm.all_passed(),
        "{:?}",
        run.steps.confirm.checks
    );
    let journal = w.journal().await;
    assert!(
        journal.iter().all(|e| e["method"] == "GET"),
        "the confirmation only reads"
    );
    assert_eq!(
        journal
            .iter()
            .filter(|e| e["status"].as_u64().unwrap() >= 429)
            .count(),
        4,
        "{:?}",
        calls(&journal)
    );

    // The triggers cannot be read at all: that point says so (not passed), the others still run.
    w.fault("GET", r"/synapse/[^/]+/triggers$", 500, 20).await;
    let run = w.svc.confirm(&w.session, &id).await.unwrap();
    let triggers = run
        .steps
        .confirm
        .checks
        .iter()
        .find(|c| c.id == ConfirmCheckId::Triggers)
        .unwrap()
        .clone();
    assert_eq!(triggers.outcome, ConfirmOutcome::NotRun, "{triggers:?}");
    assert!(
        triggers.detail.contains("could not be read"),
        "{triggers:?}"
    );
    assert!(triggers.what_to_do.is_some());
    w.clear_faults().await;
    let run = w.svc.confirm(&w.session, &id).await.unwrap();
    assert!(run.steps.confirm.all_passed());
}
