//! Organization-level catalogues: task definitions (`distributedtask/tasks`), installed extensions,
//! service endpoints, agent queues and builds.
//!
//! Task GUIDs are invented per world (`Uuid::new_v4` at seed time) so that a client can never rely on
//! hard-coded ids: it must discover them through `GET {org}/_apis/distributedtask/tasks` like it has
//! to in a real organization (`synapse/TASKS.md`, "Official task GUIDs — NOT FOUND").

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::QueryParams;
use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::release::links::{self, Person};
use crate::state::{AppState, World};

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
}

/// A completed CI build (only what a Build artifact needs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Build {
    pub id: i32,
    pub build_number: String,
    pub definition_id: i32,
    pub definition_name: String,
    pub project_id: Uuid,
    pub project_name: String,
    pub repository_id: Uuid,
    pub repository_name: String,
    pub source_branch: String,
    pub source_version: String,
    pub queue_time: chrono::DateTime<chrono::Utc>,
    pub finish_time: chrono::DateTime<chrono::Utc>,
    pub requested_for: Person,
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

// ------------------------------------------------------------------------------------------------
// Seeding helpers (used by `seed::demo_release`).

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

/// The two tasks of the Synapse Workspace Deployment extension (inputs as in `synapse/TASKS.md`),
/// with fresh random GUIDs.
pub fn synapse_tasks(extension_version: &str) -> Vec<Value> {
    let contribution = format!("{SYNAPSE_PUBLISHER}.{SYNAPSE_EXTENSION}");
    let deploy_vis = "operation = deploy || operation = validateDeploy";
    let mut operation = input("operation", "Operation Type", "pickList", "deploy", true);
    operation["options"] = json!({"deploy": "Deploy", "validate": "Validate", "validateDeploy": "Validate and deploy"});
    let mut environment = input("Environment", "Environment", "pickList", "prod", true);
    environment["options"] = json!({
        "prod": "Azure Public", "ppe": "Azure Internal", "mooncake": "Azure China",
        "fairfax": "Azure US Government", "blackforest": "Azure Germany"
    });
    environment["groupName"] = json!("advanced");
    let mut npm = input("npmpackage", "Npm package", "pickList", "prod", false);
    npm["options"] = json!({"prod": "prod", "ppe": "ppe"});
    npm["groupName"] = json!("advanced");
    let mut arm = input(
        "AzureResourceManagerConnection",
        "Azure Resource Manager connection",
        "connectedService:AzureRM",
        "",
        true,
    );
    arm["aliases"] = json!(["azureSubscription"]);
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
    let mut conn = input(
        "ServiceConnectionName",
        "Azure Resource Manager connection",
        "connectedService:AzureRM",
        "",
        true,
    );
    conn["aliases"] = json!(["azureSubscription"]);
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
    let mut cli_conn = input(
        "connectedServiceNameARM",
        "Azure Resource Manager connection",
        "connectedService:AzureRM",
        "",
        true,
    );
    cli_conn["aliases"] = json!(["azureSubscription"]);
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

/// The installed-extension record of the Synapse Workspace Deployment extension.
pub fn synapse_extension(version: &str, last_updated: chrono::DateTime<chrono::Utc>) -> Value {
    let full = format!("{SYNAPSE_PUBLISHER}.{SYNAPSE_EXTENSION}");
    json!({
        "extensionId": SYNAPSE_EXTENSION,
        "registrationId": Uuid::new_v4().to_string(),
        "extensionName": "Synapse workspace deployment",
        "publisherId": SYNAPSE_PUBLISHER,
        "publisherName": "Azure Synapse Workspace",
        "version": version,
        "flags": "none",
        "manifestVersion": 1,
        "baseUri": format!("https://{SYNAPSE_PUBLISHER}.gallerycdn.vsassets.io/extensions/{}/{SYNAPSE_EXTENSION}/{version}/1700000000000", SYNAPSE_PUBLISHER.to_ascii_lowercase()),
        "fallbackBaseUri": format!("https://{SYNAPSE_PUBLISHER}.gallery.vsassets.io/_apis/public/gallery/publisher/{SYNAPSE_PUBLISHER}/extension/{SYNAPSE_EXTENSION}/{version}/assetbyname"),
        "scopes": [],
        "contributions": [
            {"id": format!("{full}.synapse-deploy"), "description": "Deploy Synapse workspace artifacts",
             "type": "ms.vss-distributed-task.task", "targets": ["ms.vss-distributed-task.tasks"],
             "properties": {"name": "synapse-deploy"}},
            {"id": format!("{full}.toggle-trigger"), "description": "Start or stop Synapse triggers",
             "type": "ms.vss-distributed-task.task", "targets": ["ms.vss-distributed-task.tasks"],
             "properties": {"name": "toggle-trigger"}}
        ],
        "installState": {"flags": "none", "lastUpdated": links::ts(last_updated)},
        "contributionTypes": [],
        "lastPublished": links::ts(last_updated - chrono::Duration::days(20)),
        "files": [],
    })
}

/// A Microsoft first-party extension that is installed in every organization.
pub fn builtin_extension(
    id: &str,
    name: &str,
    version: &str,
    last_updated: chrono::DateTime<chrono::Utc>,
) -> Value {
    json!({
        "extensionId": id,
        "registrationId": Uuid::new_v4().to_string(),
        "extensionName": name,
        "publisherId": "ms",
        "publisherName": "Microsoft",
        "version": version,
        "flags": "builtIn, trusted",
        "manifestVersion": 1,
        "baseUri": format!("https://ms.gallerycdn.vsassets.io/extensions/ms/{id}/{version}/1700000000000"),
        "scopes": [],
        "contributions": [],
        "installState": {"flags": "builtIn, trusted", "lastUpdated": links::ts(last_updated)},
        "contributionTypes": [],
        "lastPublished": links::ts(last_updated),
        "files": [],
    })
}

/// An azurerm service endpoint (`scheme` = `ServicePrincipal` or `WorkloadIdentityFederation`).
#[allow(clippy::too_many_arguments)]
pub fn azurerm_endpoint(
    name: &str,
    scheme: &str,
    subscription_id: &str,
    subscription_name: &str,
    tenant_id: &str,
    project_id: Uuid,
    project_name: &str,
    created_by: &Person,
    is_ready: bool,
) -> Value {
    let id = Uuid::new_v4();
    let sp = Uuid::new_v4();
    let parameters = if scheme == "WorkloadIdentityFederation" {
        json!({"serviceprincipalid": sp.to_string(), "tenantid": tenant_id,
               "workloadIdentityFederationIssuer": format!("https://login.microsoftonline.com/{tenant_id}/v2.0"),
               "workloadIdentityFederationSubject": format!("sc://contoso/{project_name}/{name}")})
    } else {
        json!({"serviceprincipalid": sp.to_string(), "tenantid": tenant_id,
               "authenticationType": "spnKey", "serviceprincipalkey": null})
    };
    json!({
        "data": {"environment": "AzureCloud", "scopeLevel": "Subscription", "subscriptionId": subscription_id,
                 "subscriptionName": subscription_name, "creationMode": "Manual"},
        "id": id.to_string(),
        "name": name,
        "type": "azurerm",
        "url": "https://management.azure.com/",
        "createdBy": links::identity_template(created_by),
        "description": format!("Azure Resource Manager connection to {subscription_name}"),
        "authorization": {"parameters": parameters, "scheme": scheme},
        "isShared": false,
        "isReady": is_ready,
        "owner": "Library",
        "serviceEndpointProjectReferences": [
            {"projectReference": {"id": project_id.to_string(), "name": project_name}, "name": name, "description": ""}
        ],
    })
}

/// A project agent queue bound to a pool.
pub fn agent_queue(id: i32, name: &str, pool_id: i32, hosted: bool, project_id: Uuid) -> Value {
    json!({
        "id": id,
        "projectId": project_id.to_string(),
        "name": name,
        "pool": {"id": pool_id, "scope": Uuid::new_v4().to_string(), "name": name, "isHosted": hosted,
                 "poolType": "automation", "size": if hosted { 10 } else { 2 }, "isLegacy": false, "options": "none"},
    })
}

// ------------------------------------------------------------------------------------------------
// Builds (admin hook + REST).

/// Body of the admin `POST /builds` hook (CONTRACTS.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildRequest {
    pub project: String,
    pub repository: String,
    pub source_version: String,
    #[serde(default = "default_branch")]
    pub source_branch: String,
    #[serde(default = "default_definition")]
    pub definition_name: String,
}

