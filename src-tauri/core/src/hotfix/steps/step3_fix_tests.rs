//! Tests of [`super`]: the poll answer, when the fix may be recorded, and the Studio link.

use super::*;
use crate::hotfix::run::{BranchOutcome, HotfixBranch};

fn run_with_branch() -> HotfixRun {
    let mut p = Profile::new_with_defaults("p".into());
    p.prod_workspace = "prod".into();
    p.dev_workspace = "dev".into();
    let mut run = HotfixRun::new("r".into(), &p, Utc::now());
    run.steps.release.commit = Some(CommitInfo {
        commit_id: "a".repeat(40),
        message: "m".into(),
        author_name: "x".into(),
        author_email: None,
        author_date: None,
        web_url: None,
    });
    run.steps.branch.branch = Some(HotfixBranch {
        name: "Release3_Hotfixes".into(),
        object_id: "a".repeat(40),
        outcome: BranchOutcome::Created,
        web_url: None,
    });
    run
}

#[test]
fn poll_answer_tells_new_commits_and_stale_changes() {
    let run = run_with_branch();
    let at_release = poll_answer(&run, Some("a".repeat(40)), false, Utc::now(), 5000);
    assert!(!at_release.has_new_commits);
    assert!(at_release.changed, "no changes computed yet");
    let moved = poll_answer(&run, Some("b".repeat(40)), false, Utc::now(), 5000);
    assert!(moved.has_new_commits);
    let gone = poll_answer(&run, None, false, Utc::now(), 5000);
    assert!(!gone.has_new_commits);
}

#[test]
fn completion_is_blocked_until_there_is_a_reviewed_fix() {
    let run = run_with_branch();
    let head = "b".repeat(40);
    assert_eq!(
        completion_blocker(&run, None, false).unwrap().code,
        ErrorCode::NotFound
    );
    let no_changes = completion_blocker(&run, Some(&head), false).unwrap();
    assert!(no_changes.message.contains("Load the changes"));
    let mut run = run;
    run.steps.fix.changes = Some(ChangeSummary {
        base_commit: "a".repeat(40),
        target_commit: "c".repeat(40),
        artifacts: vec![],
        outside_root: vec![],
        other_files: vec![],
    });
    assert!(completion_blocker(&run, Some(&head), false)
        .unwrap()
        .message
        .contains("moved"));
}

#[test]
fn demo_studio_link_names_the_demo_button_and_the_simulated_studio_page() {
    let run = run_with_branch();
    let mut p = run.profile.clone();
    p.simulated = true;
    p.organization_url = "http://127.0.0.1:4321/contoso".into();
    p.project = Some(crate::profiles::NamedRef {
        id: "p".into(),
        name: "DataPlatform".into(),
    });
    p.repository = Some(crate::profiles::NamedRef {
        id: "r".into(),
        name: "synapse-analytics".into(),
    });
    let base = Url::parse("http://127.0.0.1:4321").unwrap();
    let link = studio_link(&run, &p, Some(&base)).unwrap();
    assert_eq!(
        link.url,
        "http://127.0.0.1:4321/contoso/DataPlatform/_git/synapse-analytics?version=GBRelease3_Hotfixes"
    );
    assert!(
        link.instruction
            .contains("Click \"Simulate Synapse Studio saving a fix\" below"),
        "{}",
        link.instruction
    );
    assert!(
        link.instruction.contains(
            "Or use the simulated Studio page that opens: edit an artifact and commit it to \
             Release3_Hotfixes."
        ),
        "{}",
        link.instruction
    );
    assert!(!link.instruction.contains("Push a sample fix"));
    assert_eq!(link.note, None);
}

#[test]
fn real_studio_link_needs_a_dev_workspace_and_names_the_assumption() {
    let run = run_with_branch();
    let mut p = run.profile.clone();
    p.prod_subscription_id = "sub".into();
    p.prod_resource_group = "rg".into();
    let link = studio_link(&run, &p, None).unwrap();
    assert!(link.url.ends_with("%2Fworkspaces%2Fdev"), "{}", link.url);
    assert!(
        link.url
            .contains("%2Fsubscriptions%2Fsub%2FresourceGroups%2Frg%2F"),
        "{}",
        link.url
    );
    let note = link.note.unwrap();
    assert!(
        note.contains("no development subscription and resource group"),
        "{note}"
    );
    // The development ones, when given, are used and nothing is assumed.
    p.dev_subscription_id = "devsub".into();
    p.dev_resource_group = "rg-dev".into();
    let link = studio_link(&run, &p, None).unwrap();
    assert!(
        link.url
            .contains("%2Fsubscriptions%2Fdevsub%2FresourceGroups%2Frg-dev%2F"),
        "{}",
        link.url
    );
    assert_eq!(link.note, None);
    p.dev_resource_group.clear();
    let note = studio_link(&run, &p, None).unwrap().note.unwrap();
    assert!(note.contains("no development resource group"), "{note}");
    p.dev_workspace.clear();
    assert_eq!(
        studio_link(&run, &p, None).unwrap_err().code,
        ErrorCode::Precondition
    );
}
