//! Wizard step 5's deployment path against the simulator, from a reviewed run: the typed
//! confirmation, the release pinned to the fix commit with the trigger lists as release variables
//! (never `*`), its stage started once and followed to the end with logs, a wrong workspace name
//! that sends nothing, cancel (`cancelling` then `canceled`), and a crash while following that a
//! restart attaches to again — one release, one attempt. The review's basis (the commit and the
//! triggers as they run) is written as the review records it, from the simulator's own state.

mod support;

use std::time::{Duration, Instant};

use ado_sim::Seed;
use hotfix_core::hotfix::steps::step5_status::DeployResult;
use hotfix_core::hotfix::steps::step5_watch::{DeploymentEnded, CRASH_WATCHING};
use hotfix_core::hotfix::RunObserver;
use hotfix_core::hotfix::{StepId, StepState};
use hotfix_core::ErrorCode;
use serde_json::json;
use support::*;

#[tokio::test]
async fn the_fix_deploys_pinned_to_its_commit_and_the_trigger_stopped_on_purpose_stays_stopped() {
    let w = world(Seed::Demo).await;
    let (id, def) = Box::pin(reviewed(&w)).await;
    let fix = w.svc.get_run(&id).unwrap().steps.fix.head.unwrap();
    assert_eq!(w.trigger_state(STOPPED_ON_PURPOSE).await, "Stopped");
    w.clear_journal().await;

    let run = w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    let release = run.steps.deploy.release.clone().unwrap();
    assert_eq!(release.commit, fix);
    assert!(!release.recovered);
    assert!(!release.triggers.contains('*') && !release.triggers.contains(' '));
    assert!(!release.triggers.split(',').any(|t| t == STOPPED_ON_PURPOSE));
    let run = w.until_deployed(&id).await;
    let a = run.steps.deploy.current().unwrap();
    assert_eq!(a.result, Some(DeployResult::Succeeded));
    assert_eq!(run.step_state(StepId::Deploy), StepState::Done);
    assert_eq!(run.current_step, StepId::Confirm);
    let live = run.steps.deploy.live.clone().unwrap();
    let names: Vec<String> = live.tasks().map(|(_, t)| t.name.clone()).collect();
    assert!(
        names.iter().any(|n| n.starts_with("Synapse deployment")),
        "{names:?}"
    );
    assert!(live.tasks().all(|(_, t)| t.duration_ms.is_some()));
    assert!(!run.steps.deploy.log_tail.clone().unwrap().lines.is_empty());

    let journal = w.journal().await;
    assert_eq!(count(&journal, "POST", "/release/releases"), 1);
    assert_eq!(count(&journal, "PATCH", "/environments/"), 1);
    assert!(count(&journal, "GET", "/logs") >= 1, "the log was read");
    assert_eq!(w.releases_of(def).await.len(), 1);
    let r = w
        .rest(
            reqwest::Method::GET,
            &w.rm_url(&format!("releases/{}", release.id)),
            None,
        )
        .await;
    assert_eq!(
        r["artifacts"][0]["definitionReference"]["version"]["id"],
        json!(fix)
    );
    assert_eq!(
        r["variables"]["TriggersToStart"]["value"],
        json!(release.triggers)
    );
    assert_eq!(
        r["variables"]["TriggersToStop"]["value"],
        json!(release.triggers)
    );
    assert_eq!(w.trigger_state(STOPPED_ON_PURPOSE).await, "Stopped");
    for t in release.triggers.split(',') {
        assert_eq!(w.trigger_state(t).await, "Started", "{t}");
    }

    // Deploying again finds the release: nothing is created or started twice.
    w.clear_journal().await;
    let err = w.svc.deploy(&w.session, &id, PROD).await;
    let run = match err {
        Ok(run) => run,
        Err(e) => panic!("{e:?}"),
    };
    assert_eq!(run.steps.deploy.release.unwrap().id, release.id);
    assert_eq!(count(&w.journal().await, "POST", "/release/releases"), 0);
}

