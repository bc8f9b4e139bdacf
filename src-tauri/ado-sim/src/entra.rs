//! A Microsoft-Entra-like authority on the simulator's own loopback server, under `/_entra`, so
//! the app's sign-in runs the real flow against it (AUTH-AND-ERRORS.md §6a):
//!
//! * `GET /_entra/{tenant}/oauth2/v2.0/authorize` — a page that signs the demo user in with one
//!   click (`…/authorize/accept`) or declines (`…/authorize/decline`); both redirect to the
//!   loopback `redirect_uri` with `code` + `state`, or `error` + `error_description`;
//! * `POST /_entra/{tenant}/oauth2/v2.0/token` — `authorization_code` (single-use code, PKCE S256
//!   verifier, same client id and redirect URI) and `refresh_token` (one resource per request);
//!   each access token is for one audience: Azure DevOps, the Synapse data plane or ARM.
//!
//! Azure DevOps routes accept only `devops` tokens, the Synapse data plane only `synapse` tokens
//! ([`check_access_token`]). Tokens are opaque random strings (the real ones are JWTs the app
//! never reads); the ID token is an unsigned JWT with `preferred_username`, `name` and `tid`.
//! Admin knobs (`/_admin/entra`): token lifetime, refused consent, conditional access, a sign-in
//! tenant that does not back the organization, and whether the user is a member.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Digest;

use crate::state::{AppState, Secret};

/// Azure DevOps' resource id: its `.default` scope asks for a `devops` token.
pub const DEVOPS_RESOURCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";
pub const SYNAPSE_RESOURCE: &str = "https://dev.azuresynapse.net";
pub const ARM_RESOURCE: &str = "https://management.azure.com";
/// Codes are redeemable this long.
const CODE_LIFETIME_SECS: i64 = 600;

/// The audience of an access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Devops,
    Synapse,
    Arm,
}

impl Audience {
    fn from_scope(scope: &str) -> Option<Self> {
        let s = scope.trim().to_ascii_lowercase();
        let resource = s.strip_suffix("/.default").unwrap_or(&s);
        match resource {
            DEVOPS_RESOURCE | "https://app.vssps.visualstudio.com" => Some(Self::Devops),
            SYNAPSE_RESOURCE => Some(Self::Synapse),
            ARM_RESOURCE => Some(Self::Arm),
            _ => None,
        }
    }

    pub fn uri(self) -> &'static str {
        match self {
            Self::Devops => DEVOPS_RESOURCE,
            Self::Synapse => SYNAPSE_RESOURCE,
            Self::Arm => ARM_RESOURCE,
        }
    }
}

/// Test knobs, set through `POST /_admin/entra`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntraKnobs {
    /// Lifetime of new access tokens (Entra: about an hour).
    pub token_lifetime_secs: i64,
    /// "Accept" answers `consent_required`, and refreshes `invalid_grant` with AADSTS65001.
    pub refuse_consent: bool,
    /// Refreshes answer `interaction_required` (a conditional-access policy).
    pub require_interaction: bool,
    /// Sign-ins land in another tenant, which does not back the organization.
    pub other_tenant: bool,
    /// False: the signed-in user is not a member of the organization.
    pub member: bool,
}

