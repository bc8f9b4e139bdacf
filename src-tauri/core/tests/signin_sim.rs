//! Microsoft Entra ID sign-in against the simulator's Entra-like authority: the whole
//! authorization code + PKCE exchange with the test playing the browser, refresh before expiry
//! and after a 401, audiences kept apart, sign-out, the Azure CLI fallback with a fake `az`, and
//! the ways a new user gets it wrong — each with its message, the profile unchanged and no token
//! anywhere.

use std::sync::Arc;
use std::time::Duration;

use ado_sim::{start, SimHandle, SimOptions};
use hotfix_core::ado::Area;
use hotfix_core::connection;
use hotfix_core::profiles::{Profile, ProfileStore, SignInMethod};
use hotfix_core::secrets::SecretStore;
use hotfix_core::signin::azcli::AzureCli;
use hotfix_core::signin::session::SignInOptions;
use hotfix_core::signin::{flow, keychain_user, Authority, Resource, SignInSessions};
use hotfix_core::{AppError, ErrorCode};
use serde_json::{json, Value};
use url::Url;

struct Setup {
    sim: SimHandle,
    dir: tempfile::TempDir,
    store: ProfileStore,
    secrets: Arc<SecretStore>,
    sessions: SignInSessions,
    profile: Profile,
}

async fn setup() -> Setup {
    let sim = start(SimOptions::default()).await.expect("simulator");
    let dir = tempfile::tempdir().unwrap();
    let store = ProfileStore::open(dir.path()).unwrap();
    let mut draft = Profile::new_with_defaults(String::new());
    draft.name = "Contoso (simulated)".into();
    draft.organization_url = sim.info().org_url.clone();
    draft.simulated = true;
    assert_eq!(draft.sign_in.method, SignInMethod::Entra);
    let profile = store.create(draft).unwrap();
    let secrets = Arc::new(SecretStore::in_memory());
    let sessions = SignInSessions::new(Arc::clone(&secrets));
    Setup {
        sim,
        dir,
        store,
        secrets,
        sessions,
        profile,
    }
}

