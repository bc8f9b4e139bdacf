//! Step 5 when Azure DevOps misbehaves, counted through the simulator's journal: a 409, 500, 429 or
//! dropped connection on the release POST (never repeated by the client; deploying again looks
//! first and creates exactly one release), on the stage start PATCH (never repeated; one
//! deployment), on the cancel, and on every read (tried again: the deployment still ends); a crash
//! right after the release POST or the stage start (the next opening finds what landed); and the
//! token expiring mid-deployment — an Entra ID token is refreshed and the watcher goes on, a PAT
//! revoked stops the watcher with what to do, and the run attaches again once it is fixed.

mod signin_support;
mod support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ado_sim::Seed;
use hotfix_core::connection;
use hotfix_core::hotfix::steps::step5_status::DeployResult;
use hotfix_core::hotfix::{StepId, StepState};
use hotfix_core::secrets::SecretStore;
use hotfix_core::signin::session::SignInOptions;
use hotfix_core::signin::{Resource, SignInSessions};
use hotfix_core::AppError;
use serde_json::json;
use support::*;

/// The release POST (not the list, not one release).
const RELEASE_POST: &str = r"/_apis/release/releases$";
/// The stage start or cancel (PATCH of the release environment).
const STAGE_PATCH: &str = r"/_apis/release/releases/\d+/environments/\d+$";

#[derive(Debug, Clone, Copy)]
enum Fault {
    Status(u16),
    Dropped,
}

async fn arm(w: &World, method: &str, path: &str, f: Fault, times: u32) {
    match f {
        Fault::Status(s) => w.fault(method, path, s, times).await,
        Fault::Dropped => {
            w.admin_post(
                "/faults",
                &json!({"method": method, "path": path, "drop": true, "times": times}),
            )
            .await;
        }
    }
}

fn says_what_to_do(e: &AppError) {
    assert!(e.message.len() > 30, "a sentence, not a code: {e:?}");
    assert!(
        !e.message.contains("Injected fault") || e.message.len() > 60,
        "{e:?}"
    );
}

async fn release_post_fails(f: Fault) {
    let w = world(Seed::Demo).await;
    let (id, def) = Box::pin(reviewed(&w)).await;
    w.clear_journal().await;
    arm(&w, "POST", RELEASE_POST, f, 1).await;
    let err = w.svc.deploy(&w.session, &id, PROD).await.unwrap_err();
    says_what_to_do(&err);
    let journal = w.journal().await;
    assert_eq!(
        count(&journal, "POST", "/release/releases"),
        1,
        "{f:?}: the POST is never repeated: {:?}",
        calls(&journal)
    );
    assert_eq!(count(&journal, "PATCH", "/environments/"), 0);
    assert!(w.releases_of(def).await.is_empty());
    let run = w.svc.get_run(&id).unwrap();
    assert!(run.steps.deploy.release.is_none());
    assert!(run.steps.deploy.attempts.is_empty());

    // Deploying again looks first, then creates the one release, and deploys it.
    w.clear_journal().await;
    let run = w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    assert!(run.steps.deploy.release.is_some());
    let run = w.until_deployed(&id).await;
    assert_eq!(
        run.steps.deploy.current().unwrap().result,
        Some(DeployResult::Succeeded)
    );
    let journal = w.journal().await;
    let c = calls(&journal);
    let list = c
        .iter()
        .position(|c| c.starts_with("GET ") && c.ends_with("/release/releases"))
        .unwrap();
    let post = c.iter().position(|c| c.starts_with("POST ")).unwrap();
    assert!(list < post, "read before the write: {c:?}");
    assert_eq!(w.releases_of(def).await.len(), 1, "{f:?}: one release");
    assert_eq!(count(&journal, "PATCH", "/environments/"), 1);
}

#[tokio::test]
async fn a_release_post_answered_500_is_not_repeated_and_deploying_again_makes_one_release() {
    Box::pin(release_post_fails(Fault::Status(500))).await;
}

#[tokio::test]
async fn a_release_post_answered_409_is_not_repeated_and_deploying_again_makes_one_release() {
    Box::pin(release_post_fails(Fault::Status(409))).await;
}

#[tokio::test]
async fn a_release_post_answered_429_is_not_repeated_and_deploying_again_makes_one_release() {
    Box::pin(release_post_fails(Fault::Status(429))).await;
}

#[tokio::test]
async fn a_release_post_whose_connection_drops_is_not_repeated_and_deploying_again_makes_one() {
    Box::pin(release_post_fails(Fault::Dropped)).await;
}

