//! The organization's task catalogue: `GET {org}/_apis/distributedtask/tasks`
//! (`api-version=7.1-preview.1`; absent from the OpenAPI files, used by Microsoft's node client,
//! `API.md` Step 0). Only the fields the app reads are typed; everything else is ignored.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::client::{AdoClient, Area};
use super::error::AdoError;
use super::models::ListOrArray;

/// The api-version of the task-definitions API (a preview API in every version).
pub const TASKS_API_VERSION: &str = "7.1-preview.1";
/// Path of the task-definitions API below the organization URL.
pub const TASKS_PATH: &str = "_apis/distributedtask/tasks";

/// `version` of a task definition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskVersionDto {
    #[serde(default)]
    pub major: u32,
    #[serde(default)]
    pub minor: u32,
    #[serde(default)]
    pub patch: u32,
    #[serde(default)]
    pub is_test: bool,
}

/// One input of a task definition.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskInputDto {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub label: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    /// Usually a string; some catalogues send booleans or numbers.
    pub default_value: Option<Value>,
    #[serde(default)]
    pub required: bool,
    /// Pick-list values: `{"value": "Display name"}`.
    #[serde(default)]
    pub options: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    pub visible_rule: Option<String>,
}

/// One task definition of the catalogue.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinitionDto {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub friendly_name: String,
    #[serde(default)]
    pub version: TaskVersionDto,
    /// `{publisher}.{extension}.{contribution}` for tasks that come from an extension.
    #[serde(default)]
    pub contribution_identifier: Option<String>,
    #[serde(default)]
    pub contribution_version: Option<String>,
    #[serde(default)]
    pub inputs: Vec<TaskInputDto>,
}

/// Every task definition the organization offers (one entry per major version).
pub async fn list_task_definitions(client: &AdoClient) -> Result<Vec<TaskDefinitionDto>, AdoError> {
    let answer: ListOrArray<TaskDefinitionDto> = client
        .get(
            Area::Core,
            TASKS_PATH,
            &[("api-version", TASKS_API_VERSION.to_owned())],
        )
        .await?;
    Ok(answer.into_vec())
}
