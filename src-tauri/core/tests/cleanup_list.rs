//! Step 8 (clean up), the list: the demo seed's old hotfix branches with one safe
//! (`Release2_Hotfixes`: Release-2 is no longer in production, merged into main, no pull request)
//! and one unsafe (`Release1_Hotfixes`: a commit not in main and an active pull request), the
//! run's own branch never offered, a branch of the release in production unsafe, and the request
//! budget `3 + 2n`.

mod cleanup_support;
mod support;

use ado_sim::seed::demo_hotfixes::RELEASE1_PR_TITLE;
use ado_sim::Seed;
use cleanup_support::{listed, row, run_at_step8, SAFE, UNSAFE};
use hotfix_core::hotfix::StepId;
use hotfix_core::ErrorCode;
use serde_json::json;
use support::{count, world, BRANCH};

#[tokio::test]
async fn the_demo_seed_lists_one_safe_and_one_unsafe_branch_in_3_plus_2n_requests() {
    let w = world(Seed::Demo).await;
    let id = run_at_step8(&w).await;
    w.clear_journal().await;
    let run = listed(&w, &id).await;
    let journal = w.journal().await;
    let state = &run.steps.cleanup;
    let names: Vec<&str> = state.branches.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [UNSAFE, SAFE],
        "oldest release first; the run's own {BRANCH} is not offered"
    );
    assert_eq!(state.current_release.as_ref().unwrap().name, "Release-3");
    assert_eq!(state.collaboration_branch, "main");
    assert!(state.listed_at.is_some());

    let safe = row(&run, SAFE);
    assert!(safe.safe, "{:?}", safe.reasons);
    assert!(safe.reasons.is_empty());
    assert_eq!(safe.release.as_ref().unwrap().name, "Release-2");
    assert!(safe.release.as_ref().unwrap().web_url.is_some());
    assert_eq!(safe.release_label.as_deref(), Some("2"));
    assert!(!safe.release_is_current);
    assert!(safe.merged);
    assert_eq!(safe.ahead_count, 0);
    assert!(
        safe.behind_count > 0,
        "main moved on after the hotfix came back"
    );
    assert!(
        safe.active_pull_requests.is_empty(),
        "its pull request is completed"
    );
    assert!(safe
        .web_url
        .as_deref()
        .unwrap()
        .ends_with("?version=GBRelease2_Hotfixes"));
    assert_eq!(
        w.branches_named(SAFE).await[0]["objectId"],
        safe.object_id.as_str()
    );

    let unsafe_ = row(&run, UNSAFE);
    assert!(!unsafe_.safe);
    assert_eq!(unsafe_.release.as_ref().unwrap().name, "Release-1");
    assert!(!unsafe_.merged);
    assert_eq!(unsafe_.ahead_count, 1);
    assert_eq!(unsafe_.active_pull_requests.len(), 1);
    let pr = &unsafe_.active_pull_requests[0];
    assert_eq!(pr.title, RELEASE1_PR_TITLE);
    assert_eq!(pr.target_branch, "main");
    assert!(pr
        .web_url
        .as_deref()
        .unwrap()
        .ends_with(&format!("/pullrequest/{}", pr.id)));
    assert_eq!(unsafe_.reasons.len(), 2, "{:?}", unsafe_.reasons);
    assert!(unsafe_.reasons[0].contains("1 commit(s) on this branch are not in main"));
    assert!(unsafe_.reasons[1].contains(&format!("Active pull request !{}", pr.id)));

    // Budget: current release, releases, refs, and per branch stats + pull requests.
    assert_eq!(journal.len(), 3 + 2 * 2, "{:#?}", support::calls(&journal));
    assert_eq!(count(&journal, "GET", "/release/deployments"), 1);
    assert_eq!(count(&journal, "GET", "/release/releases"), 1);
    assert_eq!(count(&journal, "GET", "/refs"), 1);
    assert_eq!(count(&journal, "GET", "/stats/branches"), 2);
    assert_eq!(count(&journal, "GET", "/pullrequests"), 2);
    assert!(
        journal.iter().all(|e| e["method"] == "GET"),
        "listing writes nothing"
    );
    assert_eq!(
        run.step_state(StepId::Cleanup),
        hotfix_core::hotfix::StepState::Active
    );
}

#[tokio::test]
async fn a_branch_of_the_release_in_production_is_not_safe() {
    let w = world(Seed::Demo).await;
    let id = run_at_step8(&w).await;
    // Someone else's branch of Release-3, at the release commit.
    let r3 = w.branches_named(BRANCH).await[0]["objectId"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = "hotfix/Release3-extra";
    w.rest(
        reqwest::Method::POST,
        &w.git_url("refs"),
        Some(&json!([{"name": format!("refs/heads/{other}"), "oldObjectId": "0".repeat(40), "newObjectId": r3}])),
    )
    .await;
    // The run keeps its own profile snapshot; its template decides what is listed.
    let mut run = w.svc.store().get(&id).unwrap();
    run.profile.branch_template = "hotfix/Release{release}-extra".into();
    w.svc.store().save(&mut run).unwrap();
    let run = listed(&w, &id).await;
    let b = row(&run, other);
    assert!(!b.safe);
    assert!(b.release_is_current);
    assert!(
        b.merged,
        "it points at the release commit, which main contains"
    );
    assert_eq!(b.reasons.len(), 1, "{:?}", b.reasons);
    assert!(b.reasons[0].contains("Release-3 is still the release in production"));
    assert_eq!(
        run.steps.cleanup.branches.len(),
        1,
        "only names of the template"
    );
}

#[tokio::test]
async fn step8_waits_for_the_earlier_steps_and_sends_nothing_before() {
    let w = world(Seed::Demo).await;
    let run = w.run_at_step3().await;
    w.clear_journal().await;
    let err = w.svc.cleanup_list(&w.session, &run.id).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition);
    assert!(
        err.message.contains("Finish step 3 (Fix) first"),
        "{}",
        err.message
    );
    assert!(w.journal().await.is_empty());
}

#[tokio::test]
async fn a_broken_template_says_what_to_fix_and_an_empty_match_lists_nothing() {
    let w = world(Seed::Demo).await;
    let id = run_at_step8(&w).await;
    let mut run = w.svc.store().get(&id).unwrap();
    run.profile.branch_template = "nothing-matches/{release}".into();
    w.svc.store().save(&mut run).unwrap();
    let run = listed(&w, &id).await;
    assert!(run.steps.cleanup.branches.is_empty());
    let mut run = w.svc.store().get(&id).unwrap();
    run.profile.branch_template = "Release{oops}".into();
    w.svc.store().save(&mut run).unwrap();
    let err = w.svc.cleanup_list(&w.session, &id).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        err.message.contains("branch template in the profile"),
        "{}",
        err.message
    );
}
