//! How the deployment watcher of step 5 spends requests (issue 9 §3), counted through the
//! simulator's journal on deployments whose tasks take as long as real ones do: a whole deployment
//! of the demo seed keeps to one status read per 2 s plus a constant; while the window is hidden
//! only a slow status check runs (no log reads); a stage held by a pre-deployment approval shows
//! who may approve, reads slowly while it waits, and runs once approved.

mod support;

use std::time::{Duration, Instant};

use ado_sim::{Seed, SimOptions};
use hotfix_core::hotfix::steps::step5_pacing::{APPROVAL_INTERVAL, HIDDEN_INTERVAL};
use hotfix_core::hotfix::steps::step5_status::{DeployPhase, DeployResult};
use hotfix_core::profiles::{HotfixPipelineSettings, NamedRef};
use serde_json::json;
use support::*;

/// Each release task of the simulator takes this long: the demo app's own pace (`ado-sim`'s
/// binary), as a real deploy task takes seconds.
const TASK_MS: u64 = 2_500;

async fn slow_world() -> World {
    world_with(SimOptions {
        seed: Seed::Demo,
        task_delay_ms: TASK_MS,
        ..SimOptions::default()
    })
    .await
}

/// The constant of the budget: the first read, the read that sees the end, and one read that may
/// fall on either side of the deployment's first and last instant.
const BUDGET_CONSTANT: usize = 3;

