//! The deployment and trigger facts of a history entry, built from the steps 5–6 state of a run.

use chrono::{TimeZone, Utc};

use super::HistoryEntry;
use crate::hotfix::run::HotfixRun;
use crate::hotfix::steps::step5_deploy::{
    AttemptKind, DeployAttempt, HotfixRelease, ReviewBasis, TriggerBefore,
};
use crate::hotfix::steps::step5_status::DeployResult;
use crate::hotfix::steps::step6_confirm::{
    ConfirmCheck, ConfirmCheckId, ConfirmOutcome, ConfirmState, TriggerDiff,
};
use crate::profiles::Profile;

const FIX: &str = "f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1";

fn at(min: u32, sec: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 9, min, sec).unwrap()
}

fn attempt(kind: AttemptKind, release_id: i32, result: Option<DeployResult>) -> DeployAttempt {
    DeployAttempt {
        kind,
        release_id,
        release_name: format!("Release-{release_id}"),
        web_url: Some(format!("https://rm/r?releaseId={release_id}")),
        environment_id: 40 + release_id,
        stage_name: "Production_Hotfix".into(),
        attempt: 1,
        requested_at: at(0, 0),
        finished_at: result.map(|_| at(2, 5)),
        result,
    }
}

fn trigger(name: &str, state: &str) -> TriggerBefore {
    TriggerBefore {
        name: name.into(),
        runtime_state: state.into(),
    }
}

/// A run deployed as release 7 of the fix, production reviewed with three triggers (one stopped
/// on purpose), and, when `checked`, confirmed with `diffs`.
fn deployed(checked: bool, diffs: Vec<TriggerDiff>) -> HotfixRun {
    let mut p = Profile::new_with_defaults("p".into());
    p.prod_workspace = "contoso-synapse-prod".into();
    let mut run = HotfixRun::new("r".into(), &p, at(0, 0));
    let d = &mut run.steps.deploy;
    d.basis = Some(ReviewBasis {
        checked_at: at(0, 0),
        fix_commit: FIX.into(),
        definition_id: 9,
        triggers: Some(vec![
            trigger("tr_daily", "Started"),
            trigger("tr_hourly", "Started"),
            trigger("tr_paused", "Stopped"),
        ]),
    });
    d.release = Some(HotfixRelease {
        id: 7,
        name: "Release-7".into(),
        web_url: None,
        environment_id: 47,
        definition_id: 9,
        commit: FIX.into(),
        triggers: "tr_daily, tr_hourly".into(),
        recovered: false,
    });
    d.attempts = vec![attempt(
        AttemptKind::Deploy,
        7,
        Some(DeployResult::Succeeded),
    )];
    if checked {
        let passed = diffs.is_empty();
        run.steps.confirm = ConfirmState {
            checked_at: Some(at(3, 0)),
            release_id: Some(7),
            attempt: 1,
            checks: vec![ConfirmCheck {
                id: ConfirmCheckId::Triggers,
                title: "Every trigger has the state it had before".into(),
                outcome: if passed {
                    ConfirmOutcome::Pass
                } else {
                    ConfirmOutcome::Fail
                },
                detail: String::new(),
                what_to_do: None,
            }],
            trigger_diffs: diffs,
            failure: None,
            rollback: None,
            confirmed_by: passed.then(|| "Dana".to_owned()),
        };
    }
    run
}

#[test]
fn a_run_not_deployed_has_no_deployment_and_no_trigger_changes() {
    let mut p = Profile::new_with_defaults("p".into());
    p.prod_workspace = "w".into();
    let e = HistoryEntry::from_run(&HotfixRun::new("r".into(), &p, at(0, 0)));
    assert_eq!(e.deployment, None);
    assert_eq!(e.trigger_changes, None);
}

#[test]
fn a_confirmed_deployment_records_its_release_result_duration_commit_and_who_confirmed() {
    let e = HistoryEntry::from_run(&deployed(true, vec![]));
    let d = e.deployment.unwrap();
    assert_eq!((d.release_id, d.release_name.as_str()), (7, "Release-7"));
    assert_eq!(d.result, "succeeded");
    assert_eq!(d.duration_seconds, Some(125));
    assert_eq!(d.commit_id.as_deref(), Some(FIX));
    assert_eq!(d.confirmed_by.as_deref(), Some("Dana"));
    let t = e.trigger_changes.unwrap();
    let line = |n: &str| {
        let c = t.iter().find(|c| c.trigger == n).unwrap();
        (c.before.clone(), c.after.clone(), c.stopped_for_deployment)
    };
    assert_eq!(line("tr_daily"), ("Started".into(), "Started".into(), true));
    assert_eq!(
        line("tr_hourly"),
        ("Started".into(), "Started".into(), true)
    );
    assert_eq!(
        line("tr_paused"),
        ("Stopped".into(), "Stopped".into(), false),
        "a trigger stopped on purpose is left alone"
    );
}

#[test]
fn a_trigger_left_in_another_state_shows_what_step_6_read_and_nobody_confirmed() {
    let diff = TriggerDiff {
        name: "tr_hourly".into(),
        before: "Started".into(),
        now: "Stopped".into(),
    };
    let e = HistoryEntry::from_run(&deployed(true, vec![diff]));
    let hourly = e
        .trigger_changes
        .unwrap()
        .into_iter()
        .find(|c| c.trigger == "tr_hourly")
        .unwrap();
    assert_eq!(
        (hourly.before.as_str(), hourly.after.as_str()),
        ("Started", "Stopped")
    );
    assert_eq!(e.deployment.unwrap().confirmed_by, None);
}

#[test]
fn before_step_6_the_deployment_is_recorded_but_not_the_triggers_after_it() {
    let mut run = deployed(false, vec![]);
    run.steps.deploy.attempts = vec![attempt(AttemptKind::Deploy, 7, None)];
    let e = HistoryEntry::from_run(&run);
    let d = e.deployment.unwrap();
    assert_eq!(d.result, "inProgress");
    assert_eq!(d.duration_seconds, None);
    assert_eq!(d.confirmed_by, None);
    assert_eq!(e.trigger_changes, None);
}

#[test]
fn a_rollback_after_the_fix_keeps_the_fix_deployment_in_the_record() {
    let mut run = deployed(false, vec![]);
    run.steps.deploy.attempts[0].result = Some(DeployResult::Failed);
    run.steps.deploy.attempts.push(attempt(
        AttemptKind::Rollback,
        3,
        Some(DeployResult::Succeeded),
    ));
    let d = HistoryEntry::from_run(&run).deployment.unwrap();
    assert_eq!(d.release_id, 7);
    assert_eq!(d.result, "failed");
}
