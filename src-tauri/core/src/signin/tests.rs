use super::*;
use crate::profiles::Profile;

fn id_token(claims: &serde_json::Value) -> String {
    use base64::Engine as _;
    let enc = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    };
    format!(
        "{}.{}.sig",
        enc(&serde_json::json!({"alg": "none"})),
        enc(claims)
    )
}

#[test]
fn the_account_comes_from_the_id_token_claims() {
    let token = id_token(&serde_json::json!({
        "preferred_username": "jamal@contoso.com", "name": "Jamal Hartnett", "tid": "t-1"
    }));
    let account = flow::account_from_id_token(&token).unwrap();
    assert_eq!(account.username, "jamal@contoso.com");
    assert_eq!(account.tenant_id, "t-1");
    assert_eq!(account.display(), "Jamal Hartnett (jamal@contoso.com)");
    assert!(flow::account_from_id_token("not-a-jwt").is_none());
    assert!(flow::account_from_id_token(&id_token(&serde_json::json!({"name": "x"}))).is_none());
}

#[test]
fn a_real_profile_signs_in_at_login_microsoftonline_com_and_a_simulated_one_at_its_simulator() {
    let mut p = Profile::new_with_defaults("p1".into());
    p.organization_url = "https://dev.azure.com/contoso".into();
    let a = Authority::for_profile(&p).unwrap();
    assert_eq!(
        a.authorize_url().unwrap().as_str(),
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize"
    );
    assert_eq!(a.client_id, crate::profiles::model::DEFAULT_CLIENT_ID);
    p.simulated = true;
    p.organization_url = "http://127.0.0.1:4711/contoso".into();
    p.sign_in.tenant = "contoso.onmicrosoft.com".into();
    let sim = Authority::for_profile(&p).unwrap();
    assert_eq!(
        sim.token_url().unwrap().as_str(),
        "http://127.0.0.1:4711/_entra/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
}

#[test]
fn resources_ask_for_their_own_default_scope() {
    assert_eq!(
        Resource::DevOps.scope(),
        "499b84ac-1321-427f-aa17-267ca6975798/.default"
    );
    assert_eq!(
        Resource::Synapse.scope(),
        "https://dev.azuresynapse.net/.default"
    );
    assert_eq!(
        Resource::Arm.scope(),
        "https://management.azure.com/.default"
    );
    assert_eq!(keychain_user("abc"), "abc:entra");
}

#[tokio::test]
async fn the_loopback_ignores_other_paths_answers_the_redirect_and_times_out() {
    let lb = loopback::Loopback::bind(0).await.unwrap();
    let port = lb.port();
    assert!(lb.redirect_uri().starts_with("http://localhost:"));
    let browser = tokio::spawn(async move {
        let http = reqwest::Client::new();
        let miss = http
            .get(format!("http://127.0.0.1:{port}/favicon.ico"))
            .send()
            .await
            .unwrap();
        assert_eq!(miss.status(), 404);
        http.get(format!("http://127.0.0.1:{port}/?code=c1&state=s1"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    let cb = lb
        .wait(std::time::Duration::from_secs(10), |_| {
            (true, loopback::page("Signed in", "You can close this tab."))
        })
        .await
        .unwrap();
    assert_eq!(cb.get("code"), Some("c1"));
    assert!(browser.await.unwrap().contains("You can close this tab."));
    let err = lb
        .wait(std::time::Duration::from_millis(100), |_| {
            (true, String::new())
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, crate::error::ErrorCode::Timeout);
}

#[tokio::test]
async fn a_taken_port_is_a_clear_error() {
    let first = loopback::Loopback::bind(0).await.unwrap();
    let err = loopback::Loopback::bind(first.port()).await.unwrap_err();
    assert!(
        err.message.contains(&format!("127.0.0.1:{}", first.port())),
        "{}",
        err.message
    );
}
