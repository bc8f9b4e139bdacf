//! Simulated Synapse workspaces (deployed artifacts, triggers with runtime state) and their data
//! plane API (list / get / start / stop triggers, bearer-token auth; list / get of every other
//! artifact collection in [`artifacts`]).
//!
//! Real base URL: `https://{workspace}.dev.azuresynapse.net`; here `{base}/synapse/{workspace}`.
//! Shapes follow `reference/synapse/specification/.../2020-12-01/examples/Triggers_*.json`,
//! `LinkedServices_ListByWorkspace.json` and the other `*_ListByWorkspace.json`; errors use the
//! Azure CloudError body `{"error":{"code","message"}}`.

pub mod artifacts;
pub mod defaults;

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::state::{AppState, Sim};

/// The data-plane API version the simulator serves (the only stable one the app uses).
pub const API_VERSION: &str = "2020-12-01";

/// All simulated workspaces.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct SynapseWorld {
    pub workspaces: Vec<Workspace>,
}

/// One Synapse workspace and the artifacts deployed into it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Workspace {
    pub name: String,
    pub resource_group: String,
    pub subscription_id: String,
    /// Keyed by `"{kind}/{lowercase name}"`, kind being the Git folder name (`pipeline`, `trigger`, …).
    pub artifacts: BTreeMap<String, Artifact>,
}

/// One deployed artifact. Triggers keep their runtime state in `properties.runtimeState`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Artifact {
    pub kind: String,
    pub name: String,
    pub properties: Value,
    pub etag: String,
}

/// Runtime state of a trigger as the data plane reports it.
pub const STARTED: &str = "Started";
pub const STOPPED: &str = "Stopped";

impl Workspace {
    /// An empty workspace.
    pub fn new(name: &str, resource_group: &str, subscription_id: &str) -> Self {
        Self {
            name: name.to_owned(),
            resource_group: resource_group.to_owned(),
            subscription_id: subscription_id.to_owned(),
            artifacts: BTreeMap::new(),
        }
    }

    fn key(kind: &str, name: &str) -> String {
        format!("{kind}/{}", name.to_ascii_lowercase())
    }

    /// Inserts or replaces an artifact. A new trigger is created `Stopped` (as the real service
    /// does); an updated trigger keeps its runtime state.
    pub fn upsert(&mut self, kind: &str, name: &str, mut properties: Value) {
        let key = Self::key(kind, name);
        if kind == "trigger" {
            let state = self
                .artifacts
                .get(&key)
                .and_then(|a| a.properties.get("runtimeState").and_then(Value::as_str))
                .unwrap_or(STOPPED)
                .to_owned();
            if let Some(obj) = properties.as_object_mut() {
                obj.insert("runtimeState".into(), Value::String(state));
            }
        }
        self.artifacts.insert(
            key,
            Artifact {
                kind: kind.to_owned(),
                name: name.to_owned(),
                properties,
                etag: new_etag(),
            },
        );
    }

    /// Removes an artifact; returns whether it existed.
    pub fn remove(&mut self, kind: &str, name: &str) -> bool {
        self.artifacts.remove(&Self::key(kind, name)).is_some()
    }

    /// Finds an artifact by kind and (case-insensitive) name.
    pub fn artifact(&self, kind: &str, name: &str) -> Option<&Artifact> {
        self.artifacts.get(&Self::key(kind, name))
    }

    /// All triggers, in name order.
    pub fn triggers(&self) -> impl Iterator<Item = &Artifact> {
        self.artifacts.values().filter(|a| a.kind == "trigger")
    }

    /// The runtime state of a trigger (`Started` / `Stopped`), if the trigger exists.
    pub fn trigger_state(&self, name: &str) -> Option<&str> {
        self.artifact("trigger", name).map(|a| {
            a.properties
                .get("runtimeState")
                .and_then(Value::as_str)
                .unwrap_or(STOPPED)
        })
    }

    /// Sets a trigger's runtime state; returns the canonical trigger name, or `None` if unknown.
    pub fn set_trigger_state(&mut self, name: &str, state: &str) -> Option<String> {
        let art = self.artifacts.get_mut(&Self::key("trigger", name))?;
        if let Some(obj) = art.properties.as_object_mut() {
            obj.insert("runtimeState".into(), Value::String(state.to_owned()));
        }
        art.etag = new_etag();
        Some(art.name.clone())
    }