async fn stage_start_fails(f: Fault) {
    let w = world(Seed::Demo).await;
    let (id, def) = Box::pin(reviewed(&w)).await;
    w.clear_journal().await;
    arm(&w, "PATCH", STAGE_PATCH, f, 1).await;
    let err = w.svc.deploy(&w.session, &id, PROD).await.unwrap_err();
    says_what_to_do(&err);
    let journal = w.journal().await;
    assert_eq!(count(&journal, "PATCH", "/environments/"), 1, "{f:?}");
    assert_eq!(count(&journal, "POST", "/release/releases"), 1);
    let run = w.svc.get_run(&id).unwrap();
    assert!(run.steps.deploy.release.is_some(), "the release is kept");
    assert!(run.steps.deploy.attempts.is_empty());

    // Deploying again reuses the release and starts its stage once.
    w.clear_journal().await;
    w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    let run = w.until_deployed(&id).await;
    assert_eq!(
        run.steps.deploy.current().unwrap().result,
        Some(DeployResult::Succeeded)
    );
    assert_eq!(run.steps.deploy.attempts.len(), 1);
    assert_eq!(run.steps.deploy.current().unwrap().attempt, 1);
    let journal = w.journal().await;
    assert_eq!(count(&journal, "POST", "/release/releases"), 0);
    assert_eq!(count(&journal, "PATCH", "/environments/"), 1);
    assert_eq!(w.releases_of(def).await.len(), 1);
}

#[tokio::test]
async fn a_stage_start_answered_500_is_not_repeated_and_deploying_again_starts_it_once() {
    Box::pin(stage_start_fails(Fault::Status(500))).await;
}

#[tokio::test]
async fn a_stage_start_answered_409_or_429_or_dropped_is_not_repeated() {
    for f in [Fault::Status(409), Fault::Status(429), Fault::Dropped] {
        Box::pin(stage_start_fails(f)).await;
    }
}

#[tokio::test]
async fn reads_that_fail_for_a_passing_reason_are_tried_again_and_the_deployment_ends() {
    for f in [Fault::Status(500), Fault::Status(429), Fault::Dropped] {
        let w = world(Seed::Demo).await;
        let (id, def) = Box::pin(reviewed(&w)).await;
        w.clear_journal().await;
        // The release list (looked up before the POST), the release read before the start, the
        // watcher's status reads and the log reads.
        arm(&w, "GET", r"/_apis/release/releases$", f, 1).await;
        arm(&w, "GET", r"/_apis/release/releases/\d+$", f, 3).await;
        arm(&w, "GET", r"/logs$", f, 1).await;
        w.svc.deploy(&w.session, &id, PROD).await.unwrap();
        let run = w.until_deployed(&id).await;
        assert_eq!(
            run.steps.deploy.current().unwrap().result,
            Some(DeployResult::Succeeded),
            "{f:?}"
        );
        let journal = w.journal().await;
        assert_eq!(count(&journal, "POST", "/release/releases"), 1, "{f:?}");
        assert_eq!(count(&journal, "PATCH", "/environments/"), 1, "{f:?}");
        assert_eq!(w.releases_of(def).await.len(), 1);
        if let Fault::Status(s) = f {
            assert!(
                journal.iter().filter(|e| e["status"] == s).count() >= 4,
                "{f:?}: the faults were met: {:?}",
                calls(&journal)
            );
        }
    }
}

#[tokio::test]
async fn a_cancel_that_fails_says_so_and_can_be_asked_again() {
    let w = world(Seed::Demo).await;
    let (id, _) = Box::pin(reviewed(&w)).await;
    w.admin_post("/deployments/pause", &json!({})).await;
    w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    w.clear_journal().await;
    arm(&w, "PATCH", STAGE_PATCH, Fault::Status(500), 1).await;
    let err = w.svc.deploy_cancel(&w.session, &id).await.unwrap_err();
    says_what_to_do(&err);
    assert_eq!(count(&w.journal().await, "PATCH", "/environments/"), 1);
    assert!(w.svc.watch_status(&id).is_some(), "still followed");
    assert!(w.svc.deploy_cancel(&w.session, &id).await.unwrap());
    w.admin_post("/deployments/resume", &json!({})).await;
    let run = w.until_deployed(&id).await;
    assert_eq!(
        run.steps.deploy.current().unwrap().result,
        Some(DeployResult::Canceled)
    );
    assert_eq!(count(&w.journal().await, "PATCH", "/environments/"), 2);
}

/// A hook that fails (a simulated crash) the `nth` time `point` is reached.
fn crash_at_nth(point: &'static str, nth: u32) -> hotfix_core::hotfix::service::CrashHook {
    let seen = Arc::new(AtomicU32::new(0));
    Arc::new(move |p: &str| {
        if p == point && seen.fetch_add(1, Ordering::SeqCst) + 1 == nth {
            Err(AppError::internal("simulated crash"))
        } else {
            Ok(())
        }
    })
}

