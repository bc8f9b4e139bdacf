//! The hotfix release definition as JSON, built from a [`DefinitionSpec`] and the organization's
//! [`SynapseTasks`] (`API.md` Step 4): a Git artifact on the hotfix branch, one manual-only stage
//! with approvals and a retention policy (the service refuses a stage without them: VS402877,
//! VS402982), and an agent job that stops the triggers, deploys with `validateDeploy` and starts
//! the triggers again. Task ids, versions and input names come from the catalogue.

use serde_json::{json, Map, Value};

use super::inputs::{catalog_input, resolve_inputs};
use super::spec::DefinitionSpec;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::pipeline::catalog::{CatalogTask, SynapseTasks};

/// Release-time variable with the comma list of triggers the first toggle task stops.
pub const STOP_VARIABLE: &str = "TriggersToStop";
/// Release-time variable with the comma list of triggers the last toggle task starts again.
pub const START_VARIABLE: &str = "TriggersToStart";
/// Display names of the three tasks (also how an update recognises them).
pub const STOP_TASK: &str = "Stop Synapse triggers";
pub const START_TASK: &str = "Start Synapse triggers";
pub const DEPLOY_TASK_PREFIX: &str = "Synapse deployment";
/// The service-connection input kind of both tasks.
const ARM_CONNECTION_KIND: &str = "connectedService:AzureRM";
/// Marks definitions made by the app.
pub const TAG: &str = "synapse-hotfix";

fn connection_input(task: &CatalogTask) -> AppResult<String> {
    task.input_of_kind(ARM_CONNECTION_KIND)
        .or_else(|| task.input("azureSubscription"))
        .map(|i| i.name.clone())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                format!(
                    "The task '{}' {} in your organization has no Azure Resource Manager \
                     connection input. Update the Synapse Workspace Deployment extension, then try \
                     again.",
                    task.name, task.version
                ),
            )
        })
}

/// The inputs of a toggle task (`on` = start).
pub fn toggle_inputs(
    spec: &DefinitionSpec,
    task: &CatalogTask,
    on: bool,
) -> AppResult<Map<String, Value>> {
    let variable = if on { START_VARIABLE } else { STOP_VARIABLE };
    resolve_inputs(
        task,
        &[
            (connection_input(task)?, spec.service_connection.id.clone()),
            ("ResourceGroupName".into(), spec.resource_group.clone()),
            ("WorkspaceName".into(), spec.workspace.clone()),
            // Explicit: the task's default is `true`, so a "stop" task without it starts triggers.
            ("ToggleOn".into(), on.to_string()),
            ("Triggers".into(), format!("$({variable})")),
        ],
    )
}

/// The inputs of the deployment task.
pub fn deploy_inputs(spec: &DefinitionSpec, task: &CatalogTask) -> AppResult<Map<String, Value>> {
    resolve_inputs(
        task,
        &[
            ("operation".into(), "validateDeploy".into()),
            ("ArtifactsFolder".into(), spec.artifacts_folder()),
            (connection_input(task)?, spec.service_connection.id.clone()),
            ("ResourceGroupName".into(), spec.resource_group.clone()),
            ("TargetWorkspaceName".into(), spec.workspace.clone()),
            (
                "DeleteArtifactsNotInTemplate".into(),
                spec.delete_artifacts_not_in_template.to_string(),
            ),
            (
                "DeployManagedPrivateEndpoints".into(),
                spec.deploy_managed_private_endpoints.to_string(),
            ),
            (
                "OverrideArmParameters".into(),
                spec.override_arm_parameters.clone(),
            ),
        ],
    )
}

fn workflow_task(task: &CatalogTask, name: &str, inputs: Map<String, Value>) -> Value {
    json!({
        "environment": {}, "taskId": task.id, "version": task.version.major_wildcard(), "name": name,
        "refName": "", "enabled": true, "alwaysRun": false, "continueOnError": false,
        "timeoutInMinutes": 0, "retryCountOnTaskFailure": 0, "definitionType": "task",
        "overrideInputs": {}, "condition": "succeeded()", "inputs": Value::Object(inputs),
    })
}

