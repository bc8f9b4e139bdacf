//! Unit tests of step 7: what the run list calls "not merged back", the pull request text, a
//! listing kept or re-ticked, the preconditions, and runs saved before step 7 existed.

use chrono::Utc;

use super::step7_merge::{record_listing, PreviewConflicts};
use super::step7_pulls::OpenPullRequests;
use super::step7_state::{
    pending_targets, ConflictPreview, MergePullRequest, MergeTarget, PullRequestOrigin, TargetKind,
    TargetListing,
};
use super::step7_text::{description, title, MAX_DESCRIPTION};
use super::{Action, StepId};
use crate::error::ErrorCode;
use crate::hotfix::run::{BranchOutcome, CommitInfo, HotfixBranch, HotfixRun, SelectedRelease};
use crate::profiles::Profile;

const FIX: &str = "f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1";
const BASE: &str = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";

fn commit(id: &str, message: &str) -> CommitInfo {
    CommitInfo {
        commit_id: id.into(),
        message: message.into(),
        author_name: "Dana".into(),
        author_email: None,
        author_date: None,
        web_url: None,
    }
}

fn run() -> HotfixRun {
    let mut p = Profile::new_with_defaults("p".into());
    p.prod_workspace = "contoso-synapse-prod".into();
    let mut run = HotfixRun::new("r".into(), &p, Utc::now());
    run.steps.release.release = Some(SelectedRelease {
        id: 3,
        name: "Release-3".into(),
        definition_id: 1,
        definition_environment_id: 2,
        web_url: Some("https://dev.azure.com/o/p/_releaseProgress?releaseId=3".into()),
        description: None,
        was_current: true,
    });
    run.steps.release.commit = Some(commit(BASE, "release"));
    run.steps.branch.branch = Some(HotfixBranch {
        name: "Release3_Hotfixes".into(),
        object_id: BASE.into(),
        outcome: BranchOutcome::Created,
        web_url: None,
    });
    run.steps.fix.head = Some(FIX.into());
    run.steps.fix.commits = vec![commit(FIX, "Fix the sales copy timeout\n\nDetails")];
    run
}

fn target(name: &str, contains_fix: bool) -> MergeTarget {
    MergeTarget {
        name: name.into(),
        kind: if name == "main" {
            TargetKind::Collaboration
        } else {
            TargetKind::Feature
        },
        pattern: None,
        head: format!("{:0>40}", name.len()),
        ahead: 1,
        behind: u32::from(!contains_fix),
        contains_fix,
        web_url: None,
    }
}

fn listing(targets: Vec<MergeTarget>) -> TargetListing {
    TargetListing {
        listed_at: Utc::now(),
        hotfix_branch: "Release3_Hotfixes".into(),
        hotfix_head: FIX.into(),
        fix_commit: FIX.into(),
        undeployed_commits: 0,
        targets,
        unmatched_patterns: Vec::new(),
        notes: Vec::new(),
    }
}

fn pr(target: &str, status: &str) -> MergePullRequest {
    MergePullRequest {
        target: target.into(),
        pull_request_id: 1,
        title: "t".into(),
        status: status.into(),
        merge_status: "succeeded".into(),
        merge_failure_message: None,
        web_url: "u".into(),
        origin: PullRequestOrigin::Created,
        read_at: Utc::now(),
    }
}

#[test]
fn not_merged_back_starts_with_the_deployment_and_ends_when_every_ticked_target_has_the_fix() {
    let mut run = run();
    assert_eq!(pending_targets(&run), None, "not deployed yet");
    assert!(!run.summary().not_merged_back);
    run.complete_step(StepId::Deploy);
    assert_eq!(pending_targets(&run), Some(vec!["main".to_owned()]));
    let s = run.summary();
    assert!(s.not_merged_back);
    assert_eq!(s.merge_back_pending, vec!["main".to_owned()]);
    run.complete_step(StepId::Confirm);
    record_listing(
        &mut run,
        listing(vec![
            target("main", false),
            target("feature/a", false),
            target("feature/b", true),
        ]),
    );
    assert_eq!(
        run.steps.merge_back.selected,
        vec!["main".to_owned(), "feature/a".to_owned()]
    );
    assert_eq!(
        pending_targets(&run).unwrap(),
        vec!["main".to_owned(), "feature/a".to_owned()]
    );
    run.steps.merge_back.pull_requests = vec![pr("main", "completed"), pr("feature/a", "active")];
    assert_eq!(pending_targets(&run).unwrap(), vec!["feature/a".to_owned()]);
    run.steps.merge_back.pull_requests[1].status = "completed".into();
    assert_eq!(pending_targets(&run).unwrap(), Vec::<String>::new());
    assert!(!run.summary().not_merged_back);
}

