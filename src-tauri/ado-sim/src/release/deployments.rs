//! Deployments: the project-wide list of deployment attempts, with its filters and paging.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;

use super::api::{ctx, descending, has_artifact_ref, page_size};
use super::links;
use super::model::{self, DeploymentEntry};
use crate::api::QueryParams;
use crate::auth::Principal;
use crate::errors::ApiResult;
use crate::state::AppState;

pub(super) async fn list_deployments(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    q: QueryParams,
) -> ApiResult<Response> {
    principal.require("vso.release")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let ctx = ctx(&sim, &p);
    let rel = &world.release;
    let definition_id = q.int("definitionId")?;
    let def_env = q.int("definitionEnvironmentId")?;
    let status = q.get("deploymentStatus").map(str::to_ascii_lowercase);
    let op_status = q.get("operationStatus").map(str::to_ascii_lowercase);
    let latest_only = q.flag("latestAttemptsOnly").unwrap_or(false);
    // Newest first unless asked otherwise (the service's example lists ids 79, 64, 63, ...).
    let descending = descending(&q);
    let top = page_size(&q)?;
    let token = q.int("continuationToken")?;
    let min_started = q
        .get("minStartedTime")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let max_started = q
        .get("maxStartedTime")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let source_branch = q.get("sourceBranch").map(str::to_ascii_lowercase);
    let created_by = q.get("createdBy").map(str::to_ascii_lowercase);

    let wanted = |e: &&DeploymentEntry| -> bool {
        definition_id.is_none_or(|d| i64::from(e.definition_id) == d)
            && def_env.is_none_or(|d| i64::from(e.definition_environment_id) == d)
            && match (token, descending) {
                (Some(t), true) => i64::from(e.id) <= t,
                (Some(t), false) => i64::from(e.id) >= t,
                (None, _) => true,
            }
    };
    let accept = |e: &DeploymentEntry| -> Option<Value> {
        let (r, env, a) = rel.attempt_of(e)?;
        if r.project_id != p.id {
            return None;
        }
        if latest_only
            && env
                .deploy_steps
                .last()
                .is_some_and(|l| l.deployment_id != a.deployment_id)
        {
            return None;
        }
        if let Some(s) = &status {
            if s != "all" && a.status.to_ascii_lowercase() != *s {
                return None;
            }
        }
        if let Some(s) = &op_status {
            if s != "all" && a.operation_status.to_ascii_lowercase() != *s {
                return None;
            }
        }
        if let Some(min) = min_started {
            if a.started_on.is_none_or(|t| t < min) {
                return None;
            }
        }
        if let Some(max) = max_started {
            if a.started_on.is_none_or(|t| t > max) {
                return None;
            }
        }
        if let Some(b) = &source_branch {
            if !has_artifact_ref(r, "branch", b) {
                return None;
            }
        }
        if let Some(c) = &created_by {
            if a.requested_by.id.to_string() != *c
                && a.requested_by.unique_name.to_ascii_lowercase() != *c
            {
                return None;
            }
        }
        Some(model::render_deployment(&ctx, rel, r, env, a))
    };
    let mut items = Vec::with_capacity(top);
    let mut next = None;
    let iter: Box<dyn Iterator<Item = &DeploymentEntry>> = if descending {
        Box::new(rel.deployments.iter().rev())
    } else {
        Box::new(rel.deployments.iter())
    };
    for e in iter.filter(wanted) {
        if items.len() == top {
            // Only announce a next page when one more matching item exists.
            if accept(e).is_some() {
                next = Some(e.id.to_string());
                break;
            }
            continue;
        }
        if let Some(v) = accept(e) {
            items.push(v);
        }
    }
    Ok(crate::api::with_continuation(crate::api::list(items), next))
}
