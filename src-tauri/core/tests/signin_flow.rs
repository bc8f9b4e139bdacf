//! Microsoft Entra ID sign-in against the simulator's Entra-like authority, the browser step:
//! the whole authorization code + PKCE exchange with the test playing the browser, and the ways a
//! new user gets it wrong (wrong state or verifier, reused code, timeout, cancel, consent, a
//! taken port, an unreachable authority, another tenant) — each with its message, the profile
//! unchanged.

mod signin_support;

use std::sync::Arc;
use std::time::Duration;

use hotfix_core::connection;
use hotfix_core::signin::azcli::AzureCli;
use hotfix_core::signin::session::SignInOptions;
use hotfix_core::signin::{flow, keychain_user, Authority, SignInSessions};
use hotfix_core::ErrorCode;
use serde_json::{json, Value};
use signin_support::*;
use url::Url;

#[tokio::test]
async fn the_whole_code_and_pkce_exchange_signs_in_and_keeps_only_the_refresh_token() {
    let s = setup().await;
    let before = profile_file(&s);
    let account = sign_in(&s).await;
    assert!(!account.username.is_empty());
    assert_eq!(account.tenant_id, s.sim.info().tenant_id);
    let saved = s
        .secrets
        .read(&keychain_user(&s.profile.id))
        .unwrap()
        .expect("keychain entry");
    assert!(saved.expose().contains("sim-entra-rt-"));
    // The PAT slot is untouched and the profile file unchanged.
    assert!(s.secrets.read(&s.profile.id).unwrap().is_none());
    assert_eq!(profile_file(&s), before);

    let client =
        connection::client_for_sign_in(&s.profile, &s.secrets, &s.sessions, &AzureCli::default())
            .await
            .unwrap();
    let report = connection::test_connection_with(&client, Some(&s.sim.info().project))
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    let shown = report.signed_in_as.expect("the account is named");
    assert!(shown.contains(&account.username), "{shown}");

    // A second app start (new registry, same keychain) is still signed in.
    let again = SignInSessions::new(Arc::clone(&s.secrets));
    assert_eq!(again.account(&s.profile).await.unwrap(), Some(account));
    let client =
        connection::client_for_sign_in(&s.profile, &s.secrets, &again, &AzureCli::default())
            .await
            .unwrap();
    connection::list_projects(&client).await.unwrap();
}