#[tokio::test]
async fn a_crash_right_after_the_release_post_or_the_stage_start_is_resolved_on_reopening() {
    for nth in [1, 2] {
        let mut w = world(Seed::Demo).await;
        let (id, def) = Box::pin(reviewed(&w)).await;
        // 1st: after the release POST, before its save; 2nd: after the stage start.
        w.svc
            .set_crash_hook(Some(crash_at_nth("deploy:after-remote", nth)));
        assert!(w.svc.deploy(&w.session, &id, PROD).await.is_err());
        w.restart();
        w.clear_journal().await;
        let attached = w.svc.deploy_attach(&w.session, &id).await.unwrap();
        let run = w.svc.get_run(&id).unwrap();
        assert!(run.steps.deploy.intent.is_none(), "resolved: {nth}");
        assert!(run.steps.deploy.release.as_ref().unwrap().recovered || nth == 2);
        if nth == 2 {
            assert!(attached.is_some(), "the stage that started is followed");
        } else {
            assert!(attached.is_none());
            w.svc.deploy(&w.session, &id, PROD).await.unwrap();
        }
        let run = w.until_deployed(&id).await;
        assert_eq!(
            run.steps.deploy.current().unwrap().result,
            Some(DeployResult::Succeeded)
        );
        let journal = w.journal().await;
        assert_eq!(count(&journal, "POST", "/release/releases"), 0, "{nth}");
        assert_eq!(
            count(&journal, "PATCH", "/environments/"),
            usize::from(nth == 1)
        );
        assert_eq!(w.releases_of(def).await.len(), 1);
        assert_eq!(run.steps.deploy.attempts.len(), 1);
    }
}

#[tokio::test]
async fn a_pat_revoked_mid_deployment_stops_the_watcher_with_what_to_do_and_it_attaches_again() {
    let w = world(Seed::Demo).await;
    let (id, def) = Box::pin(reviewed(&w)).await;
    w.admin_post("/deployments/pause", &json!({})).await;
    w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    let pat = info(&w).pat.clone();
    let r = w
        .http
        .delete(w.admin(&format!("/tokens/{pat}")))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    w.admin_post("/deployments/resume", &json!({})).await;
    // The watcher's next read is refused: it stops and says what to do, on the run.
    w.until_not_watching(&id, Duration::from_secs(20)).await;
    let run = w.svc.get_run(&id).unwrap();
    assert_eq!(run.step_state(StepId::Deploy), StepState::Failed);
    let note = run
        .progress
        .iter()
        .find(|s| s.id == StepId::Deploy)
        .and_then(|s| s.note.clone())
        .unwrap();
    assert!(
        note.contains("goes on in Azure DevOps") && note.contains("Follow the deployment"),
        "{note}"
    );
    let run = w.svc.get_run(&id).unwrap();
    assert!(run.steps.deploy.in_progress().is_some(), "still resumable");

    // A new token: attaching again follows it to the end; nothing was created or started twice.
    w.admin_post("/tokens", &json!({"token": pat, "scopes": ["app_token"]}))
        .await;
    w.clear_journal().await;
    assert!(w
        .svc
        .deploy_attach(&w.session, &id)
        .await
        .unwrap()
        .is_some());
    let run = w.until_deployed(&id).await;
    assert_eq!(
        run.steps.deploy.current().unwrap().result,
        Some(DeployResult::Succeeded)
    );
    let journal = w.journal().await;
    assert_eq!(count(&journal, "POST", "/release/releases"), 0);
    assert_eq!(count(&journal, "PATCH", "/environments/"), 0);
    assert_eq!(w.releases_of(def).await.len(), 1);
}

#[tokio::test]
async fn an_entra_token_that_expires_mid_deployment_is_refreshed_and_the_watcher_goes_on() {
    let mut w = world(Seed::Demo).await;
    // The profile signs in with Entra ID (the simulator's authority, the test playing the browser).
    let sessions = SignInSessions::new(Arc::new(SecretStore::in_memory()));
    let (tx, rx) = tokio::sync::oneshot::channel::<url::Url>();
    let browser = tokio::spawn(async move {
        signin_support::browse(rx.await.unwrap(), "accept", signin_support::keep).await
    });
    sessions
        .sign_in(&w.profile, SignInOptions::default(), move |url| {
            let _ = tx.send(url.clone());
            Ok(())
        })
        .await
        .unwrap();
    browser.await.unwrap();
    let entra = sessions.session(&w.profile).await.unwrap();
    let client = connection::bearer_client(
        &w.profile.organization_url,
        true,
        entra.bearer(Resource::DevOps),
    )
    .unwrap();
    w.svc.forget_session(&w.profile.id);
    w.session = w.svc.session(&w.profile, || Ok(client)).unwrap();

    let (id, def) = Box::pin(reviewed(&w)).await;
    w.admin_post("/deployments/pause", &json!({})).await;
    w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    let refreshes = entra.refresh_count();
    w.clear_journal().await;
    signin_support::knobs(&w.sim, json!({"expireTokens": true})).await;
    w.admin_post("/deployments/resume", &json!({})).await;
    let run = w.until_deployed(&id).await;
    assert_eq!(
        run.steps.deploy.current().unwrap().result,
        Some(DeployResult::Succeeded)
    );
    assert!(entra.refresh_count() > refreshes, "the token was refreshed");
    let journal = w.journal().await;
    assert!(
        journal.iter().any(|e| e["status"] == 401),
        "the expired token was refused once: {:?}",
        calls(&journal)
    );
    assert_eq!(count(&journal, "POST", "/release/releases"), 0);
    assert_eq!(count(&journal, "PATCH", "/environments/"), 0);
    assert_eq!(w.releases_of(def).await.len(), 1);
}
