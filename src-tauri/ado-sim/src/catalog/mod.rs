//! Organization-level catalogues: task definitions (`distributedtask/tasks`), installed extensions,
//! service endpoints, agent queues and builds.
//!
//! Task GUIDs are invented per world (`Uuid::new_v4` at seed time) so that a client can never rely on
//! hard-coded ids: it must discover them through `GET {org}/_apis/distributedtask/tasks` like it has
//! to in a real organization (the Synapse Workspace Deployment extension's task GUIDs are published
//! nowhere: its `task.json` is not in a public repository).
//!
//! One file per catalogue: `tasks`, `extensions`, `endpoints`, `queues`, `builds`; each holds the
//! seeding helpers that build its REST-shaped values and the handlers that answer them. This file
//! holds the catalogue's state (`CatalogWorld`) and assembles the routes.

mod builds;
mod endpoints;
mod extensions;
mod queues;
mod tasks;

pub use builds::{build_json, create_build, Build, BuildRequest};
use builds::{get_build, list_builds};
pub use endpoints::{azurerm_endpoint, ArmAuth, ArmEndpoint};
use endpoints::{get_endpoint, list_endpoints};
pub use extensions::{builtin_extension, set_extension_state, synapse_extension, ExtensionState};
use extensions::{extension_by_name, list_extensions};
pub use queues::agent_queue;
use queues::{get_queue, list_queues};
pub use tasks::{builtin_tasks, synapse_tasks};
use tasks::{list_tasks, task_version, task_versions};

use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::state::AppState;

/// Publisher and extension id of the Synapse Workspace Deployment extension.
pub const SYNAPSE_PUBLISHER: &str = "AzureSynapseWorkspace";
pub const SYNAPSE_EXTENSION: &str = "synapsecicd-deploy";
/// Task names (`TaskDefinition.name`) of the two Synapse tasks.
pub const DEPLOY_TASK_NAME: &str = "Synapse workspace deployment";
pub const TOGGLE_TASK_NAME: &str = "toggle-triggers-dev";

/// What the catalogue holds. Values are stored in their REST shape; URLs inside them use the
/// `{base}` placeholder, replaced by the server's base URL when answered (`links::rebase`).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct CatalogWorld {
    pub tasks: Vec<Value>,
    pub extensions: Vec<Value>,
    pub endpoints: Vec<Value>,
    pub queues: Vec<Value>,
    pub builds: Vec<Build>,
    /// Extensions uninstalled through the admin API, with their tasks, so that installing them
    /// again brings back the same task ids (`extensions::set_extension_state`).
    #[serde(default)]
    pub uninstalled: Vec<Value>,
}

/// Which simulated behaviour a task definition has in the release engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    SynapseDeploy,
    ToggleTriggers,
    PowerShell,
    CommandLine,
    AzureCli,
}

impl CatalogWorld {
    /// The task definition with this id (case-insensitive GUID match).
    pub fn task(&self, id: &str) -> Option<&Value> {
        self.tasks.iter().find(|t| {
            t["id"]
                .as_str()
                .is_some_and(|i| i.eq_ignore_ascii_case(id.trim()))
        })
    }

    /// The engine behaviour of a task, from its contribution / name.
    pub fn task_kind(&self, id: &str) -> Option<TaskKind> {
        let t = self.task(id)?;
        match t["name"].as_str()? {
            DEPLOY_TASK_NAME => Some(TaskKind::SynapseDeploy),
            TOGGLE_TASK_NAME => Some(TaskKind::ToggleTriggers),
            "PowerShell" => Some(TaskKind::PowerShell),
            "CmdLine" => Some(TaskKind::CommandLine),
            "AzureCLI" => Some(TaskKind::AzureCli),
            _ => None,
        }
    }

    /// Id of the task with this name (first match).
    pub fn task_id_by_name(&self, name: &str) -> Option<String> {
        self.tasks
            .iter()
            .find(|t| t["name"] == name)
            .and_then(|t| t["id"].as_str().map(str::to_owned))
    }

    /// A service endpoint by id or (case-insensitive) name.
    pub fn endpoint(&self, id_or_name: &str) -> Option<&Value> {
        self.endpoints.iter().find(|e| {
            e["id"]
                .as_str()
                .is_some_and(|i| i.eq_ignore_ascii_case(id_or_name))
                || e["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(id_or_name))
        })
    }
}

/// Routes of the catalogue (all paths lower-case; the server lower-cases request paths).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{org}/_apis/distributedtask/tasks", get(list_tasks))
        .route("/{org}/_apis/distributedtask/tasks/{task_id}", get(task_versions))
        .route("/{org}/_apis/distributedtask/tasks/{task_id}/{version}", get(task_version))
        .route("/extmgmt/{org}/_apis/extensionmanagement/installedextensions", get(list_extensions))
        .route(
            "/extmgmt/{org}/_apis/extensionmanagement/installedextensionsbyname/{publisher}/{extension}",
            get(extension_by_name),
        )
        .route("/{org}/{project}/_apis/serviceendpoint/endpoints", get(list_endpoints))
        .route("/{org}/{project}/_apis/serviceendpoint/endpoints/{endpoint_id}", get(get_endpoint))
        .route("/{org}/{project}/_apis/distributedtask/queues", get(list_queues))
        .route("/{org}/{project}/_apis/distributedtask/queues/{queue_id}", get(get_queue))
        .route("/{org}/{project}/_apis/build/builds", get(list_builds))
        .route("/{org}/{project}/_apis/build/builds/{build_id}", get(get_build))
}
