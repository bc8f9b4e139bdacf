//! The simulator's Entra-like authority over plain HTTP, as any OAuth client would use it: the
//! start-up line announces it, discovery, the authorize page's checks (PKCE S256 required,
//! loopback redirects only), the code exchange with its ID token, lifetimes from the admin knob,
//! and access tokens that only their own audience takes.

use ado_sim::{start, SimOptions};
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::Digest;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

#[tokio::test]
async fn the_authority_is_announced_discoverable_and_strict_about_pkce_and_redirects() {
    let sim = start(SimOptions::default()).await.unwrap();
    let info = sim.info().clone();
    assert_eq!(info.authority_url, format!("{}/_entra", info.base_url));
    uuid::Uuid::parse_str(&info.tenant_id).expect("a tenant GUID");

    let http = no_redirects();
    let doc: Value = http
        .get(format!(
            "{}/organizations/v2.0/.well-known/openid-configuration",
            info.authority_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["token_endpoint"]
        .as_str()
        .unwrap()
        .ends_with("/organizations/oauth2/v2.0/token"));
    let unknown = http
        .get(format!(
            "{}/nope/v2.0/.well-known/openid-configuration",
            info.authority_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["error"],
        "invalid_tenant"
    );

    let authorize = format!("{}/organizations/oauth2/v2.0/authorize", info.authority_url);
    let ask = |method: &str, redirect: &str| {
        http.get(&authorize)
            .query(&[
                ("client_id", "app-1"),
                ("response_type", "code"),
                ("redirect_uri", redirect),
                (
                    "scope",
                    "499b84ac-1321-427f-aa17-267ca6975798/.default openid offline_access",
                ),
                ("state", "s-1"),
                ("code_challenge", &challenge("v".repeat(43).as_str())),
                ("code_challenge_method", method),
            ])
            .send()
    };
    assert_eq!(
        ask("S256", "http://localhost:5555/")
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        ask("plain", "http://localhost:5555/")
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        ask("S256", "https://evil.example/cb")
            .await
            .unwrap()
            .status(),
        400
    );
}

#[tokio::test]
async fn a_code_becomes_tokens_for_one_audience_with_the_knobs_lifetime() {
    let sim = start(SimOptions::default()).await.unwrap();
    let info = sim.info().clone();
    let http = no_redirects();
    http.post(format!("{}/entra", info.admin_url))
        .json(&json!({"tokenLifetimeSecs": 120}))
        .send()
        .await
        .unwrap();
    let verifier = "w".repeat(50);
    let base = format!("{}/{}/oauth2/v2.0", info.authority_url, info.tenant_id);
    let accepted = http
        .get(format!("{base}/authorize/accept"))
        .query(&[
            ("client_id", "app-1"),
            ("response_type", "code"),
            ("redirect_uri", "http://127.0.0.1:5555/"),
            (
                "scope",
                "https://dev.azuresynapse.net/.default openid offline_access",
            ),
            ("state", "s-2"),
            ("code_challenge", &challenge(&verifier)),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 302);
    let back = url::Url::parse(accepted.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "s-2");
    let tokens: Value = http
        .post(format!("{base}/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "app-1"),
            ("code", q["code"].as_str()),
            ("redirect_uri", "http://127.0.0.1:5555/"),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 120);
    assert_eq!(tokens["scope"], "https://dev.azuresynapse.net/.default");
    let claims = tokens["id_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["tid"], info.tenant_id.as_str());
    assert!(claims["preferred_username"].as_str().unwrap().contains('@'));

    // A Synapse token opens the data plane and not Azure DevOps.
    let access = tokens["access_token"].as_str().unwrap();
    let data_plane = format!(
        "{}/triggers?api-version=2020-12-01",
        info.synapse_url_template
            .replace("{workspaceName}", "contoso-synapse-dev")
    );
    assert_eq!(
        http.get(&data_plane)
            .bearer_auth(access)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let devops = http
        .get(format!("{}/_apis/projects?api-version=7.1", info.org_url))
        .bearer_auth(access)
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .send()
        .await
        .unwrap();
    assert_eq!(devops.status(), 401);
    assert!(devops.text().await.unwrap().contains("audience"));
}
