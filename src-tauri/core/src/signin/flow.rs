//! The interactive sign-in: authorization code + PKCE (S256) through the `oauth2` crate.
//!
//! 1. [`begin`] binds the [`Loopback`] listener, makes the PKCE verifier and a random `state`, and
//!    builds the authorize URL (scopes: Azure DevOps `.default`, `openid profile offline_access`);
//! 2. the caller opens that URL in the system browser;
//! 3. [`PendingSignIn::finish`] waits for the redirect (timeout, cancel), checks `state`, and
//!    exchanges the code with the verifier at the token endpoint.
//!
//! The refresh token obtains the Synapse and ARM tokens later without a second prompt
//! ([`refresh`]).

use std::time::Duration;

use base64::Engine as _;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, Client, ClientId, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

use super::loopback::{page, Callback, Loopback};
use super::{errors, Authority, Resource, SignInAccount};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::secrets::Token;

/// The OpenID Connect scopes asked beside the resource: who signed in, and a refresh token.
const OIDC_SCOPES: [&str; 3] = ["openid", "profile", "offline_access"];

/// Fields of Entra's token answer beyond RFC 6749.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub(crate) struct EntraFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

impl ExtraTokenFields for EntraFields {}

type EntraTokenResponse = StandardTokenResponse<EntraFields, BasicTokenType>;
type EntraClient = Client<
    BasicErrorResponse,
    EntraTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The HTTP client for the authority: never follows redirects (the `oauth2` crate's advice: a
/// redirect could forward the code or the refresh token elsewhere).
pub(crate) fn http_client() -> AppResult<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("synapse-hotfix/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            AppError::internal("The HTTP client could not be set up.").with_detail(e.to_string())
        })
}

fn oauth_client(authority: &Authority, redirect: Option<&str>) -> AppResult<EntraClient> {
    let bad = |e: url::ParseError| {
        AppError::invalid_input(format!("The sign-in address is not valid ({e})."))
    };
    let client = Client::new(ClientId::new(authority.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(authority.authorize_url()?))
        .set_token_uri(TokenUrl::from_url(authority.token_url()?));
    Ok(match redirect {
        Some(r) => client.set_redirect_uri(RedirectUrl::new(r.to_owned()).map_err(bad)?),
        None => client,
    })
}

/// A sign-in waiting for the browser. Holds the PKCE verifier and `state` in memory only.
pub struct PendingSignIn {
    authorize_url: Url,
    authority: Authority,
    loopback: Loopback,
    redirect: String,
    verifier: PkceCodeVerifier,
    state: CsrfToken,
}

impl std::fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("port", &self.loopback.port())
            .finish_non_exhaustive()
    }
}

/// The result of a sign-in: who, the refresh token (for the keychain) and the first access
/// token (Azure DevOps).
pub struct SignedIn {
    pub account: SignInAccount,
    pub refresh_token: Token,
    pub access: AccessToken,
}

/// An access token and how long it lives.
#[derive(Clone)]
pub struct AccessToken {
    pub token: Token,
    pub expires_in: Duration,
    /// A rotated refresh token, when the authority sent one.
    pub refresh_token: Option<Token>,
    pub id_token: Option<String>,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// Starts a sign-in: binds `127.0.0.1:port` (0 = any free port) and builds the authorize URL.
pub async fn begin(authority: &Authority, port: u16) -> AppResult<PendingSignIn> {
    probe(authority).await?;
    let loopback = Loopback::bind(port).await?;
    let redirect = loopback.redirect_uri();
    let client = oauth_client(authority, Some(&redirect))?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new(Resource::DevOps.scope().to_owned()))
        .set_pkce_challenge(challenge);
    for scope in OIDC_SCOPES {
        request = request.add_scope(Scope::new(scope.to_owned()));
    }
    let (authorize_url, state) = request.url();
    Ok(PendingSignIn {
        authorize_url,
        authority: authority.clone(),
        loopback,
        redirect,
        verifier,
        state,
    })
}

impl PendingSignIn {
    /// Open this in the system browser.
    pub fn authorize_url(&self) -> &Url {
        &self.authorize_url
    }

    pub fn port(&self) -> u16 {
        self.loopback.port()
    }

    /// Waits for the browser (at most `timeout`, or until `cancel` resolves), checks `state` and
    /// redeems the code with the PKCE verifier.
    pub async fn finish(
        self,
        timeout: Duration,
        cancel: impl std::future::Future<Output = ()>,
    ) -> AppResult<SignedIn> {
        let expected = self.state.secret().clone();
        let respond = |cb: &Callback| -> (bool, String) {
            if cb.get("state") != Some(expected.as_str()) {
                return (
                    false,
                    page(
                        "Sign-in not accepted",
                        "This answer does not belong to the sign-in the app started, so it was \
                         ignored. Return to Synapse Hotfix and click Sign in again.",
                    ),
                );
            }
            if cb.get("error").is_some() {
                return (
                    false,
                    page(
                        "Sign-in not completed",
                        "The sign-in was not completed. Return to Synapse Hotfix to see why. You can close this tab.",
                    ),
                );
            }
            (
                true,
                page(
                    "Signed in",
                    "You are signed in to Synapse Hotfix. You can close this tab and return to the app.",
                ),
            )
        };
        let callback = tokio::select! {
            got = self.loopback.wait(timeout, respond) => got?,
            () = cancel => {
                return Err(AppError::new(
                    ErrorCode::Cancelled,
                    "The sign-in was cancelled. Nothing was changed.",
                ));
            }
        };
        // The listener is no longer needed: free the port before talking to the authority.
        drop(self.loopback);
        if callback.get("state") != Some(expected.as_str()) {
            return Err(AppError::new(
                ErrorCode::SignInRefused,
                "The browser came back with an answer that does not belong to this sign-in (the \
                 'state' did not match), so it was refused. Nothing was saved. Click Sign in \
                 again.",
            ));
        }
        if let Some(error) = callback.get("error") {
            return Err(errors::refusal(
                &self.authority,
                error,
                callback.get("error_description").unwrap_or_default(),
            ));
        }
        let code = callback.get("code").unwrap_or_default().to_owned();
        redeem(&self.authority, &self.redirect, code, self.verifier).await
    }
}