fn default_branch() -> String {
    "refs/heads/main".into()
}

fn default_definition() -> String {
    "synapse-ci".into()
}

/// Records a completed, succeeded build of `sourceVersion`; answers the build in REST shape.
/// The commit must exist in the repository (full SHA). Used by the admin API (`POST /_admin/builds`);
/// `org` is the organization name (`contoso`).
pub fn create_build(
    world: &mut World,
    base_url: &str,
    org: &str,
    req: &BuildRequest,
) -> ApiResult<Value> {
    let repo = world.git.repo(&req.project, &req.repository).cloned().ok_or_else(|| {
        ApiError::not_found(
            format!(
                "TF401019: The Git repository with name or identifier {} does not exist or you do not have permissions for the operation you are attempting.",
                req.repository
            ),
            "GitRepositoryNotFoundException",
        )
    })?;
    let git = git2::Repository::open_bare(&repo.path)?;
    let oid = git2::Oid::from_str(&req.source_version)
        .ok()
        .filter(|o| req.source_version.len() == 40 && git.find_commit(*o).is_ok())
        .ok_or_else(|| {
            ApiError::bad_request(
                format!(
                    "The commit {} does not exist in repository {}. Pass the full 40-character SHA of an existing commit.",
                    req.source_version, repo.name
                ),
                "InvalidRequestException",
            )
        })?;
    let source_branch = if req.source_branch.starts_with("refs/") {
        req.source_branch.clone()
    } else {
        format!("refs/heads/{}", req.source_branch)
    };
    let id = world.catalog.builds.iter().map(|b| b.id).max().unwrap_or(0) + 1;
    let definition_id = world
        .catalog
        .builds
        .iter()
        .find(|b| b.definition_name.eq_ignore_ascii_case(&req.definition_name))
        .map_or_else(
            || {
                world
                    .catalog
                    .builds
                    .iter()
                    .map(|b| b.definition_id)
                    .max()
                    .unwrap_or(0)
                    + 1
            },
            |b| b.definition_id,
        );
    let now = chrono::Utc::now();
    let build = Build {
        id,
        build_number: format!("{}.{}", now.format("%Y%m%d"), id),
        definition_id,
        definition_name: req.definition_name.clone(),
        project_id: repo.project_id,
        project_name: repo.project_name.clone(),
        repository_id: repo.id,
        repository_name: repo.name,
        source_branch,
        source_version: oid.to_string(),
        queue_time: now - chrono::Duration::seconds(95),
        finish_time: now,
        requested_for: links::system_person(),
    };
    world.catalog.builds.push(build.clone());
    Ok(build_json(&build, base_url, org))
}

