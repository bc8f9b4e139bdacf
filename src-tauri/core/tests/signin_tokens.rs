//! Microsoft Entra ID sign-in against the simulator, after the browser step: refresh before
//! expiry and after a 401, audiences kept apart, sign-out, consent and conditional access on
//! refresh, git over HTTPS, the Azure CLI fallback with a fake `az`, and no token anywhere.

mod signin_support;

use std::sync::Arc;
use std::time::Duration;

use hotfix_core::ado::Area;
use hotfix_core::connection;
use hotfix_core::profiles::SignInMethod;
use hotfix_core::signin::azcli::AzureCli;
use hotfix_core::signin::{keychain_user, Resource};
use hotfix_core::ErrorCode;
use serde_json::{json, Value};
use signin_support::*;

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
    // Forgetting (what deleting the profile does) drops a session in memory just the same.
    sign_in(&s).await;
    let again = s.sessions.session(&s.profile).await.unwrap();
    s.sessions.forget(&s.profile.id);
    let err = again.access_token(Resource::Arm, true).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotSignedIn);
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
