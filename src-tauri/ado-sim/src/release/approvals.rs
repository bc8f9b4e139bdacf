//! Approvals: list, get, and approve or reject a pending pre- or post-deployment approval.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use serde_json::Value;

use super::api::{ctx, int_param, invalid};
use super::links::{self, person_of, Person};
use super::model::{self, Approval};
use crate::api::{JsonBody, QueryParams};
use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::state::AppState;

pub(super) async fn list_approvals(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    q: QueryParams,
) -> ApiResult<Response> {
    principal.require("vso.release")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let ctx = ctx(&sim, &p);
    let release_ids: Vec<i32> = q
        .get("releaseIdsFilter")
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_default();
    // statusFilter defaults to pending, like the service.
    let status = q
        .get("statusFilter")
        .map_or_else(|| "pending".to_owned(), str::to_ascii_lowercase);
    let type_filter = q.get("typeFilter").map(str::to_ascii_lowercase);
    let assigned = q.get("assignedToFilter").map(str::to_ascii_lowercase);
    let top = usize::try_from(q.int("top")?.or(q.int("$top")?).unwrap_or(50))
        .unwrap_or(50)
        .max(1);
    let token = q.int("continuationToken")?.unwrap_or(0);
    let ascending = q
        .get("queryOrder")
        .is_some_and(|o| o.eq_ignore_ascii_case("ascending"));
    let mut matching: Vec<&Approval> = world
        .release
        .approvals
        .iter()
        .filter(|a| {
            world
                .release
                .releases
                .get(&a.release_id)
                .is_some_and(|r| r.project_id == p.id)
        })
        .filter(|a| release_ids.is_empty() || release_ids.contains(&a.release_id))
        .filter(|a| {
            status == "all"
                || status
                    .split(',')
                    .any(|s| s.trim() == a.status.to_ascii_lowercase())
        })
        .filter(|a| {
            type_filter
                .as_deref()
                .is_none_or(|t| t == "all" || t == a.approval_type.to_ascii_lowercase())
        })
        .filter(|a| {
            // An automated approval has no approver to be assigned to.
            assigned.as_deref().is_none_or(|x| {
                !a.is_automated
                    && (a.approver.id.to_string() == x
                        || a.approver.unique_name.to_ascii_lowercase() == x)
            })
        })
        .filter(|a| {
            token <= 0
                || if ascending {
                    i64::from(a.id) >= token
                } else {
                    i64::from(a.id) <= token
                }
        })
        .collect();
    if ascending {
        matching.sort_by_key(|a| a.id);
    } else {
        matching.sort_by_key(|a| std::cmp::Reverse(a.id));
    }
    let next = matching.get(top).map(|a| a.id.to_string());
    let items: Vec<Value> = matching
        .into_iter()
        .take(top)
        .map(|a| model::render_approval(&ctx, &world.release, a))
        .collect();
    Ok(crate::api::with_continuation(crate::api::list(items), next))
}

pub(super) fn approval_not_found(id: i32) -> ApiError {
    ApiError::not_found(
        format!("Approval with id {id} does not exist. Specify a valid approval id and try again."),
        "ReleaseApprovalNotFoundException",
    )
}

pub(super) async fn get_approval(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, approval_id)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release")?;
    let id = int_param(&approval_id, "approvalId")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let a = world
        .release
        .approvals
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| approval_not_found(id))?;
    Ok(Json(model::render_approval(
        &ctx(&sim, &p),
        &world.release,
        a,
    )))
}

pub(super) async fn update_approval(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, approval_id)): Path<(String, String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release_manage")?;
    let id = int_param(&approval_id, "approvalId")?;
    let status = body["status"].as_str().unwrap_or("").to_ascii_lowercase();
    if !matches!(status.as_str(), "approved" | "rejected") {
        return Err(invalid(format!(
            "The approval status '{}' is not valid. Use 'approved' or 'rejected'.",
            body["status"].as_str().unwrap_or("")
        )));
    }
    let comments = body["comments"].as_str().unwrap_or("").to_owned();
    let who: Person = person_of(&principal.user);
    let (out, resume) = {
        let mut world = sim.world();
        let p = links::project(&world, &project)?;
        let a = world
            .release
            .approvals
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| approval_not_found(id))?;
        if a.status != "pending" {
            return Err(invalid(format!(
                "Approval {id} is already {}; only a pending approval can be approved or rejected.",
                a.status
            )));
        }
        a.status.clone_from(&status);
        a.comments = comments;
        a.approved_by = Some(who);
        a.modified_on = Utc::now();
        a.revision += 1;
        let (rid, eid) = (a.release_id, a.release_environment_id);
        let resume = super::engine::approval_decided(&mut world, rid, eid);
        let a = world
            .release
            .approvals
            .iter()
            .find(|a| a.id == id)
            .ok_or_else(|| approval_not_found(id))?;
        (
            model::render_approval(&ctx(&sim, &p), &world.release, a),
            resume.then_some((rid, eid)),
        )
    };
    if let Some((rid, eid)) = resume {
        super::engine::spawn(&sim, rid, eid);
    }
    Ok(Json(out))
}