#[test]
fn a_new_listing_keeps_ticks_still_listed_and_drops_previews_of_moved_branches() {
    let mut run = run();
    record_listing(
        &mut run,
        listing(vec![target("main", false), target("feature/a", false)]),
    );
    run.steps.merge_back.selected = vec!["feature/a".into()];
    let p = |t: &MergeTarget| ConflictPreview {
        target: t.name.clone(),
        target_head: t.head.clone(),
        hotfix_head: FIX.into(),
        computed_at: Utc::now(),
        up_to_date: false,
        conflicts: Vec::new(),
        changed_artifacts: Vec::new(),
        changed_files: 1,
    };
    run.steps.merge_back.previews = vec![p(&target("main", false)), p(&target("feature/a", false))];
    let mut moved = target("main", false);
    moved.head = "9".repeat(40);
    record_listing(&mut run, listing(vec![moved, target("feature/a", false)]));
    assert_eq!(run.steps.merge_back.selected, vec!["feature/a".to_owned()]);
    let kept: Vec<&str> = run
        .steps
        .merge_back
        .previews
        .iter()
        .map(|p| p.target.as_str())
        .collect();
    assert_eq!(
        kept,
        vec!["feature/a"],
        "main moved: its preview is out of date"
    );
    // feature/a is gone: nothing of the old ticks is left, so the ones lacking the fix are ticked.
    record_listing(
        &mut run,
        listing(vec![target("main", false), target("feature/c", true)]),
    );
    assert_eq!(run.steps.merge_back.selected, vec!["main".to_owned()]);
}

#[test]
fn the_pull_request_names_the_release_the_commit_range_and_the_deployment() {
    let run = run();
    assert_eq!(
        title(&run, "Release3_Hotfixes", "main"),
        "Merge hotfix of Release-3 (Release3_Hotfixes) into main"
    );
    let d = description(&run, "Release3_Hotfixes", FIX, "feature/a");
    assert!(
        d.contains(
            "[Release-3](https://dev.azure.com/o/p/_releaseProgress?releaseId=3) (release id 3)"
        ),
        "{d}"
    );
    assert!(d.contains("back into `feature/a`"), "{d}");
    assert!(
        d.contains(
            "`b0b0b0b0..f1f1f1f1` on `Release3_Hotfixes` (1 commit since the release commit)"
        ),
        "{d}"
    );
    assert!(
        d.contains("`f1f1f1f1` Fix the sales copy timeout (Dana)"),
        "{d}"
    );
    assert!(
        !d.contains("Details"),
        "only the first line of a commit message: {d}"
    );
    assert!(
        d.contains("deployed to the Synapse workspace `contoso-synapse-prod`"),
        "{d}"
    );
    assert!(d.contains("Do not delete `Release3_Hotfixes`"), "{d}");
}

#[test]
fn the_pull_request_names_the_release_that_deployed_the_fix_not_a_rollback() {
    use super::step5_deploy::{AttemptKind, DeployAttempt};
    use super::step5_status::DeployResult;
    let attempt = |kind, id: i32, result| DeployAttempt {
        kind,
        release_id: id,
        release_name: format!("Release-{id}"),
        web_url: (id == 12).then(|| "https://rm/r?releaseId=12".to_owned()),
        environment_id: 1,
        stage_name: "Production_Hotfix".into(),
        attempt: 1,
        requested_at: Utc::now(),
        finished_at: None,
        result,
    };
    let mut run = run();
    let d = description(&run, "Release3_Hotfixes", FIX, "main");
    assert!(!d.contains(" as release "), "nothing deployed yet: {d}");
    run.steps.deploy.attempts = vec![
        attempt(AttemptKind::Deploy, 11, Some(DeployResult::Failed)),
        attempt(AttemptKind::Deploy, 12, Some(DeployResult::Succeeded)),
        attempt(AttemptKind::Rollback, 3, None),
    ];
    let d = description(&run, "Release3_Hotfixes", FIX, "main");
    assert!(
        d.contains("`contoso-synapse-prod` as release [Release-12](https://rm/r?releaseId=12) (release id 12), and confirmed."),
        "{d}"
    );
}

#[test]
fn a_long_history_is_summarised_and_the_description_cut_at_the_service_limit() {
    let mut run = run();
    run.steps.fix.commits = (0..40)
        .map(|i| commit(&format!("{i:0>40}"), &"x".repeat(300)))
        .collect();
    let d = description(&run, "Release3_Hotfixes", FIX, "main");
    assert!(d.chars().count() <= MAX_DESCRIPTION, "{}", d.len());
    assert!(d.ends_with(" …"), "cut visibly");
    run.steps.fix.commits.truncate(20);
    for c in &mut run.steps.fix.commits {
        c.message = "short".into();
    }
    let d = description(&run, "Release3_Hotfixes", FIX, "main");
    assert!(d.contains("… and 5 more"), "{d}");
}

