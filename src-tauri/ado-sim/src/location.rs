//! Location discovery, as Microsoft's own clients perform it before their first call:
//! `OPTIONS {host}/_apis` (the resource locations of one host: id, area, resourceName,
//! routeTemplate, versions), `GET {org}/_apis/ResourceAreas` (which host serves each area: the
//! release area lives on `{base}/vsrm/{org}` like `vsrm.dev.azure.com`, extension management on
//! `{base}/extmgmt/{org}`) and `GET {org}/_apis/connectionData`.
//!
//! Every route the simulator implements has a row in [`LOCATIONS`] (ids from Microsoft's
//! generated clients); route templates are relative to the host URL.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, options};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::state::AppState;

/// Which host serves a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// `{base}/{org}` (dev.azure.com)
    Org,
    /// `{base}/vsrm/{org}` (vsrm.dev.azure.com)
    Vsrm,
    /// `{base}/extmgmt/{org}` (extmgmt.dev.azure.com)
    ExtMgmt,
}

/// One resource location.
#[derive(Debug, Clone, Copy)]
pub struct Location {
    pub id: &'static str,
    pub host: Host,
    pub area: &'static str,
    pub resource_name: &'static str,
    pub route_template: &'static str,
    /// Highest `-preview.N` the resource accepts.
    pub resource_version: u32,
    /// Highest version released (GA); `"0.0"` for preview-only resources.
    pub released_version: &'static str,
}

const fn loc(
    id: &'static str,
    host: Host,
    area: &'static str,
    resource_name: &'static str,
    route_template: &'static str,
    resource_version: u32,
    released_version: &'static str,
) -> Location {
    Location {
        id,
        host,
        area,
        resource_name,
        route_template,
        resource_version,
        released_version,
    }
}