    /// The ARM-style resource id of an artifact (as the data plane returns it in `id`).
    pub fn resource_id(&self, collection: &str, name: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Synapse/workspaces/{}/{collection}/{name}",
            self.subscription_id, self.resource_group, self.name
        )
    }
}

impl SynapseWorld {
    /// A workspace by (case-insensitive) name.
    pub fn workspace(&self, name: &str) -> Option<&Workspace> {
        self.workspaces
            .iter()
            .find(|w| w.name.eq_ignore_ascii_case(name))
    }

    /// A workspace by (case-insensitive) name, mutable.
    pub fn workspace_mut(&mut self, name: &str) -> Option<&mut Workspace> {
        self.workspaces
            .iter_mut()
            .find(|w| w.name.eq_ignore_ascii_case(name))
    }
}

/// An etag in the shape the service uses (`"0a008ed4-0000-0000-0000-5b245c740000"`).
fn new_etag() -> String {
    let u = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-0000-0000-0000-{}", &u[..8], &u[8..20])
}

/// The Azure CloudError body.
pub(crate) fn cloud_error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message.into()}})),
    )
        .into_response()
}

/// Routes of the Synapse data plane, mounted at `/synapse/{workspace}` (paths are lower-cased by
/// the server before routing; names are matched case-insensitively).
pub fn routes() -> Router<AppState> {
    artifacts::routes(Router::new())
        .route("/synapse/{workspace}/triggers", get(list_triggers))
        .route("/synapse/{workspace}/triggers/{trigger}", get(get_trigger))
        .route(
            "/synapse/{workspace}/triggers/{trigger}/start",
            post(start_trigger),
        )
        .route(
            "/synapse/{workspace}/triggers/{trigger}/stop",
            post(stop_trigger),
        )
}

#[derive(Deserialize)]
pub(crate) struct ApiVersionQuery {
    #[serde(rename = "api-version")]
    pub(crate) api_version: Option<String>,
    /// Position of the next page, inside a `nextLink` (opaque to clients, which follow the link as-is).
    #[serde(rename = "continuationToken")]
    pub(crate) continuation_token: Option<String>,
}

/// Items per page of every data-plane list (`GET /triggers`, `/pipelines`, …); further pages are
/// announced by `nextLink` (`x-ms-pageable` in the 2020-12-01 spec). Small on purpose, so that
/// clients meet paging with the demo's few artifacts.
pub const PAGE_SIZE: usize = 5;
/// Triggers per page of `GET /triggers` (the same page size as every list).
pub const TRIGGER_PAGE_SIZE: usize = PAGE_SIZE;

/// The bearer-token check of the data plane, run by the auth middleware before any Synapse route
/// (so a bad or missing token never reaches a handler): `Some` is the 401 answer, a CloudError body
/// with `WWW-Authenticate: Bearer ...` like `{workspace}.dev.azuresynapse.net`.
pub(crate) fn authenticate_bearer(sim: &Sim, headers: &HeaderMap) -> Option<Response> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default().trim().to_owned());
    let message: String = match header.as_deref() {
        None | Some("") => {
            "Authentication failed: the Authorization header is missing. Send 'Authorization: Bearer <token>' \
             with a token for the audience https://dev.azuresynapse.net.".to_owned()
        }
        Some(v) => {
            let (scheme, token) = v.split_once(' ').unwrap_or((v, ""));
            // An access token of the simulated Entra ID authority: accepted for this audience only.
            let entra = crate::entra::check_access_token(
                sim,
                token.trim(),
                crate::entra::Audience::Synapse,
            );
            let expected = sim.world().core.synapse_token.0.clone();
            match entra {
                crate::entra::Verdict::Accepted => return None,
                crate::entra::Verdict::Refused(why) => format!("Authentication failed: {why}"),
                crate::entra::Verdict::Unknown if !scheme.eq_ignore_ascii_case("bearer") => {
                    "Authentication failed: the Synapse data plane only accepts 'Authorization: Bearer <token>' \
                     (an Azure DevOps personal access token is not accepted). Acquire a token for the audience \
                     https://dev.azuresynapse.net and retry.".to_owned()
                }
                crate::entra::Verdict::Unknown if expected.is_empty() || token.trim() != expected => {
                    "Authentication failed: the bearer token is invalid or expired. Acquire a new token for the \
                     audience https://dev.azuresynapse.net and retry.".to_owned()
                }
                crate::entra::Verdict::Unknown => return None,
            }
        }
    };
    let mut resp = cloud_error(StatusCode::UNAUTHORIZED, "AuthenticationFailed", message);
    resp.headers_mut().insert(
        axum::http::header::WWW_AUTHENTICATE,
        axum::http::HeaderValue::from_static(
            "Bearer authorization_uri=\"https://login.microsoftonline.com/common\", resource_id=\"https://dev.azuresynapse.net\"",
        ),
    );
    Some(resp)
}