#[test]
fn step_7_actions_wait_for_step_6_and_a_preview() {
    let mut run = run();
    let access = super::step7_merge::CacheAccess {
        cache: std::sync::Arc::new(crate::git::GitCache::new(std::path::Path::new(
            "/nonexistent",
        ))),
        progress: std::sync::Arc::new(|_| {}),
    };
    let open = OpenPullRequests {
        access: access.clone(),
        work_items: vec![],
    };
    assert_eq!(
        open.preconditions(&run).unwrap_err().code,
        ErrorCode::Precondition
    );
    run.complete_step(StepId::Deploy);
    run.complete_step(StepId::Confirm);
    // Nothing ticked, then ticked without a preview.
    assert_eq!(
        open.preconditions(&run).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    record_listing(&mut run, listing(vec![target("main", false)]));
    let err = open.preconditions(&run).unwrap_err();
    assert!(
        err.message.contains("Preview the merges first"),
        "{}",
        err.message
    );
    run.steps.merge_back.previews.clear();
    let preview = PreviewConflicts {
        access: access.clone(),
        targets: vec!["feature/x".into()],
    };
    let err = preview.preconditions(&run).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        err.message
            .contains("feature/x is not one of the listed targets"),
        "{}",
        err.message
    );
    let none = PreviewConflicts {
        access,
        targets: vec![],
    };
    assert_eq!(
        none.preconditions(&run).unwrap_err().code,
        ErrorCode::InvalidInput
    );
}

#[test]
fn work_item_ids_must_be_positive() {
    let mut run = run();
    run.complete_step(StepId::Deploy);
    run.complete_step(StepId::Confirm);
    record_listing(&mut run, listing(vec![target("main", false)]));
    run.steps.merge_back.previews = vec![ConflictPreview {
        target: "main".into(),
        target_head: target("main", false).head,
        hotfix_head: FIX.into(),
        computed_at: Utc::now(),
        up_to_date: false,
        conflicts: Vec::new(),
        changed_artifacts: Vec::new(),
        changed_files: 1,
    }];
    let access = super::step7_merge::CacheAccess {
        cache: std::sync::Arc::new(crate::git::GitCache::new(std::path::Path::new(
            "/nonexistent",
        ))),
        progress: std::sync::Arc::new(|_| {}),
    };
    let bad = OpenPullRequests {
        access: access.clone(),
        work_items: vec![12, -4],
    };
    let err = bad.preconditions(&run).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        err.message.contains("-4 is not a work item id"),
        "{}",
        err.message
    );
    let good = OpenPullRequests {
        access,
        work_items: vec![12],
    };
    good.preconditions(&run).unwrap();
}

#[test]
fn a_run_saved_before_step_7_existed_loads_with_an_empty_merge_back() {
    let run = run();
    let mut json = serde_json::to_value(&run).unwrap();
    json["steps"].as_object_mut().unwrap().remove("mergeBack");
    let back: HotfixRun = serde_json::from_value(json).unwrap();
    assert_eq!(*back.steps.merge_back, super::MergeBackState::default());
    let summary = serde_json::to_value(back.summary()).unwrap();
    assert_eq!(summary["notMergedBack"], false);
    assert_eq!(summary["mergeBackPending"], serde_json::json!([]));
}

#[test]
fn the_history_entry_lists_the_merge_back_pull_requests() {
    let mut run = run();
    let entry = crate::hotfix::history::entry::HistoryEntry::from_run(&run);
    assert_eq!(entry.pull_requests, None, "none opened yet");
    run.steps.merge_back.pull_requests = vec![pr("main", "completed"), pr("feature/a", "active")];
    let entry = crate::hotfix::history::entry::HistoryEntry::from_run(&run);
    let prs = entry.pull_requests.unwrap();
    assert_eq!(prs.len(), 2);
    assert_eq!(prs[0].target_branch, "main");
    assert_eq!(prs[0].status, "completed");
    assert_eq!(prs[1].merge_status.as_deref(), Some("succeeded"));
    assert_eq!(prs[1].web_url.as_deref(), Some("u"));
}

#[test]
fn a_refused_token_on_the_demo_profile_says_to_reset_the_demo_not_to_create_a_token() {
    use crate::error::AppError;
    let refused = || AppError::new(ErrorCode::TokenRejected, "Create a new one.");
    let demo = super::step7_merge::demo_advice(true, refused());
    assert_eq!(demo.code, ErrorCode::TokenRejected);
    assert!(demo.message.contains("Reset the demo"), "{}", demo.message);
    assert!(!demo.message.contains("Create a new"), "{}", demo.message);
    let real = super::step7_merge::demo_advice(false, refused());
    assert_eq!(real.message, "Create a new one.");
    let other = super::step7_merge::demo_advice(true, AppError::new(ErrorCode::NotFound, "gone"));
    assert_eq!(other.message, "gone", "only a refused token is reworded");
}