#[tokio::test]
async fn a_whole_deployment_of_the_demo_seed_keeps_to_one_status_read_per_two_seconds() {
    let w = slow_world().await;
    let (id, _) = Box::pin(reviewed(&w)).await;
    w.clear_journal().await;
    let run = w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    let release = run.steps.deploy.release.clone().unwrap();
    let run = w.until_deployed_within(&id, Duration::from_secs(120)).await;
    assert_eq!(
        run.steps.deploy.current().unwrap().result,
        Some(DeployResult::Succeeded)
    );
    let journal = w.journal().await;
    let start = journal
        .iter()
        .find(|e| e["method"] == "PATCH")
        .expect("the stage start")["at_ms"]
        .as_i64()
        .unwrap();
    let reads = status_reads(&journal, release.id);
    let watched: Vec<i64> = reads.iter().copied().filter(|t| *t >= start).collect();
    let end = *watched.last().unwrap();
    let seconds = (end - start) as f64 / 1000.0;
    let budget = (seconds / 2.0).floor() as usize + BUDGET_CONSTANT;
    let logs = count(&journal, "GET", "/logs");
    eprintln!(
        "deployment of the demo seed: {seconds:.1} s, {} status reads (budget {budget}), {logs} \
         log reads, {} requests in all: {:?}",
        watched.len(),
        journal.len(),
        calls(&journal)
            .iter()
            .map(|c| c.split('?').next().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    );
    assert!(
        seconds > 8.0,
        "the deployment is long enough to measure: {seconds}"
    );
    assert!(
        watched.len() <= budget,
        "{} status reads in {seconds:.1} s (budget {budget})",
        watched.len()
    );
    for pair in watched.windows(2) {
        assert!(
            pair[1] - pair[0] >= 1_900,
            "two status reads {} ms apart",
            pair[1] - pair[0]
        );
    }
    assert!(
        logs <= watched.len(),
        "at most one log read per status read"
    );
    assert!(logs >= 1, "the running task's log was read");
    // Everything else is a constant: the release looked for, created, read and started once.
    let other = journal.len() - reads.len() - logs;
    assert!(other <= 4, "{:?}", calls(&journal));
    assert_eq!(count(&journal, "POST", "/release/releases"), 1);
    assert_eq!(count(&journal, "PATCH", "/environments/"), 1);
}

#[tokio::test]
async fn while_the_window_is_hidden_only_a_slow_status_check_runs() {
    let w = slow_world().await;
    let (id, _) = Box::pin(reviewed(&w)).await;
    let run = w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    let release = run.steps.deploy.release.clone().unwrap();
    // Wait for the watcher's first read, then hide the window.
    let start = Instant::now();
    while w.svc.get_run(&id).unwrap().steps.deploy.live.is_none() {
        assert!(start.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    w.svc.set_window_visible(false);
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    w.clear_journal().await;
    tokio::time::sleep(Duration::from_secs(7)).await;
    let hidden = w.journal().await;
    assert!(
        status_reads(&hidden, release.id).len() <= 1,
        "hidden: {:?}",
        calls(&hidden)
    );
    assert_eq!(
        count(&hidden, "GET", "/logs"),
        0,
        "no log reads while hidden"
    );
    assert!(HIDDEN_INTERVAL >= Duration::from_secs(30));

    // Shown again: the status is read within the 2 s budget, not after the slow check's pause.
    w.clear_journal().await;
    let shown = Instant::now();
    w.svc.set_window_visible(true);
    loop {
        let j = w.journal().await;
        if !status_reads(&j, release.id).is_empty() {
            break;
        }
        assert!(
            shown.elapsed() < Duration::from_secs(4),
            "no read after the window was shown again"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let run = w.until_deployed_within(&id, Duration::from_secs(120)).await;
    assert_eq!(
        run.steps.deploy.current().unwrap().result,
        Some(DeployResult::Succeeded)
    );
}

#[tokio::test]
async fn an_approval_gated_stage_shows_who_may_approve_and_runs_once_approved() {
    let mut w = world(Seed::Demo).await;
    let me = w
        .rest(
            reqwest::Method::GET,
            &format!(
                "{}/_apis/connectionData?api-version=7.1-preview",
                info(&w).org_url
            ),
            None,
        )
        .await;
    let approver = NamedRef {
        id: me["authenticatedUser"]["id"].as_str().unwrap().to_owned(),
        name: "Maya Lopez".into(),
    };
    w.profile.hotfix_pipeline = Some(HotfixPipelineSettings {
        approvers: vec![approver],
        ..HotfixPipelineSettings::default()
    });
    w.session = w.session_for(&w.profile);
    let (id, _) = Box::pin(reviewed(&w)).await;
    w.clear_journal().await;
    let run = w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    let release = run.steps.deploy.release.clone().unwrap();

    // The watcher records the approval: who, since when, where to approve.
    let start = Instant::now();
    let live = loop {
        let run = w.svc.get_run(&id).unwrap();
        if let Some(l) = run
            .steps
            .deploy
            .live
            .filter(|l| l.phase == DeployPhase::AwaitingApproval)
        {
            break l;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no approval seen"
        );
        tokio::time::sleep(Duration::from_millis(40)).await;
    };
    assert_eq!(live.approvals.len(), 1);
    let a = &live.approvals[0];
    assert_eq!(a.approver, "Maya Lopez");
    assert!(a.web_url.as_deref().is_some_and(|u| u.starts_with("http")));
    let progress = w.svc.watch_status(&id).expect("still followed");
    assert!(
        progress.message.to_lowercase().contains("approv"),
        "{}",
        progress.message
    );

    // Nothing changes quickly while it waits: the reads slow down.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let waiting = status_reads(&w.journal().await, release.id);
    assert!(
        waiting.len() <= 2,
        "{} status reads in the first 6 s of waiting (the first pause is {} s)",
        waiting.len(),
        APPROVAL_INTERVAL.as_secs()
    );

    // Approved in Azure DevOps (by the approver): the stage runs and the watcher sees it end.
    w.rest(
        reqwest::Method::PATCH,
        &w.rm_url(&format!("approvals/{}", a.id)),
        Some(&json!({"status": "approved", "comments": "ok"})),
    )
    .await;
    let run = w.until_deployed_within(&id, Duration::from_secs(90)).await;
    assert_eq!(
        run.steps.deploy.current().unwrap().result,
        Some(DeployResult::Succeeded)
    );
    assert!(run.steps.deploy.live.unwrap().approvals.is_empty());
    assert_eq!(count(&w.journal().await, "PATCH", "/environments/"), 1);
}
