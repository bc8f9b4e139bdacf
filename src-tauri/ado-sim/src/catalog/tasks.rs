//! Task definitions (`{org}/_apis/distributedtask/tasks`): the seeded Synapse and built-in tasks
//! (fresh random GUIDs per world) and the routes that list them and answer one id or version.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{DEPLOY_TASK_NAME, SYNAPSE_EXTENSION, SYNAPSE_PUBLISHER, TOGGLE_TASK_NAME};
use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::release::links;
use crate::state::AppState;

fn input(name: &str, label: &str, kind: &str, default: &str, required: bool) -> Value {
    json!({
        "aliases": [],
        "options": {},
        "properties": {},
        "name": name,
        "label": label,
        "defaultValue": default,
        "required": required,
        "type": kind,
        "helpMarkDown": "",
    })
}

/// A required Azure Resource Manager service-connection input (alias `azureSubscription`), as the
/// Synapse tasks and AzureCLI declare it.
fn arm_connection(name: &str) -> Value {
    let mut v = input(
        name,
        "Azure Resource Manager connection",
        "connectedService:AzureRM",
        "",
        true,
    );
    v["aliases"] = json!(["azureSubscription"]);
    v
}

fn with(mut v: Value, key: &str, val: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_owned(), val);
    }
    v
}

#[allow(clippy::too_many_arguments)]
fn task_definition(
    id: Uuid,
    name: &str,
    friendly: &str,
    description: &str,
    category: &str,
    author: &str,
    version: (u32, u32, u32),
    contribution: Option<(&str, &str)>,
    instance_name_format: &str,
    inputs: &[Value],
) -> Value {
    let (major, minor, patch) = version;
    json!({
        "visibility": ["Build", "Release"],
        "runsOn": ["Agent", "DeploymentGroup"],
        "id": id.to_string(),
        "name": name,
        "version": {"major": major, "minor": minor, "patch": patch, "isTest": false},
        "serverOwned": contribution.is_none(),
        "contentsUploaded": true,
        "iconUrl": format!("{{base}}/_apis/distributedtask/tasks/{id}/{major}.{minor}.{patch}/icon"),
        "minimumAgentVersion": "2.144.0",
        "friendlyName": friendly,
        "description": description,
        "category": category,
        "helpMarkDown": "",
        "definitionType": "task",
        "showEnvironmentVariables": false,
        "author": author,
        "demands": [],
        "groups": [],
        "inputs": inputs,
        "satisfies": [],
        "sourceDefinitions": [],
        "dataSourceBindings": [],
        "instanceNameFormat": instance_name_format,
        "preJobExecution": {},
        "execution": {"Node16": {"target": "index.js", "argumentFormat": ""}},
        "postJobExecution": {},
        "contributionIdentifier": contribution.map(|(ext, _)| ext),
        "contributionVersion": contribution.map(|(_, v)| v),
    })
}

