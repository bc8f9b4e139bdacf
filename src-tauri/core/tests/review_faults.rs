//! The review when the data plane cannot be read, or reads badly: no token at all (each check
//! that needed one says it did not run, and what to do; the parameter check still runs), a
//! refused token, no Synapse role, 500 / 429 / dropped connections (reads retried per the one
//! rule, counted in the journal), a persistent 500; and the Entra ID sign-in as the token source.

mod review_support;
mod signin_support;
mod support;

use std::sync::Arc;

use ado_sim::seed::demo_production::{PROD_OVERRIDES, UNCOVERED_PARAMETER};
use ado_sim::Seed;
use hotfix_core::hotfix::review::{review_production, CheckOutcome, ProductionReview};
use hotfix_core::secrets::{SecretStore, Token};
use hotfix_core::signin::session::SignInOptions;
use hotfix_core::signin::SignInSessions;
use hotfix_core::synapse::dataplane::{SynapseAccess, TokenSource};
use review_support::{
    cloud_fault, data_plane, demo_session, drop_fault, run_ready, session_with, PROD,
};
use support::{count, info, world, World};

fn not_run<T: std::fmt::Debug>(c: &CheckOutcome<T>) -> (&str, &str) {
    match c {
        CheckOutcome::NotRun { reason, what_to_do } => (reason, what_to_do),
        CheckOutcome::Ran { result } => panic!("expected the check not to run: {result:?}"),
    }
}

fn ran<T: std::fmt::Debug>(c: &CheckOutcome<T>) -> &T {
    match c {
        CheckOutcome::Ran { result } => result,
        CheckOutcome::NotRun { reason, .. } => panic!("expected the check to run: {reason}"),
    }
}

async fn review(w: &World, s: &hotfix_core::hotfix::Session) -> ProductionReview {
    let run = Box::pin(run_ready(w)).await;
    w.clear_journal().await;
    Box::pin(review_production(s, &run)).await.unwrap()
}

#[tokio::test]
async fn without_a_synapse_token_each_check_that_needed_one_says_so_and_the_parameters_still_run() {
    let w = world(Seed::Demo).await;
    let s = session_with(&w, PROD_OVERRIDES, SynapseAccess::default());
    let r = review(&w, &s).await;
    assert_eq!(r.token_source, None);
    let (reason, what) = not_run(&r.triggers);
    assert!(reason.starts_with("The trigger check"), "{reason}");
    assert!(
        reason.contains("No token for the Synapse data plane of workspace 'contoso-synapse-prod'"),
        "{reason}"
    );
    assert!(what.contains("Sign the demo profile in"), "{what}");
    let (reason, _) = not_run(&r.drift);
    assert!(reason.starts_with("The drift check"), "{reason}");
    let params = ran(&r.parameters);
    assert_eq!(params.len(), 1);
    assert_eq!(params[0].parameter, UNCOVERED_PARAMETER);
    assert_eq!(r.started_triggers(), None, "no list, so nothing to restart");
    let warnings = r.warnings();
    assert!(
        warnings[0].starts_with("The trigger check did not run."),
        "{warnings:?}"
    );
    assert!(
        warnings[1].starts_with("The drift check did not run."),
        "{warnings:?}"
    );
    assert!(
        data_plane(&w.journal().await).is_empty(),
        "nothing sent without a token"
    );
}

#[tokio::test]
async fn a_refused_token_is_tried_twice_then_both_checks_say_what_to_do() {
    let w = world(Seed::Demo).await;
    let access = SynapseAccess {
        simulator_token: Some(Token::new("not-the-simulator-token")),
        ..SynapseAccess::default()
    };
    let s = session_with(&w, PROD_OVERRIDES, access);
    let r = review(&w, &s).await;
    let (reason, what) = not_run(&r.triggers);
    assert!(reason.contains("refused the token"), "{reason}");
    assert!(reason.contains("HTTP 401"), "{reason}");
    assert!(
        !reason.contains("not-the-simulator-token"),
        "no token in messages"
    );
    assert!(what.contains("Sign in again"), "{what}");
    assert!(not_run(&r.drift).0.contains("HTTP 401"));
    let journal = w.journal().await;
    assert_eq!(
        data_plane(&journal).len(),
        2,
        "the token is refreshed once, then no more reads"
    );
    assert!(ran(&r.parameters).len() == 1);
}