/// The resource locations of every route the simulator serves.
pub const LOCATIONS: &[Location] = &[
    // Location area (org host)
    loc("e81700f7-3be2-46de-8624-2eb35882fcaa", Host::Org, "Location", "ResourceAreas", "_apis/{resource}/{areaId}", 1, "0.0"),
    loc("00d9565f-ed9c-4a06-9a50-00e7896ccab4", Host::Org, "Location", "ConnectionData", "_apis/{resource}", 1, "0.0"),
    // core
    loc("603fe2ac-9723-48b9-88ad-09305aa6c6e1", Host::Org, "core", "projects", "_apis/{resource}/{*projectId}", 4, "7.1"),
    // git
    loc("225f7195-f9c7-4d14-ab28-a83f7ff77e1f", Host::Org, "git", "repositories", "{project}/_apis/{area}/{resource}/{repositoryId}", 1, "7.1"),
    loc("2d874a60-a811-4f62-9c9f-963a6ea0a55b", Host::Org, "git", "refs", "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{*filter}", 1, "7.1"),
    loc("c2570c3b-5b3f-41b8-98bf-5407bfde8d58", Host::Org, "git", "commits", "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{commitId}", 1, "7.1"),
    loc("5bf884f5-3e07-42e9-afb8-1b872267bf16", Host::Org, "git", "changes", "{project}/_apis/{area}/repositories/{repositoryId}/commits/{commitId}/{resource}", 1, "7.1"),
    loc("6400dfb2-0bcb-462b-b992-5a57f8f1416c", Host::Org, "git", "commitsBatch", "{project}/_apis/{area}/repositories/{repositoryId}/{resource}", 1, "7.1"),
    loc("615588d5-c0c7-4b88-88f8-e625306446e8", Host::Org, "git", "commits", "{project}/_apis/{area}/repositories/{repositoryId}/diffs/{resource}", 1, "7.1"),
    loc("fb93c0db-47ed-4a31-8c20-47552878fb44", Host::Org, "git", "items", "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{*path}", 1, "7.1"),
    loc("729f6437-6f92-44ec-8bee-273a7111063c", Host::Org, "git", "trees", "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{sha1}", 1, "7.1"),
    loc("d5b216de-d8d5-4d32-ae76-51df755b16d3", Host::Org, "git", "branches", "{project}/_apis/{area}/repositories/{repositoryId}/stats/{resource}", 1, "7.1"),
    loc("9946fd70-0d40-406e-b686-b4744cbbcc37", Host::Org, "git", "pullRequests", "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{pullRequestId}", 1, "7.1"),
    loc("01a46dea-7d46-4d40-bc84-319e7c260d99", Host::Org, "git", "pullRequests", "{project}/_apis/{area}/{resource}/{pullRequestId}", 1, "7.1"),
    // build, distributedtask, serviceendpoint (catalogue; org host)
    loc("0cd358e1-9217-4d94-8269-1c1ee6f93dcf", Host::Org, "build", "builds", "{project}/_apis/{area}/{resource}/{buildId}", 7, "7.1"),
    loc("900fa995-c559-4923-aae7-f8424fe4fbea", Host::Org, "distributedtask", "queues", "{project}/_apis/{area}/{resource}/{queueId}", 1, "7.1"),
    loc("60aac929-f0cd-4bc8-9ce4-6b30e8f1b1bd", Host::Org, "distributedtask", "tasks", "_apis/{area}/{resource}/{taskId}/{versionString}", 1, "0.0"),
    loc("e85f1c62-adfc-4b74-b618-11a150fb195e", Host::Org, "serviceendpoint", "endpoints", "{project}/_apis/{area}/{resource}/{endpointId}", 4, "7.1"),
    // Release (vsrm host)
    loc("d8f96f24-8ea7-4cb6-baab-2df8fc515665", Host::Vsrm, "Release", "definitions", "{project}/_apis/{area}/{resource}/{definitionId}", 4, "7.1"),
    loc("a166fde7-27ad-408e-ba75-703c2cc9d500", Host::Vsrm, "Release", "releases", "{project}/_apis/{area}/{resource}/{releaseId}", 8, "7.1"),
    loc("a7e426b1-03dc-48af-9dfe-c98bac612dcb", Host::Vsrm, "Release", "environments", "{project}/_apis/{area}/releases/{releaseId}/{resource}/{environmentId}", 7, "7.1"),
    loc("b005ef73-cddc-448e-9ba2-5193bf36b19f", Host::Vsrm, "Release", "deployments", "{project}/_apis/{area}/{resource}", 2, "7.1"),
    loc("b47c6458-e73b-47cb-a770-4df1e8813a91", Host::Vsrm, "Release", "approvals", "{project}/_apis/{area}/{resource}", 3, "7.1"),
    loc("9328e074-59fb-465a-89d9-b09c82ee5109", Host::Vsrm, "Release", "approvals", "{project}/_apis/{area}/{resource}/{approvalId}", 3, "7.1"),
    loc("c37fbab5-214b-48e4-a55b-cb6b4f6e4038", Host::Vsrm, "Release", "logs", "{project}/_apis/{area}/releases/{releaseId}/{resource}", 2, "7.1"),
    loc("17c91af7-09fd-4256-bff1-c24ee4f73bc0", Host::Vsrm, "Release", "logs", "{project}/_apis/{area}/releases/{releaseId}/environments/{environmentId}/deployPhases/{releaseDeployPhaseId}/tasks/{taskId}/{resource}", 2, "7.1"),
    // Extension management (extmgmt host)
    loc("275424d0-c844-4fe2-bda6-04933a1357d8", Host::ExtMgmt, "ExtensionManagement", "InstalledExtensions", "_apis/{area}/{resource}", 1, "0.0"),
    loc("fb0da285-f23e-4b56-8b53-3ef5f9f6de66", Host::ExtMgmt, "ExtensionManagement", "InstalledExtensionsByName", "_apis/{area}/{resource}/{publisherName}/{extensionName}", 1, "0.0"),
];

/// Resource areas announced by `GET {org}/_apis/ResourceAreas` (ids from Microsoft's clients).
pub const AREAS: &[(&str, &str, Host)] = &[
    ("79134c72-4a58-4b42-976c-04e7115f32bf", "core", Host::Org),
    ("4e080c62-fa21-4fbc-8fef-2a10a2b38049", "git", Host::Org),
    ("965220d5-5bb9-42cf-8d67-9b146df2a5a4", "build", Host::Org),
    (
        "a85b8835-c1a1-4aac-ae97-1c3d0ba72dbd",
        "distributedtask",
        Host::Org,
    ),
    (
        "1814ab31-2f4f-4a9f-8761-f4d77dc5a5d7",
        "serviceendpoint",
        Host::Org,
    ),
    (
        "efc2f575-36ef-48e9-b672-0c6fb4a48ac5",
        "Release",
        Host::Vsrm,
    ),
    (
        "6c2b0933-3600-42ae-bf8b-93d4f7e83594",
        "ExtensionManagement",
        Host::ExtMgmt,
    ),
];

/// The location entries of one host, as `OPTIONS {host}/_apis` returns them.
pub fn locations_json(host: Host) -> Value {
    let value: Vec<Value> = LOCATIONS
        .iter()
        .filter(|l| l.host == host)
        .map(|l| {
            json!({
                "id": l.id,
                "area": l.area,
                "resourceName": l.resource_name,
                "routeTemplate": l.route_template,
                "resourceVersion": l.resource_version,
                "minVersion": "1.0",
                "maxVersion": "7.2",
                "releasedVersion": l.released_version,
            })
        })
        .collect();
    json!({ "count": value.len(), "value": value })
}

