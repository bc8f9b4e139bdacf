//! The Synapse data plane of one workspace (`https://{workspace}.dev.azuresynapse.net`,
//! api-version 2020-12-01, token audience `https://dev.azuresynapse.net`): the live triggers with
//! their `runtimeState`, starting and stopping one (confirmed by reading it back), and the live
//! artifacts of every collection the deployment task writes. Lists follow `nextLink` to the last
//! page; GETs follow the client's one retry rule ([`crate::ado::retry`]); errors (the Azure
//! `CloudError` body `{"error":{"code","message"}}`) become [`AppError`]s that say what to do.
//!
//! The token comes from [`access`]: the profile's Entra ID sign-in, else the Azure CLI, else the
//! simulator's (demo); without one, [`DataPlane::for_profile`] says so ([`DataPlaneUnavailable`])
//! and the caller reports each check that needed it as not run.

mod access;
mod errors;
mod http;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use url::Url;

pub use access::{DataPlaneUnavailable, SynapseAccess};
pub use http::DataPlaneOptions;

use crate::ado::{BearerSource, Retry};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::Session;
use crate::profiles::Profile;
use crate::synapse::ArtifactKind;

/// The data-plane API version the app calls.
pub const API_VERSION: &str = "2020-12-01";
/// The audience of data-plane tokens.
pub const AUDIENCE: &str = "https://dev.azuresynapse.net";

/// Where the data-plane token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum TokenSource {
    /// The profile's Microsoft Entra ID sign-in.
    EntraSignIn,
    /// `az account get-access-token --resource https://dev.azuresynapse.net`.
    AzureCli,
    /// The demo simulator's own data-plane token.
    Simulator,
}

impl TokenSource {
    /// For messages: "your Entra ID sign-in", …
    pub fn label(self) -> &'static str {
        match self {
            Self::EntraSignIn => "your Microsoft Entra ID sign-in",
            Self::AzureCli => "the Azure CLI sign-in",
            Self::Simulator => "the demo simulator's token",
        }
    }
}

/// A trigger as the production workspace reports it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LiveTrigger {
    pub name: String,
    /// `Started`, `Stopped` or `Disabled`.
    pub runtime_state: String,
    /// `ScheduleTrigger`, `BlobEventsTrigger`, `TumblingWindowTrigger`, …
    pub trigger_type: String,
}

impl LiveTrigger {
    pub fn is_started(&self) -> bool {
        self.runtime_state.eq_ignore_ascii_case("Started")
    }

    /// The trigger of a live `trigger` artifact.
    pub fn from_artifact(a: &LiveArtifact) -> Self {
        Self {
            name: a.name.clone(),
            runtime_state: a.properties["runtimeState"]
                .as_str()
                .unwrap_or("Stopped")
                .to_owned(),
            trigger_type: a.properties["type"].as_str().unwrap_or_default().to_owned(),
        }
    }
}

/// An artifact as the workspace holds it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LiveArtifact {
    /// The Git folder name of its kind: `pipeline`, `dataset`, `linkedService`, …
    pub kind: String,
    pub name: String,
    #[ts(type = "unknown")]
    pub properties: Value,
}

/// One artifact collection of the data plane: its kind and its path (as the spec spells it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collection {
    pub kind: ArtifactKind,
    pub segment: &'static str,
}

/// The collections the deployment task writes and the 2020-12-01 data plane lists.
pub const COLLECTIONS: [Collection; 10] = [
    Collection {
        kind: ArtifactKind::IntegrationRuntime,
        segment: "integrationRuntimes",
    },
    Collection {
        kind: ArtifactKind::Credential,
        segment: "credentials",
    },
    Collection {
        kind: ArtifactKind::LinkedService,
        segment: "linkedservices",
    },
    Collection {
        kind: ArtifactKind::Dataset,
        segment: "datasets",
    },
    Collection {
        kind: ArtifactKind::Dataflow,
        segment: "dataflows",
    },
    Collection {
        kind: ArtifactKind::Notebook,
        segment: "notebooks",
    },
    Collection {
        kind: ArtifactKind::SqlScript,
        segment: "sqlScripts",
    },
    Collection {
        kind: ArtifactKind::SparkJobDefinition,
        segment: "sparkJobDefinitions",
    },
    Collection {
        kind: ArtifactKind::Pipeline,
        segment: "pipelines",
    },
    Collection {
        kind: ArtifactKind::Trigger,
        segment: "triggers",
    },
];

/// Whether the data plane lists this kind (the others are not compared).
pub fn is_listed(kind: ArtifactKind) -> bool {
    COLLECTIONS.iter().any(|c| c.kind == kind)
}

/// The trigger collection.
pub const TRIGGERS: Collection = COLLECTIONS[9];

/// A client for one workspace's data plane.
pub struct DataPlane {
    http: http::Http,
}

impl std::fmt::Debug for DataPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataPlane")
            .field("workspace", &self.http.workspace)
            .field("source", &self.http.source)
            .finish_non_exhaustive()
    }
}