async fn admin(sim: &SimHandle, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}{path}", sim.info().admin_url);
    let mut req = reqwest::Client::new().request(method, &url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

async fn knobs(sim: &SimHandle, patch: Value) {
    admin(sim, reqwest::Method::POST, "/entra", Some(patch)).await;
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The link of the authorize page with `data-testid="entra-{decision}"`.
async fn click(authorize: &Url, decision: &str) -> Url {
    let page = no_redirects().get(authorize.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let marker = format!("data-testid=\"entra-{decision}\" href=\"");
    let start = html.find(&marker).expect("the authorize page has the link") + marker.len();
    let href = &html[start..start + html[start..].find('"').unwrap()];
    Url::parse(&href.replace("&amp;", "&")).unwrap()
}

/// What the authority redirects the browser to after `decision`.
async fn redirect_of(authorize: &Url, decision: &str) -> Url {
    let resp = no_redirects()
        .get(click(authorize, decision).await)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap()
}

/// Plays the browser: page, click, redirect to the app's loopback (through `tamper`); returns
/// the page the loopback shows.
async fn browse(authorize: Url, decision: &str, tamper: fn(Url) -> Url) -> String {
    let back = tamper(redirect_of(&authorize, decision).await);
    // The redirect URI says localhost; the listener is on 127.0.0.1.
    let mut to = back.clone();
    to.set_host(Some("127.0.0.1")).unwrap();
    no_redirects()
        .get(to)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn keep(url: Url) -> Url {
    url
}

/// Signs `s.profile` in, with a browser that `decision`s (and `tamper`s with the redirect).
async fn sign_in_with(
    s: &Setup,
    decision: &'static str,
    tamper: fn(Url) -> Url,
    options: SignInOptions,
) -> (Result<hotfix_core::signin::SignInAccount, AppError>, String) {
    let (tx, rx) = tokio::sync::oneshot::channel::<Url>();
    let browser = tokio::spawn(async move {
        match rx.await {
            Ok(url) => browse(url, decision, tamper).await,
            Err(_) => String::new(),
        }
    });
    let result = s
        .sessions
        .sign_in(&s.profile, options, move |url| {
            let _ = tx.send(url.clone());
            Ok(())
        })
        .await;
    (result, browser.await.unwrap())
}

async fn sign_in(s: &Setup) -> hotfix_core::signin::SignInAccount {
    let (result, page) = sign_in_with(s, "accept", keep, SignInOptions::default()).await;
    assert!(page.contains("You can close this tab"), "{page}");
    result.unwrap()
}

fn profile_file(s: &Setup) -> Vec<u8> {
    std::fs::read(s.store.path()).unwrap()
}

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
async fn tokens_are_refreshed_before_they_expire_and_after_a_401() {
    let s = setup().await;
    knobs(&s.sim, json!({"tokenLifetimeSecs": 4})).await;
    sign_in(&s).await;
    let session = s.sessions.session(&s.profile).await.unwrap();
    let client = connection::bearer_client(
        &s.profile.organization_url,
        true,
        session.bearer(Resource::DevOps),
    )
    .unwrap();
    connection::list_projects(&client).await.unwrap();
    assert_eq!(
        session.refresh_count(),
        0,
        "the sign-in's own token is used first"
    );

    // Half its life gone: the next call refreshes first and never sees a 401.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    admin(&s.sim, reqwest::Method::DELETE, "/journal", None).await;
    connection::list_projects(&client).await.unwrap();
    assert_eq!(session.refresh_count(), 1);
    let journal = admin(&s.sim, reqwest::Method::GET, "/journal", None).await;
    let statuses: Vec<(String, u64)> = journal
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_owned(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        statuses
            .iter()
            .any(|(p, st)| p.ends_with("/oauth2/v2.0/token") && *st == 200),
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|(_, st)| *st != 401), "{statuses:?}");

    // The service refuses the token (expired early): one 401, a refresh, the call succeeds.
    knobs(
        &s.sim,
        json!({"tokenLifetimeSecs": 3600, "expireTokens": true}),
    )
    .await;
    admin(&s.sim, reqwest::Method::DELETE, "/journal", None).await;
    connection::list_projects(&client).await.unwrap();
    assert_eq!(session.refresh_count(), 2);
    let journal = admin(&s.sim, reqwest::Method::GET, "/journal", None).await;
    let st: Vec<u64> = journal
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    assert_eq!(st, vec![401, 200, 200], "{journal:#}");
}

#[tokio::test]
async fn the_refresh_token_gets_each_audience_and_each_service_takes_only_its_own() {
    let s = setup().await;
    sign_in(&s).await;
    let session = s.sessions.session(&s.profile).await.unwrap();
    let devops = session.access_token(Resource::DevOps, false).await.unwrap();
    let synapse = session
        .access_token(Resource::Synapse, false)
        .await
        .unwrap();
    let arm = session.access_token(Resource::Arm, false).await.unwrap();
    assert_eq!(
        session.refresh_count(),
        2,
        "Synapse and ARM came from the refresh token, no prompt"
    );
    // The authority rotates the refresh token; the keychain follows.
    let saved = s
        .secrets
        .read(&keychain_user(&s.profile.id))
        .unwrap()
        .unwrap();
    let state = admin(&s.sim, reqwest::Method::GET, "/state", None).await;
    let newest = state["entra"]["refreshTokens"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(saved.expose().contains(&newest));
    assert_ne!(devops.expose(), synapse.expose());
    assert_ne!(synapse.expose(), arm.expose());

    let info = s.sim.info();
    let workspace = info
        .synapse_url_template
        .replace("{workspaceName}", "contoso-synapse-prod");
    let http = reqwest::Client::new();
    let call = |url: String, token: &str| {
        http.get(url)
            .bearer_auth(token)
            .header("X-TFS-FedAuthRedirect", "Suppress")
            .send()
    };
    let data_plane = format!("{workspace}/triggers?api-version=2020-12-01");
    let projects = format!("{}/_apis/projects?api-version=7.1", info.org_url);
    assert_eq!(
        call(data_plane.clone(), synapse.expose())
            .await
            .unwrap()
            .status(),
        200
    );
    let refused = call(data_plane, devops.expose()).await.unwrap();
    assert_eq!(refused.status(), 401);
    assert!(refused.text().await.unwrap().contains("audience"));
    assert_eq!(
        call(projects.clone(), devops.expose())
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        call(projects.clone(), synapse.expose())
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(call(projects, arm.expose()).await.unwrap().status(), 401);
}

#[tokio::test]
async fn sign_out_clears_the_keychain_entry_and_the_tokens_in_memory() {
    let s = setup().await;
    sign_in(&s).await;
    let session = s.sessions.session(&s.profile).await.unwrap();
    session.access_token(Resource::DevOps, false).await.unwrap();
    s.sessions.sign_out(&s.profile.id).await.unwrap();
    assert!(s
        .secrets
        .read(&keychain_user(&s.profile.id))
        .unwrap()
        .is_none());
    let err = session
        .access_token(Resource::DevOps, false)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotSignedIn);
    assert_eq!(s.sessions.account(&s.profile).await.unwrap(), None);
    let err =
        connection::client_for_sign_in(&s.profile, &s.secrets, &s.sessions, &AzureCli::default())
            .await
            .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotSignedIn);
    assert!(err.message.contains("Sign in"), "{}", err.message);
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_containing(&path, needle));
        } else if std::fs::read(&path).is_ok_and(|b| String::from_utf8_lossy(&b).contains(needle)) {
            out.push(path);
        }
    }
    out
}