/// Reads the tenant's discovery document before the browser opens, so an unreachable authority
/// or an unknown tenant is reported at once instead of as a page the browser cannot show.
async fn probe(authority: &Authority) -> AppResult<()> {
    let http = http_client()?;
    let url = authority.discovery_url()?;
    let response = http.get(url).send().await.map_err(|e| {
        let mut source: &dyn std::error::Error = &e;
        while let Some(next) = source.source() {
            source = next;
        }
        AppError::new(
            ErrorCode::Unreachable,
            format!(
                "The sign-in service {} could not be reached ({source}). Check your network \
                 connection, proxy or VPN, then try again. Nothing was changed.",
                authority.host()
            ),
        )
        .with_detail(e.to_string())
    })?;
    if response.status().is_success() {
        return Ok(());
    }
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let text = |k: &str| {
        body.get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let error = text("error");
    if error == "invalid_tenant" {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!(
                "Microsoft Entra ID does not know the tenant '{}'. Check the profile's Tenant: \
                 use organizations, your directory (tenant) id or your domain.",
                authority.tenant
            ),
        )
        .with_detail(text("error_description")));
    }
    Err(if error.is_empty() {
        AppError::new(
            ErrorCode::ServerError,
            format!(
                "The sign-in service {} answered HTTP {status}. Try again later.",
                authority.host()
            ),
        )
    } else {
        errors::refusal(authority, &error, &text("error_description"))
    })
}

/// Exchanges an authorization code (with its PKCE verifier) for tokens.
pub async fn redeem(
    authority: &Authority,
    redirect_uri: &str,
    code: String,
    verifier: PkceCodeVerifier,
) -> AppResult<SignedIn> {
    let client = oauth_client(authority, Some(redirect_uri))?;
    let http = http_client()?;
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .map_err(|e| errors::token_request(authority, &e))?;
    let access = access_token(&response);
    let Some(refresh_token) = access.refresh_token.clone() else {
        return Err(AppError::new(
            ErrorCode::SignInRefused,
            format!(
                "{} signed you in but sent no refresh token, so the app could not stay signed \
                 in. Check that the app registration allows public client flows.",
                authority.host()
            ),
        ));
    };
    let account = access
        .id_token
        .as_deref()
        .and_then(account_from_id_token)
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::SignInRefused,
                format!(
                    "{} signed you in but did not say who you are (no ID token). Check that the \
                     app registration allows the openid and profile permissions.",
                    authority.host()
                ),
            )
        })?;
    Ok(SignedIn {
        account,
        refresh_token,
        access,
    })
}

/// A new access token for `resource` from the refresh token (no prompt).
pub async fn refresh(
    authority: &Authority,
    http: &reqwest::Client,
    refresh_token: &Token,
    resource: Resource,
) -> AppResult<AccessToken> {
    let client = oauth_client(authority, None)?;
    let rt = RefreshToken::new(refresh_token.expose().to_owned());
    let response = client
        .exchange_refresh_token(&rt)
        .add_scope(Scope::new(resource.scope().to_owned()))
        .add_scope(Scope::new("offline_access".to_owned()))
        .request_async(http)
        .await
        .map_err(|e| errors::token_request(authority, &e))?;
    Ok(access_token(&response))
}

fn access_token(response: &EntraTokenResponse) -> AccessToken {
    AccessToken {
        token: Token::new(response.access_token().secret().clone()),
        // Entra always sends expires_in; without one, assume the documented hour.
        expires_in: response.expires_in().unwrap_or(Duration::from_secs(3600)),
        refresh_token: response
            .refresh_token()
            .map(|r| Token::new(r.secret().clone())),
        id_token: response.extra_fields().id_token.clone(),
    }
}

/// Who signed in, from the ID token's claims (`preferred_username`, `name`, `tid`). The ID token
/// came straight from the token endpoint over TLS, so its signature is not checked (OpenID
/// Connect Core §3.1.3.7); it is only used for display.
pub(crate) fn account_from_id_token(id_token: &str) -> Option<SignInAccount> {
    let payload = id_token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let text = |k: &str| {
        claims
            .get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let username = [text("preferred_username"), text("upn"), text("email")]
        .into_iter()
        .find(|s| !s.is_empty())?;
    Some(SignInAccount {
        username,
        name: text("name"),
        tenant_id: text("tid"),
    })
}