/// The two tasks of the Synapse Workspace Deployment extension (`AzureSynapseWorkspace.synapsecicd-deploy`:
/// "Synapse workspace deployment" v2 and "toggle-triggers-dev"), with fresh random GUIDs.
pub fn synapse_tasks(extension_version: &str) -> Vec<Value> {
    let contribution = format!("{SYNAPSE_PUBLISHER}.{SYNAPSE_EXTENSION}");
    let deploy_vis = "operation = deploy || operation = validateDeploy";
    let mut operation = input("operation", "Operation Type", "pickList", "deploy", true);
    // The classic picklist: `validate` exists only in YAML (it publishes a build artifact), so a
    // classic definition cannot pick it (reference/synapse/TASKS.md, second reading §2).
    operation["options"] = json!({"deploy": "Deploy", "validateDeploy": "Validate and deploy"});
    let mut environment = input("Environment", "Environment", "pickList", "prod", true);
    environment["options"] = json!({
        "prod": "Azure Public", "ppe": "Azure Internal", "mooncake": "Azure China",
        "fairfax": "Azure US Government", "blackforest": "Azure Germany"
    });
    environment["groupName"] = json!("advanced");
    let mut npm = input("npmpackage", "Npm package", "pickList", "prod", false);
    npm["options"] = json!({"prod": "prod", "ppe": "ppe"});
    npm["groupName"] = json!("advanced");
    let mut arm = arm_connection("AzureResourceManagerConnection");
    arm["visibleRule"] = json!(deploy_vis);
    let deploy_inputs = vec![
        operation,
        with(
            input("TemplateFile", "Template", "filePath", "", true),
            "visibleRule",
            json!("operation = deploy"),
        ),
        with(
            input(
                "ParametersFile",
                "Template parameters",
                "filePath",
                "",
                true,
            ),
            "visibleRule",
            json!("operation = deploy"),
        ),
        with(
            input(
                "ArtifactsFolder",
                "Artifact root folder",
                "filePath",
                "",
                true,
            ),
            "visibleRule",
            json!("operation = validate || operation = validateDeploy"),
        ),
        arm,
        with(
            input("ResourceGroupName", "Resource group", "pickList", "", true),
            "visibleRule",
            json!(deploy_vis),
        ),
        input(
            "TargetWorkspaceName",
            "Synapse workspace name",
            "pickList",
            "",
            true,
        ),
        with(
            input(
                "DeleteArtifactsNotInTemplate",
                "Delete artifacts not in the template",
                "boolean",
                "false",
                false,
            ),
            "visibleRule",
            json!(deploy_vis),
        ),
        with(
            input(
                "DeployManagedPrivateEndpoints",
                "Deploy managed private endpoints",
                "boolean",
                "false",
                false,
            ),
            "visibleRule",
            json!(deploy_vis),
        ),
        with(
            input(
                "OverrideArmParameters",
                "Override template parameters",
                "multiLine",
                "",
                false,
            ),
            "visibleRule",
            json!(deploy_vis),
        ),
        with(
            input(
                "FailOnMissingOverrides",
                "Fail on missing overrides",
                "boolean",
                "false",
                false,
            ),
            "visibleRule",
            json!(deploy_vis),
        ),
        environment,
        npm,
    ];
    let conn = arm_connection("ServiceConnectionName");
    let toggle_inputs = vec![
        conn,
        input("ResourceGroupName", "Resource group", "pickList", "", true),
        input(
            "WorkspaceName",
            "Synapse workspace name",
            "pickList",
            "",
            true,
        ),
        input("ToggleOn", "Toggle on", "boolean", "true", false),
        input("Triggers", "Triggers", "string", "*", false),
        input("Continue", "Continue on failure", "boolean", "false", false),
        input("Debug", "Debug", "boolean", "false", false),
    ];
    vec![
        task_definition(
            Uuid::new_v4(),
            DEPLOY_TASK_NAME,
            "Synapse workspace deployment",
            "Deploy Synapse workspace artifacts (pipelines, notebooks, datasets, ...) to a target workspace",
            "Deploy",
            "Microsoft",
            (2, 4, 0),
            Some((&format!("{contribution}.synapse-deploy"), extension_version)),
            "Synpase deployment task for workspace: $(TargetWorkspaceName)",
            &deploy_inputs,
        ),
        task_definition(
            Uuid::new_v4(),
            TOGGLE_TASK_NAME,
            "Azure Synapse Toggle Triggers",
            "Start or stop the triggers of an Azure Synapse workspace",
            "Deploy",
            "Microsoft",
            (2, 4, 0),
            Some((&format!("{contribution}.toggle-trigger"), extension_version)),
            "Toggle Azure Synapse Triggers",
            &toggle_inputs,
        ),
    ]
}