/// A build in the REST shape of `GET _apis/build/builds/{id}` (build.json `Build`).
pub fn build_json(b: &Build, base: &str, org: &str) -> Value {
    let project = json!({"id": b.project_id.to_string(), "name": b.project_name,
        "url": format!("{base}/{org}/_apis/projects/{}", b.project_id), "state": "wellFormed", "revision": 11, "visibility": "private"});
    let url = format!("{base}/{org}/{}/_apis/build/Builds/{}", b.project_id, b.id);
    let person = links::identity(base, org, &b.requested_for);
    json!({
        "_links": {
            "self": {"href": url},
            "web": {"href": format!("{base}/{org}/{}/_build/results?buildId={}", b.project_id, b.id)},
            "sourceVersionDisplayUri": {"href": format!("{url}/sources")},
            "timeline": {"href": format!("{base}/{org}/{}/_apis/build/builds/{}/Timeline", b.project_id, b.id)},
        },
        "properties": {},
        "tags": [],
        "validationResults": [],
        "plans": [{"planId": Uuid::new_v4().to_string()}],
        "triggerInfo": {},
        "id": b.id,
        "buildNumber": b.build_number,
        "status": "completed",
        "result": "succeeded",
        "queueTime": links::ts(b.queue_time),
        "startTime": links::ts(b.queue_time + chrono::Duration::seconds(4)),
        "finishTime": links::ts(b.finish_time),
        "url": url,
        "definition": {"drafts": [], "id": b.definition_id, "name": b.definition_name,
            "url": format!("{base}/{org}/{}/_apis/build/Definitions/{}?revision=1", b.project_id, b.definition_id),
            "uri": format!("vstfs:///Build/Definition/{}", b.definition_id), "path": "\\", "type": "build",
            "queueStatus": "enabled", "revision": 1, "project": project},
        "buildNumberRevision": 1,
        "project": project,
        "uri": format!("vstfs:///Build/Build/{}", b.id),
        "sourceBranch": b.source_branch,
        "sourceVersion": b.source_version,
        "queue": {"id": 1, "name": "Azure Pipelines", "pool": {"id": 1, "name": "Azure Pipelines", "isHosted": true}},
        "priority": "normal",
        "reason": "manual",
        "requestedFor": person,
        "requestedBy": person,
        "lastChangedDate": links::ts(b.finish_time),
        "lastChangedBy": person,
        "orchestrationPlan": {"planId": Uuid::new_v4().to_string()},
        "logs": {"id": 0, "type": "Container", "url": format!("{url}/logs")},
        "repository": {"id": b.repository_id.to_string(), "type": "TfsGit", "name": b.repository_name,
            "url": format!("{base}/{org}/{}/_git/{}", b.project_name, b.repository_name), "clean": null, "checkoutSubmodules": false},
        "retainedByRelease": false,
        "triggeredByBuild": null,
        "appendCommitMessageToRunName": true,
    })
}

