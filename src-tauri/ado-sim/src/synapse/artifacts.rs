//! The artifact collections of the Synapse data plane (2020-12-01): `GET /{collection}` (paged
//! with `nextLink`) and `GET /{collection}/{name}` (`If-None-Match` → 304) for pipelines,
//! datasets, linked services, notebooks, triggers, data flows, SQL scripts, Spark job definitions,
//! integration runtimes and credentials. Paths as in the spec (`/linkedservices`, `/sqlScripts`,
//! `/sparkJobDefinitions`, `/integrationRuntimes`, …; the router sees them lowercased); answers
//! shaped like `*_ListByWorkspace.json` / `*_Get.json` (`id`, `name`, `type`, `properties`,
//! `etag`), secure strings masked the way the service masks them (`"**********"`).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{check, cloud_error, workspace_not_found, ApiVersionQuery, Artifact, Workspace};
use super::{API_VERSION, PAGE_SIZE};
use crate::state::{AppState, Sim};

/// One artifact collection: the Git folder name (`kind`), the path segment of the data plane as
/// the spec spells it, and the `type` its answers carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collection {
    pub kind: &'static str,
    pub segment: &'static str,
    pub resource_type: &'static str,
    /// Used in `{Label}NotFound` error codes and messages.
    pub label: &'static str,
}

/// Every collection the simulator serves.
pub const COLLECTIONS: [Collection; 10] = [
    Collection {
        kind: "pipeline",
        segment: "pipelines",
        resource_type: "Microsoft.Synapse/workspaces/pipelines",
        label: "Pipeline",
    },
    Collection {
        kind: "dataset",
        segment: "datasets",
        resource_type: "Microsoft.Synapse/workspaces/datasets",
        label: "Dataset",
    },
    Collection {
        kind: "linkedService",
        segment: "linkedservices",
        resource_type: "Microsoft.Synapse/workspaces/linkedservices",
        label: "LinkedService",
    },
    Collection {
        kind: "notebook",
        segment: "notebooks",
        resource_type: "Microsoft.Synapse/workspaces/Notebooks",
        label: "Notebook",
    },
    Collection {
        kind: "trigger",
        segment: "triggers",
        resource_type: "Microsoft.Synapse/workspaces/triggers",
        label: "Trigger",
    },
    Collection {
        kind: "dataflow",
        segment: "dataflows",
        resource_type: "Microsoft.Synapse/workspaces/dataflows",
        label: "DataFlow",
    },
    Collection {
        kind: "sqlscript",
        segment: "sqlScripts",
        resource_type: "Microsoft.Synapse/workspaces/sqlscripts",
        label: "SqlScript",
    },
    Collection {
        kind: "sparkJobDefinition",
        segment: "sparkJobDefinitions",
        resource_type: "Microsoft.Synapse/workspaces/sparkjobdefinitions",
        label: "SparkJobDefinition",
    },
    Collection {
        kind: "integrationRuntime",
        segment: "integrationRuntimes",
        resource_type: "Microsoft.Synapse/workspaces/integrationruntimes",
        label: "IntegrationRuntime",
    },
    Collection {
        kind: "credential",
        segment: "credentials",
        resource_type: "Microsoft.Synapse/workspaces/credentials",
        label: "Credential",
    },
];

/// The collection of a Git folder name (`pipeline`, `linkedService`, …).
///
/// # Panics
/// Never for the kinds of [`COLLECTIONS`]; callers pass one of those literals.
pub fn collection(kind: &str) -> &'static Collection {
    COLLECTIONS
        .iter()
        .find(|c| c.kind.eq_ignore_ascii_case(kind))
        .unwrap_or(&COLLECTIONS[0])
}

/// What the service shows instead of a secure string's value.
pub const MASK: &str = "**********";

