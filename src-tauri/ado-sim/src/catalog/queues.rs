//! Agent queues (`{project}/_apis/distributedtask/queues`): the seeded queues and the routes that
//! list them and answer one.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::release::links;
use crate::state::AppState;

/// A project agent queue bound to a pool.
pub fn agent_queue(id: i32, name: &str, pool_id: i32, hosted: bool, project_id: Uuid) -> Value {
    json!({
        "id": id,
        "projectId": project_id.to_string(),
        "name": name,
        "pool": {"id": pool_id, "scope": Uuid::new_v4().to_string(), "name": name, "isHosted": hosted,
                 "poolType": "automation", "size": if hosted { 10 } else { 2 }, "isLegacy": false, "options": "none"},
    })
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct QueueQuery {
    #[serde(rename = "queueName")]
    queue_name: Option<String>,
}

pub(super) async fn list_queues(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    Query(q): Query<QueueQuery>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.agentpools")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let items: Vec<Value> = world
        .catalog
        .queues
        .iter()
        .filter(|x| x["projectId"] == p.id.to_string())
        .filter(|x| {
            q.queue_name.as_deref().is_none_or(|n| {
                let n = n.to_ascii_lowercase();
                let name = x["name"].as_str().unwrap_or("").to_ascii_lowercase();
                // queueName supports a trailing '*' wildcard.
                n.strip_suffix('*')
                    .map_or(name == n, |prefix| name.starts_with(prefix))
            })
        })
        .cloned()
        .collect();
    Ok(crate::api::list(items))
}

pub(super) async fn get_queue(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, queue_id)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.agentpools")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    world
        .catalog
        .queues
        .iter()
        .find(|x| {
            x["projectId"] == p.id.to_string()
                && x["id"].as_i64().map(|i| i.to_string()) == Some(queue_id.clone())
        })
        .cloned()
        .map(Json)
        .ok_or_else(|| {
            ApiError::not_found(
                format!("Queue {queue_id} not found in project {}.", p.name),
                "TaskAgentQueueNotFoundException",
            )
        })
}
