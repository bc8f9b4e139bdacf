//! The sign-in page: authorize (one click signs the demo user in, or declines), the redirect back
//! to the loopback, and the OpenID discovery document.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{
    error_page, esc, now, oauth_error, random, resolve_tenant, AuthCode, CODE_LIFETIME_SECS,
};
use crate::state::{AppState, Secret};

fn loopback_redirect(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http" && matches!(u.host_str(), Some("localhost" | "127.0.0.1"))
    })
}

pub(super) async fn authorize(
    State(sim): State<AppState>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(resp) = check_authorize(&sim, &tenant, &q) {
        return resp;
    }
    let user = sim.world().core.default_user();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(q.iter())
        .finish();
    let base = format!(
        "{}/_entra/{}/oauth2/v2.0/authorize",
        sim.info.base_url,
        esc(&tenant)
    );
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to your \
         account (simulated Microsoft Entra ID)</title></head><body>\
         <h1>Sign in (simulated Microsoft Entra ID)</h1>\
         <p>Synapse Hotfix (client id {client}) asks to access Azure DevOps as you.</p>\
         <p><a id=\"accept\" data-testid=\"entra-accept\" href=\"{base}/accept?{query}\">Sign in as {name} ({upn})</a></p>\
         <p><a id=\"decline\" data-testid=\"entra-decline\" href=\"{base}/decline?{query}\">Cancel (refuse consent)</a></p>\
         </body></html>",
        client = esc(q.get("client_id").map_or("", String::as_str)),
        query = esc(&query),
        name = esc(&user.display_name),
        upn = esc(&user.unique_name),
    ))
    .into_response()
}

fn check_authorize(sim: &AppState, tenant: &str, q: &HashMap<String, String>) -> Option<Response> {
    let get = |k: &str| q.get(k).map_or("", String::as_str);
    let world = sim.world();
    if resolve_tenant(&world.entra, tenant).is_none() {
        return Some(error_page(
            StatusCode::BAD_REQUEST,
            &format!("AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
        ));
    }
    if get("client_id").is_empty() {
        return Some(error_page(
            StatusCode::BAD_REQUEST,
            "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
        ));
    }
    if !loopback_redirect(get("redirect_uri")) {
        return Some(error_page(StatusCode::BAD_REQUEST, "AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured for the application."));
    }
    if get("response_type") != "code" {
        return Some(error_page(
            StatusCode::BAD_REQUEST,
            "AADSTS900144: response_type must be 'code'.",
        ));
    }
    if get("code_challenge").is_empty() || get("code_challenge_method") != "S256" {
        return Some(error_page(StatusCode::BAD_REQUEST, "AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption (code_challenge with method S256)."));
    }
    None
}

fn redirect_to(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return error_page(StatusCode::BAD_REQUEST, "The redirect URI is not a URL.");
    };
    url.query_pairs_mut().extend_pairs(params.iter());
    (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
}

pub(super) async fn decide(
    State(sim): State<AppState>,
    Path((tenant, decision)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(resp) = check_authorize(&sim, &tenant, &q) {
        return resp;
    }
    let get = |k: &str| q.get(k).map_or("", String::as_str);
    let state = get("state");
    let redirect = get("redirect_uri");
    if decision == "decline" {
        return redirect_to(
            redirect,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "AADSTS65004: User declined to consent to access the app.",
                ),
                ("state", state),
            ],
        );
    }
    if decision != "accept" {
        return error_page(StatusCode::NOT_FOUND, "Unknown decision.");
    }
    let code = random("sim-code-");
    {
        let mut world = sim.world();
        if world.entra.knobs.refuse_consent {
            drop(world);
            return redirect_to(redirect, &[
                ("error", "consent_required"),
                ("error_description", "AADSTS65001: The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource."),
                ("state", state),
            ]);
        }
        let tenant_id = resolve_tenant(&world.entra, &tenant).unwrap_or_default();
        world
            .entra
            .codes
            .retain(|c| now() - c.issued_at < CODE_LIFETIME_SECS);
        world.entra.codes.push(AuthCode {
            code: Secret(code.clone()),
            client_id: get("client_id").to_owned(),
            redirect_uri: redirect.to_owned(),
            challenge: get("code_challenge").to_owned(),
            scope: get("scope").to_owned(),
            tenant_id,
            issued_at: now(),
            redeemed: false,
        });
    }
    redirect_to(redirect, &[("code", &code), ("state", state)])
}

/// The OpenID Connect discovery document of a tenant (what the app reads first: it tells whether
/// the authority answers and knows the tenant).
pub(super) async fn discovery(State(sim): State<AppState>, Path(tenant): Path<String>) -> Response {
    if resolve_tenant(&sim.world().entra, &tenant).is_none() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            &format!("AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
        );
    }
    let base = format!("{}/_entra/{tenant}", sim.info.base_url);
    Json(json!({
        "issuer": format!("{base}/v2.0"),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
    }))
    .into_response()
}
