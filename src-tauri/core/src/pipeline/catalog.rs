//! The two Synapse tasks (`synapse/TASKS.md`) as the organization's task catalogue describes them:
//! ids, versions, canonical input names, aliases, defaults and allowed values. Nothing here is
//! hard-coded but the task names; the ids differ per organization (and the simulator invents them).

use crate::ado::tasks::{list_task_definitions, TaskDefinitionDto, TaskInputDto};
use crate::ado::{AdoClient, AdoError};
use crate::error::{AppError, ErrorCode};

/// Publisher and extension id of the Synapse Workspace Deployment extension.
pub const SYNAPSE_PUBLISHER: &str = "AzureSynapseWorkspace";
pub const SYNAPSE_EXTENSION: &str = "synapsecicd-deploy";
/// `TaskDefinition.name` of the deployment task.
pub const DEPLOY_TASK_NAME: &str = "Synapse workspace deployment";
/// `TaskDefinition.name` of the trigger toggle task.
pub const TOGGLE_TASK_NAME: &str = "toggle-triggers-dev";

/// `major.minor.patch` of a catalogue task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl TaskVersion {
    /// What a definition's `workflowTasks[].version` carries: `"2.*"`.
    pub fn major_wildcard(&self) -> String {
        format!("{}.*", self.major)
    }
}

impl std::fmt::Display for TaskVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// One input of a catalogue task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogInput {
    /// The canonical name, the key of `workflowTasks[].inputs`.
    pub name: String,
    pub label: String,
    pub required: bool,
    /// `pickList`, `boolean`, `filePath`, `connectedService:AzureRM`, …
    pub kind: String,
    /// The default as a string (`""` when the catalogue gives none).
    pub default_value: String,
    /// Pick-list values (the keys of `options`); empty when any value is accepted.
    pub allowed_values: Vec<String>,
    /// Other names the input answers to (YAML aliases such as `azureSubscription`).
    pub aliases: Vec<String>,
    /// When the input is shown (`operation = deploy || …`), if the catalogue says.
    pub visible_rule: Option<String>,
}

impl CatalogInput {
    /// Whether `value` is accepted: any value when the input has no pick list, else one of the
    /// allowed values (exact, as the task compares them).
    pub fn allows(&self, value: &str) -> bool {
        self.allowed_values.is_empty() || self.allowed_values.iter().any(|v| v == value)
    }

    /// Answers to `name`: the canonical name or an alias, case-insensitively.
    pub fn answers_to(&self, name: &str) -> bool {
        let name = name.trim();
        self.name.eq_ignore_ascii_case(name)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    }
}

/// One task of the catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogTask {
    /// The task GUID (`workflowTasks[].taskId`).
    pub id: String,
    pub name: String,
    pub friendly_name: String,
    pub version: TaskVersion,
    /// `{publisher}.{extension}.{contribution}` when the task comes from an extension.
    pub contribution: Option<String>,
    pub inputs: Vec<CatalogInput>,
}

impl CatalogTask {
    /// The input with this canonical name or alias (case-insensitive). A canonical-name match
    /// wins over an alias of another input.
    pub fn input(&self, name: &str) -> Option<&CatalogInput> {
        let name = name.trim();
        self.inputs
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(name))
            .or_else(|| self.inputs.iter().find(|i| i.answers_to(name)))
    }

    /// The input of this kind (`connectedService:AzureRM`), case-insensitively: the task's
    /// service-connection input, whatever the task calls it.
    pub fn input_of_kind(&self, kind: &str) -> Option<&CatalogInput> {
        self.inputs
            .iter()
            .find(|i| i.kind.eq_ignore_ascii_case(kind))
    }
}

/// The two Synapse tasks of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynapseTasks {
    pub deploy: CatalogTask,
    pub toggle: CatalogTask,
}

/// Why the Synapse tasks could not be taken from the catalogue.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CatalogError {
    /// The catalogue could not be read.
    #[error("the task catalogue could not be read: {0}")]
    Read(#[from] AdoError),
    /// The catalogue was read but lacks a task.
    #[error("the task catalogue has no task named \"{}\"", missing.join("\", \""))]
    Missing {
        /// Task names not found (one or both).
        missing: Vec<String>,
    },
}

impl CatalogError {
    /// The request failed (as opposed to: the task is not there).
    pub fn is_read_error(&self) -> bool {
        matches!(self, CatalogError::Read(_))
    }
}