// ------------------------------------------------------------------------------------------------
// Routes.

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

async fn list_tasks(State(sim): State<AppState>, principal: Principal) -> ApiResult<Json<Value>> {
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

async fn task_versions(
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

async fn task_version(
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

async fn list_extensions(
    State(sim): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<Value>> {
    principal.require("vso.extension")?;
    let world = sim.world();
    Ok(crate::api::list(world.catalog.extensions.clone()))
}

async fn extension_by_name(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, publisher, extension)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.extension_manage")?;
    let world = sim.world();
    world
        .catalog
        .extensions
        .iter()
        .find(|e| {
            e["publisherId"]
                .as_str()
                .is_some_and(|p| p.eq_ignore_ascii_case(&publisher))
                && e["extensionId"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(&extension))
        })
        .cloned()
        .map(Json)
        .ok_or_else(|| {
            ApiError::not_found(
                format!("Extension {publisher}.{extension} is not installed in this organization."),
                "InstalledExtensionNotFoundException",
            )
        })
}

#[derive(Debug, Default, Deserialize)]
struct EndpointQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(rename = "actionFilter")]
    action_filter: Option<String>,
    #[serde(rename = "includeFailed")]
    include_failed: Option<bool>,
    #[serde(rename = "endpointNames")]
    endpoint_names: Option<String>,
    #[serde(rename = "endpointIds")]
    endpoint_ids: Option<String>,
}

fn in_project(e: &Value, project_id: Uuid) -> bool {
    e["serviceEndpointProjectReferences"]
        .as_array()
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r["projectReference"]["id"] == project_id.to_string())
        })
}

async fn list_endpoints(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    Query(q): Query<EndpointQuery>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.serviceendpoint")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let names: Option<Vec<String>> = q.endpoint_names.as_deref().map(|n| {
        n.split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    });
    let ids: Option<Vec<String>> = q.endpoint_ids.as_deref().map(|n| {
        n.split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    });
    if let Some(action) = q.action_filter.as_deref() {
        if !["none", "manage", "use", "view"]
            .iter()
            .any(|a| a.eq_ignore_ascii_case(action))
        {
            return Err(ApiError::bad_request(
                format!("The value '{action}' is not valid for actionFilter. Use none, manage, use or view."),
                "ArgumentException",
            ));
        }
    }
    let items: Vec<Value> = world
        .catalog
        .endpoints
        .iter()
        .filter(|e| in_project(e, p.id))
        .filter(|e| {
            q.kind.as_deref().is_none_or(|k| {
                e["type"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case(k))
            })
        })
        .filter(|e| q.include_failed.unwrap_or(false) || e["isReady"].as_bool().unwrap_or(true))
        .filter(|e| {
            names.as_ref().is_none_or(|n| {
                e["name"]
                    .as_str()
                    .is_some_and(|x| n.contains(&x.to_ascii_lowercase()))
            })
        })
        .filter(|e| {
            ids.as_ref().is_none_or(|n| {
                e["id"]
                    .as_str()
                    .is_some_and(|x| n.contains(&x.to_ascii_lowercase()))
            })
        })
        .map(|e| links::rebase(e, &sim))
        .collect();
    Ok(crate::api::list(items))
}

