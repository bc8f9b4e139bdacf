//! The token endpoint: authorization codes (single use, PKCE S256, same client and redirect) and
//! refresh tokens (one resource per request), each access token for one audience.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::Digest;

use super::{
    now, oauth_error, random, resolve_tenant, AccessGrant, Audience, RefreshGrant,
    CODE_LIFETIME_SECS,
};
use crate::state::{AppState, Secret};

#[derive(Debug, Deserialize)]
pub(super) struct TokenForm {
    grant_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    code_verifier: String,
    #[serde(default)]
    refresh_token: String,
    #[serde(default)]
    scope: String,
}

fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

fn id_token(sim: &AppState, client_id: &str, tenant_id: &str) -> String {
    let user = sim.world().core.default_user();
    let enc = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let claims = json!({
        "aud": client_id,
        "iss": format!("{}/_entra/{tenant_id}/v2.0", sim.info.base_url),
        "iat": now(), "nbf": now(), "exp": now() + 3600,
        "name": user.display_name,
        "preferred_username": user.unique_name,
        "oid": user.id, "tid": tenant_id, "ver": "2.0",
    });
    format!(
        "{}.{}.",
        enc(&json!({"alg": "none", "typ": "JWT"})),
        enc(&claims)
    )
}

/// Issues an access token for the resource among `scope` (plus a rotated refresh token).
fn issue(
    sim: &AppState,
    scope: &str,
    client_id: &str,
    tenant_id: &str,
    with_id_token: bool,
) -> Response {
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let resources: Vec<Audience> = scopes
        .iter()
        .filter_map(|s| Audience::from_scope(s))
        .collect();
    let Some(&audience) = resources.first() else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", &format!("AADSTS70011: The provided request must include a 'scope' input parameter naming one resource. The provided value '{scope}' is not valid."));
    };
    if resources.len() > 1 {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", "AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource.");
    }
    let access = random("sim-entra-at-");
    let refresh = random("sim-entra-rt-");
    let lifetime = {
        let mut world = sim.world();
        let lifetime = world.entra.knobs.token_lifetime_secs.max(1);
        world
            .entra
            .access_tokens
            .retain(|t| t.expires_at > now() - 86_400);
        world.entra.access_tokens.push(AccessGrant {
            token: Secret(access.clone()),
            audience,
            tenant_id: tenant_id.to_owned(),
            expires_at: now() + lifetime,
        });
        world.entra.refresh_tokens.push(RefreshGrant {
            token: Secret(refresh.clone()),
            client_id: client_id.to_owned(),
            tenant_id: tenant_id.to_owned(),
        });
        lifetime
    };
    let mut body = json!({
        "token_type": "Bearer",
        "scope": format!("{}/.default", audience.uri()),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access,
        "refresh_token": refresh,
    });
    if with_id_token {
        body["id_token"] = Value::String(id_token(sim, client_id, tenant_id));
    }
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response()
}

pub(super) async fn token(
    State(sim): State<AppState>,
    Path(tenant): Path<String>,
    Form(form): Form<TokenForm>,
) -> Response {
    if resolve_tenant(&sim.world().entra, &tenant).is_none() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("AADSTS90002: Tenant '{tenant}' not found."),
        );
    }
    match form.grant_type.as_str() {
        "authorization_code" => redeem(&sim, &form),
        "refresh_token" => refresh(&sim, &form),
        other => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("AADSTS70003: The app requested an unsupported grant type '{other}'."),
        ),
    }
}

fn redeem(sim: &AppState, form: &TokenForm) -> Response {
    let found = {
        let mut world = sim.world();
        let Some(code) = world.entra.codes.iter_mut().find(|c| c.code.0 == form.code) else {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "AADSTS70000: The provided authorization code is invalid or malformed.",
            );
        };
        if code.redeemed {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.");
        }
        // A code is single-use even when this redemption fails.
        code.redeemed = true;
        code.clone()
    };
    if now() - found.issued_at > CODE_LIFETIME_SECS {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.");
    }
    if found.client_id != form.client_id {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS70000: The authorization code was issued to another client.",
        );
    }
    if found.redirect_uri != form.redirect_uri {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS50011: The redirect URI does not match the one of the authorization request.",
        );
    }
    if form.code_verifier.is_empty() || s256(&form.code_verifier) != found.challenge {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.");
    }
    let scope = if form.scope.trim().is_empty() {
        &found.scope
    } else {
        &form.scope
    };
    let with_id = found.scope.split_whitespace().any(|s| s == "openid");
    issue(sim, scope, &found.client_id, &found.tenant_id, with_id)
}

fn refresh(sim: &AppState, form: &TokenForm) -> Response {
    let (grant, knobs) = {
        let world = sim.world();
        (
            world
                .entra
                .refresh_tokens
                .iter()
                .find(|g| g.token.0 == form.refresh_token)
                .cloned(),
            world.entra.knobs.clone(),
        )
    };
    let Some(grant) = grant else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed.");
    };
    if grant.client_id != form.client_id {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS700005: The provided refresh token was issued to another client.",
        );
    }
    if knobs.require_interaction {
        return oauth_error(StatusCode::BAD_REQUEST, "interaction_required", "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource.");
    }
    if knobs.refuse_consent {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "AADSTS65001: The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.");
    }
    issue(sim, &form.scope, &grant.client_id, &grant.tenant_id, false)
}