/// The data-plane base URL of `workspace` for `profile`: the public endpoint, or for a simulated
/// profile the simulator serving its organization (`{origin}/synapse/{workspace}`).
pub fn base_url(profile: &Profile, workspace: &str) -> AppResult<Url> {
    let ws = workspace.trim();
    let valid = !ws.is_empty()
        && ws
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(AppError::invalid_input(format!(
            "'{workspace}' is not a Synapse workspace name (letters, digits and hyphens). Check \
             the production workspace in the profile."
        )));
    }
    let raw = if profile.simulated {
        let org = Url::parse(profile.organization_url.trim()).map_err(|e| {
            AppError::invalid_input(format!(
                "The organization URL '{}' is not a URL ({e}).",
                profile.organization_url
            ))
        })?;
        format!("{}/synapse/{ws}", org.origin().ascii_serialization())
    } else {
        format!("https://{ws}.dev.azuresynapse.net")
    };
    Url::parse(&raw).map_err(|e| {
        AppError::internal("The data-plane address could not be built.").with_detail(e.to_string())
    })
}

impl DataPlane {
    /// The data plane of `workspace` with the token [`SynapseAccess`] of the session finds:
    /// the profile's Entra ID sign-in, else the Azure CLI, else the simulator's (demo profile).
    pub async fn for_profile(
        session: &Session,
        workspace: &str,
    ) -> Result<DataPlane, DataPlaneUnavailable> {
        let profile = session.profile();
        let base = base_url(profile, workspace).map_err(|e| DataPlaneUnavailable {
            reason: e.message,
            what_to_do: "Fix the production workspace name in the profile.".into(),
        })?;
        let access = session.synapse_access();
        let (source, bearer, account) = access::pick(&access, profile, workspace).await?;
        Self::new(
            base,
            workspace,
            source,
            bearer,
            account,
            DataPlaneOptions::default(),
        )
        .map_err(|e| DataPlaneUnavailable {
            reason: e.message,
            what_to_do: "Try again; if it keeps failing, restart the app.".into(),
        })
    }

    /// A client for `base` (a workspace endpoint) with a token source (tests, and `for_profile`).
    pub fn new(
        base: Url,
        workspace: &str,
        source: TokenSource,
        bearer: Arc<dyn BearerSource>,
        account: Option<String>,
        options: DataPlaneOptions,
    ) -> AppResult<Self> {
        Ok(Self {
            http: http::Http::new(base, workspace, source, bearer, account, options)?,
        })
    }

    pub fn token_source(&self) -> TokenSource {
        self.http.source
    }

    pub fn workspace(&self) -> &str {
        &self.http.workspace
    }

    /// Every trigger with its runtime state (all pages).
    pub async fn triggers(&self) -> AppResult<Vec<LiveTrigger>> {
        Ok(self
            .list(&TRIGGERS)
            .await?
            .iter()
            .map(LiveTrigger::from_artifact)
            .collect())
    }

    /// One trigger as it is now.
    pub async fn trigger(&self, name: &str) -> AppResult<LiveTrigger> {
        let path = format!("triggers/{}", crate::ado::encode_segment(name));
        let body = self.http.get(&path).await?;
        Ok(LiveTrigger::from_artifact(&to_live(
            ArtifactKind::Trigger,
            &body,
        )))
    }

    /// Starts or stops a trigger, then reads it back until its `runtimeState` says so. Already in
    /// that state: nothing is sent. Safe to repeat (start and stop set an absolute state).
    pub async fn set_trigger_state(&self, name: &str, started: bool) -> AppResult<LiveTrigger> {
        let now = self.trigger(name).await?;
        if now.is_started() == started {
            return Ok(now);
        }
        let action = if started { "start" } else { "stop" };
        let path = format!("triggers/{}/{action}", crate::ado::encode_segment(name));
        self.http.post(&path, Retry::Safe).await?;
        let opts = &self.http.options;
        for attempt in 0..opts.confirm_attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(opts.confirm_interval).await;
            }
            let t = self.trigger(name).await?;
            if t.is_started() == started {
                return Ok(t);
            }
        }
        let wanted = if started { "Started" } else { "Stopped" };
        Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "Workspace '{}' accepted the {action} of trigger '{name}', but it still does not \
                 report it {wanted} after {} s. Look at it in Synapse Studio (Manage → Triggers) \
                 and try again.",
                self.http.workspace,
                confirm_window(opts).as_secs()
            ),
        ))
    }

    /// The live artifacts of every collection, every page.
    pub async fn artifacts(&self) -> AppResult<Vec<LiveArtifact>> {
        let mut all = Vec::new();
        for c in &COLLECTIONS {
            all.extend(self.list(c).await?);
        }
        Ok(all)
    }

    /// The live artifacts of one collection, every page.
    pub async fn list(&self, c: &Collection) -> AppResult<Vec<LiveArtifact>> {
        let items = self.http.list(c.segment).await?;
        Ok(items.iter().map(|v| to_live(c.kind, v)).collect())
    }
}

fn confirm_window(o: &DataPlaneOptions) -> Duration {
    o.confirm_interval
        .saturating_mul(o.confirm_attempts.saturating_sub(1))
}

fn to_live(kind: ArtifactKind, v: &Value) -> LiveArtifact {
    LiveArtifact {
        kind: kind.folder().to_owned(),
        name: v["name"].as_str().unwrap_or_default().to_owned(),
        properties: v.get("properties").cloned().unwrap_or(Value::Null),
    }
}

#[cfg(test)]
#[path = "dataplane_tests.rs"]
mod tests;
