//! Unit tests of step 4's facts, out-of-date pre-flight and saved state.

use super::*;
use crate::hotfix::run::{BranchOutcome, CommitInfo, HotfixBranch};
use crate::pipeline::preflight::{CheckId, PreflightCheck};
use crate::profiles::{NamedRef, NumberedRef};

fn profile() -> Profile {
    let mut p = Profile::new_with_defaults("p".into());
    p.organization_url = "https://dev.azure.com/contoso".into();
    p.project = Some(NamedRef {
        id: "pid".into(),
        name: "DataPlatform".into(),
    });
    p.service_connection = Some(NamedRef {
        id: "eid".into(),
        name: "prod-arm".into(),
    });
    p.agent_queue = Some(NumberedRef {
        id: 9,
        name: "Azure Pipelines".into(),
    });
    p.prod_resource_group = "rg-prod".into();
    p
}

fn run() -> HotfixRun {
    let mut run = HotfixRun::new("r".into(), &profile(), Utc::now());
    run.steps.branch.branch = Some(HotfixBranch {
        name: "Release3_Hotfixes".into(),
        object_id: "a".repeat(40),
        outcome: BranchOutcome::Created,
        web_url: None,
    });
    run.steps.fix.head = Some("b".repeat(40));
    run.steps.fix.commits = vec![CommitInfo {
        commit_id: "b".repeat(40),
        message: "fix".into(),
        author_name: "x".into(),
        author_email: None,
        author_date: None,
        web_url: None,
    }];
    run.steps.fix.acknowledged = true;
    run
}

fn checked(run: &HotfixRun, p: &Profile, at: DateTime<Utc>) -> PipelineState {
    PipelineState {
        preflight: Some(PreflightReport {
            ok: true,
            checks: vec![PreflightCheck::pass(CheckId::AgentQueue, "ok")],
            effective_resource_group: Some("rg-from-connection".into()),
            extension_version: None,
            tasks: None,
        }),
        preflight_basis: Some(PreflightBasis {
            checked_at: at,
            head: run.steps.fix.head.clone(),
            profile_key: profile_key(p),
        }),
        ..PipelineState::default()
    }
}

#[test]
fn the_run_gives_the_preflight_and_definition_facts() {
    let run = run();
    let facts = run_facts(&run);
    assert_eq!(facts.hotfix_branch, "Release3_Hotfixes");
    assert_eq!(facts.fix_commit_count, 1);
    assert!(facts.plan_acknowledged && !facts.plan_needs_ack);
    let state = checked(&run, &profile(), Utc::now());
    let d = definition_facts(&run, state.preflight.as_ref().unwrap());
    assert_eq!(
        d.effective_resource_group.as_deref(),
        Some("rg-from-connection")
    );
    assert_eq!(d.hotfix_branch, "Release3_Hotfixes");
}

#[test]
fn a_preflight_is_out_of_date_when_missing_old_or_run_for_another_profile_or_head() {
    let mut run = run();
    let p = profile();
    let now = Utc::now();
    assert!(preflight_out_of_date(&PipelineState::default(), &run, &p, now).is_some());
    let state = checked(&run, &p, now);
    assert_eq!(preflight_out_of_date(&state, &run, &p, now), None);
    let late = now + Duration::minutes(PREFLIGHT_MAX_AGE_MINUTES + 1);
    assert!(preflight_out_of_date(&state, &run, &p, late)
        .unwrap()
        .contains("30 minutes"));
    let mut other = p.clone();
    other.agent_queue = Some(NumberedRef {
        id: 10,
        name: "Other".into(),
    });
    assert!(preflight_out_of_date(&state, &run, &other, now)
        .unwrap()
        .contains("profile"));
    // A setting the checks do not read leaves them valid.
    let mut renamed = p.clone();
    renamed.name = "Renamed".into();
    assert_eq!(preflight_out_of_date(&state, &run, &renamed, now), None);
    run.steps.fix.head = Some("c".repeat(40));
    assert!(preflight_out_of_date(&state, &run, &p, now)
        .unwrap()
        .contains("moved"));
}

#[test]
fn a_failed_preflight_says_which_checks_and_what_to_do() {
    let report = PreflightReport {
        ok: false,
        checks: vec![
            PreflightCheck::pass(CheckId::Extension, "2.4.0"),
            PreflightCheck::fail(
                CheckId::AgentQueue,
                "Queue 9 was not found.",
                "Pick another queue.",
                None,
            ),
        ],
        effective_resource_group: None,
        extension_version: None,
        tasks: None,
    };
    let err = preflight_failed(&report);
    assert_eq!(err.code, ErrorCode::Precondition);
    assert!(err.message.contains("Agent queue"), "{}", err.message);
    assert!(!err.message.contains("extension"), "{}", err.message);
    let detail = err.detail.unwrap();
    assert!(detail.contains("Pick another queue."), "{detail}");
}

#[test]
fn the_state_round_trips_and_an_old_run_without_it_loads() {
    let run = run();
    let state = checked(&run, &profile(), Utc::now());
    let json = serde_json::to_value(&state).unwrap();
    assert!(json.get("preflightBasis").is_some() && json.get("plan").is_none());
    let back: PipelineState = serde_json::from_value(json).unwrap();
    assert_eq!(back, state);
    let empty: PipelineState = serde_json::from_value(serde_json::json!({})).unwrap();
    assert_eq!(empty, PipelineState::default());
    let mut old = serde_json::to_value(&run).unwrap();
    old["steps"].as_object_mut().unwrap().remove("pipeline");
    let loaded: HotfixRun = serde_json::from_value(old).unwrap();
    assert_eq!(loaded.steps.pipeline, PipelineState::default());
}