#[tokio::test]
async fn without_a_synapse_role_the_drift_check_names_synapse_rbac() {
    let w = world(Seed::Demo).await;
    let s = demo_session(&w);
    let run = run_ready(&w).await;
    cloud_fault(
        &w,
        "GET",
        "^/synapse/contoso-synapse-prod/pipelines",
        403,
        5,
    )
    .await;
    w.clear_journal().await;
    let r = review_production(&s, &run).await.unwrap();
    assert_eq!(ran(&r.triggers).len(), 2, "the triggers were readable");
    let (reason, what) = not_run(&r.drift);
    assert!(reason.contains("HTTP 403"), "{reason}");
    assert!(reason.contains("Synapse Artifact User"), "{reason}");
    assert!(
        reason.contains("InjectedFault"),
        "the service's own words: {reason}"
    );
    assert!(what.contains("Synapse role"), "{what}");
    let journal = w.journal().await;
    assert_eq!(
        count(&journal, "GET", "/synapse/contoso-synapse-prod/pipelines"),
        1,
        "a 403 is not retried"
    );
}

#[tokio::test]
async fn server_errors_throttling_and_dropped_connections_are_retried_for_reads() {
    let w = world(Seed::Demo).await;
    let s = demo_session(&w);
    let run = run_ready(&w).await;
    cloud_fault(&w, "GET", "^/synapse/contoso-synapse-prod/datasets", 500, 2).await;
    cloud_fault(
        &w,
        "GET",
        "^/synapse/contoso-synapse-prod/linkedservices",
        429,
        1,
    )
    .await;
    drop_fault(&w, "GET", "^/synapse/contoso-synapse-prod/triggers", 1).await;
    w.clear_journal().await;
    let r = review_production(&s, &run).await.unwrap();
    assert_eq!(ran(&r.triggers).len(), 2);
    assert_eq!(
        ran(&r.drift).len(),
        1,
        "the same single drift as without faults"
    );
    let journal = w.journal().await;
    let ds = "/synapse/contoso-synapse-prod/datasets";
    assert_eq!(count(&journal, "GET", ds), 3, "two 500s, then the answer");
    assert_eq!(
        count(
            &journal,
            "GET",
            "/synapse/contoso-synapse-prod/linkedservices"
        ),
        2
    );
    assert_eq!(
        count(&journal, "GET", "/synapse/contoso-synapse-prod/triggers"),
        2
    );
    assert_eq!(data_plane(&journal).len(), 10 + 2 + 1 + 1);
}

#[tokio::test]
async fn a_persistent_server_error_leaves_the_drift_check_not_run_after_the_retries() {
    let w = world(Seed::Demo).await;
    let s = demo_session(&w);
    let run = run_ready(&w).await;
    cloud_fault(
        &w,
        "GET",
        "^/synapse/contoso-synapse-prod/notebooks",
        500,
        20,
    )
    .await;
    w.clear_journal().await;
    let r = review_production(&s, &run).await.unwrap();
    let (reason, what) = not_run(&r.drift);
    assert!(reason.contains("HTTP 500"), "{reason}");
    assert!(reason.contains("also when asked again"), "{reason}");
    assert_eq!(what, "Review again in a moment.");
    assert_eq!(
        count(
            &w.journal().await,
            "GET",
            "/synapse/contoso-synapse-prod/notebooks"
        ),
        5,
        "the first attempt and four retries"
    );
    assert!(matches!(r.triggers, CheckOutcome::Ran { .. }));
}

#[tokio::test]
async fn the_entra_id_sign_in_gives_the_data_plane_token() {
    let w = world(Seed::Demo).await;
    let mut profile = w.profile.clone();
    profile.sign_in.tenant = info(&w).tenant_id.clone();
    let sessions = Arc::new(SignInSessions::new(Arc::new(SecretStore::in_memory())));
    let (tx, rx) = tokio::sync::oneshot::channel::<url::Url>();
    let browser = tokio::spawn(async move {
        let url = rx.await.unwrap();
        signin_support::browse(url, "accept", signin_support::keep).await
    });
    sessions
        .sign_in(&profile, SignInOptions::default(), move |url| {
            let _ = tx.send(url.clone());
            Ok(())
        })
        .await
        .unwrap();
    browser.await.unwrap();
    let access = SynapseAccess {
        sign_in: Some(Arc::clone(&sessions)),
        // Also offered, but the sign-in comes first.
        simulator_token: Some(Token::new(info(&w).synapse_token.clone())),
        ..SynapseAccess::default()
    };
    let mut with_overrides = profile.clone();
    with_overrides.hotfix_pipeline = Some(hotfix_core::profiles::HotfixPipelineSettings {
        override_arm_parameters: PROD_OVERRIDES.into(),
        ..Default::default()
    });
    let s = w.session_for(&with_overrides);
    s.set_synapse_access(access);
    let run = run_ready(&w).await;
    let r = review_production(&s, &run).await.unwrap();
    assert_eq!(r.token_source, Some(TokenSource::EntraSignIn));
    assert_eq!(ran(&r.drift).len(), 1);
    let dp = hotfix_core::synapse::dataplane::DataPlane::for_profile(&s, PROD)
        .await
        .unwrap();
    assert_eq!(dp.token_source(), TokenSource::EntraSignIn);
}
