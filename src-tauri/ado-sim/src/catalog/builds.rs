//! Builds (`{project}/_apis/build/builds`): a completed CI build as a Build artifact needs it, the
//! admin hook that records one (`create_build`), its REST shape, and the list and get routes.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::QueryParams;
use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::release::links::{self, Person};
use crate::state::{AppState, World};

/// A completed CI build (only what a Build artifact needs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Build {
    pub id: i32,
    pub build_number: String,
    pub definition_id: i32,
    pub definition_name: String,
    pub project_id: Uuid,
    pub project_name: String,
    pub repository_id: Uuid,
    pub repository_name: String,
    pub source_branch: String,
    pub source_version: String,
    pub queue_time: chrono::DateTime<chrono::Utc>,
    pub finish_time: chrono::DateTime<chrono::Utc>,
    pub requested_for: Person,
}

/// Body of the admin hook `POST /_admin/builds` (routed in `admin.rs`): tests record a CI build of
/// a commit with it (`core/tests/wizard_steps.rs`, a Build artifact for step 1).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildRequest {
    pub project: String,
    pub repository: String,
    pub source_version: String,
    #[serde(default = "default_branch")]
    pub source_branch: String,
    #[serde(default = "default_definition")]
    pub definition_name: String,
}

fn default_branch() -> String {
    "refs/heads/main".into()
}

fn default_definition() -> String {
    "synapse-ci".into()
}

/// Records a completed, succeeded build of `sourceVersion`; answers the build in REST shape.
/// The commit must exist in the repository (full SHA). Used by the admin API (`POST /_admin/builds`);
/// `org` is the organization name (`contoso`).
pub fn create_build(
    world: &mut World,
    base_url: &str,
    org: &str,
    req: &BuildRequest,
) -> ApiResult<Value> {
    let repo = world.git.repo(&req.project, &req.repository).cloned().ok_or_else(|| {
        ApiError::not_found(
            format!(
                "TF401019: The Git repository with name or identifier {} does not exist or you do not have permissions for the operation you are attempting.",
                req.repository
            ),
            "GitRepositoryNotFoundException",
        )
    })?;
    let git = git2::Repository::open_bare(&repo.path)?;
    let oid = git2::Oid::from_str(&req.source_version)
        .ok()
        .filter(|o| req.source_version.len() == 40 && git.find_commit(*o).is_ok())
        .ok_or_else(|| {
            ApiError::bad_request(
                format!(
                    "The commit {} does not exist in repository {}. Pass the full 40-character SHA of an existing commit.",
                    req.source_version, repo.name
                ),
                "InvalidRequestException",
            )
        })?;
    let source_branch = if req.source_branch.starts_with("refs/") {
        req.source_branch.clone()
    } else {
        format!("refs/heads/{}", req.source_branch)
    };
    let id = world.catalog.builds.iter().map(|b| b.id).max().unwrap_or(0) + 1;
    let definition_id = world
        .catalog
        .builds
        .iter()
        .find(|b| b.definition_name.eq_ignore_ascii_case(&req.definition_name))
        .map_or_else(
            || {
                world
                    .catalog
                    .builds
                    .iter()
                    .map(|b| b.definition_id)
                    .max()
                    .unwrap_or(0)
                    + 1
            },
            |b| b.definition_id,
        );
    let now = chrono::Utc::now();
    let build = Build {
        id,
        build_number: format!("{}.{}", now.format("%Y%m%d"), id),
        definition_id,
        definition_name: req.definition_name.clone(),
        project_id: repo.project_id,
        project_name: repo.project_name.clone(),
        repository_id: repo.id,
        repository_name: repo.name,
        source_branch,
        source_version: oid.to_string(),
        queue_time: now - chrono::Duration::seconds(95),
        finish_time: now,
        requested_for: links::system_person(),
    };
    world.catalog.builds.push(build.clone());
    Ok(build_json(&build, base_url, org))
}

