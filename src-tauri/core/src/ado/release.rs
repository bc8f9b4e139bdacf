//! Typed Release Management calls of wizard step 1: the deployments to the production stage and one
//! release with its artifacts. Wire shapes follow `specification/release/7.1/httpExamples`; the
//! artifact's `definitionReference` is kept as loose JSON because its keys vary per artifact type.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::client::{encode_segment, AdoClient, Area};
use super::error::AdoError;
use super::models::VssList;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityRef {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub unique_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Links {
    #[serde(default)]
    pub web: Option<Href>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Href {
    #[serde(default)]
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseShallow {
    pub id: i32,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub web_access_uri: Option<String>,
    #[serde(default, rename = "_links")]
    pub links: Links,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct NamedId {
    #[serde(default)]
    pub id: i32,
    #[serde(default)]
    pub name: String,
}

/// `GET …/release/deployments` item.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    pub id: i32,
    pub release: ReleaseShallow,
    #[serde(default)]
    pub release_environment: NamedId,
    #[serde(default)]
    pub definition_environment_id: i32,
    #[serde(default)]
    pub attempt: i32,
    #[serde(default)]
    pub deployment_status: String,
    #[serde(default)]
    pub requested_for: Option<IdentityRef>,
    #[serde(default)]
    pub requested_by: Option<IdentityRef>,
    #[serde(default)]
    pub started_on: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub completed_on: Option<chrono::DateTime<chrono::Utc>>,
}

/// `release.artifacts[]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseArtifact {
    #[serde(default)]
    pub alias: String,
    #[serde(default, rename = "type")]
    pub artifact_type: String,
    #[serde(default)]
    pub is_primary: bool,
    #[serde(default)]
    pub definition_reference: HashMap<String, Value>,
}

impl ReleaseArtifact {
    /// `definitionReference[key].id` as a trimmed, non-empty string.
    pub fn reference_id(&self, key: &str) -> Option<String> {
        Self::field(self.definition_reference.get(key)?, "id")
    }

    /// `definitionReference[key].name` as a trimmed, non-empty string.
    pub fn reference_name(&self, key: &str) -> Option<String> {
        Self::field(self.definition_reference.get(key)?, "name")
    }

    fn field(value: &Value, field: &str) -> Option<String> {
        let v = value.get(field)?;
        let s = match v {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        (!s.is_empty()).then_some(s)
    }

    /// The branch the artifact came from, without `refs/heads/` (`branch`, else `branches`).
    pub fn branch(&self) -> Option<String> {
        let raw = self
            .reference_id("branch")
            .or_else(|| self.reference_id("branches"))?;
        Some(raw.strip_prefix("refs/heads/").unwrap_or(&raw).to_owned())
    }

    pub fn is_type(&self, t: &str) -> bool {
        self.artifact_type.eq_ignore_ascii_case(t)
    }
}

/// `GET …/release/releases/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Release {
    pub id: i32,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub artifacts: Vec<ReleaseArtifact>,
    #[serde(default)]
    pub release_definition: Option<NamedId>,
    #[serde(default, rename = "_links")]
    pub links: Links,
}

/// The newest succeeded deployments (latest attempts only) to one stage of one definition, newest
/// first: one request.
pub async fn succeeded_deployments(
    client: &AdoClient,
    project: &str,
    definition_id: i32,
    definition_environment_id: i32,
    top: u32,
) -> Result<Vec<Deployment>, AdoError> {
    let query = [
        ("definitionId", definition_id.to_string()),
        (
            "definitionEnvironmentId",
            definition_environment_id.to_string(),
        ),
        ("deploymentStatus", "succeeded".to_owned()),
        ("latestAttemptsOnly", "true".to_owned()),
        ("queryOrder", "descending".to_owned()),
        ("$top", top.to_string()),
    ];
    let list: VssList<Deployment> = client
        .get(
            Area::Release,
            &format!("{}/_apis/release/deployments", encode_segment(project)),
            &query,
        )
        .await?;
    Ok(list.value)
}

pub async fn get_release(
    client: &AdoClient,
    project: &str,
    release_id: i32,
) -> Result<Release, AdoError> {
    client
        .get(
            Area::Release,
            &format!(
                "{}/_apis/release/releases/{release_id}",
                encode_segment(project)
            ),
            &[],
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_release_example_artifact_and_its_branch() {
        let a: ReleaseArtifact = serde_json::from_value(serde_json::json!({
            "sourceId": "p:1", "type": "Build", "alias": "Fabrikam.CI", "isPrimary": true,
            "definitionReference": {
                "definition": {"id": "1", "name": "Fabrikam.CI"},
                "version": {"id": "2", "name": "2"},
                "branch": {"id": "refs/heads/master", "name": "refs/heads/master"},
                "defaultVersionSpecific": {"id": "", "name": ""},
                "weird": {"id": 7}
            }
        }))
        .unwrap();
        assert!(a.is_type("build"));
        assert_eq!(a.reference_id("version").as_deref(), Some("2"));
        assert_eq!(
            a.reference_id("defaultVersionSpecific"),
            None,
            "empty strings are absent"
        );
        assert_eq!(a.reference_id("weird").as_deref(), Some("7"));
        assert_eq!(a.branch().as_deref(), Some("master"));
        let git: ReleaseArtifact = serde_json::from_value(serde_json::json!({
            "alias": "_src", "type": "Git",
            "definitionReference": {"branches": {"id": "workspace_publish", "name": "workspace_publish"}}
        }))
        .unwrap();
        assert_eq!(git.branch().as_deref(), Some("workspace_publish"));
    }

    #[test]
    fn reads_a_deployment_of_the_example_with_pascal_case_status() {
        let d: Deployment = serde_json::from_value(serde_json::json!({
            "id": 79,
            "release": {"id": 55, "name": "Release-2", "description": null,
                        "_links": {"web": {"href": "https://dev.azure.com/f/p/_release?releaseId=55"}}},
            "releaseEnvironment": {"id": 118, "name": "PROD"},
            "definitionEnvironmentId": 43, "attempt": 1,
            "deploymentStatus": "succeeded", "operationStatus": "PhaseSucceeded",
            "requestedFor": {"displayName": "Chuck Reinhart", "uniqueName": "fabfiber@outlook.com"},
            "startedOn": "2017-08-29T16:51:32.09Z", "completedOn": "2017-08-29T16:55:00Z"
        }))
        .unwrap();
        assert_eq!(d.release.name, "Release-2");
        assert_eq!(d.requested_for.unwrap().display_name, "Chuck Reinhart");
        assert!(d.completed_on.is_some());
        assert_eq!(
            d.release.links.web.unwrap().href,
            "https://dev.azure.com/f/p/_release?releaseId=55"
        );
    }
}
