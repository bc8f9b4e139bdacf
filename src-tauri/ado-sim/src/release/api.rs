//! Routes of the release area (`{base}/vsrm/{org}/{project}/_apis/release/...`) and the helpers
//! every handler shares (project context, integer path parameters, `$expand`, the area's errors).
//! The handlers live one concept per file: `definitions`, `releases`, `environments`, `logs`,
//! `deployments`, `approvals`.

use axum::routing::get;
use axum::Router;

use super::approvals::{get_approval, list_approvals, update_approval};
use super::definitions::{create_definition, get_definition, list_definitions, update_definition};
use super::deployments::list_deployments;
use super::environments::{get_environment, update_environment};
use super::links::{self, ProjectRef};
use super::logs::{release_logs, task_log};
use super::model::{Ctx, Definition, Release, ReleaseEnvironment};
use super::releases::{create_release, get_release, list_releases};
use crate::api::QueryParams;
use crate::errors::{ApiError, ApiResult};
use crate::state::{AppState, Sim, World};

const RM: &str = "/vsrm/{org}/{project}/_apis/release";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{RM}/definitions"), get(list_definitions).post(create_definition).put(update_definition))
        .route(&format!("{RM}/definitions/{{definition_id}}"), get(get_definition))
        .route(&format!("{RM}/releases"), get(list_releases).post(create_release))
        .route(&format!("{RM}/releases/{{release_id}}"), get(get_release))
        .route(
            &format!("{RM}/releases/{{release_id}}/environments/{{env_id}}"),
            get(get_environment).patch(update_environment),
        )
        .route(
            &format!("{RM}/releases/{{release_id}}/environments/{{env_id}}/deployphases/{{phase_id}}/tasks/{{task_id}}/logs"),
            get(task_log),
        )
        .route(&format!("{RM}/releases/{{release_id}}/logs"), get(release_logs))
        .route(&format!("{RM}/deployments"), get(list_deployments))
        .route(&format!("{RM}/approvals"), get(list_approvals))
        .route(&format!("{RM}/approvals/{{approval_id}}"), get(get_approval).patch(update_approval))
}

pub(crate) fn ctx(sim: &Sim, p: &ProjectRef) -> Ctx {
    Ctx {
        base: sim.info.base_url.clone(),
        org: links::org_of(&sim.info.org_url),
        project_id: p.id,
        project_name: p.name.clone(),
    }
}

pub(super) fn int_param(raw: &str, what: &str) -> ApiResult<i32> {
    raw.trim().parse::<i32>().map_err(|_| {
        ApiError::bad_request(
            format!("The value '{raw}' is not valid for {what}. Specify a valid integer."),
            "InvalidArgumentValueException",
        )
    })
}

pub(super) fn definition_not_found(id: i32) -> ApiError {
    ApiError::not_found(
        format!("Release pipeline with id {id} does not exist. Specify a valid id and try again."),
        "ReleaseDefinitionNotFoundException",
    )
}

fn release_not_found(id: i32) -> ApiError {
    ApiError::not_found(
        format!("A release with id {id} does not exist. Specify a valid id and try again."),
        "ReleaseNotFoundException",
    )
}

fn environment_not_found(release: i32, env: i32) -> ApiError {
    ApiError::not_found(
        format!("Stage with id {env} does not exist in release {release}. Specify a valid stage id and try again."),
        "ReleaseEnvironmentNotFoundException",
    )
}

/// Definition `id` of project `p`, or the service's 404 (a definition of another project is not
/// found either).
pub(super) fn definition_of<'w>(
    world: &'w World,
    p: &ProjectRef,
    id: i32,
) -> ApiResult<&'w Definition> {
    world
        .release
        .definition(id)
        .filter(|d| d.project_id == p.id)
        .ok_or_else(|| definition_not_found(id))
}

/// Release `id` of project `p`, or the service's 404 (a release of another project is not found
/// either).
pub(super) fn release_of<'w>(world: &'w World, p: &ProjectRef, id: i32) -> ApiResult<&'w Release> {
    world
        .release
        .releases
        .get(&id)
        .filter(|r| r.project_id == p.id)
        .ok_or_else(|| release_not_found(id))
}

/// Stage `env` of release `r`, or the service's 404.
pub(super) fn environment_of(r: &Release, env: i32) -> ApiResult<&ReleaseEnvironment> {
    r.environments
        .iter()
        .find(|e| e.id == env)
        .ok_or_else(|| environment_not_found(r.id, env))
}

/// `queryOrder` of the release and deployment lists: newest first unless `ascending` is asked for.
pub(super) fn descending(q: &QueryParams) -> bool {
    !q.get("queryOrder")
        .is_some_and(|o| o.eq_ignore_ascii_case("ascending"))
}

/// `$top` of the release and deployment lists: 50 when absent, at least 1.
pub(super) fn page_size(q: &QueryParams) -> ApiResult<usize> {
    Ok(usize::try_from(q.int("$top")?.unwrap_or(50))
        .unwrap_or(50)
        .max(1))
}

/// Whether an artifact of `r` has `definitionReference.{field}.id` equal to `wanted` (lower-case),
/// ignoring case: the `artifactVersionId` and `sourceBranch(Filter)` filters.
pub(super) fn has_artifact_ref(r: &Release, field: &str, wanted: &str) -> bool {
    r.artifacts.iter().any(|a| {
        a.definition_reference[field]["id"]
            .as_str()
            .is_some_and(|x| x.to_ascii_lowercase() == wanted)
    })
}

pub(super) fn expands(q: &QueryParams) -> Vec<String> {
    q.all("$expand")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .collect()
}

pub(super) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message, "InvalidRequestException")
}

pub(super) fn no_source_info() -> ApiError {
    invalid("VS402862: Artifact source should have source information. Specify a valid source and try again.")
}
