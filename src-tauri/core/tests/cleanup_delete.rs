//! Step 8 (clean up), deleting: the safe branch goes with one refs POST carrying its head as
//! `oldObjectId`; a branch that moved meanwhile (`staleOldObjectId`) is read again and shown, not
//! deleted; an already-deleted one is fine; a 500 on the POST is not repeated but read back; a
//! pull request opened after the list stops it; a crash after the POST leaves one deletion; the
//! run's own branch and unsafe ones are refused before anything is sent; Finish completes the run.

mod cleanup_support;
mod support;

use ado_sim::Seed;
use cleanup_support::{listed, pick, push_to, ref_posts, row, run_at_step8, SAFE, UNSAFE};
use hotfix_core::hotfix::run::{RunStatus, StepState};
use hotfix_core::hotfix::service::crash_points::STEP8_AFTER_REMOTE;
use hotfix_core::hotfix::step8_delete::{BranchPick, DeleteOutcome};
use hotfix_core::hotfix::StepId;
use hotfix_core::ErrorCode;
use serde_json::json;
use support::{count, crash_once_at, world, BRANCH};

const ZEROS: &str = "0000000000000000000000000000000000000000";

#[tokio::test]
async fn the_safe_branch_is_deleted_with_one_refs_post_of_its_head() {
    let w = world(Seed::Demo).await;
    let id = run_at_step8(&w).await;
    let run = listed(&w, &id).await;
    let head = row(&run, SAFE).object_id.clone();
    w.clear_journal().await;
    let report = w
        .svc
        .cleanup_delete(&w.session, &id, vec![pick(&run, SAFE)])
        .await
        .unwrap();
    let journal = w.journal().await;
    assert_eq!(report.results.len(), 1);
    assert_eq!(report.results[0].outcome, DeleteOutcome::Deleted);
    assert!(
        report.results[0].message.contains(&head[..8]),
        "says where it was"
    );
    let posts = ref_posts(&journal);
    assert_eq!(
        posts,
        [
            json!([{"name": "refs/heads/Release2_Hotfixes", "oldObjectId": head, "newObjectId": ZEROS}])
        ]
    );
    // Judged again first: the current release and its pull requests; nothing else.
    assert_eq!(journal.len(), 2 + 1, "{:#?}", support::calls(&journal));
    assert!(w.branches_named(SAFE).await.is_empty());
    assert_eq!(
        w.branches_named(UNSAFE).await.len(),
        1,
        "the unsafe one stays"
    );
    assert_eq!(
        w.branches_named(BRANCH).await.len(),
        1,
        "the run's own stays"
    );
    let run = report.run;
    assert_eq!(run.steps.cleanup.deleted.len(), 1);
    let d = &run.steps.cleanup.deleted[0];
    assert_eq!(
        (d.name.as_str(), d.object_id.as_str()),
        (SAFE, head.as_str())
    );
    assert_eq!(d.release_name.as_deref(), Some("Release-2"));
    assert!(!d.already_gone);
    assert!(run.steps.cleanup.branches.iter().all(|b| b.name != SAFE));
    assert_eq!(w.svc.get_run(&id).unwrap(), run, "saved");
}

#[tokio::test]
async fn a_branch_that_moved_after_the_list_is_shown_again_and_not_deleted() {
    let w = world(Seed::Demo).await;
    let id = run_at_step8(&w).await;
    let run = listed(&w, &id).await;
    let seen = pick(&run, SAFE);
    let moved_to = push_to(&w, SAFE, "Someone pushed to the old hotfix branch").await;
    w.clear_journal().await;
    let report = w
        .svc
        .cleanup_delete(&w.session, &id, vec![seen.clone()])
        .await
        .unwrap();
    let journal = w.journal().await;
    let r = &report.results[0];
    assert_eq!(r.outcome, DeleteOutcome::Moved, "{}", r.message);
    assert!(r.message.contains(&moved_to[..8]), "{}", r.message);
    assert_eq!(
        ref_posts(&journal).len(),
        1,
        "the one POST, refused as stale"
    );
    assert_eq!(
        ref_posts(&journal)[0][0]["oldObjectId"],
        seen.object_id.as_str()
    );
    assert_eq!(
        w.branches_named(SAFE).await[0]["objectId"],
        moved_to.as_str(),
        "still there"
    );
    let again = row(&report.run, SAFE);
    assert_eq!(again.object_id, moved_to, "shown with its new head");
    assert!(!again.merged, "the new commit is not in main");
    assert!(!again.safe);
    assert!(again.note.as_deref().unwrap().contains("moved from"));
    assert!(report.run.steps.cleanup.deleted.is_empty());

    // The old pick is refused before anything is sent: the user must look at the new state.
    w.clear_journal().await;
    let err = w
        .svc
        .cleanup_delete(&w.session, &id, vec![seen])
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(w.journal().await.is_empty());
}