async fn get_endpoint(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, endpoint_id)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.serviceendpoint")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    // The real service answers 200 with an empty body for an unknown endpoint id; a JSON null is the
    // closest a JSON client sees.
    let found = world
        .catalog
        .endpoints
        .iter()
        .find(|e| {
            in_project(e, p.id)
                && e["id"]
                    .as_str()
                    .is_some_and(|i| i.eq_ignore_ascii_case(&endpoint_id))
        })
        .map(|e| links::rebase(e, &sim));
    Ok(Json(found.unwrap_or(Value::Null)))
}

#[derive(Debug, Default, Deserialize)]
struct QueueQuery {
    #[serde(rename = "queueName")]
    queue_name: Option<String>,
}

async fn list_queues(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    Query(q): Query<QueueQuery>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.agentpools")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let items: Vec<Value> = world
        .catalog
        .queues
        .iter()
        .filter(|x| x["projectId"] == p.id.to_string())
        .filter(|x| {
            q.queue_name.as_deref().is_none_or(|n| {
                let n = n.to_ascii_lowercase();
                let name = x["name"].as_str().unwrap_or("").to_ascii_lowercase();
                // queueName supports a trailing '*' wildcard.
                n.strip_suffix('*')
                    .map_or(name == n, |prefix| name.starts_with(prefix))
            })
        })
        .cloned()
        .collect();
    Ok(crate::api::list(items))
}

async fn get_queue(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, queue_id)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.agentpools")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    world
        .catalog
        .queues
        .iter()
        .find(|x| {
            x["projectId"] == p.id.to_string()
                && x["id"].as_i64().map(|i| i.to_string()) == Some(queue_id.clone())
        })
        .cloned()
        .map(Json)
        .ok_or_else(|| {
            ApiError::not_found(
                format!("Queue {queue_id} not found in project {}.", p.name),
                "TaskAgentQueueNotFoundException",
            )
        })
}

/// One enum-valued filter of `GET build/builds`: `Ok(None)` = no filter, `Ok(Some(v))` = the value
/// (lower-case) of one of `allowed`, else the service's 400.
fn enum_filter(q: &QueryParams, name: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
    let Some(raw) = q.get(name) else {
        return Ok(None);
    };
    let v = raw.trim().to_ascii_lowercase();
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(&v)) {
        Ok(Some(v))
    } else {
        Err(ApiError::bad_request(
            format!(
                "The value '{raw}' is not valid for parameter '{name}'. Use one of: {}.",
                allowed.join(", ")
            ),
            "InvalidArgumentValueException",
        ))
    }
}

/// A comma-delimited list of integers (`definitions`, `buildIds`); a non-numeric item is a 400.
fn id_list(q: &QueryParams, name: &str) -> ApiResult<Option<Vec<i32>>> {
    let Some(raw) = q.get(name) else {
        return Ok(None);
    };
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i32>().map_err(|_| {
                ApiError::bad_request(
                    format!("The value '{raw}' is not valid for parameter '{name}'. Specify a comma-delimited list of integer ids."),
                    "InvalidArgumentValueException",
                )
            })
        })
        .collect::<ApiResult<Vec<i32>>>()
        .map(Some)
}