fn host_url(sim: &crate::state::Sim, host: Host) -> String {
    match host {
        Host::Org => sim.info.org_url.clone(),
        Host::Vsrm => sim.info.release_url.clone(),
        Host::ExtMgmt => sim.info.extmgmt_url.clone(),
    }
}

fn area_json(sim: &crate::state::Sim, (id, name, host): (&str, &str, Host)) -> Value {
    // The real service announces host URLs with a trailing slash.
    json!({ "id": id, "name": name, "locationUrl": format!("{}/", host_url(sim, host)) })
}

/// Checks the organization segment of a path.
pub fn check_org(sim: &crate::state::Sim, org: &str) -> ApiResult<()> {
    if sim.world().core.organization.eq_ignore_ascii_case(org) {
        Ok(())
    } else {
        Err(ApiError::not_found(
            format!("TF400813: The organization '{org}' does not exist or you do not have access to it."),
            "HttpException",
        ))
    }
}

fn options_response(host: Host, sim: &crate::state::Sim, org: &str) -> Response {
    match check_org(sim, org) {
        Ok(()) => (
            StatusCode::OK,
            [(header::ALLOW, "GET, POST, PUT, PATCH, DELETE, OPTIONS")],
            Json(locations_json(host)),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn org_options(State(sim): State<AppState>, Path(org): Path<String>) -> Response {
    options_response(Host::Org, &sim, &org)
}

async fn vsrm_options(State(sim): State<AppState>, Path(org): Path<String>) -> Response {
    options_response(Host::Vsrm, &sim, &org)
}

async fn extmgmt_options(State(sim): State<AppState>, Path(org): Path<String>) -> Response {
    options_response(Host::ExtMgmt, &sim, &org)
}

async fn resource_areas(
    State(sim): State<AppState>,
    Path(org): Path<String>,
) -> ApiResult<Json<Value>> {
    check_org(&sim, &org)?;
    let areas: Vec<Value> = AREAS.iter().map(|a| area_json(&sim, *a)).collect();
    Ok(crate::api::list(areas))
}

async fn resource_area(
    State(sim): State<AppState>,
    Path((org, area_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    check_org(&sim, &org)?;
    AREAS
        .iter()
        .find(|(id, name, _)| {
            id.eq_ignore_ascii_case(&area_id) || name.eq_ignore_ascii_case(&area_id)
        })
        .map(|a| Json(area_json(&sim, *a)))
        .ok_or_else(|| {
            ApiError::not_found(
                format!("The resource area '{area_id}' was not found."),
                "ResourceAreaNotFoundException",
            )
        })
}

async fn connection_data(
    State(sim): State<AppState>,
    Path(org): Path<String>,
    principal: Option<axum::Extension<Principal>>,
) -> ApiResult<Json<Value>> {
    check_org(&sim, &org)?;
    let world = sim.world();
    let user = principal.map_or_else(crate::auth::Identity::anonymous, |p| p.0.user);
    let identity = json!({
        "id": user.id,
        "descriptor": user.descriptor,
        "subjectDescriptor": user.descriptor,
        "providerDisplayName": user.display_name,
        "isActive": true,
        "properties": {"Account": {"$type": "System.String", "$value": user.unique_name}},
        "resourceVersion": 2,
        "metaTypeId": 0,
    });
    Ok(Json(json!({
        "authenticatedUser": identity,
        "authorizedUser": identity,
        "instanceId": world.core.organization_id,
        "deploymentId": world.core.organization_id,
        "deploymentType": "hosted",
        "locationServiceData": {
            "serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7",
            "defaultAccessMappingMoniker": "PublicAccessMapping",
            "lastChangeId": 1,
            "lastChangeId64": 1,
            "accessMappings": [{
                "displayName": "Public Access Mapping",
                "moniker": "PublicAccessMapping",
                "accessPoint": format!("{}/", sim.info.org_url),
                "serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7",
                "virtualDirectory": ""
            }],
        }
    })))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{org}/_apis", options(org_options))
        .route("/vsrm/{org}/_apis", options(vsrm_options))
        .route("/extmgmt/{org}/_apis", options(extmgmt_options))
        .route("/{org}/_apis/resourceareas", get(resource_areas))
        .route("/{org}/_apis/resourceareas/{area_id}", get(resource_area))
        .route("/{org}/_apis/connectiondata", get(connection_data))
}