#[tokio::test]
async fn with_star_the_trigger_stopped_on_purpose_would_have_been_started() {
    let w = world(Seed::Demo).await;
    let (id, def) = Box::pin(reviewed(&w)).await;
    let run = w.svc.get_run(&id).unwrap();
    let fix = run.steps.fix.head.clone().unwrap();
    let stage = run.steps.pipeline.definition.unwrap().stage_id.unwrap();
    // The same hotfix pipeline released by hand with `*` (the toggle task's default).
    let body = json!({"definitionId": def, "isDraft": false, "reason": "manual",
        "manualEnvironments": ["Production_Hotfix"],
        "artifacts": [{"alias": "_hotfix", "instanceReference": {"id": fix, "name": &fix[..8],
            "sourceBranch": format!("refs/heads/{BRANCH}")}}],
        "variables": {"TriggersToStop": {"value": "*"}, "TriggersToStart": {"value": "*"}}});
    let r = w
        .rest(reqwest::Method::POST, &w.rm_url("releases"), Some(&body))
        .await;
    let env = r["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["definitionEnvironmentId"] == stage)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    w.rest(
        reqwest::Method::PATCH,
        &format!(
            "{}/{PROJECT}/_apis/Release/releases/{}/environments/{env}?api-version=7.1",
            info(&w).release_url,
            r["id"]
        ),
        Some(&json!({"status": "inProgress"})),
    )
    .await;
    let start = Instant::now();
    loop {
        let now = w
            .rest(
                reqwest::Method::GET,
                &w.rm_url(&format!("releases/{}", r["id"])),
                None,
            )
            .await;
        let st = now["environments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == env)
            .unwrap()["status"]
            .clone();
        if st == "succeeded" {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{st}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        w.trigger_state(STOPPED_ON_PURPOSE).await,
        "Started",
        "with `*` the trigger stopped on purpose is started: the app never sends `*`"
    );
}

#[tokio::test]
async fn a_wrong_workspace_name_or_no_review_sends_nothing() {
    let w = world(Seed::Demo).await;
    let (id, def) = Box::pin(created(&w)).await;
    w.clear_journal().await;
    let err = w.svc.deploy(&w.session, &id, PROD).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition);
    assert!(err.message.contains("Review"), "{}", err.message);
    w.review_now(&id).await;
    for typed in [
        "",
        "contoso-synapse-dev",
        "Contoso-Synapse-Prod",
        "contoso-synapse-prod-x",
    ] {
        let err = w.svc.deploy(&w.session, &id, typed).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{typed}");
        assert!(
            err.message.contains(PROD) && err.message.contains("nothing was sent"),
            "{}",
            err.message
        );
    }
    assert!(w.journal().await.is_empty(), "nothing was sent");
    assert!(w.releases_of(def).await.is_empty());
    assert!(w.svc.get_run(&id).unwrap().steps.deploy.release.is_none());
}

#[tokio::test]
async fn a_cancelled_deployment_goes_through_cancelling_to_canceled() {
    let w = world(Seed::Demo).await;
    let (id, _) = Box::pin(reviewed(&w)).await;
    w.admin_post("/deployments/pause", &json!({})).await;
    w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    assert!(w.svc.deploy_cancel(&w.session, &id).await.unwrap());
    w.admin_post("/deployments/resume", &json!({})).await;
    let run = w.until_deployed(&id).await;
    assert_eq!(
        run.steps.deploy.current().unwrap().result,
        Some(DeployResult::Canceled)
    );
    assert_eq!(run.step_state(StepId::Deploy), StepState::Failed);
    assert_eq!(run.current_step, StepId::Confirm);
    assert_eq!(
        count(&w.journal().await, "PATCH", "/environments/"),
        2,
        "one start, one cancel"
    );
}

#[tokio::test]
async fn a_crash_while_following_is_attached_again_after_a_restart() {
    let mut w = world(Seed::Demo).await;
    let (id, def) = Box::pin(reviewed(&w)).await;
    let (hook, fired) = crash_once_at(CRASH_WATCHING);
    w.svc.set_crash_hook(Some(hook));
    w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    let start = Instant::now();
    while w.svc.watch_status(&id).is_some() {
        assert!(start.elapsed() < Duration::from_secs(20));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(fired.load(std::sync::atomic::Ordering::SeqCst));
    w.restart();
    w.clear_journal().await;
    let attached = w.svc.deploy_attach(&w.session, &id).await.unwrap();
    assert!(attached.is_some(), "the watcher runs again");
    let run = w.until_deployed(&id).await;
    assert_eq!(
        run.steps.deploy.current().unwrap().result,
        Some(DeployResult::Succeeded)
    );
    assert_eq!(run.steps.deploy.attempts.len(), 1);
    assert_eq!(w.releases_of(def).await.len(), 1, "one release");
    let journal = w.journal().await;
    assert_eq!(count(&journal, "POST", "/release/releases"), 0);
    assert_eq!(
        count(&journal, "PATCH", "/environments/"),
        0,
        "not started twice"
    );
}

/// Collects the ends of deployments the service announces (the shell notifies the desktop).
#[derive(Default)]
struct Ends(std::sync::Mutex<Vec<DeploymentEnded>>);

impl RunObserver for Ends {
    fn run_saved(&self, _run: &hotfix_core::hotfix::HotfixRun) {}
    fn watch_progress(&self, _progress: &hotfix_core::hotfix::WatchProgress) {}
    fn deployment_ended(&self, ended: &DeploymentEnded) {
        self.0.lock().unwrap().push(ended.clone());
    }
}

#[tokio::test]
async fn the_end_of_a_followed_deployment_is_announced_once() {
    let w = world(Seed::Demo).await;
    let (id, _) = Box::pin(reviewed(&w)).await;
    let ends = std::sync::Arc::new(Ends::default());
    w.svc.set_observer(Some(
        std::sync::Arc::clone(&ends) as std::sync::Arc<dyn RunObserver>
    ));
    let run = w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    let release = run.steps.deploy.release.unwrap();
    w.until_deployed(&id).await;
    let ends = ends.0.lock().unwrap().clone();
    assert_eq!(ends.len(), 1, "{ends:?}");
    let e = &ends[0];
    assert_eq!(e.run_id, id);
    assert_eq!(e.result, DeployResult::Succeeded);
    assert_eq!(e.release_name, release.name);
    let (title, body) = e.text();
    assert_eq!(title, "Deployment succeeded");
    assert!(body.contains(&release.name), "{body}");
}