#[tokio::test]
async fn a_branch_deleted_by_someone_else_meanwhile_is_fine() {
    let w = world(Seed::Demo).await;
    let id = run_at_step8(&w).await;
    let run = listed(&w, &id).await;
    let p = pick(&run, SAFE);
    w.rest(
        reqwest::Method::POST,
        &w.git_url("refs"),
        Some(&json!([{"name": "refs/heads/Release2_Hotfixes", "oldObjectId": p.object_id, "newObjectId": ZEROS}])),
    )
    .await;
    let report = w
        .svc
        .cleanup_delete(&w.session, &id, vec![p])
        .await
        .unwrap();
    assert_eq!(report.results[0].outcome, DeleteOutcome::AlreadyGone);
    assert!(report.results[0].message.contains("already deleted"));
    let d = &report.run.steps.cleanup.deleted;
    assert_eq!(d.len(), 1);
    assert!(d[0].already_gone);
}

#[tokio::test]
async fn a_500_on_the_refs_post_is_read_back_not_repeated() {
    let w = world(Seed::Demo).await;
    let id = run_at_step8(&w).await;
    let run = listed(&w, &id).await;
    w.fault("POST", "/refs$", 500, 1).await;
    w.clear_journal().await;
    let err = w
        .svc
        .cleanup_delete(&w.session, &id, vec![pick(&run, SAFE)])
        .await
        .unwrap_err();
    let journal = w.journal().await;
    assert_eq!(err.code, ErrorCode::ServerError);
    assert!(
        err.message.contains("is still there: it was not deleted"),
        "{}",
        err.message
    );
    assert_eq!(ref_posts(&journal).len(), 1, "never repeated blindly");
    let after_post = journal
        .iter()
        .skip_while(|e| e["method"] != "POST")
        .skip(1)
        .collect::<Vec<_>>();
    assert_eq!(after_post.len(), 1, "one read back");
    assert!(after_post[0]["path"].as_str().unwrap().ends_with("/refs"));
    assert_eq!(w.branches_named(SAFE).await.len(), 1);
    let saved = w.svc.get_run(&id).unwrap();
    assert_eq!(saved.step_state(StepId::Cleanup), StepState::Failed);
    assert!(saved.steps.cleanup.deleted.is_empty());

    // Trying again deletes it (the fault was for one request).
    let report = w
        .svc
        .cleanup_delete(&w.session, &id, vec![pick(&saved, SAFE)])
        .await
        .unwrap();
    assert_eq!(report.results[0].outcome, DeleteOutcome::Deleted);
    assert_eq!(report.run.step_state(StepId::Cleanup), StepState::Active);
    assert!(w.branches_named(SAFE).await.is_empty());
}

#[tokio::test]
async fn a_pull_request_opened_after_the_list_stops_the_deletion() {
    let w = world(Seed::Demo).await;
    let id = run_at_step8(&w).await;
    let run = listed(&w, &id).await;
    w.rest(
        reqwest::Method::POST,
        &w.git_url("pullrequests"),
        Some(&json!({"sourceRefName": "refs/heads/Release2_Hotfixes",
                     "targetRefName": "refs/heads/feature/customer-churn", "title": "Bring the Release-2 fix"})),
    )
    .await;
    w.clear_journal().await;
    let report = w
        .svc
        .cleanup_delete(&w.session, &id, vec![pick(&run, SAFE)])
        .await
        .unwrap();
    let r = &report.results[0];
    assert_eq!(r.outcome, DeleteOutcome::NotSafe);
    assert!(r.message.contains("Active pull request"), "{}", r.message);
    assert!(ref_posts(&w.journal().await).is_empty());
    assert!(!row(&report.run, SAFE).safe);
    assert_eq!(w.branches_named(SAFE).await.len(), 1);
}

