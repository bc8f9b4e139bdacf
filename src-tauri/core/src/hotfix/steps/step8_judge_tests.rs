use chrono::Utc;

use super::*;
use crate::hotfix::run::HotfixRun;
use crate::hotfix::steps::step8_cleanup::{cleanup_reachable, CleanupState};
use crate::hotfix::steps::StepId;
use crate::profiles::Profile;

fn release(id: i32, name: &str) -> ReleaseShallow {
    serde_json::from_value(serde_json::json!({"id": id, "name": name,
        "_links": {"web": {"href": format!("https://rm/r?releaseId={id}")}}}))
    .unwrap()
}

fn facts(current: Option<(i32, &str)>) -> Facts {
    Facts {
        current: current.map(|(id, name)| ReleaseLink {
            id,
            name: name.into(),
            web_url: None,
        }),
        releases: vec![
            release(3, "Release-3"),
            release(2, "Release-2"),
            release(1, "Release-1"),
        ],
        collaboration: "main".into(),
    }
}

fn row(ahead: u32, prs: usize, locked: bool) -> CleanupBranch {
    CleanupBranch {
        name: "Release2_Hotfixes".into(),
        object_id: "a".repeat(40),
        web_url: None,
        release_label: Some("2".into()),
        release: None,
        release_is_current: false,
        ahead_count: ahead,
        behind_count: 4,
        merged: ahead == 0,
        active_pull_requests: (0..prs)
            .map(|i| ActivePullRequest {
                id: i32::try_from(i).unwrap() + 7,
                title: "t".into(),
                target_branch: "main".into(),
                created_by: None,
                web_url: None,
            })
            .collect(),
        is_locked: locked,
        safe: false,
        reasons: Vec::new(),
        note: None,
    }
}

fn label(l: &str) -> TemplateMatch {
    TemplateMatch {
        release_label: Some(l.into()),
        ..TemplateMatch::default()
    }
}

#[test]
fn a_merged_branch_of_an_old_release_without_pull_requests_is_safe() {
    let f = facts(Some((3, "Release-3")));
    let m = label("2");
    assert_eq!(f.release_for(&m).unwrap().name, "Release-2");
    assert!(!f.is_current(&m));
    let mut b = row(0, 0, false);
    f.verdict(&mut b, &m);
    assert!(b.safe, "{:?}", b.reasons);
    assert!(b.reasons.is_empty());
}

#[test]
fn every_reason_against_deleting_is_said() {
    let f = facts(Some((3, "Release-3")));
    let m = label("3");
    let mut b = row(2, 1, true);
    b.release_is_current = f.is_current(&m);
    f.verdict(&mut b, &m);
    assert!(!b.safe);
    let all = b.reasons.join("\n");
    assert_eq!(b.reasons.len(), 4, "{all}");
    assert!(
        all.contains("Release-3 is still the release in production"),
        "{all}"
    );
    assert!(
        all.contains("2 commit(s) on this branch are not in main"),
        "{all}"
    );
    assert!(all.contains("Active pull request !7"), "{all}");
    assert!(all.contains("locked"), "{all}");
}

#[test]
fn without_a_release_in_production_or_in_the_name_nothing_is_safe() {
    let mut b = row(0, 0, false);
    facts(None).verdict(&mut b, &label("2"));
    assert!(!b.safe);
    assert!(b.reasons[0].contains("No release was found deployed"));
    let mut b = row(0, 0, false);
    facts(Some((3, "Release-3"))).verdict(&mut b, &TemplateMatch::default());
    assert!(!b.safe);
    assert!(b.reasons[0].contains("does not say which release"));
}

#[test]
fn a_release_id_template_finds_the_release_by_id() {
    let f = facts(Some((3, "Release-3")));
    let m = TemplateMatch {
        release_id: Some(3),
        ..TemplateMatch::default()
    };
    assert_eq!(f.release_for(&m).unwrap().id, 3);
    assert!(f.is_current(&m));
    let gone = TemplateMatch {
        release_id: Some(99),
        ..TemplateMatch::default()
    };
    assert_eq!(f.release_for(&gone), None, "deleted by retention");
    assert!(!f.is_current(&gone));
}

#[test]
fn step8_is_reachable_only_after_every_earlier_step() {
    let mut p = Profile::new_with_defaults("p".into());
    p.prod_workspace = "ws".into();
    let mut run = HotfixRun::new("r".into(), &p, Utc::now());
    let err = cleanup_reachable(&run).unwrap_err();
    assert!(err.message.contains("Finish step 1"), "{}", err.message);
    for s in StepId::ALL.iter().filter(|s| **s < StepId::Cleanup) {
        run.complete_step(*s);
    }
    cleanup_reachable(&run).unwrap();
    run.reopen_step(StepId::MergeBack);
    assert!(cleanup_reachable(&run)
        .unwrap_err()
        .message
        .contains("Finish step 7 (Merge back)"));
}

#[test]
fn a_run_saved_before_step8_loads_with_an_empty_cleanup() {
    let steps: super::super::RunSteps = serde_json::from_value(serde_json::json!({
        "release": {}, "branch": {}, "fix": {}, "pipeline": {}
    }))
    .unwrap();
    assert_eq!(steps.cleanup, CleanupState::default());
}