impl From<CatalogError> for AppError {
    fn from(err: CatalogError) -> Self {
        match err {
            CatalogError::Read(e) => {
                let mut app = AppError::from(e);
                app.message = format!("The task catalogue could not be read. {}", app.message);
                app
            }
            CatalogError::Missing { missing } => AppError::new(
                ErrorCode::Precondition,
                format!(
                    "The organization's task catalogue has no task named \"{}\". Install (or \
                     enable) the Synapse Workspace Deployment extension \
                     ({SYNAPSE_PUBLISHER}.{SYNAPSE_EXTENSION}) in the organization settings, then \
                     try again.",
                    missing.join("\" or \"")
                ),
            ),
        }
    }
}

fn default_string(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn catalog_input(dto: &TaskInputDto) -> CatalogInput {
    CatalogInput {
        name: dto.name.clone(),
        label: dto.label.clone(),
        required: dto.required,
        kind: dto.kind.clone(),
        default_value: default_string(dto.default_value.as_ref()),
        allowed_values: dto
            .options
            .as_ref()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default(),
        aliases: dto.aliases.clone(),
        visible_rule: dto.visible_rule.clone().filter(|r| !r.trim().is_empty()),
    }
}

impl From<&TaskDefinitionDto> for CatalogTask {
    fn from(dto: &TaskDefinitionDto) -> Self {
        CatalogTask {
            id: dto.id.clone(),
            name: dto.name.clone(),
            friendly_name: dto.friendly_name.clone(),
            version: TaskVersion {
                major: dto.version.major,
                minor: dto.version.minor,
                patch: dto.version.patch,
            },
            contribution: dto.contribution_identifier.clone(),
            inputs: dto.inputs.iter().map(catalog_input).collect(),
        }
    }
}

/// Whether a task comes from the Synapse extension. Tasks without a contribution identifier are
/// accepted (Azure DevOps Server may omit it); a task of another extension that happens to carry
/// the same name (a re-packaged fork) is not.
fn from_synapse_extension(task: &TaskDefinitionDto) -> bool {
    let prefix = format!("{SYNAPSE_PUBLISHER}.{SYNAPSE_EXTENSION}");
    task.contribution_identifier
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .is_none_or(|c| c.len() >= prefix.len() && c[..prefix.len()].eq_ignore_ascii_case(&prefix))
}

/// The highest version of the task called `name` (exact name, as the catalogue spells it),
/// preferring non-test versions.
fn pick<'a>(tasks: &'a [TaskDefinitionDto], name: &str) -> Option<&'a TaskDefinitionDto> {
    tasks
        .iter()
        .filter(|t| t.name == name && from_synapse_extension(t))
        .max_by_key(|t| {
            (
                !t.version.is_test,
                t.version.major,
                t.version.minor,
                t.version.patch,
            )
        })
}

/// Picks the two Synapse tasks out of a catalogue answer.
pub fn select_synapse_tasks(tasks: &[TaskDefinitionDto]) -> Result<SynapseTasks, CatalogError> {
    let deploy = pick(tasks, DEPLOY_TASK_NAME);
    let toggle = pick(tasks, TOGGLE_TASK_NAME);
    match (deploy, toggle) {
        (Some(d), Some(t)) => Ok(SynapseTasks {
            deploy: d.into(),
            toggle: t.into(),
        }),
        (d, t) => Err(CatalogError::Missing {
            missing: [
                (d.is_none(), DEPLOY_TASK_NAME),
                (t.is_none(), TOGGLE_TASK_NAME),
            ]
            .into_iter()
            .filter(|(gone, _)| *gone)
            .map(|(_, n)| n.to_owned())
            .collect(),
        }),
    }
}