#[tokio::test]
async fn a_wrong_verifier_and_a_reused_code_are_refused() {
    let s = setup().await;
    let authority = Authority::for_profile(&s.profile).unwrap();
    let pending = flow::begin(&authority, 0).await.unwrap();
    let authorize = pending.authorize_url().clone();
    let redirect_uri = authorize
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .into_owned();
    assert!(authorize
        .query_pairs()
        .any(|(k, v)| k == "code_challenge_method" && v == "S256"));
    let back = redirect_of(&authorize, "accept").await;
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    drop(pending);

    let wrong = oauth2::PkceCodeVerifier::new("x".repeat(43));
    let err = flow::redeem(&authority, &redirect_uri, code.clone(), wrong)
        .await
        .err()
        .unwrap();
    assert_eq!(err.code, ErrorCode::SignInRefused, "{err:?}");
    assert!(err.message.contains("Code_Verifier"), "{}", err.message);

    let again = oauth2::PkceCodeVerifier::new("y".repeat(43));
    let err = flow::redeem(&authority, &redirect_uri, code, again)
        .await
        .err()
        .unwrap();
    assert_eq!(err.code, ErrorCode::SignInRefused);
    assert!(err.message.contains("already redeemed"), "{}", err.message);
    assert!(s
        .secrets
        .read(&keychain_user(&s.profile.id))
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_successful_code_cannot_be_redeemed_twice() {
    let s = setup().await;
    sign_in(&s).await;
    let state = admin(&s.sim, reqwest::Method::GET, "/state", None).await;
    let code = state["entra"]["codes"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(state["entra"]["codes"][0]["redeemed"], true);
    let token_url = Authority::for_profile(&s.profile)
        .unwrap()
        .token_url()
        .unwrap();
    let resp = reqwest::Client::new()
        .post(token_url)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &s.profile.sign_in.client_id),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn a_wrong_state_is_refused_and_nothing_is_saved() {
    let s = setup().await;
    let before = profile_file(&s);
    fn other_state(mut url: Url) -> Url {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "state" {
                    "forged".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        url
    }
    let (result, page) = sign_in_with(&s, "accept", other_state, SignInOptions::default()).await;
    let err = result.unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInRefused);
    assert!(
        err.message.contains("'state' did not match"),
        "{}",
        err.message
    );
    assert!(page.contains("does not belong"), "{page}");
    assert!(s
        .secrets
        .read(&keychain_user(&s.profile.id))
        .unwrap()
        .is_none());
    assert_eq!(profile_file(&s), before);
}

#[tokio::test]
async fn the_browser_never_coming_back_times_out_and_changes_nothing() {
    let s = setup().await;
    let before = profile_file(&s);
    let options = SignInOptions {
        port: 0,
        timeout: Duration::from_millis(300),
    };
    let err = s
        .sessions
        .sign_in(&s.profile, options, |_| Ok(()))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
    assert!(err.message.contains("did not come back"), "{}", err.message);
    assert!(!s.sessions.is_pending(&s.profile.id));
    assert!(s
        .secrets
        .read(&keychain_user(&s.profile.id))
        .unwrap()
        .is_none());
    assert_eq!(profile_file(&s), before);
}

#[tokio::test]
async fn cancel_stops_a_sign_in_that_waits_for_the_browser() {
    let s = Arc::new(setup().await);
    let waiting = {
        let s = Arc::clone(&s);
        tokio::spawn(async move {
            s.sessions
                .sign_in(&s.profile, SignInOptions::default(), |_| Ok(()))
                .await
        })
    };
    while !s.sessions.is_pending(&s.profile.id) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(s.sessions.cancel(&s.profile.id));
    let err = waiting.await.unwrap().unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled);
}

#[tokio::test]
async fn declined_or_refused_consent_says_so_and_saves_nothing() {
    let s = setup().await;
    let (result, page) = sign_in_with(&s, "decline", keep, SignInOptions::default()).await;
    let err = result.unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInRefused);
    assert!(err.message.contains("declined"), "{}", err.message);
    assert!(page.contains("not completed"), "{page}");

    knobs(&s.sim, json!({"refuseConsent": true})).await;
    let (result, _) = sign_in_with(&s, "accept", keep, SignInOptions::default()).await;
    let err = result.unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInRefused);
    assert!(err.message.contains("consent"), "{}", err.message);
    assert!(
        err.message.contains(&s.profile.sign_in.client_id),
        "{}",
        err.message
    );
    assert!(s
        .secrets
        .read(&keychain_user(&s.profile.id))
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_taken_loopback_port_is_named() {
    let s = setup().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let options = SignInOptions {
        port,
        timeout: Duration::from_secs(5),
    };
    let opened = std::sync::atomic::AtomicBool::new(false);
    let err = s
        .sessions
        .sign_in(&s.profile, options, |_| {
            opened.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        })
        .await
        .unwrap_err();
    assert!(
        err.message.contains(&format!("127.0.0.1:{port}")),
        "{}",
        err.message
    );
    assert!(
        !opened.load(std::sync::atomic::Ordering::SeqCst),
        "no browser for a sign-in that cannot finish"
    );
}

#[tokio::test]
async fn an_unreachable_authority_or_an_unknown_tenant_is_said_before_the_browser_opens() {
    let s = setup().await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let mut offline = s.profile.clone();
    offline.organization_url = format!("http://127.0.0.1:{port}/contoso");
    let err = s
        .sessions
        .sign_in(&offline, SignInOptions::default(), |_| panic!("opened"))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unreachable);
    assert!(
        err.message.contains(&format!("127.0.0.1:{port}")),
        "{}",
        err.message
    );

    let mut unknown = s.profile.clone();
    unknown.sign_in.tenant = "00000000-0000-0000-0000-000000000001".into();
    let err = s
        .sessions
        .sign_in(&unknown, SignInOptions::default(), |_| panic!("opened"))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        err.message.contains("does not know the tenant"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_token_of_another_tenant_or_an_account_outside_the_organization_has_its_own_message() {
    let s = setup().await;
    knobs(&s.sim, json!({"otherTenant": true})).await;
    let account = sign_in(&s).await;
    assert_ne!(account.tenant_id, s.sim.info().tenant_id);
    let client =
        connection::client_for_sign_in(&s.profile, &s.secrets, &s.sessions, &AzureCli::default())
            .await
            .unwrap();
    let err = connection::test_connection_with(&client, None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::WrongTenant, "{err:?}");
    assert!(err.message.contains("Tenant"), "{}", err.message);
    assert!(err.message.contains(&account.username), "{}", err.message);

    knobs(&s.sim, json!({"otherTenant": false, "member": false})).await;
    s.sessions.sign_out(&s.profile.id).await.unwrap();
    sign_in(&s).await;
    let client =
        connection::client_for_sign_in(&s.profile, &s.secrets, &s.sessions, &AzureCli::default())
            .await
            .unwrap();
    let err = connection::test_connection_with(&client, None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NoOrganizationAccess, "{err:?}");
    assert!(
        err.message.contains("Organization settings → Users"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn changing_the_tenant_after_signing_in_asks_to_sign_in_again() {
    let s = setup().await;
    sign_in(&s).await;
    let mut changed = s.profile.clone();
    changed.sign_in.tenant = s.sim.info().tenant_id.clone();
    let fresh = SignInSessions::new(Arc::clone(&s.secrets));
    let err = fresh.session(&changed).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotSignedIn);
    assert!(
        err.message.contains("changed since you signed in"),
        "{}",
        err.message
    );
}