#[derive(Clone)]
struct LogFile(Arc<std::sync::Mutex<std::fs::File>>);

impl std::io::Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap().flush()
    }
}

#[tokio::test]
async fn no_token_reaches_a_file_a_log_line_an_ipc_payload_or_an_error() {
    let s = setup().await;
    let log = LogFile(Arc::new(std::sync::Mutex::new(
        std::fs::File::create(s.dir.path().join("app.log")).unwrap(),
    )));
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || log.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let account = sign_in(&s).await;
    let session = s.sessions.session(&s.profile).await.unwrap();
    for r in [Resource::DevOps, Resource::Synapse, Resource::Arm] {
        session.access_token(r, false).await.unwrap();
    }
    let client =
        connection::client_for_sign_in(&s.profile, &s.secrets, &s.sessions, &AzureCli::default())
            .await
            .unwrap();
    let report = connection::test_connection_with(&client, Some(&s.sim.info().project))
        .await
        .unwrap();
    knobs(
        &s.sim,
        json!({"requireInteraction": true, "expireTokens": true}),
    )
    .await;
    let err = connection::list_projects(&client).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InteractionRequired, "{err:?}");

    let state = admin(&s.sim, reqwest::Method::GET, "/state", None).await;
    let mut secrets: Vec<String> = Vec::new();
    for key in ["refreshTokens", "accessTokens", "codes"] {
        for t in state["entra"][key].as_array().unwrap() {
            secrets.push(
                t[if key == "codes" { "code" } else { "token" }]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
    }
    assert!(secrets.len() >= 5, "{secrets:?}");
    let payloads = [
        serde_json::to_string(&account).unwrap(),
        serde_json::to_string(&report).unwrap(),
        serde_json::to_string(&err).unwrap(),
        format!("{err:?} {err} {session:?} {client:?}"),
        String::from_utf8(profile_file(&s)).unwrap(),
    ];
    drop(_guard);
    let logged = std::fs::read_to_string(s.dir.path().join("app.log")).unwrap();
    assert!(
        logged.contains("signed in with Microsoft Entra ID"),
        "the log was captured"
    );
    for secret in &secrets {
        assert!(
            files_containing(s.dir.path(), secret).is_empty(),
            "a token is in a file"
        );
        for p in &payloads {
            assert!(!p.contains(secret.as_str()), "a token is in {p}");
        }
    }
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
async fn consent_missing_for_another_resource_or_conditional_access_each_say_what_to_do() {
    let s = setup().await;
    sign_in(&s).await;
    let session = s.sessions.session(&s.profile).await.unwrap();
    knobs(&s.sim, json!({"refuseConsent": true})).await;
    let err = session
        .access_token(Resource::Synapse, false)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SignInRefused);
    assert!(err.message.contains("consent"), "{}", err.message);
    assert!(err.message.contains("administrator"), "{}", err.message);
    knobs(
        &s.sim,
        json!({"refuseConsent": false, "requireInteraction": true}),
    )
    .await;
    let err = session
        .access_token(Resource::Arm, false)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InteractionRequired);
    assert!(
        err.message.contains("conditional-access"),
        "{}",
        err.message
    );
    // The sign-in itself is kept: nothing was removed from the keychain.
    assert!(s
        .secrets
        .read(&keychain_user(&s.profile.id))
        .unwrap()
        .is_some());
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

#[cfg(unix)]
fn fake_az(dir: &std::path::Path, script: &str) -> std::ffi::OsString {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let az = bin.join("az");
    std::fs::write(&az, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut joined = bin.into_os_string();
    joined.push(":");
    joined.push(path);
    joined
}

#[cfg(unix)]
#[tokio::test]
async fn a_signed_in_azure_cli_is_used_and_named_and_a_signed_out_one_says_az_login() {
    let s = setup().await;
    let mut profile = s.profile.clone();
    profile.sign_in.method = SignInMethod::AzureCli;
    // The fake az hands out the simulator's PAT as its "access token" (the simulator takes PATs
    // as bearer tokens too), and names its account.
    let script = format!(
        r#"case "$*" in
  "account show -o json") echo '{{"tenantId":"t-9","user":{{"name":"cli-user@contoso.com","type":"user"}}}}' ;;
  "account get-access-token --resource 499b84ac-1321-427f-aa17-267ca6975798 -o json") echo '{{"accessToken":"{}","expires_on":{},"tenant":"t-9","tokenType":"Bearer"}}' ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac"#,
        s.sim.info().pat,
        chrono::Utc::now().timestamp() + 3600
    );
    let cli = AzureCli::default().on_path(fake_az(s.dir.path(), &script));
    assert_eq!(
        cli.account().await.unwrap().username,
        "cli-user@contoso.com"
    );
    let client = connection::client_for_sign_in(&profile, &s.secrets, &s.sessions, &cli)
        .await
        .unwrap();
    let report = connection::test_connection_with(&client, None)
        .await
        .unwrap();
    assert!(report
        .signed_in_as
        .unwrap()
        .contains("cli-user@contoso.com"));
    client
        .get::<Value>(Area::Core, "_apis/projects", &[])
        .await
        .unwrap();

    let signed_out = AzureCli::default().on_path(fake_az(
        s.dir.path(),
        "echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1",
    ));
    let err = connection::client_for_sign_in(&profile, &s.secrets, &s.sessions, &signed_out)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotSignedIn);
    assert!(err.message.contains("az login"), "{}", err.message);

    let missing = AzureCli::default().on_path(s.dir.path().join("nowhere").into_os_string());
    let err = missing.account().await.unwrap_err();
    assert!(err.message.contains("not found on PATH"), "{}", err.message);
}

