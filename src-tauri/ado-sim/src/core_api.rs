//! The core area: `GET {org}/_apis/projects` (paged with `$top`/`$skip`/`continuationToken`) and
//! `GET {org}/_apis/projects/{projectId}` by GUID or name, plus the project lookup other areas use.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::api::{continuation_page, list, with_continuation, Page, QueryParams};
use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::location::check_org;
use crate::state::{AppState, Project, Sim, World};

/// A project by name or GUID, or the service's 404 (`TF200016`).
pub fn project<'w>(world: &'w World, name_or_id: &str) -> ApiResult<&'w Project> {
    world
        .core
        .project(name_or_id)
        .ok_or_else(|| project_not_found(name_or_id))
}

/// The service's answer for an unknown project.
pub fn project_not_found(name_or_id: &str) -> ApiError {
    ApiError::not_found(
        format!(
            "TF200016: The following project does not exist: {name_or_id}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server."
        ),
        "ProjectDoesNotExistWithNameException",
    )
}

/// The `TeamProjectReference` JSON of a project.
pub fn project_ref(sim: &Sim, p: &Project) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "url": format!("{}/_apis/projects/{}", sim.info.org_url, p.id),
        "state": "wellFormed",
        "revision": p.revision,
        "visibility": "private",
        "lastUpdateTime": p.last_update_time,
    })
}

async fn list_projects(
    State(sim): State<AppState>,
    Path(org): Path<String>,
    principal: Principal,
    q: QueryParams,
) -> ApiResult<Response> {
    check_org(&sim, &org)?;
    principal.require("vso.project")?;
    if let Some(state) = q.get("stateFilter") {
        if !["all", "wellformed"].contains(&state.to_ascii_lowercase().as_str()) {
            return Ok(list(Vec::<Value>::new()).into_response());
        }
    }
    let items: Vec<Value> = {
        let world = sim.world();
        let mut projects: Vec<&Project> = world.core.projects.iter().collect();
        projects.sort_by_key(|p| p.name.to_ascii_lowercase());
        projects.into_iter().map(|p| project_ref(&sim, p)).collect()
    };
    let page = Page::from_query(&q)?;
    let items: Vec<Value> = items.into_iter().skip(page.skip).collect();
    let (items, token) = continuation_page(items, page.top, q.get("continuationToken"))?;
    Ok(with_continuation(list(items), token))
}

async fn get_project(
    State(sim): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    principal: Principal,
) -> ApiResult<Json<Value>> {
    check_org(&sim, &org)?;
    principal.require("vso.project")?;
    let world = sim.world();
    let p = project(&world, &id)?;
    let mut v = project_ref(&sim, p);
    v["_links"] = json!({
        "self": {"href": format!("{}/_apis/projects/{}", sim.info.org_url, p.id)},
        "collection": {"href": format!("{}/_apis/projectCollections/{}", sim.info.org_url, world.core.organization_id)},
        "web": {"href": format!("{}/{}", sim.info.org_url, p.name)},
    });
    v["defaultTeam"] = json!({
        "id": team_id(p),
        "name": format!("{} Team", p.name),
        "url": format!("{}/_apis/projects/{}/teams/{}", sim.info.org_url, p.id, team_id(p)),
    });
    Ok(Json(v))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{org}/_apis/projects", get(list_projects))
        .route("/{org}/_apis/projects/{project}", get(get_project))
}

/// The default team's id, stable per project.
fn team_id(p: &Project) -> uuid::Uuid {
    uuid::Uuid::from_u128(p.id.as_u128() ^ 0x7e47)
}
