//! Lists that fill the profile form, read from the real API and shaped for the UI.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ado::models::ListOrArray;
use crate::ado::{encode_segment as seg, AdoClient, Area};
use crate::error::AppResult;
use crate::profiles::model::{NamedRef, NumberedRef, DEFAULT_PUBLISH_BRANCH};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProjectItem {
    pub id: String,
    pub name: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RepositoryItem {
    pub id: String,
    pub name: String,
    /// Default branch without `refs/heads/` (often the collaboration branch).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_branch: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    pub is_disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReleaseDefinitionItem {
    pub id: i32,
    pub name: String,
    /// Folder, e.g. `\` or `\Synapse`.
    pub path: String,
    /// Stages (definition environments) in pipeline order.
    pub stages: Vec<NumberedRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ServiceConnectionItem {
    pub id: String,
    pub name: String,
    /// `ServicePrincipal`, `ManagedServiceIdentity`, `WorkloadIdentityFederation`, …
    pub scheme: String,
    pub is_ready: bool,
    /// False when the Synapse deployment task cannot use it (workload identity federation).
    pub supported: bool,
    /// Why it cannot be used or needs attention.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AgentQueueItem {
    pub id: i32,
    pub name: String,
    pub is_hosted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PublishBranchInfo {
    pub branch: String,
    /// True when read from `publish_config.json`, false when the default was used.
    pub from_config: bool,
    pub message: String,
}

// ---- a picked item is stored in the profile as a reference (id + name) ----

macro_rules! picked_as {
    ($($item:ty => $reference:ident),* $(,)?) => {$(
        impl From<$item> for $reference {
            fn from(item: $item) -> Self {
                $reference {
                    id: item.id,
                    name: item.name,
                }
            }
        }
    )*};
}

picked_as! {
    ProjectItem => NamedRef,
    RepositoryItem => NamedRef,
    ReleaseDefinitionItem => NumberedRef,
    ServiceConnectionItem => NamedRef,
    AgentQueueItem => NumberedRef,
}

// ---- wire shapes (only the fields used) ----

#[derive(Deserialize)]
struct ProjectDto {
    id: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RepositoryDto {
    id: String,
    name: String,
    #[serde(default)]
    default_branch: Option<String>,
    #[serde(default)]
    web_url: Option<String>,
    #[serde(default)]
    is_disabled: Option<bool>,
}

#[derive(Deserialize)]
struct DefinitionDto {
    id: i32,
    name: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    environments: Vec<EnvironmentDto>,
}

#[derive(Deserialize)]
struct EnvironmentDto {
    id: i32,
    name: String,
    #[serde(default)]
    rank: Option<i32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EndpointDto {
    id: String,
    name: String,
    #[serde(default)]
    is_ready: Option<bool>,
    #[serde(default)]
    authorization: Option<AuthorizationDto>,
    #[serde(default)]
    data: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct AuthorizationDto {
    #[serde(default)]
    scheme: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueueDto {
    id: i32,
    name: String,
    #[serde(default)]
    pool: Option<PoolDto>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PoolDto {
    #[serde(default)]
    is_hosted: Option<bool>,
}

#[derive(Deserialize)]
struct ItemDto {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublishConfig {
    #[serde(default)]
    publish_branch: Option<String>,
}

fn by_name<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by_key(|i| name(i).to_lowercase());
}

/// Projects the token can see, by name.
pub async fn list_projects(client: &AdoClient) -> AppResult<Vec<ProjectItem>> {
    let dtos: Vec<ProjectDto> = client
        .get_all(Area::Core, "_apis/projects", &[("$top", "500".to_owned())])
        .await?;
    let mut items: Vec<ProjectItem> = dtos
        .into_iter()
        .map(|p| ProjectItem {
            id: p.id,
            name: p.name,
            description: p.description.filter(|d| !d.is_empty()),
        })
        .collect();
    by_name(&mut items, |p| &p.name);
    Ok(items)
}

/// Git repositories of a project, by name.
pub async fn list_repositories(
    client: &AdoClient,
    project: &str,
) -> AppResult<Vec<RepositoryItem>> {
    let dtos: Vec<RepositoryDto> = client
        .get_all(
            Area::Core,
            &format!("{}/_apis/git/repositories", seg(project)),
            &[],
        )
        .await?;
    let mut items: Vec<RepositoryItem> = dtos
        .into_iter()
        .map(|r| RepositoryItem {
            id: r.id,
            name: r.name,
            default_branch: r
                .default_branch
                .map(|b| b.trim_start_matches("refs/heads/").to_owned()),
            web_url: r.web_url,
            is_disabled: r.is_disabled.unwrap_or(false),
        })
        .collect();
    by_name(&mut items, |r| &r.name);
    Ok(items)
}

/// Classic release definitions of a project with their stages (`$expand=environments`).
pub async fn list_release_definitions(
    client: &AdoClient,
    project: &str,
) -> AppResult<Vec<ReleaseDefinitionItem>> {
    let dtos: Vec<DefinitionDto> = client
        .get_all(
            Area::Release,
            &format!("{}/_apis/release/definitions", seg(project)),
            &[("$expand", "environments".to_owned())],
        )
        .await?;
    let mut items: Vec<ReleaseDefinitionItem> = dtos
        .into_iter()
        .map(|d| {
            let mut envs = d.environments;
            envs.sort_by_key(|e| e.rank.unwrap_or(i32::MAX));
            ReleaseDefinitionItem {
                id: d.id,
                name: d.name,
                path: d.path.unwrap_or_else(|| "\\".to_owned()),
                stages: envs
                    .into_iter()
                    .map(|e| NumberedRef {
                        id: e.id,
                        name: e.name,
                    })
                    .collect(),
            }
        })
        .collect();
    by_name(&mut items, |d| &d.name);
    Ok(items)
}

/// Azure Resource Manager service connections of a project, flagged when the Synapse task cannot
/// use them (workload identity federation) or when they are not ready.
pub async fn list_service_connections(
    client: &AdoClient,
    project: &str,
) -> AppResult<Vec<ServiceConnectionItem>> {
    let dtos: Vec<EndpointDto> = client
        .get_all(
            Area::Core,
            &format!("{}/_apis/serviceendpoint/endpoints", seg(project)),
            &[
                ("type", "azurerm".to_owned()),
                ("includeFailed", "true".to_owned()),
            ],
        )
        .await?;
    let mut items: Vec<ServiceConnectionItem> =
        dtos.into_iter().map(service_connection_item).collect();
    by_name(&mut items, |s| &s.name);
    Ok(items)
}

fn service_connection_item(e: EndpointDto) -> ServiceConnectionItem {
    let scheme = e.authorization.and_then(|a| a.scheme).unwrap_or_default();
    let is_ready = e.is_ready.unwrap_or(false);
    let wif = scheme.eq_ignore_ascii_case("WorkloadIdentityFederation");
    let warning = if wif {
        Some(
            "Uses workload identity federation, which the Synapse workspace deployment task does \
             not support. Use a service connection with a service principal (secret or \
             certificate) or a managed identity."
                .to_owned(),
        )
    } else if !is_ready {
        Some("This service connection is not ready (its last verification failed). Fix it in Project settings → Service connections.".to_owned())
    } else {
        None
    };
    let data = |key: &str| {
        e.data
            .as_ref()
            .and_then(|d| d.get(key))
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    ServiceConnectionItem {
        subscription_id: data("subscriptionId"),
        subscription_name: data("subscriptionName"),
        id: e.id,
        name: e.name,
        scheme,
        is_ready,
        supported: !wif,
        warning,
    }
}

/// Agent queues of a project, by name.
pub async fn list_agent_queues(
    client: &AdoClient,
    project: &str,
) -> AppResult<Vec<AgentQueueItem>> {
    let answer: ListOrArray<QueueDto> = client
        .get(
            Area::Core,
            &format!("{}/_apis/distributedtask/queues", seg(project)),
            &[],
        )
        .await?;
    let mut items: Vec<AgentQueueItem> = answer
        .into_vec()
        .into_iter()
        .map(|q| AgentQueueItem {
            id: q.id,
            name: q.name,
            is_hosted: q.pool.and_then(|p| p.is_hosted).unwrap_or(false),
        })
        .collect();
    by_name(&mut items, |q| &q.name);
    Ok(items)
}

/// The publish branch named by `publish_config.json` at the root of the collaboration branch, or
/// `workspace_publish` when the file does not exist there.
pub async fn read_publish_branch(
    client: &AdoClient,
    project: &str,
    repository: &str,
    collaboration_branch: &str,
) -> AppResult<PublishBranchInfo> {
    let branch = collaboration_branch.trim_start_matches("refs/heads/");
    let path = format!(
        "{}/_apis/git/repositories/{}/items",
        seg(project),
        seg(repository)
    );
    let query = [
        ("path", "/publish_config.json".to_owned()),
        ("versionDescriptor.version", branch.to_owned()),
        ("versionDescriptor.versionType", "branch".to_owned()),
        ("includeContent", "true".to_owned()),
    ];
    let default = |message: String| PublishBranchInfo {
        branch: DEFAULT_PUBLISH_BRANCH.to_owned(),
        from_config: false,
        message,
    };
    match client.get::<ItemDto>(Area::Core, &path, &query).await {
        Ok(item) => {
            let content = item.content.unwrap_or_default();
            match serde_json::from_str::<PublishConfig>(content.trim_start_matches('\u{feff}')) {
                Ok(PublishConfig { publish_branch: Some(b) }) if !b.trim().is_empty() => {
                    let b = b.trim().trim_start_matches("refs/heads/").to_owned();
                    Ok(PublishBranchInfo {
                        message: format!("publish_config.json on {branch} names the publish branch {b}."),
                        branch: b,
                        from_config: true,
                    })
                }
                Ok(_) => Ok(default(format!(
                    "publish_config.json on {branch} names no publishBranch; using the default {DEFAULT_PUBLISH_BRANCH}."
                ))),
                Err(e) => Ok(default(format!(
                    "publish_config.json on {branch} is not valid JSON ({e}); using the default {DEFAULT_PUBLISH_BRANCH}."
                ))),
            }
        }
        Err(e) if e.is_not_found() => Ok(default(format!(
            "There is no publish_config.json on {branch}; Synapse then publishes to {DEFAULT_PUBLISH_BRANCH}."
        ))),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_identity_connections_are_flagged() {
        let dto = |scheme: &str, ready: bool| EndpointDto {
            id: "1".into(),
            name: "prod".into(),
            is_ready: Some(ready),
            authorization: Some(AuthorizationDto {
                scheme: Some(scheme.into()),
            }),
            data: None,
        };
        let wif = service_connection_item(dto("WorkloadIdentityFederation", true));
        assert!(!wif.supported);
        assert!(wif.warning.unwrap().contains("workload identity"));
        let sp = service_connection_item(dto("ServicePrincipal", true));
        assert!(sp.supported && sp.warning.is_none());
        let broken = service_connection_item(dto("ServicePrincipal", false));
        assert!(broken.supported && broken.warning.unwrap().contains("not ready"));
    }
}