/// The deployment task's display name.
pub fn deploy_task_name(spec: &DefinitionSpec) -> String {
    format!("{DEPLOY_TASK_PREFIX}: {}", spec.workspace)
}

/// The three workflow tasks in order: stop triggers, deploy, start triggers. Every input is
/// checked against the catalogue first (nothing is sent when one is refused).
pub fn workflow_tasks(spec: &DefinitionSpec, tasks: &SynapseTasks) -> AppResult<Vec<Value>> {
    // Touch the inputs every task must have, so a renamed input is reported by name.
    catalog_input(&tasks.toggle, "ToggleOn")?;
    Ok(vec![
        workflow_task(
            &tasks.toggle,
            STOP_TASK,
            toggle_inputs(spec, &tasks.toggle, false)?,
        ),
        workflow_task(
            &tasks.deploy,
            &deploy_task_name(spec),
            deploy_inputs(spec, &tasks.deploy)?,
        ),
        workflow_task(
            &tasks.toggle,
            START_TASK,
            toggle_inputs(spec, &tasks.toggle, true)?,
        ),
    ])
}

/// The Git artifact on the hotfix branch.
pub fn artifact(spec: &DefinitionSpec) -> Value {
    json!({
        "alias": spec.artifact_alias, "type": "Git", "isPrimary": true,
        "sourceId": spec.artifact_source_id(),
        "definitionReference": {
            "project": {"id": spec.project.id, "name": spec.project.name},
            "definition": {"id": spec.repository.id, "name": spec.repository.name},
            "branches": {"id": spec.branch, "name": spec.branch},
            "defaultVersionType": {"id": "latestFromBranchType", "name": "Latest from the default branch"},
            "defaultVersionSpecific": {"id": "", "name": ""},
            "checkoutSubmodules": {"id": "", "name": ""},
            "fetchDepth": {"id": "", "name": ""},
            "gitLfsSupport": {"id": "", "name": ""}
        }
    })
}

/// Pre-deployment approvals: the profile's approvers (any one of them approves), else automated.
pub fn pre_approvals(spec: &DefinitionSpec) -> Value {
    if spec.approvers.is_empty() {
        return automated_approvals();
    }
    let approvals: Vec<Value> = spec
        .approvers
        .iter()
        .map(|a| {
            json!({"rank": 1, "isAutomated": false, "isNotificationOn": true,
                   "approver": {"id": a.id, "displayName": a.name}})
        })
        .collect();
    json!({"approvals": approvals,
           "approvalOptions": {"requiredApproverCount": 1, "releaseCreatorCanBeApprover": false,
                               "autoTriggeredAndPreviousEnvironmentApprovedCanBeSkipped": false,
                               "enforceIdentityRevalidation": false, "timeoutInMinutes": 0,
                               "executionOrder": "beforeGates"}})
}

pub fn automated_approvals() -> Value {
    json!({"approvals": [{"rank": 1, "isAutomated": true, "isNotificationOn": false}]})
}

pub fn retention_policy() -> Value {
    json!({"daysToKeep": 30, "releasesToKeep": 3, "retainBuild": true})
}

/// `deploymentInput` of the agent job.
pub fn deployment_input(spec: &DefinitionSpec) -> Value {
    json!({
        "queueId": spec.agent_queue.id, "skipArtifactsDownload": false, "artifactsDownloadInput": {},
        "demands": [], "enableAccessToken": false, "timeoutInMinutes": 0, "jobCancelTimeoutInMinutes": 1,
        "condition": "succeeded()", "parallelExecution": {"parallelExecutionType": "none"}, "overrideInputs": {}
    })
}