/// A copy of `v` with every `{"type": "SecureString", "value": …}` value masked.
pub fn mask_secure_strings(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let secure = o.get("type").and_then(Value::as_str) == Some("SecureString");
            Value::Object(
                o.iter()
                    .map(|(k, x)| {
                        if secure && k == "value" {
                            (k.clone(), json!(MASK))
                        } else {
                            (k.clone(), mask_secure_strings(x))
                        }
                    })
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(mask_secure_strings).collect()),
        other => other.clone(),
    }
}

impl Workspace {
    /// One artifact as the data plane answers it.
    pub fn artifact_json(&self, art: &Artifact) -> Value {
        let c = collection(&art.kind);
        json!({
            "id": self.resource_id(&c.segment.to_ascii_lowercase(), &art.name),
            "name": art.name,
            "type": c.resource_type,
            "properties": mask_secure_strings(&art.properties),
            "etag": art.etag,
        })
    }

    /// The artifacts of one kind, in name order.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Artifact> + 'a {
        self.artifacts.values().filter(move |a| a.kind == kind)
    }
}

/// One page of a collection: `{value, nextLink?}`; `continuationToken` (inside `nextLink`) is the
/// position of the page.
pub(crate) fn list_page(
    sim: &Sim,
    workspace: &str,
    c: &Collection,
    q: &ApiVersionQuery,
) -> Response {
    if let Some(r) = check(q) {
        return r;
    }
    let world = sim.world();
    let Some(ws) = world.synapse.workspace(workspace) else {
        return workspace_not_found(workspace);
    };
    let start = match q.continuation_token.as_deref().map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            return cloud_error(
                StatusCode::BAD_REQUEST,
                "InvalidContinuationToken",
                "The continuation token of this request is not valid. Follow the nextLink of the previous page as-is, or list from the start.",
            )
        }
    };
    let total = ws.of_kind(c.kind).count();
    let value: Vec<Value> = ws
        .of_kind(c.kind)
        .skip(start)
        .take(PAGE_SIZE)
        .map(|a| ws.artifact_json(a))
        .collect();
    let next = start + value.len();
    let mut body = json!({ "value": value });
    if next < total {
        body["nextLink"] = json!(format!(
            "{}/synapse/{}/{}?api-version={API_VERSION}&continuationToken={next}",
            sim.info.base_url, ws.name, c.segment
        ));
    }
    Json(body).into_response()
}

fn get_one(
    sim: &Sim,
    workspace: &str,
    name: &str,
    c: &Collection,
    headers: &HeaderMap,
) -> Response {
    let world = sim.world();
    let Some(ws) = world.synapse.workspace(workspace) else {
        return workspace_not_found(workspace);
    };
    let Some(art) = ws.artifact(c.kind, name) else {
        return cloud_error(
            StatusCode::NOT_FOUND,
            &format!("{}NotFound", c.label),
            format!(
                "{} '{name}' was not found in workspace '{}'.",
                c.label, ws.name
            ),
        );
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

/// Adds the list and get routes of every collection except triggers (which `super::routes`
/// serves with their start / stop actions).
pub(super) fn routes(mut router: Router<AppState>) -> Router<AppState> {
    for c in COLLECTIONS.iter().filter(|c| c.kind != "trigger") {
        let segment = c.segment.to_ascii_lowercase();
        router = router
            .route(
                &format!("/synapse/{{workspace}}/{segment}"),
                get(
                    move |State(sim): State<AppState>,
                          Path(workspace): Path<String>,
                          Query(q): Query<ApiVersionQuery>| async move {
                        list_page(&sim, &workspace, c, &q)
                    },
                ),
            )
            .route(
                &format!("/synapse/{{workspace}}/{segment}/{{name}}"),
                get(
                    move |State(sim): State<AppState>,
                          Path((workspace, name)): Path<(String, String)>,
                          headers: HeaderMap,
                          Query(q): Query<ApiVersionQuery>| async move {
                        if let Some(r) = check(&q) {
                            return r;
                        }
                        get_one(&sim, &workspace, &name, c, &headers)
                    },
                ),
            );
    }
    router
}