/// Checks the api-version like the real endpoint (the token was checked by the auth middleware);
/// `Some` is the error answer.
pub(crate) fn check(q: &ApiVersionQuery) -> Option<Response> {
    match q.api_version.as_deref() {
        None | Some("") => Some(cloud_error(
            StatusCode::BAD_REQUEST,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )),
        Some(API_VERSION) => None,
        Some(other) => Some(cloud_error(
            StatusCode::BAD_REQUEST,
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{other}' is invalid. The supported versions are '{API_VERSION}'."
            ),
        )),
    }
}

pub(crate) fn workspace_not_found(name: &str) -> Response {
    cloud_error(
        StatusCode::NOT_FOUND,
        "WorkspaceNotFound",
        format!("Workspace '{name}' was not found. Check the workspace name in the endpoint URL."),
    )
}

fn trigger_not_found(ws: &str, name: &str) -> Response {
    cloud_error(
        StatusCode::NOT_FOUND,
        "TriggerNotFound",
        format!("Trigger '{name}' was not found in workspace '{ws}'."),
    )
}

async fn list_triggers(
    State(sim): State<AppState>,
    Path(workspace): Path<String>,
    Query(q): Query<ApiVersionQuery>,
) -> Response {
    artifacts::list_page(&sim, &workspace, artifacts::collection("trigger"), &q)
}

async fn get_trigger(
    State(sim): State<AppState>,
    Path((workspace, trigger)): Path<(String, String)>,
    headers: HeaderMap,
    Query(q): Query<ApiVersionQuery>,
) -> Response {
    if let Some(r) = check(&q) {
        return r;
    }
    let world = sim.world();
    let Some(ws) = world.synapse.workspace(&workspace) else {
        return workspace_not_found(&workspace);
    };
    let Some(art) = ws.artifact("trigger", &trigger) else {
        return trigger_not_found(&ws.name, &trigger);
    };
    let if_none_match = headers
        .get(axum::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim_matches('"').to_owned());
    if if_none_match.as_deref() == Some(art.etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    Json(ws.artifact_json(art)).into_response()
}

async fn start_trigger(
    State(sim): State<AppState>,
    Path((workspace, trigger)): Path<(String, String)>,
    Query(q): Query<ApiVersionQuery>,
) -> Response {
    toggle(&sim, &workspace, &trigger, &q, STARTED)
}

async fn stop_trigger(
    State(sim): State<AppState>,
    Path((workspace, trigger)): Path<(String, String)>,
    Query(q): Query<ApiVersionQuery>,
) -> Response {
    toggle(&sim, &workspace, &trigger, &q, STOPPED)
}

fn toggle(sim: &Sim, workspace: &str, trigger: &str, q: &ApiVersionQuery, state: &str) -> Response {
    if let Some(r) = check(q) {
        return r;
    }
    // The server persists the world after a successful mutating request.
    let mut world = sim.world();
    let Some(ws) = world.synapse.workspace_mut(workspace) else {
        return workspace_not_found(workspace);
    };
    let ws_name = ws.name.clone();
    if ws.set_trigger_state(trigger, state).is_none() {
        return trigger_not_found(&ws_name, trigger);
    }
    StatusCode::OK.into_response()
}