#[tokio::test]
async fn unsafe_and_own_branches_are_refused_before_anything_is_sent() {
    let w = world(Seed::Demo).await;
    let id = run_at_step8(&w).await;
    let run = listed(&w, &id).await;
    let own = w.branches_named(BRANCH).await[0]["objectId"]
        .as_str()
        .unwrap()
        .to_owned();
    w.clear_journal().await;
    let err = w
        .svc
        .cleanup_delete(&w.session, &id, vec![pick(&run, UNSAFE)])
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition);
    assert!(
        err.message.contains("not safe to delete"),
        "{}",
        err.message
    );
    let err = w
        .svc
        .cleanup_delete(
            &w.session,
            &id,
            vec![BranchPick {
                name: BRANCH.into(),
                object_id: own,
            }],
        )
        .await
        .unwrap_err();
    assert!(err.message.contains("own branch"), "{}", err.message);
    let err = w
        .svc
        .cleanup_delete(&w.session, &id, vec![])
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(w.journal().await.is_empty());
    assert_eq!(w.branches_named(UNSAFE).await.len(), 1);
}

#[tokio::test]
async fn a_crash_after_the_post_leaves_exactly_one_deletion() {
    let mut w = world(Seed::Demo).await;
    let id = run_at_step8(&w).await;
    let run = listed(&w, &id).await;
    let p = pick(&run, SAFE);
    let (hook, fired) = crash_once_at(STEP8_AFTER_REMOTE);
    w.svc.set_crash_hook(Some(hook));
    assert!(w
        .svc
        .cleanup_delete(&w.session, &id, vec![p.clone()])
        .await
        .is_err());
    assert!(fired.load(std::sync::atomic::Ordering::SeqCst));
    assert!(
        w.branches_named(SAFE).await.is_empty(),
        "deleted before the crash"
    );
    w.restart();
    let saved = w.svc.get_run(&id).unwrap();
    assert_eq!(
        row(&saved, SAFE).object_id,
        p.object_id,
        "the crash saved nothing"
    );
    w.clear_journal().await;
    let report = w
        .svc
        .cleanup_delete(&w.session, &id, vec![p])
        .await
        .unwrap();
    assert_eq!(report.results[0].outcome, DeleteOutcome::AlreadyGone);
    assert_eq!(
        report.run.steps.cleanup.deleted.len(),
        1,
        "one record of it"
    );
    assert_eq!(ref_posts(&w.journal().await).len(), 1);
}

#[tokio::test]
async fn finish_completes_the_run_with_who_finished_it() {
    let w = world(Seed::Demo).await;
    let id = run_at_step8(&w).await;
    let run = listed(&w, &id).await;
    w.svc
        .cleanup_delete(&w.session, &id, vec![pick(&run, SAFE)])
        .await
        .unwrap();
    w.clear_journal().await;
    let done = w.svc.finish_run(&w.session, &id).await.unwrap();
    assert_eq!(done.status, RunStatus::Completed);
    assert_eq!(done.step_state(StepId::Cleanup), StepState::Done);
    let who = done.steps.cleanup.finished_by.clone().unwrap();
    assert!(who.contains("Maya Lopez"), "{who}");
    assert_eq!(done.started_by.as_deref(), Some(who.as_str()));
    assert!(done.steps.cleanup.finished_at.is_some());
    assert_eq!(count(&w.journal().await, "GET", "connectiondata"), 1);
    // Nothing changes a completed run.
    let err = w.svc.cleanup_list(&w.session, &id).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition);
    assert!(w.svc.list_runs(false).unwrap().iter().all(|r| r.id != id));
}