/// Reads the catalogue (one request) and picks the two Synapse tasks.
pub async fn load_synapse_tasks(client: &AdoClient) -> Result<SynapseTasks, CatalogError> {
    let tasks = list_task_definitions(client).await?;
    select_synapse_tasks(&tasks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task(
        id: &str,
        name: &str,
        version: (u32, u32, u32),
        contribution: Option<&str>,
    ) -> TaskDefinitionDto {
        serde_json::from_value(json!({
            "id": id, "name": name, "friendlyName": format!("{name} (friendly)"),
            "version": {"major": version.0, "minor": version.1, "patch": version.2, "isTest": false},
            "contributionIdentifier": contribution,
            "inputs": [
                {"name": "operation", "label": "Operation Type", "type": "pickList", "defaultValue": "deploy",
                 "required": true, "options": {"deploy": "Deploy", "validateDeploy": "Validate and deploy"}},
                {"name": "AzureResourceManagerConnection", "aliases": ["azureSubscription"],
                 "type": "connectedService:AzureRM", "required": true},
                {"name": "ToggleOn", "type": "boolean", "defaultValue": true},
            ]
        }))
        .unwrap()
    }

    const EXT: &str = "AzureSynapseWorkspace.synapsecicd-deploy.synapse-deploy";

    #[test]
    fn picks_the_highest_major_of_each_task_by_name() {
        let tasks = vec![
            task("d1", DEPLOY_TASK_NAME, (1, 9, 0), Some(EXT)),
            task("d2", DEPLOY_TASK_NAME, (2, 4, 0), Some(EXT)),
            task("t2", TOGGLE_TASK_NAME, (2, 1, 3), Some(EXT)),
            task("ps", "PowerShell", (2, 247, 1), None),
        ];
        let picked = select_synapse_tasks(&tasks).unwrap();
        assert_eq!(picked.deploy.id, "d2");
        assert_eq!(picked.deploy.version.major_wildcard(), "2.*");
        assert_eq!(picked.toggle.id, "t2");
        assert_eq!(picked.toggle.version.to_string(), "2.1.3");
    }

    #[test]
    fn a_fork_with_the_same_name_from_another_extension_is_not_taken() {
        let tasks = vec![
            task(
                "fork",
                DEPLOY_TASK_NAME,
                (3, 0, 0),
                Some("MoimHossain.synapse-wif.synapse-deploy"),
            ),
            task("d2", DEPLOY_TASK_NAME, (2, 4, 0), Some(EXT)),
            task("t2", TOGGLE_TASK_NAME, (2, 4, 0), None),
        ];
        let picked = select_synapse_tasks(&tasks).unwrap();
        assert_eq!(picked.deploy.id, "d2");
        assert_eq!(
            picked.toggle.id, "t2",
            "no contribution identifier is accepted"
        );
    }

    #[test]
    fn a_missing_task_is_named_in_the_error() {
        let tasks = vec![task("d2", DEPLOY_TASK_NAME, (2, 4, 0), Some(EXT))];
        let err = select_synapse_tasks(&tasks).unwrap_err();
        match &err {
            CatalogError::Missing { missing } => {
                assert_eq!(missing, &[TOGGLE_TASK_NAME.to_owned()]);
            }
            other => panic!("{other:?}"),
        }
        let app = AppError::from(err);
        assert_eq!(app.code, ErrorCode::Precondition);
        assert!(
            app.message.contains("toggle-triggers-dev"),
            "{}",
            app.message
        );
        assert!(
            app.message
                .contains("AzureSynapseWorkspace.synapsecicd-deploy"),
            "{}",
            app.message
        );
        let none = select_synapse_tasks(&[]).unwrap_err();
        assert!(matches!(none, CatalogError::Missing { ref missing } if missing.len() == 2));
    }

    #[test]
    fn inputs_are_found_by_name_or_alias_case_insensitively() {
        let t: CatalogTask = (&task("d2", DEPLOY_TASK_NAME, (2, 4, 0), Some(EXT))).into();
        assert_eq!(t.input("OPERATION").unwrap().name, "operation");
        assert_eq!(
            t.input("azuresubscription").unwrap().name,
            "AzureResourceManagerConnection"
        );
        assert_eq!(
            t.input_of_kind("connectedService:azureRM").unwrap().name,
            "AzureResourceManagerConnection"
        );
        assert!(t.input("TemplateFile").is_none());
        let op = t.input("operation").unwrap();
        assert_eq!(op.allowed_values, ["deploy", "validateDeploy"]);
        assert!(op.allows("validateDeploy"));
        assert!(
            !op.allows("validatedeploy"),
            "the task compares values exactly"
        );
        assert_eq!(op.default_value, "deploy");
        let toggle = t.input("ToggleOn").unwrap();
        assert_eq!(
            toggle.default_value, "true",
            "a boolean default reads as a string"
        );
        assert!(toggle.allows("anything"));
    }
}