/// `git ls-remote` with `Authorization: {value}` passed through git's environment config (never
/// on the command line, where other users could read it).
async fn git_ls_remote(repo: String, value: String) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new("git")
            .args(["ls-remote", &repo])
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_CONFIG_COUNT", "1")
            .env("GIT_CONFIG_KEY_0", "http.extraHeader")
            .env("GIT_CONFIG_VALUE_0", format!("Authorization: {value}"))
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn git_over_https_takes_the_same_bearer_header() {
    let s = setup().await;
    sign_in(&s).await;
    let client =
        connection::client_for_sign_in(&s.profile, &s.secrets, &s.sessions, &AzureCli::default())
            .await
            .unwrap();
    let header = client.credential().header(false).await.unwrap();
    assert!(header.is_sensitive());
    let info = s.sim.info();
    let repo = format!("{}/{}/_git/{}", info.org_url, info.project, info.repository);
    let out = git_ls_remote(repo.clone(), header.to_str().unwrap().to_owned()).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("refs/heads/main"), "{stdout}");

    // A Synapse token is not an Azure DevOps one, for git either.
    let session = s.sessions.session(&s.profile).await.unwrap();
    let synapse = session
        .access_token(Resource::Synapse, false)
        .await
        .unwrap();
    let out = git_ls_remote(repo, format!("Bearer {}", synapse.expose())).await;
    assert!(!out.status.success());
}
