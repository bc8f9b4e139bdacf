//! Release definitions (`vsrm …/_apis/release/definitions`) kept as JSON: a definition is read,
//! changed in the fields the app owns and sent back whole, never round-tripped through typed structs
//! (the spec's `DeployPhase` has no `deploymentInput`, so a typed round trip wipes the agent queue:
//! microsoft/azure-devops-python-api#62).
//!
//! Shapes: `specification/release/7.1/httpExamples/definitions/` (POST create, PUT update with the
//! current `revision`, GET one, list with `$expand=artifacts`).

use reqwest::Method;
use serde_json::Value;

use super::client::{encode_segment, AdoClient, Area};
use super::error::AdoError;
use super::retry::Retry;

fn definitions_path(project: &str) -> String {
    format!("{}/_apis/release/definitions", encode_segment(project))
}

/// The definitions of `project` with an artifact of type `artifact_type` whose `sourceId` is
/// `source_id` (Git: `{projectId}:{repositoryId}`), artifacts expanded; every page.
pub async fn list_by_artifact_source(
    client: &AdoClient,
    project: &str,
    artifact_type: &str,
    source_id: &str,
) -> Result<Vec<Value>, AdoError> {
    let query = [
        ("artifactType", artifact_type.to_owned()),
        ("artifactSourceId", source_id.to_owned()),
        ("$expand", "artifacts".to_owned()),
    ];
    client
        .get_all(Area::Release, &definitions_path(project), &query)
        .await
}

/// One definition, whole.
pub async fn get_definition(client: &AdoClient, project: &str, id: i64) -> Result<Value, AdoError> {
    client
        .get(
            Area::Release,
            &format!("{}/{id}", definitions_path(project)),
            &[],
        )
        .await
}

/// Creates a definition. Never repeated by the client: a lost answer may still have created it.
pub async fn create_definition(
    client: &AdoClient,
    project: &str,
    body: &Value,
) -> Result<Value, AdoError> {
    client
        .send_json(
            Method::POST,
            Area::Release,
            &definitions_path(project),
            &[],
            body,
            Retry::Never,
        )
        .await
}

/// Updates a definition: `body` carries its `id` and the `revision` it was read at. Not repeated
/// by the client either: after a lost answer the caller re-reads to learn whether it was saved.
pub async fn update_definition(
    client: &AdoClient,
    project: &str,
    body: &Value,
) -> Result<Value, AdoError> {
    client
        .send_json(
            Method::PUT,
            Area::Release,
            &definitions_path(project),
            &[],
            body,
            Retry::Never,
        )
        .await
}
