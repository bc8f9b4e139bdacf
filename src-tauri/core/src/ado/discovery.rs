//! Which host serves which area. Microsoft's own client libraries ask the organization first
//! (`GET {org}/_apis/resourceAreas`) and use the `locationUrl` of each area; we do the same instead
//! of rewriting `dev.azure.com` into `vsrm.dev.azure.com`, so `*.visualstudio.com`, Azure DevOps
//! Server and the simulator work unchanged.

use std::collections::HashMap;

use serde::Deserialize;
use url::Url;

/// Resource area id of Release Management (`vsrm.dev.azure.com` on the cloud).
pub const RELEASE_AREA_ID: &str = "efc2f575-36ef-48e9-b672-0c6fb4a48ac5";
/// Resource area id of Extension Management (`extmgmt.dev.azure.com` on the cloud).
pub const EXTENSION_MANAGEMENT_AREA_ID: &str = "6c2b0933-3600-42ae-bf8b-93d4f7e83594";
/// The Resource Areas API is a preview API in every version.
pub const RESOURCE_AREAS_API_VERSION: &str = "7.1-preview.1";
/// Path of the Resource Areas API below the organization URL.
pub const RESOURCE_AREAS_PATH: &str = "_apis/resourceAreas";

/// One entry of `GET {org}/_apis/resourceAreas`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceAreaInfo {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub location_url: String,
}

/// Area id (lower case) → base URL, from a Resource Areas answer. Entries with unusable URLs
/// are skipped (the caller falls back to the organization URL for those areas).
pub fn area_map(areas: &[ResourceAreaInfo]) -> HashMap<String, Url> {
    areas
        .iter()
        .filter_map(|a| {
            let url = Url::parse(a.location_url.trim()).ok()?;
            matches!(url.scheme(), "https" | "http").then(|| (a.id.to_ascii_lowercase(), url))
        })
        .collect()
}