/// A few built-in tasks every organization has, with fresh random GUIDs.
pub fn builtin_tasks() -> Vec<Value> {
    let mut target = input("targetType", "Type", "radio", "filePath", false);
    target["options"] = json!({"filePath": "File Path", "inline": "Inline"});
    let ps_inputs = vec![
        target,
        with(
            input("filePath", "Script Path", "filePath", "", true),
            "visibleRule",
            json!("targetType = filePath"),
        ),
        with(
            input("script", "Script", "multiLine", "", true),
            "visibleRule",
            json!("targetType = inline"),
        ),
        input(
            "errorActionPreference",
            "ErrorActionPreference",
            "pickList",
            "stop",
            false,
        ),
        input(
            "failOnStderr",
            "Fail on Standard Error",
            "boolean",
            "false",
            false,
        ),
        input("pwsh", "Use PowerShell Core", "boolean", "false", false),
    ];
    let cmd_inputs = vec![
        input(
            "script",
            "Script",
            "multiLine",
            "echo Write your commands here",
            true,
        ),
        input(
            "workingDirectory",
            "Working Directory",
            "filePath",
            "",
            false,
        ),
        input(
            "failOnStderr",
            "Fail on Standard Error",
            "boolean",
            "false",
            false,
        ),
    ];
    let cli_conn = arm_connection("connectedServiceNameARM");
    let cli_inputs = vec![
        cli_conn,
        input("scriptType", "Script Type", "pickList", "", true),
        input(
            "scriptLocation",
            "Script Location",
            "pickList",
            "scriptPath",
            true,
        ),
        input("inlineScript", "Inline Script", "multiLine", "", true),
    ];
    vec![
        task_definition(
            Uuid::new_v4(),
            "PowerShell",
            "PowerShell",
            "Run a PowerShell script on Linux, macOS, or Windows",
            "Utility",
            "Microsoft Corporation",
            (2, 247, 1),
            None,
            "PowerShell Script",
            &ps_inputs,
        ),
        task_definition(
            Uuid::new_v4(),
            "CmdLine",
            "Command line",
            "Run a command line script using Bash on Linux and macOS and cmd.exe on Windows",
            "Utility",
            "Microsoft Corporation",
            (2, 246, 1),
            None,
            "Command Line Script",
            &cmd_inputs,
        ),
        task_definition(
            Uuid::new_v4(),
            "AzureCLI",
            "Azure CLI",
            "Run Azure CLI commands against an Azure subscription",
            "Deploy",
            "Microsoft Corporation",
            (2, 249, 0),
            None,
            "Azure CLI $(scriptPath)",
            &cli_inputs,
        ),
    ]
}

pub(super) async fn list_tasks(
    State(sim): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<Value>> {
    principal.require("vso.agentpools")?;
    let world = sim.world();
    let items: Vec<Value> = world
        .catalog
        .tasks
        .iter()
        .map(|t| links::rebase(t, &sim))
        .collect();
    Ok(crate::api::list(items))
}

fn task_not_found(id: &str) -> ApiError {
    ApiError::not_found(
        format!("Task definition {id} was not found. List the task definitions of the organization to find its id."),
        "TaskDefinitionNotFoundException",
    )
}

pub(super) async fn task_versions(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, task_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.agentpools")?;
    let world = sim.world();
    let t = world
        .catalog
        .task(&task_id)
        .ok_or_else(|| task_not_found(&task_id))?;
    Ok(crate::api::list(vec![links::rebase(t, &sim)]))
}

pub(super) async fn task_version(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, task_id, version)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.agentpools")?;
    let world = sim.world();
    let t = world
        .catalog
        .task(&task_id)
        .ok_or_else(|| task_not_found(&task_id))?;
    let major = t["version"]["major"].as_u64().unwrap_or(0).to_string();
    let wanted = version.split('.').next().unwrap_or("");
    if wanted != "*" && wanted != major {
        return Err(task_not_found(&format!("{task_id}@{version}")));
    }
    Ok(Json(links::rebase(t, &sim)))
}