/// `GET {org}/{project}/_apis/build/builds` (build.json `Builds_List`): the filters the app and
/// API.md's "Succeeded runs on a branch" use — `definitions`, `buildIds`, `branchName`,
/// `statusFilter`, `resultFilter`, `repositoryId`/`repositoryType`, `queryOrder`, `$top` and
/// `continuationToken` (answered in `x-ms-continuationtoken`). Every simulated build is completed and
/// succeeded, so other status/result filters select nothing.
async fn list_builds(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    q: QueryParams,
) -> ApiResult<axum::response::Response> {
    principal.require("vso.build")?;
    let definitions = id_list(&q, "definitions")?;
    let build_ids = id_list(&q, "buildIds")?;
    let status = enum_filter(
        &q,
        "statusFilter",
        &[
            "none",
            "inProgress",
            "completed",
            "cancelling",
            "postponed",
            "notStarted",
            "all",
        ],
    )?;
    let result = enum_filter(
        &q,
        "resultFilter",
        &[
            "none",
            "succeeded",
            "partiallySucceeded",
            "failed",
            "canceled",
        ],
    )?;
    let order = enum_filter(
        &q,
        "queryOrder",
        &[
            "finishTimeAscending",
            "finishTimeDescending",
            "queueTimeDescending",
            "queueTimeAscending",
            "startTimeDescending",
            "startTimeAscending",
        ],
    )?
    .unwrap_or_else(|| "queuetimedescending".into());
    let top = q
        .int("$top")?
        .map(|t| {
            usize::try_from(t).map_err(|_| {
                ApiError::bad_request(
                    format!("The value {t} for parameter '$top' must be zero or greater."),
                    "ArgumentOutOfRangeException",
                )
            })
        })
        .transpose()?;
    let branch = q.get("branchName").map(str::to_ascii_lowercase);
    let repository_id = q.get("repositoryId").map(str::to_ascii_lowercase);
    let repository_type = q.get("repositoryType").map(str::to_ascii_lowercase);
    // The only state and result a simulated build has.
    let status_ok = status
        .as_deref()
        .is_none_or(|s| matches!(s, "none" | "completed" | "all"));
    let result_ok = result
        .as_deref()
        .is_none_or(|r| matches!(r, "none" | "succeeded"));
    // Every simulated build ran on an Azure Repos (TfsGit) repository.
    let type_ok = repository_type.as_deref().is_none_or(|t| t == "tfsgit");

    let world = sim.world();
    let p = links::project(&world, &project)?;
    let mut builds: Vec<&Build> = world
        .catalog
        .builds
        .iter()
        .filter(|b| b.project_id == p.id && status_ok && result_ok && type_ok)
        .filter(|b| {
            definitions
                .as_ref()
                .is_none_or(|d| d.contains(&b.definition_id))
        })
        .filter(|b| build_ids.as_ref().is_none_or(|ids| ids.contains(&b.id)))
        .filter(|b| {
            branch
                .as_deref()
                .is_none_or(|br| b.source_branch.eq_ignore_ascii_case(br))
        })
        .filter(|b| {
            repository_id
                .as_deref()
                .is_none_or(|r| b.repository_id.to_string() == r)
        })
        .collect();
    // Start time is queue time + 4 s for every simulated build, so it orders like queue time.
    match order.as_str() {
        "finishtimeascending" => builds.sort_by_key(|b| (b.finish_time, b.id)),
        "finishtimedescending" => builds.sort_by_key(|b| std::cmp::Reverse((b.finish_time, b.id))),
        "queuetimeascending" | "starttimeascending" => builds.sort_by_key(|b| (b.queue_time, b.id)),
        _ => builds.sort_by_key(|b| std::cmp::Reverse((b.queue_time, b.id))),
    }
    let (page, next) = crate::api::continuation_page(builds, top, q.get("continuationToken"))?;
    let org = links::org_of(&sim.info.org_url);
    let items: Vec<Value> = page
        .into_iter()
        .map(|b| build_json(b, &sim.info.base_url, &org))
        .collect();
    Ok(crate::api::with_continuation(crate::api::list(items), next))
}

async fn get_build(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, build_id)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.build")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let id: i32 = build_id.parse().unwrap_or(-1);
    let b = world
        .catalog
        .builds
        .iter()
        .find(|b| b.id == id && b.project_id == p.id)
        .ok_or_else(|| {
            ApiError::not_found(
                format!("The requested build {build_id} could not be found."),
                "BuildNotFoundException",
            )
        })?;
    Ok(Json(build_json(
        b,
        &sim.info.base_url,
        &links::org_of(&sim.info.org_url),
    )))
}
