//! Step 7 against the simulator: the targets from the cached clone, the conflict preview with
//! and without conflicts agreeing with the simulator's own `mergeStatus`, pull requests for
//! `main` and two feature branches, reuse of an existing one (also through `TF401179`), a feature
//! pattern matching nothing, work item links, reading them again, and the tag of the fix commit.

mod support;

use ado_sim::Seed;
use hotfix_core::hotfix::steps::step7_state::{ConflictKind, PullRequestOrigin, TargetKind};
use hotfix_core::hotfix::{StepId, StepState};
use hotfix_core::synapse::ArtifactKind;
use hotfix_core::ErrorCode;
use serde_json::json;
use support::step7::{edited_pipeline, run_at_step7, FEATURES};
use support::{count, created, world, World};

async fn open(w: &World, id: &str) -> hotfix_core::hotfix::HotfixRun {
    w.svc
        .merge_back_open_pull_requests(&w.session, id, vec![])
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_7_waits_for_the_confirmation_of_step_6() {
    let w = world(Seed::Demo).await;
    let (id, _) = Box::pin(created(&w)).await;
    w.clear_journal().await;
    let err = w
        .svc
        .merge_back_list_targets(&w.session, &id)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition);
    assert!(err.message.contains("step 6"), "{}", err.message);
    assert!(
        w.journal().await.is_empty(),
        "nothing was asked before the precondition"
    );
    assert!(!w.svc.git_cache().repo_dir(&w.profile.id).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_main_and_the_feature_branches_with_ahead_behind_and_the_fix_marked() {
    let w = world(Seed::Demo).await;
    let run = run_at_step7(&w).await;
    let fix = run.steps.fix.head.clone().unwrap();
    let run = w
        .svc
        .merge_back_list_targets(&w.session, &run.id)
        .await
        .unwrap();
    let listing = run.steps.merge_back.listing.clone().unwrap();
    let names: Vec<&str> = listing.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, vec!["main", FEATURES[0], FEATURES[1]]);
    assert_eq!(listing.targets[0].kind, TargetKind::Collaboration);
    assert!(listing.targets[1..]
        .iter()
        .all(|t| t.kind == TargetKind::Feature && t.pattern.as_deref() == Some("feature/*")));
    assert_eq!(listing.fix_commit, fix);
    assert_eq!(listing.hotfix_head, fix);
    assert_eq!(listing.undeployed_commits, 0);
    let fix_commits = u32::try_from(run.steps.fix.commits.len()).unwrap();
    for t in &listing.targets {
        assert!(!t.contains_fix, "{}", t.name);
        assert_eq!(
            t.behind, fix_commits,
            "{}: the fix commits are missing",
            t.name
        );
        assert!(t.ahead > 0, "{} moved on since the release", t.name);
        assert!(t.web_url.as_deref().unwrap().contains("_git/"), "{t:?}");
    }
    // feature/sql-pool-views was cut from main's head and added one commit.
    assert_eq!(listing.targets[2].ahead, listing.targets[0].ahead + 1);
    assert!(listing.unmatched_patterns.is_empty());
    assert_eq!(
        run.steps.merge_back.selected,
        names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()
    );
    assert_eq!(
        run.summary().merge_back_pending,
        run.steps.merge_back.selected
    );
    assert!(run.summary().not_merged_back);

    // A target that got the fix (merged by hand) is marked and not ticked on a fresh list.
    let body = json!([{"name": "refs/heads/feature/has-fix", "oldObjectId": "0000000000000000000000000000000000000000", "newObjectId": fix}]);
    w.rest(reqwest::Method::POST, &w.git_url("refs"), Some(&body))
        .await;
    let mut profile = w.profile.clone();
    profile.feature_branch_patterns = vec!["feature/has-*".into()];
    let s = w.session_for(&profile);
    let mut saved = w.svc.store().get(&run.id).unwrap();
    saved.steps.merge_back.selected.clear();
    w.svc.store().save(&mut saved).unwrap();
    let run = w.svc.merge_back_list_targets(&s, &run.id).await.unwrap();
    let listing = run.steps.merge_back.listing.clone().unwrap();
    let has_fix = listing
        .targets
        .iter()
        .find(|t| t.name == "feature/has-fix")
        .unwrap();
    assert!(has_fix.contains_fix);
    assert_eq!((has_fix.ahead, has_fix.behind), (0, 0));
    assert_eq!(run.steps.merge_back.selected, vec!["main".to_owned()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feature_pattern_matching_nothing_says_so_and_still_offers_main() {
    let w = world(Seed::Demo).await;
    let run = run_at_step7(&w).await;
    let mut profile = w.profile.clone();
    profile.feature_branch_patterns = vec!["release/*".into()];
    let s = w.session_for(&profile);
    let run = w.svc.merge_back_list_targets(&s, &run.id).await.unwrap();
    let listing = run.steps.merge_back.listing.unwrap();
    assert_eq!(listing.targets.len(), 1);
    assert_eq!(listing.targets[0].name, "main");
    assert_eq!(listing.unmatched_patterns, vec!["release/*".to_owned()]);
    let note = listing.notes.join(" ");
    assert!(
        note.contains("No branch matches the feature branch pattern release/*"),
        "{note}"
    );
    assert!(note.contains("only main is offered"), "{note}");
    assert!(note.contains("Profile → Hotfix conventions"), "{note}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conflict_preview_agrees_with_the_simulators_merge_status_and_one_pr_opens_per_target()
{
    let w = world(Seed::Demo).await;
    let run = run_at_step7(&w).await;
    // A colleague changes the pipeline the fix edits, on one feature branch, the same lines.
    let path = edited_pipeline(&run);
    let mut theirs = w.file_json(&path, FEATURES[0]).await;
    theirs["properties"]["description"] = json!("Churn: reads the sales copy for the churn model.");
    let rel = path.trim_start_matches('/').to_owned();
    w.push_files(
        FEATURES[0],
        json!({ rel.clone(): theirs }),
        "Describe the copy for churn",
    )
    .await;

    w.svc
        .merge_back_list_targets(&w.session, &run.id)
        .await
        .unwrap();
    let targets: Vec<String> = ["main", FEATURES[0], FEATURES[1]]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let run = w
        .svc
        .merge_back_preview(&w.session, &run.id, targets.clone())
        .await
        .unwrap();
    let state = &run.steps.merge_back;
    let churn = state.preview(FEATURES[0]).unwrap();
    assert!(!churn.clean());
    assert_eq!(churn.conflicts.len(), 1, "{churn:?}");
    let c = &churn.conflicts[0];
    assert_eq!(c.path, path);
    assert_eq!(c.kind, ConflictKind::BothModified);
    let a = c.artifact.as_ref().unwrap();
    assert_eq!(a.kind, ArtifactKind::Pipeline);
    assert!(path.ends_with(&format!("{}.json", a.name)));
    for clean in ["main", FEATURES[1]] {
        let p = state.preview(clean).unwrap();
        assert!(p.clean() && !p.up_to_date, "{clean}: {p:?}");
        assert!(
            p.changed_artifacts
                .iter()
                .any(|x| x.kind == ArtifactKind::Pipeline),
            "{p:?}"
        );
        assert!(p.changed_files >= 3, "{p:?}");
    }

    w.clear_journal().await;
    let run = w
        .svc
        .merge_back_open_pull_requests(&w.session, &run.id, vec![4711])
        .await
        .unwrap();
    assert_eq!(run.step_state(StepId::MergeBack), StepState::Done);
    assert_eq!(run.current_step, StepId::Cleanup);
    let j = w.journal().await;
    assert_eq!(count(&j, "POST", "/pullrequests"), 3);
    let release = run.steps.release.release.clone().unwrap().name;
    for target in &targets {
        let mine = &run.steps.merge_back.pull_request(target).unwrap();
        assert_eq!(mine.origin, PullRequestOrigin::Created);
        let prs = w.pull_requests_into(target).await;
        assert_eq!(prs.len(), 1, "{target}: one pull request");
        let pr = w
            .pull_request(prs[0]["pullRequestId"].as_i64().unwrap())
            .await;
        assert_eq!(pr["sourceRefName"], "refs/heads/Release3_Hotfixes");
        assert!(
            pr.get("completionOptions").is_none(),
            "deleteSourceBranch never set: {pr}"
        );
        assert!(
            pr["title"].as_str().unwrap().contains(&release),
            "{}",
            pr["title"]
        );
        let description = pr["description"].as_str().unwrap();
        let base = &run.steps.release.commit.as_ref().unwrap().commit_id[..8];
        let fix = &run.steps.fix.head.as_ref().unwrap()[..8];
        assert!(
            description.contains(&format!("{base}..{fix}")),
            "{description}"
        );
        assert!(
            description.contains("contoso-synapse-prod"),
            "{description}"
        );
        assert!(
            description.contains("Do not delete `Release3_Hotfixes`"),
            "{description}"
        );
        assert_eq!(pr["workItemRefs"][0]["id"], "4711", "{pr}");
        // The local preview and the service's own merge agree.
        let local = run.steps.merge_back.preview(target).unwrap();
        let expected = if local.clean() {
            "succeeded"
        } else {
            "conflicts"
        };
        assert_eq!(pr["mergeStatus"], expected, "{target}");
        if !local.clean() {
            assert!(
                pr["mergeFailureMessage"].as_str().unwrap().contains(&path),
                "{pr}"
            );
        }
        assert!(
            mine.web_url
                .ends_with(&format!("/pullrequest/{}", mine.pull_request_id)),
            "{}",
            mine.web_url
        );
    }
    let summary = run.summary();
    assert!(summary.not_merged_back);
    assert_eq!(summary.merge_back_pending.len(), 3);

    // Asking again finds the three and creates nothing.
    w.clear_journal().await;
    let again = open(&w, &run.id).await;
    assert_eq!(count(&w.journal().await, "POST", "/pullrequests"), 0);
    assert_eq!(w.pull_requests().await.len(), 3);
    assert_eq!(again.steps.merge_back.pull_requests.len(), 3);

    // main's pull request is completed in Azure DevOps: a refresh shows it, main has the fix.
    let main_pr = again
        .steps
        .merge_back
        .pull_request("main")
        .unwrap()
        .pull_request_id;
    w.rest(
        reqwest::Method::PATCH,
        &w.git_url(&format!("pullrequests/{main_pr}")),
        Some(&json!({"status": "completed"})),
    )
    .await;
    let mut saved = w.svc.store().get(&run.id).unwrap();
    saved.steps.merge_back.refreshed_at = None;
    w.svc.store().save(&mut saved).unwrap();
    w.clear_journal().await;
    let refreshed = w.svc.merge_back_refresh(&w.session, &run.id).await.unwrap();
    assert_eq!(count(&w.journal().await, "GET", "/pullrequests/"), 3);
    assert!(refreshed
        .steps
        .merge_back
        .pull_request("main")
        .unwrap()
        .completed());
    assert_eq!(
        refreshed.summary().merge_back_pending,
        vec![FEATURES[0].to_owned(), FEATURES[1].to_owned()]
    );
    // Within the refresh interval the run answers without a request.
    w.clear_journal().await;
    w.svc.merge_back_refresh(&w.session, &run.id).await.unwrap();
    assert!(w.journal().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_active_pull_request_is_reused_also_when_the_create_says_tf401179() {
    let w = world(Seed::Demo).await;
    let run = run_at_step7(&w).await;
    // Someone opened the pull requests into main and one feature branch by hand already.
    for target in ["main", FEATURES[1]] {
        let body = json!({"sourceRefName": "refs/heads/Release3_Hotfixes", "targetRefName": format!("refs/heads/{target}"), "title": "by hand"});
        w.rest(
            reqwest::Method::POST,
            &w.git_url("pullrequests"),
            Some(&body),
        )
        .await;
    }
    w.svc
        .merge_back_list_targets(&w.session, &run.id)
        .await
        .unwrap();
    w.svc
        .merge_back_preview(&w.session, &run.id, vec!["main".into()])
        .await
        .unwrap();
    w.clear_journal().await;
    let run = open(&w, &run.id).await;
    let main = run.steps.merge_back.pull_request("main").unwrap();
    assert_eq!(main.origin, PullRequestOrigin::Reused);
    assert_eq!(main.title, "by hand");
    assert_eq!(count(&w.journal().await, "POST", "/pullrequests"), 0);

    // A stale read (the list answers empty once) makes the app try to create: the service
    // answers TF401179, and the app reads again and reuses the pull request instead of failing.
    w.svc
        .merge_back_preview(&w.session, &run.id, vec![FEATURES[1].into()])
        .await
        .unwrap();
    w.admin_post(
        "/faults",
        &json!({"method": "GET", "path": "/pullrequests$", "status": 200, "body": {"count": 0, "value": []}, "times": 1}),
    )
    .await;
    w.clear_journal().await;
    let run = open(&w, &run.id).await;
    let j = w.journal().await;
    let posts: Vec<_> = j
        .iter()
        .filter(|e| e["method"] == "POST" && e["path"].as_str().unwrap().ends_with("/pullrequests"))
        .collect();
    assert_eq!(posts.len(), 1, "one create, answered 409");
    assert_eq!(posts[0]["status"], 409);
    assert_eq!(
        count(&j, "GET", "/pullrequests"),
        2,
        "the read before and the read after"
    );
    let views = run.steps.merge_back.pull_request(FEATURES[1]).unwrap();
    assert_eq!(views.origin, PullRequestOrigin::Reused);
    assert_eq!(w.pull_requests_into(FEATURES[1]).await.len(), 1);
    assert_eq!(run.step_state(StepId::MergeBack), StepState::Done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fix_commit_is_tagged_with_the_next_number_once() {
    let w = world(Seed::Demo).await;
    let run = run_at_step7(&w).await;
    let fix = run.steps.fix.head.clone().unwrap();
    let release3 = run.steps.release.commit.clone().unwrap().commit_id;
    // An earlier hotfix of Release-3 already has number 1 (on another commit).
    let body = json!([{"name": "refs/tags/Release-3-hotfix-1", "oldObjectId": "0000000000000000000000000000000000000000", "newObjectId": release3}]);
    w.rest(reqwest::Method::POST, &w.git_url("refs"), Some(&body))
        .await;
    w.clear_journal().await;
    let run = w.svc.merge_back_tag(&w.session, &run.id).await.unwrap();
    let tag = run.steps.merge_back.tag.clone().unwrap();
    assert_eq!(tag.name, "Release-3-hotfix-2");
    assert!(!tag.reused);
    assert_eq!(tag.commit, fix);
    assert_eq!(count(&w.journal().await, "POST", "/refs"), 1);
    let tags = w
        .rest(
            reqwest::Method::GET,
            &w.git_url("refs?filter=tags/Release-3-hotfix-"),
            None,
        )
        .await;
    let names: Vec<&str> = tags["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "refs/tags/Release-3-hotfix-1",
            "refs/tags/Release-3-hotfix-2"
        ]
    );
    // Again: the tag on the fix is found, nothing is created.
    w.clear_journal().await;
    let run = w.svc.merge_back_tag(&w.session, &run.id).await.unwrap();
    assert!(run.steps.merge_back.tag.unwrap().reused);
    assert_eq!(count(&w.journal().await, "POST", "/refs"), 0);
    // No template: a clear message.
    let mut profile = w.profile.clone();
    profile.hotfix_tag_template = String::new();
    let err = w
        .svc
        .merge_back_tag(&w.session_for(&profile), &run.id)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        err.message.contains("Profile → Hotfix conventions"),
        "{}",
        err.message
    );
}
