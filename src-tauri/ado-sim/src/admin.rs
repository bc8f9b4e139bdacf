//! The simulator-only admin API under `/_admin` (no auth): fault injection, request journal,
//! state dump, reset, tokens, extension state, deployment engine control, builds and
//! Synapse-Studio-style commits.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::JsonBody;
use crate::errors::{ApiError, ApiResult};
use crate::faults::FaultSpec;
use crate::release::engine::Control;
use crate::routing::OriginalPath;
use crate::state::{AppState, Secret, TokenGrant};

async fn add_fault(
    State(sim): State<AppState>,
    JsonBody(spec): JsonBody<FaultSpec>,
) -> ApiResult<Json<Value>> {
    let id = sim
        .faults
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .add(spec)
        .map_err(|m| ApiError::bad_request(m, "ArgumentException"))?;
    Ok(Json(json!({ "id": id })))
}

async fn clear_faults(State(sim): State<AppState>) -> StatusCode {
    sim.faults
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clear();
    StatusCode::NO_CONTENT
}

async fn list_faults(State(sim): State<AppState>) -> Json<Value> {
    let faults = sim
        .faults
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .specs();
    let value: Vec<Value> = faults
        .into_iter()
        .map(|(id, spec, remaining)| json!({"id": id, "spec": spec, "remaining": remaining}))
        .collect();
    Json(Value::Array(value))
}

async fn get_journal(State(sim): State<AppState>) -> Json<Value> {
    let entries = sim
        .journal
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entries();
    Json(serde_json::to_value(entries).unwrap_or(Value::Null))
}

async fn clear_journal(State(sim): State<AppState>) -> StatusCode {
    sim.journal
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clear();
    StatusCode::NO_CONTENT
}

async fn dump_state(State(sim): State<AppState>) -> Response {
    let world = sim.world().clone();
    Json(world).into_response()
}

/// Re-seeds the world with the seed the simulator started with. The announced PAT and Synapse
/// token stay valid so running clients keep working.
async fn reset(State(sim): State<AppState>) -> ApiResult<Json<Value>> {
    let s = Arc::clone(&sim);
    tokio::task::spawn_blocking(move || crate::seed::reseed(&s))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    sim.notify.notify_waiters();
    sim.persist().map_err(ApiError::internal)?;
    Ok(Json(json!({ "reset": true, "seed": sim.opts.seed })))
}

#[derive(Debug, Deserialize)]
struct TokenRequest {
    token: String,
    #[serde(default)]
    scopes: Vec<String>,
}

async fn add_token(
    State(sim): State<AppState>,
    JsonBody(req): JsonBody<TokenRequest>,
) -> ApiResult<Response> {
    if req.token.is_empty() {
        return Err(ApiError::bad_request(
            "The token must not be empty.",
            "ArgumentException",
        ));
    }
    {
        let mut world = sim.world();
        let user_id = world.core.default_user().id;
        world.core.tokens.retain(|g| g.token.0 != req.token);
        world.core.tokens.push(TokenGrant {
            token: Secret(req.token),
            scopes: req.scopes.clone(),
            user_id,
        });
    }
    sim.persist().map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(json!({ "scopes": req.scopes }))).into_response())
}

async fn revoke_token(
    State(sim): State<AppState>,
    OriginalPath(path): OriginalPath,
) -> ApiResult<StatusCode> {
    // The router sees a lowercased path; the token keeps its original casing.
    let token = path.rsplit('/').next().unwrap_or("");
    let token = percent_decode(token);
    let removed = {
        let mut world = sim.world();
        let before = world.core.tokens.len();
        world.core.tokens.retain(|g| g.token.0 != token);
        before != world.core.tokens.len()
    };
    if !removed {
        return Err(ApiError::not_found("No such token.", "ArgumentException"));
    }
    sim.persist().map_err(ApiError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("t={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn deployments(
    State(sim): State<AppState>,
    Path(action): Path<String>,
) -> ApiResult<Json<Value>> {
    let control = match action.as_str() {
        "pause" => Control::Pause,
        "resume" => Control::Resume,
        "advance" => Control::Advance,
        other => {
            return Err(ApiError::not_found(
                format!("Unknown deployment action '{other}': use pause, resume or advance."),
                "ArgumentException",
            ))
        }
    };
    crate::release::engine::control(&sim, control);
    let paused = crate::release::engine::is_paused(&sim);
    Ok(Json(json!({ "action": action, "paused": paused })))
}

async fn create_build(
    State(sim): State<AppState>,
    JsonBody(req): JsonBody<crate::catalog::BuildRequest>,
) -> ApiResult<Response> {
    let build = {
        let mut world = sim.world();
        let org = world.core.organization.clone();
        crate::catalog::create_build(&mut world, &sim.info.base_url, &org, &req)?
    };
    sim.persist().map_err(ApiError::internal)?;
    Ok((StatusCode::OK, Json(build)).into_response())
}

async fn push_files(
    State(sim): State<AppState>,
    JsonBody(req): JsonBody<crate::git::write::PushFiles>,
) -> ApiResult<Json<Value>> {
    let s = Arc::clone(&sim);
    let commit = tokio::task::spawn_blocking(move || crate::git::write::push_files(&s, &req))
        .await
        .map_err(ApiError::internal)??;
    Ok(Json(json!({ "commitId": commit })))
}

#[derive(Debug, Deserialize)]
struct ExtensionStateRequest {
    state: crate::catalog::ExtensionState,
}

/// `POST /_admin/extensions/{publisher}/{extension}` with `{"state": "enabled" | "disabled" |
/// "uninstalled"}`: shows the pre-flight an extension that is disabled or missing.
async fn set_extension(
    State(sim): State<AppState>,
    Path((publisher, extension)): Path<(String, String)>,
    JsonBody(req): JsonBody<ExtensionStateRequest>,
) -> ApiResult<Json<Value>> {
    let record = {
        let mut world = sim.world();
        crate::catalog::set_extension_state(&mut world, &publisher, &extension, req.state)?
    };
    sim.persist().map_err(ApiError::internal)?;
    Ok(Json(json!({ "extension": record })))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/faults",
            post(add_fault).delete(clear_faults).get(list_faults),
        )
        .route("/journal", get(get_journal).delete(clear_journal))
        .route("/state", get(dump_state))
        .route("/reset", post(reset))
        .route("/tokens", post(add_token))
        .route("/tokens/{token}", delete(revoke_token))
        .route("/extensions/{publisher}/{extension}", post(set_extension))
        .route("/deployments/{action}", post(deployments))
        .route("/builds", post(create_build))
        .route("/git/push-files", post(push_files))
        .route("/studio/commit", post(crate::studio::commit))
        .route(
            "/git/pullrequests/{id}/complete",
            post(crate::git::pr_page::complete),
        )
}