impl Default for EntraKnobs {
    fn default() -> Self {
        Self {
            token_lifetime_secs: 3600,
            refuse_consent: false,
            require_interaction: false,
            other_tenant: false,
            member: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthCode {
    pub code: Secret,
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub scope: String,
    pub tenant_id: String,
    pub issued_at: i64,
    pub redeemed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshGrant {
    pub token: Secret,
    pub client_id: String,
    pub tenant_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessGrant {
    pub token: Secret,
    pub audience: Audience,
    pub tenant_id: String,
    pub expires_at: i64,
}

/// The authority's state (persisted with the world, so a sign-in survives a restart).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntraWorld {
    /// The tenant that backs the organization.
    pub tenant_id: String,
    /// A tenant that does not.
    pub other_tenant_id: String,
    pub knobs: EntraKnobs,
    pub codes: Vec<AuthCode>,
    pub refresh_tokens: Vec<RefreshGrant>,
    pub access_tokens: Vec<AccessGrant>,
}

impl Default for EntraWorld {
    fn default() -> Self {
        Self {
            tenant_id: uuid::Uuid::new_v4().to_string(),
            other_tenant_id: uuid::Uuid::new_v4().to_string(),
            knobs: EntraKnobs::default(),
            codes: Vec::new(),
            refresh_tokens: Vec::new(),
            access_tokens: Vec::new(),
        }
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn random(prefix: &str) -> String {
    use rand::Rng;
    let bytes: [u8; 24] = rand::thread_rng().gen();
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An OAuth error answer of the token endpoint (`{"error","error_description",…}`, HTTP 400).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({
            "error": error,
            "error_description": format!("{description}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
                uuid::Uuid::new_v4(), uuid::Uuid::new_v4(), chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ")),
            "error_codes": [description.split(':').next().unwrap_or("").trim_start_matches("AADSTS").parse::<u64>().unwrap_or(0)],
        })),
    )
        .into_response()
}

fn error_page(status: StatusCode, text: &str) -> Response {
    (
        status,
        Html(format!(
            "<!DOCTYPE html><html><head><title>Sign in error</title></head><body>\
             <h1>Sorry, but we're having trouble signing you in.</h1><p>{}</p></body></html>",
            esc(text)
        )),
    )
        .into_response()
}

/// The tenant a sign-in at `{tenant}` lands in, or `None` when the authority does not know it.
fn resolve_tenant(world: &EntraWorld, tenant: &str) -> Option<String> {
    let t = tenant.to_ascii_lowercase();
    if world.knobs.other_tenant {
        return Some(world.other_tenant_id.clone());
    }
    if matches!(t.as_str(), "organizations" | "common")
        || t == world.tenant_id
        || t.ends_with(".onmicrosoft.com")
    {
        Some(world.tenant_id.clone())
    } else if t == world.other_tenant_id {
        Some(world.other_tenant_id.clone())
    } else {
        None
    }
}

fn loopback_redirect(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http" && matches!(u.host_str(), Some("localhost" | "127.0.0.1"))
    })
}

async fn authorize(
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

async fn decide(
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

#[derive(Debug, Deserialize)]
struct TokenForm {
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

async fn token(
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

/// What [`check_access_token`] found.
pub enum Verdict {
    /// An access token of this authority, valid for the audience.
    Accepted,
    /// Not an access token of this authority (maybe a PAT).
    Unknown,
    /// An access token of this authority that this audience does not take, and why.
    Refused(String),
}

/// Checks an Entra access token for a route of `audience`.
pub fn check_access_token(sim: &crate::state::Sim, token: &str, audience: Audience) -> Verdict {
    let world = sim.world();
    let Some(grant) = world
        .entra
        .access_tokens
        .iter()
        .find(|g| g.token.0 == token)
    else {
        return Verdict::Unknown;
    };
    if grant.audience != audience {
        return Verdict::Refused(format!(
            "The access token is for the audience '{}', not '{}'. Acquire a token for this resource.",
            grant.audience.uri(),
            audience.uri()
        ));
    }
    if grant.expires_at <= now() {
        return Verdict::Refused(
            "The access token has expired. Acquire a new token and retry.".into(),
        );
    }
    if audience == Audience::Devops {
        if grant.tenant_id != world.entra.tenant_id {
            return Verdict::Refused(format!(
                "The access token was issued by tenant '{}', which does not back this organization (it is connected to tenant '{}').",
                grant.tenant_id, world.entra.tenant_id
            ));
        }
        if !world.entra.knobs.member {
            return Verdict::Refused(format!(
                "The user '{}' is not a member of this organization.",
                world.core.default_user().unique_name
            ));
        }
    }
    Verdict::Accepted
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KnobsPatch {
    token_lifetime_secs: Option<i64>,
    refuse_consent: Option<bool>,
    require_interaction: Option<bool>,
    other_tenant: Option<bool>,
    member: Option<bool>,
    /// Expire every access token issued so far.
    #[serde(default)]
    expire_tokens: bool,
}

async fn get_knobs(State(sim): State<AppState>) -> Json<Value> {
    let world = sim.world();
    Json(json!({
        "knobs": world.entra.knobs,
        "tenantId": world.entra.tenant_id,
        "otherTenantId": world.entra.other_tenant_id,
        "accessTokens": world.entra.access_tokens.len(),
        "refreshTokens": world.entra.refresh_tokens.len(),
    }))
}

async fn set_knobs(State(sim): State<AppState>, Json(patch): Json<KnobsPatch>) -> Json<Value> {
    {
        let mut world = sim.world();
        let k = &mut world.entra.knobs;
        if let Some(v) = patch.token_lifetime_secs {
            k.token_lifetime_secs = v;
        }
        if let Some(v) = patch.refuse_consent {
            k.refuse_consent = v;
        }
        if let Some(v) = patch.require_interaction {
            k.require_interaction = v;
        }
        if let Some(v) = patch.other_tenant {
            k.other_tenant = v;
        }
        if let Some(v) = patch.member {
            k.member = v;
        }
        if patch.expire_tokens {
            for t in &mut world.entra.access_tokens {
                t.expires_at = now() - 1;
            }
        }
    }
    let _ = sim.persist();
    get_knobs(State(sim)).await
}

/// The OpenID Connect discovery document of a tenant (what the app reads first: it tells whether
/// the authority answers and knows the tenant).
async fn discovery(State(sim): State<AppState>, Path(tenant): Path<String>) -> Response {
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

/// Admin routes, nested under `/_admin`.
pub fn admin_routes() -> Router<AppState> {
    Router::new().route("/entra", get(get_knobs).post(set_knobs))
}

/// The authority's routes (paths arrive lowercased).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_entra/{tenant}/oauth2/v2.0/authorize", get(authorize))
        .route(
            "/_entra/{tenant}/oauth2/v2.0/authorize/{decision}",
            get(decide),
        )
        .route("/_entra/{tenant}/oauth2/v2.0/token", post(token))
        .route(
            "/_entra/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery),
        )
}