/// The definition variables the toggle tasks read, settable when a release is created.
pub fn trigger_variables() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        STOP_VARIABLE.into(),
        json!({"value": "*", "allowOverride": true}),
    );
    // No default for the start list: starting `*` would also start triggers that were stopped on
    // purpose. Each release passes the triggers that were running before (part 2b).
    m.insert(
        START_VARIABLE.into(),
        json!({"value": "", "allowOverride": true}),
    );
    m
}

/// The whole definition to create.
pub fn build_definition(spec: &DefinitionSpec, tasks: &SynapseTasks) -> AppResult<Value> {
    let workflow = workflow_tasks(spec, tasks)?;
    Ok(json!({
        "name": spec.name,
        "path": spec.folder,
        "description": format!(
            "Hotfix pipeline for branch {} of {}, made by Synapse Hotfix. Deploys the branch to {} with validateDeploy.",
            spec.branch, spec.repository.name, spec.workspace
        ),
        "releaseNameFormat": "Hotfix-$(rev:r)",
        "variables": Value::Object(trigger_variables()),
        "variableGroups": [], "triggers": [], "tags": [TAG], "properties": {},
        "artifacts": [artifact(spec)],
        "environments": [{
            "name": spec.stage_name, "rank": 1,
            // No condition: the stage never starts by itself (manual only).
            "conditions": [],
            "variables": {}, "variableGroups": [], "demands": [], "schedules": [], "environmentTriggers": [],
            "preDeployApprovals": pre_approvals(spec),
            "postDeployApprovals": automated_approvals(),
            "retentionPolicy": retention_policy(),
            "executionPolicy": {"concurrencyCount": 1, "queueDepthCount": 0},
            "deployPhases": [{
                "name": "Agent job", "rank": 1, "phaseType": "agentBasedDeployment",
                "deploymentInput": deployment_input(spec),
                "workflowTasks": workflow,
            }]
        }]
    }))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::pipeline::definition::inputs::tests::{deploy_task, toggle_task};
    use crate::profiles::{NamedRef, NumberedRef};

    pub(crate) fn spec() -> DefinitionSpec {
        DefinitionSpec {
            name: "Synapse-Hotfix-Release3_Hotfixes".into(),
            folder: "\\Hotfixes".into(),
            project: NamedRef {
                id: "pid".into(),
                name: "DataPlatform".into(),
            },
            repository: NamedRef {
                id: "rid".into(),
                name: "synapse".into(),
            },
            branch: "Release3_Hotfixes".into(),
            artifact_alias: "_hotfix".into(),
            root_folder: "synapse".into(),
            workspace: "contoso-prod".into(),
            resource_group: "rg-prod".into(),
            service_connection: NamedRef {
                id: "eid".into(),
                name: "prod-arm".into(),
            },
            agent_queue: NumberedRef {
                id: 9,
                name: "Azure Pipelines".into(),
            },
            stage_name: "Production_Hotfix".into(),
            override_arm_parameters: "-ls_url https://prod".into(),
            delete_artifacts_not_in_template: false,
            deploy_managed_private_endpoints: false,
            approvers: vec![],
        }
    }

    pub(crate) fn tasks() -> SynapseTasks {
        SynapseTasks {
            deploy: deploy_task(),
            toggle: toggle_task(),
        }
    }

    #[test]
    fn the_definition_has_everything_the_service_requires() {
        let d = build_definition(&spec(), &tasks()).unwrap();
        let a = &d["artifacts"][0];
        assert_eq!(a["type"], "Git");
        assert_eq!(a["sourceId"], "pid:rid");
        assert_eq!(
            a["definitionReference"]["branches"]["id"],
            "Release3_Hotfixes"
        );
        assert_eq!(a["definitionReference"]["definition"]["id"], "rid");
        let env = &d["environments"][0];
        assert_eq!(env["name"], "Production_Hotfix");
        assert_eq!(env["conditions"], json!([]), "manual start only");
        assert_eq!(
            env["preDeployApprovals"]["approvals"][0]["isAutomated"],
            true
        );
        assert_eq!(
            env["postDeployApprovals"]["approvals"][0]["isAutomated"],
            true
        );
        assert!(env["retentionPolicy"]["daysToKeep"].is_number());
        assert_eq!(env["deployPhases"][0]["deploymentInput"]["queueId"], 9);
        assert_eq!(d["variables"][STOP_VARIABLE]["allowOverride"], true);
        assert_eq!(d["variables"][START_VARIABLE]["allowOverride"], true);
    }

    #[test]
    fn tasks_come_from_the_catalogue_in_order_with_explicit_toggle_on() {
        let t = tasks();
        let d = build_definition(&spec(), &t).unwrap();
        let w = d["environments"][0]["deployPhases"][0]["workflowTasks"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(w.len(), 3);
        assert_eq!(w[0]["taskId"], t.toggle.id.as_str());
        assert_eq!(w[1]["taskId"], t.deploy.id.as_str());
        assert_eq!(w[2]["taskId"], t.toggle.id.as_str());
        assert!(w.iter().all(|x| x["version"] == "2.*"));
        assert_eq!(w[0]["inputs"]["ToggleOn"], "false");
        assert_eq!(w[2]["inputs"]["ToggleOn"], "true");
        assert_eq!(w[0]["inputs"]["Triggers"], "$(TriggersToStop)");
        assert_eq!(w[2]["inputs"]["Triggers"], "$(TriggersToStart)");
        assert_eq!(w[0]["inputs"]["ServiceConnectionName"], "eid");
        assert_eq!(w[0]["inputs"]["WorkspaceName"], "contoso-prod");
        let i = &w[1]["inputs"];
        assert_eq!(i["operation"], "validateDeploy");
        assert_eq!(
            i["ArtifactsFolder"],
            "$(System.DefaultWorkingDirectory)/_hotfix/synapse"
        );
        assert_eq!(i["AzureResourceManagerConnection"], "eid");
        assert_eq!(i["TargetWorkspaceName"], "contoso-prod");
        assert_eq!(i["ResourceGroupName"], "rg-prod");
        assert_eq!(i["DeleteArtifactsNotInTemplate"], "false");
        assert_eq!(i["DeployManagedPrivateEndpoints"], "false");
        assert_eq!(i["OverrideArmParameters"], "-ls_url https://prod");
        assert_eq!(i["Environment"], "prod");
        assert!(i.get("azureSubscription").is_none());
    }

    #[test]
    fn other_catalogue_names_and_versions_are_followed() {
        let mut t = tasks();
        t.deploy.version.major = 3;
        t.deploy.inputs[3].name = "ConnectedServiceARM".into();
        let d = build_definition(&spec(), &t).unwrap();
        let w = &d["environments"][0]["deployPhases"][0]["workflowTasks"][1];
        assert_eq!(w["version"], "3.*");
        assert_eq!(w["inputs"]["ConnectedServiceARM"], "eid");
        // An operation the catalogue does not offer refuses the whole build.
        t.deploy.inputs[0].allowed_values = vec!["deploy".into()];
        let err = build_definition(&spec(), &t).unwrap_err();
        assert!(err.message.contains("'validateDeploy'"), "{}", err.message);
    }

    #[test]
    fn profile_approvers_replace_the_automated_pre_approval() {
        let mut s = spec();
        s.approvers = vec![NamedRef {
            id: "u1".into(),
            name: "Maya Lopez".into(),
        }];
        let d = build_definition(&s, &tasks()).unwrap();
        let pre = &d["environments"][0]["preDeployApprovals"];
        assert_eq!(pre["approvals"][0]["isAutomated"], false);
        assert_eq!(pre["approvals"][0]["approver"]["id"], "u1");
        assert_eq!(
            d["environments"][0]["postDeployApprovals"]["approvals"][0]["isAutomated"],
            true
        );
    }
}
