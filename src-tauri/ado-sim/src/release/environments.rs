//! Release environments (stages): get one, and `PATCH` one to start, cancel or redeploy it, which
//! hands the stage to the engine.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::Value;

use super::api::{ctx, environment_of, expands, int_param, invalid, release_of};
use super::links::{self, person_of};
use super::model;
use crate::api::{JsonBody, QueryParams};
use crate::auth::Principal;
use crate::errors::ApiResult;
use crate::state::AppState;

pub(super) async fn get_environment(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, release_id, env_id)): Path<(String, String, String, String)>,
    q: QueryParams,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release")?;
    let rid = int_param(&release_id, "releaseId")?;
    let eid = int_param(&env_id, "environmentId")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let r = release_of(&world, &p, rid)?;
    let e = environment_of(r, eid)?;
    let tasks = expands(&q).iter().any(|x| x == "tasks");
    Ok(Json(model::render_environment(
        &ctx(&sim, &p),
        &world.release,
        r,
        e,
        tasks,
    )))
}

pub(super) async fn update_environment(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, release_id, env_id)): Path<(String, String, String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release_execute")?;
    let rid = int_param(&release_id, "releaseId")?;
    let eid = int_param(&env_id, "environmentId")?;
    let status = body["status"].as_str().unwrap_or("").to_owned();
    let comment = body["comment"].as_str().unwrap_or("").to_owned();
    let who = person_of(&principal.user);
    let mut cancel_later = false;
    let (out, start) = {
        let mut world = sim.world();
        let p = links::project(&world, &project)?;
        let r = release_of(&world, &p, rid)?;
        let e = environment_of(r, eid)?;
        let start = match status.as_str() {
            s if s.eq_ignore_ascii_case("inProgress") => {
                if r.status == "abandoned" {
                    return Err(invalid(format!(
                        "Release '{}' is abandoned; a stage of an abandoned release cannot be deployed. Create a new release and deploy it.",
                        r.name
                    )));
                }
                if matches!(e.status.as_str(), "inProgress" | "queued") {
                    return Err(invalid(format!(
                        "Stage '{}' of release '{}' is already being deployed (status {}). Wait for the deployment to finish or cancel it, then try again.",
                        e.name, r.name, e.status
                    )));
                }
                // The service answers a stage held by approvers before it has created the
                // attempt: `queued`, no deploySteps and no approvals yet
                // (PATCH__UpdateReleaseEnvironment.json).
                let gated = super::engine::snapshot_env(&world, rid, eid)
                    .is_some_and(|snap| !model::manual_approvers(&snap).is_empty());
                let before = gated.then(|| {
                    let mut v =
                        model::render_environment(&ctx(&sim, &p), &world.release, r, e, false);
                    v["status"] = Value::from("queued");
                    v
                });
                super::engine::queue_deployment(&mut world, rid, eid, &who, "manual", &comment)?;
                if let Some(v) = before {
                    drop(world);
                    super::engine::spawn(&sim, rid, eid);
                    return Ok(Json(v));
                }
                true
            }
            s if s.eq_ignore_ascii_case("canceled") => {
                super::engine::cancel(&mut world, rid, eid, &comment)?;
                cancel_later = true;
                false
            }
            other => {
                return Err(invalid(format!(
                    "The stage status '{other}' cannot be set through this API. Use 'inProgress' to deploy or 'canceled' to cancel."
                )));
            }
        };
        let r = &world.release.releases[&rid];
        let e = environment_of(r, eid)?;
        (
            model::render_environment(&ctx(&sim, &p), &world.release, r, e, false),
            start,
        )
    };
    if start {
        super::engine::spawn(&sim, rid, eid);
    }
    if cancel_later {
        // `cancelling` for a moment (the agent stops the running task), then `canceled`.
        let sim = std::sync::Arc::clone(&sim);
        tokio::spawn(async move {
            let wait = (sim.opts.task_delay_ms / 2).clamp(20, 2_000);
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            super::engine::finish_cancel(&mut sim.world(), rid, eid);
            sim.notify.notify_waiters();
            let s = std::sync::Arc::clone(&sim);
            if let Ok(Err(e)) = tokio::task::spawn_blocking(move || s.persist()).await {
                tracing::warn!("could not persist the world after a cancel: {e:#}");
            }
        });
    }
    Ok(Json(out))
}