/// A build in the REST shape of `GET _apis/build/builds/{id}` (build.json `Build`).
pub fn build_json(b: &Build, base: &str, org: &str) -> Value {
    let project = json!({"id": b.project_id.to_string(), "name": b.project_name,
        "url": format!("{base}/{org}/_apis/projects/{}", b.project_id), "state": "wellFormed", "revision": 11, "visibility": "private"});
    let url = format!("{base}/{org}/{}/_apis/build/Builds/{}", b.project_id, b.id);
    let person = links::identity(base, org, &b.requested_for);
    json!({
        "_links": {
            "self": {"href": url},
            "web": {"href": format!("{base}/{org}/{}/_build/results?buildId={}", b.project_id, b.id)},
            "sourceVersionDisplayUri": {"href": format!("{url}/sources")},
            "timeline": {"href": format!("{base}/{org}/{}/_apis/build/builds/{}/Timeline", b.project_id, b.id)},
        },
        "properties": {},
        "tags": [],
        "validationResults": [],
        "plans": [{"planId": Uuid::new_v4().to_string()}],
        "triggerInfo": {},
        "id": b.id,
        "buildNumber": b.build_number,
        "status": "completed",
        "result": "succeeded",
        "queueTime": links::ts(b.queue_time),
        "startTime": links::ts(b.queue_time + chrono::Duration::seconds(4)),
        "finishTime": links::ts(b.finish_time),
        "url": url,
        "definition": {"drafts": [], "id": b.definition_id, "name": b.definition_name,
            "url": format!("{base}/{org}/{}/_apis/build/Definitions/{}?revision=1", b.project_id, b.definition_id),
            "uri": format!("vstfs:///Build/Definition/{}", b.definition_id), "path": "\\", "type": "build",
            "queueStatus": "enabled", "revision": 1, "project": project},
        "buildNumberRevision": 1,
        "project": project,
        "uri": format!("vstfs:///Build/Build/{}", b.id),
        "sourceBranch": b.source_branch,
        "sourceVersion": b.source_version,
        "queue": {"id": 1, "name": "Azure Pipelines", "pool": {"id": 1, "name": "Azure Pipelines", "isHosted": true}},
        "priority": "normal",
        "reason": "manual",
        "requestedFor": person,
        "requestedBy": person,
        "lastChangedDate": links::ts(b.finish_time),
        "lastChangedBy": person,
        "orchestrationPlan": {"planId": Uuid::new_v4().to_string()},
        "logs": {"id": 0, "type": "Container", "url": format!("{url}/logs")},
        "repository": {"id": b.repository_id.to_string(), "type": "TfsGit", "name": b.repository_name,
            "url": format!("{base}/{org}/{}/_git/{}", b.project_name, b.repository_name), "clean": null, "checkoutSubmodules": false},
        "retainedByRelease": false,
        "triggeredByBuild": null,
        "appendCommitMessageToRunName": true,
    })
}

/// One enum-valued filter of `GET build/builds`: `Ok(None)` = no filter, `Ok(Some(v))` = the value
/// (lower-case) of one of `allowed`, else the service's 400.
fn enum_filter(q: &QueryParams, name: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
    let Some(raw) = q.get(name) else {
        return Ok(None);
    };
    let v = raw.trim().to_ascii_lowercase();
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(&v)) {
        Ok(Some(v))
    } else {
        Err(ApiError::bad_request(
            format!(
                "The value '{raw}' is not valid for parameter '{name}'. Use one of: {}.",
                allowed.join(", ")
            ),
            "InvalidArgumentValueException",
        ))
    }
}

/// A comma-delimited list of integers (`definitions`, `buildIds`); a non-numeric item is a 400.
fn id_list(q: &QueryParams, name: &str) -> ApiResult<Option<Vec<i32>>> {
    let Some(raw) = q.get(name) else {
        return Ok(None);
    };
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i32>().map_err(|_| {
                ApiError::bad_request(
                    format!("The value '{raw}' is not valid for parameter '{name}'. Specify a comma-delimited list of integer ids."),
                    "InvalidArgumentValueException",
                )
            })
        })
        .collect::<ApiResult<Vec<i32>>>()
        .map(Some)
}

