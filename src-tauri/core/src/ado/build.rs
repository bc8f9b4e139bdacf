//! The one Build call the wizard needs: a build's source commit, behind a release's Build artifact.

use serde::Deserialize;

use super::client::{encode_segment, AdoClient, Area};
use super::error::AdoError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildRepository {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// `TfsGit` for Azure Repos.
    #[serde(default, rename = "type")]
    pub repo_type: Option<String>,
}

/// `GET {project}/_apis/build/builds/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Build {
    pub id: i32,
    #[serde(default)]
    pub build_number: Option<String>,
    /// The full commit SHA the build ran on.
    #[serde(default)]
    pub source_version: Option<String>,
    #[serde(default)]
    pub source_branch: Option<String>,
    #[serde(default)]
    pub repository: BuildRepository,
}

pub async fn get_build(
    client: &AdoClient,
    project: &str,
    build_id: i32,
) -> Result<Build, AdoError> {
    client
        .get(
            Area::Core,
            &format!("{}/_apis/build/builds/{build_id}", encode_segment(project)),
            &[],
        )
        .await
}
