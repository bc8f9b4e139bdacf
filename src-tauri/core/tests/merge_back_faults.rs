//! Step 7 when things go wrong: a target branch deleted between listing and pull request
//! creation (`TF401398`), the create failing with 500 once (read again, not repeated), the app
//! stopping right after the creates (exactly one pull request per target on resume), and the
//! request budget of the whole step counted through the journal.

mod support;

use ado_sim::Seed;
use hotfix_core::hotfix::service::crash_points;
use hotfix_core::hotfix::steps::step7_state::PullRequestOrigin;
use hotfix_core::hotfix::{StepId, StepState};
use hotfix_core::ErrorCode;
use support::step7::{run_at_step7, FEATURES};
use support::{count, crash_once_at, world, World};

fn all_targets() -> Vec<String> {
    ["main", FEATURES[0], FEATURES[1]]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

/// Lists and previews every target of a run at step 7; returns its id.
async fn previewed(w: &World) -> String {
    let run = run_at_step7(w).await;
    w.svc
        .merge_back_list_targets(&w.session, &run.id)
        .await
        .unwrap();
    w.svc
        .merge_back_preview(&w.session, &run.id, all_targets())
        .await
        .unwrap();
    run.id
}

fn creates(j: &[serde_json::Value]) -> usize {
    j.iter()
        .filter(|e| {
            e["method"] == "POST" && e["path"].as_str().unwrap_or("").ends_with("/pullrequests")
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_deleted_after_the_listing_is_reported_and_the_targets_listed_again() {
    let w = world(Seed::Demo).await;
    let id = previewed(&w).await;
    w.delete_branch(FEATURES[1]).await;
    let err = w
        .svc
        .merge_back_open_pull_requests(&w.session, &id, vec![])
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "{err:?}");
    assert!(
        err.message
            .contains(&format!("{} no longer exists", FEATURES[1])),
        "{}",
        err.message
    );
    assert!(err.message.contains("TF401398"), "{}", err.message);
    assert!(err.message.contains("listed again"), "{}", err.message);
    // The others were opened and are kept; the gone branch is no longer listed or ticked.
    assert_eq!(w.pull_requests_into("main").await.len(), 1);
    assert_eq!(w.pull_requests_into(FEATURES[0]).await.len(), 1);
    assert_eq!(w.pull_requests().await.len(), 2);
    let run = w.svc.get_run(&id).unwrap();
    let state = &run.steps.merge_back;
    assert_eq!(state.pull_requests.len(), 2);
    assert!(!state
        .listing
        .as_ref()
        .unwrap()
        .targets
        .iter()
        .any(|t| t.name == FEATURES[1]));
    assert_eq!(
        state.selected,
        vec!["main".to_owned(), FEATURES[0].to_owned()]
    );
    assert_eq!(run.step_state(StepId::MergeBack), StepState::Active);
    // Opening again finishes the step without a second pull request anywhere.
    w.clear_journal().await;
    let run = w
        .svc
        .merge_back_open_pull_requests(&w.session, &id, vec![])
        .await
        .unwrap();
    assert_eq!(creates(&w.journal().await), 0);
    assert_eq!(w.pull_requests().await.len(), 2);
    assert_eq!(run.step_state(StepId::MergeBack), StepState::Done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_failing_with_500_once_is_read_again_not_repeated() {
    let w = world(Seed::Demo).await;
    let id = previewed(&w).await;
    w.fault("POST", "/pullrequests$", 500, 1).await;
    w.clear_journal().await;
    let err = w
        .svc
        .merge_back_open_pull_requests(&w.session, &id, vec![])
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ServerError, "{err:?}");
    assert!(
        err.message
            .contains("did not open the pull request into main"),
        "{}",
        err.message
    );
    assert!(
        err.message
            .contains("none was created, so nothing is duplicated"),
        "{}",
        err.message
    );
    let j = w.journal().await;
    assert_eq!(creates(&j), 1, "the failed create was not repeated");
    assert_eq!(
        count(&j, "GET", "/pullrequests"),
        2,
        "read before, and read again after the 500"
    );
    assert!(w.pull_requests().await.is_empty());
    let run = w.svc.get_run(&id).unwrap();
    assert_eq!(run.steps.merge_back.intent, None);
    assert_eq!(run.step_state(StepId::MergeBack), StepState::Failed);

    let run = w
        .svc
        .merge_back_open_pull_requests(&w.session, &id, vec![])
        .await
        .unwrap();
    for target in all_targets() {
        assert_eq!(w.pull_requests_into(&target).await.len(), 1, "{target}");
    }
    assert_eq!(run.steps.merge_back.pull_requests.len(), 3);
    assert_eq!(run.step_state(StepId::MergeBack), StepState::Done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_answer_to_the_create_is_found_by_reading_again() {
    let w = world(Seed::Demo).await;
    let id = previewed(&w).await;
    // The simulator drops the connection after the create was received: the outcome is unknown
    // to the app, which reads instead of sending it again.
    w.admin_post(
        "/faults",
        &serde_json::json!({"method": "POST", "path": "/pullrequests$", "drop": true, "times": 1}),
    )
    .await;
    let result = w
        .svc
        .merge_back_open_pull_requests(&w.session, &id, vec![])
        .await;
    // The dropped request never reached the handler, so nothing exists for main and the step
    // says so; nothing is duplicated either way.
    let err = result.unwrap_err();
    assert!(err.message.contains("none was created"), "{}", err.message);
    assert!(w.pull_requests().await.is_empty());
    let run = w
        .svc
        .merge_back_open_pull_requests(&w.session, &id, vec![])
        .await
        .unwrap();
    assert_eq!(w.pull_requests().await.len(), 3);
    assert_eq!(run.steps.merge_back.pull_requests.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_right_after_the_creates_then_resuming_leaves_one_pull_request_per_target() {
    let mut w = world(Seed::Demo).await;
    let id = previewed(&w).await;
    let (hook, fired) = crash_once_at(crash_points::STEP7_AFTER_REMOTE);
    w.svc.set_crash_hook(Some(hook));
    let err = w
        .svc
        .merge_back_open_pull_requests(&w.session, &id, vec![])
        .await
        .unwrap_err();
    assert!(fired.load(std::sync::atomic::Ordering::SeqCst), "{err:?}");
    assert_eq!(
        w.pull_requests().await.len(),
        3,
        "the creates reached Azure DevOps"
    );
    // What was saved: the first two results and the intent of the last create.
    let saved = w.svc.get_run(&id).unwrap();
    assert_eq!(saved.steps.merge_back.pull_requests.len(), 2);
    assert_eq!(
        saved.steps.merge_back.intent.as_ref().unwrap().target,
        FEATURES[1]
    );

    w.restart();
    w.clear_journal().await;
    let run = w
        .svc
        .merge_back_open_pull_requests(&w.session, &id, vec![])
        .await
        .unwrap();
    assert_eq!(creates(&w.journal().await), 0);
    for target in all_targets() {
        assert_eq!(w.pull_requests_into(&target).await.len(), 1, "{target}");
    }
    let state = &run.steps.merge_back;
    assert_eq!(
        state.pull_request("main").unwrap().origin,
        PullRequestOrigin::Created
    );
    assert_eq!(
        state.pull_request(FEATURES[1]).unwrap().origin,
        PullRequestOrigin::Recovered
    );
    assert_eq!(state.intent, None);
    assert_eq!(run.step_state(StepId::MergeBack), StepState::Done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_step_stays_within_its_request_budget() {
    let w = world(Seed::Demo).await;
    let run = run_at_step7(&w).await;
    w.clear_journal().await;
    w.svc
        .merge_back_list_targets(&w.session, &run.id)
        .await
        .unwrap();
    w.svc
        .merge_back_preview(&w.session, &run.id, all_targets())
        .await
        .unwrap();
    w.svc
        .merge_back_open_pull_requests(&w.session, &run.id, vec![])
        .await
        .unwrap();
    let mut saved = w.svc.store().get(&run.id).unwrap();
    saved.steps.merge_back.refreshed_at = None;
    w.svc.store().save(&mut saved).unwrap();
    w.svc.merge_back_refresh(&w.session, &run.id).await.unwrap();
    // Refreshes within the interval cost nothing.
    for _ in 0..5 {
        w.svc.merge_back_refresh(&w.session, &run.id).await.unwrap();
    }
    let j = w.journal().await;
    let git = j
        .iter()
        .filter(|e| e["path"].as_str().unwrap_or("").contains("/_git/"))
        .count();
    let rest = j.len() - git;
    // Two fetches (list, preview): the clone costs the refused first request, the refs
    // advertisement and one pack; the up-to-date fetch only the first two.
    assert!(git <= 6, "git requests: {git}: {:#?}", support::calls(&j));
    // Per target one read and one create, then one read each on refresh; nothing else (the
    // session read the publish branch in the earlier steps).
    assert_eq!(creates(&j), 3);
    assert_eq!(count(&j, "GET", "/pullrequests/"), 3);
    assert_eq!(rest, 3 * 2 + 3, "REST requests: {:#?}", support::calls(&j));
}
