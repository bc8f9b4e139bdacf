//! Authentication like the real service: PATs over Basic (any user name, the token as password)
//! or Bearer, with scopes.
//!
//! * no or malformed `Authorization` → **203** with an HTML sign-in page (401 when the client sent
//!   `X-TFS-FedAuthRedirect: Suppress`);
//! * unknown or revoked token → **401** with `WWW-Authenticate: Basic realm="…"`;
//! * a route whose scope the token lacks → **401** with a VSS body naming the scope
//!   ([`Principal::require`]);
//! * git smart HTTP always answers 401 + `WWW-Authenticate` so `git` asks for credentials;
//! * the Synapse data plane (`/synapse/...`) takes `Bearer <synapse token>`.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::errors::ApiError;
use crate::state::AppState;

/// Scope a full-access PAT carries.
pub const FULL_ACCESS: &str = "app_token";
/// Pseudo-scope of the Synapse data-plane bearer token.
pub const SYNAPSE_SCOPE: &str = "synapse";

/// A user, serialised like the `IdentityRef` of the REST examples.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub display_name: String,
    pub url: String,
    #[serde(rename = "_links", default)]
    pub links: Value,
    pub id: uuid::Uuid,
    pub unique_name: String,
    pub image_url: String,
    pub descriptor: String,
}

impl Identity {
    /// A user of the organization at `org_url`.
    pub fn new(org_url: &str, display_name: &str, unique_name: &str) -> Self {
        let id = uuid::Uuid::new_v4();
        let descriptor = format!(
            "aad.{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(id.as_bytes())
        );
        let avatar = format!("{org_url}/_apis/GraphProfile/MemberAvatars/{descriptor}");
        Self {
            display_name: display_name.into(),
            url: format!("{org_url}/_apis/Identities/{id}"),
            links: json!({"avatar": {"href": avatar}}),
            id,
            unique_name: unique_name.into(),
            image_url: avatar,
            descriptor,
        }
    }

    /// The identity of an anonymous caller.
    pub fn anonymous() -> Self {
        Self {
            display_name: "Anonymous".into(),
            url: String::new(),
            links: json!({}),
            id: uuid::Uuid::nil(),
            unique_name: String::new(),
            image_url: String::new(),
            descriptor: String::new(),
        }
    }
}

/// The authenticated caller, set by the auth middleware on every authenticated route.
#[derive(Clone)]
pub struct Principal {
    pub token: String,
    pub scopes: Vec<String>,
    pub user: Identity,
}

impl std::fmt::Debug for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Principal")
            .field("token", &"***")
            .field("scopes", &self.scopes)
            .field("user", &self.user.unique_name)
            .finish()
    }
}

impl Principal {
    /// Whether the token grants `scope` (directly, through full access, or by inheritance).
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| scope_implies(s, scope))
    }

    /// `Ok` when the token grants `scope`, else the service's 401 naming the missing scope.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if self.has(scope) {
            return Ok(());
        }
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            format!(
                "TF400813: The user '{}' is not authorized to access this resource. The personal access token does not have the required scope '{scope}'.",
                self.user.unique_name
            ),
            "UnauthorizedRequestException",
        ))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "TF400813: The user '' is not authorized to access this resource.",
                "UnauthorizedRequestException",
            )
        })
    }
}

/// `granted` covers `wanted`: equal, full access, or a wider scope of the same family
/// (`code_full ⊃ code_manage ⊃ code_write ⊃ code`, `release_manage ⊃ release_execute ⊃ release`, …).
pub fn scope_implies(granted: &str, wanted: &str) -> bool {
    let granted = granted.to_ascii_lowercase();
    let wanted = wanted.to_ascii_lowercase();
    if granted == wanted || granted == FULL_ACCESS {
        return true;
    }
    const LADDERS: &[&[&str]] = &[
        &[
            "vso.code",
            "vso.code_write",
            "vso.code_manage",
            "vso.code_full",
        ],
        &["vso.release", "vso.release_execute", "vso.release_manage"],
        &["vso.build", "vso.build_execute"],
        &["vso.extension", "vso.extension_manage"],
        &["vso.project", "vso.project_write", "vso.project_manage"],
        &[
            "vso.serviceendpoint",
            "vso.serviceendpoint_query",
            "vso.serviceendpoint_manage",
        ],
        &["vso.agentpools", "vso.agentpools_manage"],
        &["vso.environment_manage"],
    ];
    LADDERS.iter().any(|ladder| {
        let g = ladder.iter().position(|s| *s == granted);
        let w = ladder.iter().position(|s| *s == wanted);
        matches!((g, w), (Some(g), Some(w)) if g >= w)
    })
}

/// What the `Authorization` header carried.
enum Credential {
    Missing,
    Malformed,
    Basic(String),
    Bearer(String),
}

fn credential(headers: &HeaderMap) -> Credential {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Credential::Missing;
    };
    let Ok(value) = value.to_str() else {
        return Credential::Malformed;
    };
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("basic") {
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(rest) else {
            return Credential::Malformed;
        };
        let Ok(decoded) = String::from_utf8(decoded) else {
            return Credential::Malformed;
        };
        match decoded.split_once(':') {
            Some((_, pat)) if !pat.is_empty() => Credential::Basic(pat.to_owned()),
            _ => Credential::Malformed,
        }
    } else if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
        Credential::Bearer(rest.to_owned())
    } else {
        Credential::Malformed
    }
}