/// `GET {org}/{project}/_apis/build/builds` (build.json `Builds_List`): the filters the app uses and
/// the query for the succeeded runs on a branch needs — `definitions`, `buildIds`, `branchName`,
/// `statusFilter`, `resultFilter`, `repositoryId`/`repositoryType`, `queryOrder`, `$top` and
/// `continuationToken` (answered in `x-ms-continuationtoken`). Every simulated build is completed and
/// succeeded, so other status/result filters select nothing.
pub(super) async fn list_builds(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    q: QueryParams,
) -> ApiResult<axum::response::Response> {
    principal.require("vso.build")?;
    let definitions = id_list(&q, "definitions")?;
    let build_ids = id_list(&q, "buildIds")?;
    let status = enum_filter(
        &q,
        "statusFilter",
        &[
            "none",
            "inProgress",
            "completed",
            "cancelling",
            "postponed",
            "notStarted",
            "all",
        ],
    )?;
    let result = enum_filter(
        &q,
        "resultFilter",
        &[
            "none",
            "succeeded",
            "partiallySucceeded",
            "failed",
            "canceled",
        ],
    )?;
    let order = enum_filter(
        &q,
        "queryOrder",
        &[
            "finishTimeAscending",
            "finishTimeDescending",
            "queueTimeDescending",
            "queueTimeAscending",
            "startTimeDescending",
            "startTimeAscending",
        ],
    )?
    .unwrap_or_else(|| "queuetimedescending".into());
    let top = q
        .int("$top")?
        .map(|t| {
            usize::try_from(t).map_err(|_| {
                ApiError::bad_request(
                    format!("The value {t} for parameter '$top' must be zero or greater."),
                    "ArgumentOutOfRangeException",
                )
            })
        })
        .transpose()?;
    let branch = q.get("branchName").map(str::to_ascii_lowercase);
    let repository_id = q.get("repositoryId").map(str::to_ascii_lowercase);
    let repository_type = q.get("repositoryType").map(str::to_ascii_lowercase);
    // The only state and result a simulated build has.
    let status_ok = status
        .as_deref()
        .is_none_or(|s| matches!(s, "none" | "completed" | "all"));
    let result_ok = result
        .as_deref()
        .is_none_or(|r| matches!(r, "none" | "succeeded"));
    // Every simulated build ran on an Azure Repos (TfsGit) repository.
    let type_ok = repository_type.as_deref().is_none_or(|t| t == "tfsgit");

    let world = sim.world();
    let p = links::project(&world, &project)?;
    let mut builds: Vec<&Build> = world
        .catalog
        .builds
        .iter()
        .filter(|b| b.project_id == p.id && status_ok && result_ok && type_ok)
        .filter(|b| {
            definitions
                .as_ref()
                .is_none_or(|d| d.contains(&b.definition_id))
        })
        .filter(|b| build_ids.as_ref().is_none_or(|ids| ids.contains(&b.id)))
        .filter(|b| {
            branch
                .as_deref()
                .is_none_or(|br| b.source_branch.eq_ignore_ascii_case(br))
        })
        .filter(|b| {
            repository_id
                .as_deref()
                .is_none_or(|r| b.repository_id.to_string() == r)
        })
        .collect();
    // Start time is queue time + 4 s for every simulated build, so it orders like queue time.
    match order.as_str() {
        "finishtimeascending" => builds.sort_by_key(|b| (b.finish_time, b.id)),
        "finishtimedescending" => builds.sort_by_key(|b| std::cmp::Reverse((b.finish_time, b.id))),
        "queuetimeascending" | "starttimeascending" => builds.sort_by_key(|b| (b.queue_time, b.id)),
        _ => builds.sort_by_key(|b| std::cmp::Reverse((b.queue_time, b.id))),
    }
    let (page, next) = crate::api::continuation_page(builds, top, q.get("continuationToken"))?;
    let org = links::org_of(&sim.info.org_url);
    let items: Vec<Value> = page
        .into_iter()
        .map(|b| build_json(b, &sim.info.base_url, &org))
        .collect();
    Ok(crate::api::with_continuation(crate::api::list(items), next))
}

pub(super) async fn get_build(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, build_id)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.build")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let id: i32 = build_id.parse().unwrap_or(-1);
    let b = world
        .catalog
        .builds
        .iter()
        .find(|b| b.id == id && b.project_id == p.id)
        .ok_or_else(|| {
            ApiError::not_found(
                format!("The requested build {build_id} could not be found."),
                "BuildNotFoundException",
            )
        })?;
    Ok(Json(build_json(
        b,
        &sim.info.base_url,
        &links::org_of(&sim.info.org_url),
    )))
}
