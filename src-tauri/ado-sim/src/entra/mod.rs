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

mod admin;
mod authorize;
mod token;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::json;

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

/// Admin routes, nested under `/_admin`.
pub fn admin_routes() -> Router<AppState> {
    Router::new().route("/entra", get(admin::get_knobs).post(admin::set_knobs))
}

/// The authority's routes (paths arrive lowercased).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/_entra/{tenant}/oauth2/v2.0/authorize",
            get(authorize::authorize),
        )
        .route(
            "/_entra/{tenant}/oauth2/v2.0/authorize/{decision}",
            get(authorize::decide),
        )
        .route("/_entra/{tenant}/oauth2/v2.0/token", post(token::token))
        .route(
            "/_entra/{tenant}/v2.0/.well-known/openid-configuration",
            get(authorize::discovery),
        )
}