/// The HTML sign-in page the service answers anonymous API calls with (status 203).
fn sign_in_page(base_url: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title>\
         <meta http-equiv=\"X-UA-Compatible\" content=\"IE=11;&#32;IE=10;&#32;IE=9;&#32;IE=8\" /></head>\
         <body><div class=\"signin\"><h1>Sign in to Azure DevOps</h1>\
         <p>You need to sign in to access this resource.</p>\
         <a href=\"{base_url}/_signin?realm=dev.azure.com&amp;reply_to={base_url}%2F\">Sign in</a>\
         </div></body></html>"
    );
    (
        StatusCode::NON_AUTHORITATIVE_INFORMATION,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

fn unauthorized(base_url: &str, message: &str) -> Response {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        message,
        "UnauthorizedRequestException",
    )
    .with_header(
        header::WWW_AUTHENTICATE,
        &format!("Basic realm=\"{base_url}/\""),
    )
    .with_header(
        header::HeaderName::from_static("x-tfs-processid"),
        &uuid::Uuid::new_v4().to_string(),
    )
    .into_response()
}

/// Adds the bearer challenge Azure resources send with a 401 (`authorization_uri` names the
/// tenant that backs the organization).
trait BearerChallenge {
    fn into_response_with_bearer(self, tenant: &str) -> Response;
}

impl BearerChallenge for Response {
    fn into_response_with_bearer(mut self, tenant: &str) -> Response {
        let value = format!(
            "Bearer authorization_uri=\"https://login.microsoftonline.com/{tenant}\", Basic realm=\"\""
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
            self.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        self
    }
}

/// Routes readable without credentials (like the real service's resource-area discovery).
fn is_anonymous_route(path: &str) -> bool {
    path.starts_with("/_admin")
        || path == "/"
        || path.ends_with("/_apis/resourceareas")
        || path.contains("/_apis/resourceareas/")
        || path.ends_with("/_apis/connectiondata")
}

/// The auth middleware (runs after the path was lowercased).
pub async fn authenticate(State(sim): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let base = sim.info.base_url.clone();
    // The sign-in authority is public, like login.microsoftonline.com.
    if path.starts_with("/_entra/") {
        return next.run(req).await;
    }
    let cred = credential(req.headers());
    if path.starts_with("/synapse/") {
        if let Some(resp) = crate::synapse::authenticate_bearer(&sim, req.headers()) {
            return resp;
        }
        let expected = sim.world().core.synapse_token.0.clone();
        req.extensions_mut().insert(Principal {
            token: expected,
            scopes: vec![SYNAPSE_SCOPE.into()],
            user: sim.world().core.default_user(),
        });
        return next.run(req).await;
    }
    // The simulated Synapse Studio page and pull request pages are opened in a browser, which
    // cannot send a PAT; they only read (their forms post to the admin surface).
    if req.method() == axum::http::Method::GET
        && (crate::studio::is_page_path(&path) || crate::git::pr_page::is_page_path(&path))
    {
        return next.run(req).await;
    }
    let is_git = path.contains("/_git/");
    let is_bearer = matches!(cred, Credential::Bearer(_));
    let token = match cred {
        Credential::Basic(t) | Credential::Bearer(t) => t,
        Credential::Missing | Credential::Malformed => {
            if is_anonymous_route(&path) {
                return next.run(req).await;
            }
            let suppress = req
                .headers()
                .get("x-tfs-fedauthredirect")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("suppress"));
            if is_git || suppress {
                return unauthorized(&base, "TF400813: Resource not available for anonymous access. Client authentication required.");
            }
            return sign_in_page(&base);
        }
    };
    let principal = {
        let world = sim.world();
        world
            .core
            .tokens
            .iter()
            .find(|g| g.token.0 == token)
            .map(|g| Principal {
                token: token.clone(),
                scopes: g.scopes.clone(),
                user: world
                    .core
                    .user(g.user_id)
                    .cloned()
                    .unwrap_or_else(|| world.core.default_user()),
            })
    };
    let principal = match (principal, is_bearer) {
        (Some(p), _) => Some(p),
        (None, true) => {
            match crate::entra::check_access_token(&sim, &token, crate::entra::Audience::Devops) {
                crate::entra::Verdict::Accepted => Some(Principal {
                    token: token.clone(),
                    scopes: vec![FULL_ACCESS.into()],
                    user: sim.world().core.default_user(),
                }),
                crate::entra::Verdict::Refused(why) => {
                    let tenant = sim.world().entra.tenant_id.clone();
                    return unauthorized(
                    &base,
                    &format!("TF400813: The user '' is not authorized to access this resource. {why}"),
                )
                .into_response_with_bearer(&tenant);
                }
                crate::entra::Verdict::Unknown => None,
            }
        }
        (None, false) => None,
    };
    let Some(principal) = principal else {
        return unauthorized(
            &base,
            "TF400813: The user '' is not authorized to access this resource. The personal access token is unknown, expired or revoked.",
        );
    };
    req.extensions_mut().insert(principal);
    next.run(req).await
}
