//! The readable preview of the hotfix definition the user confirms before anything is saved: the
//! tasks in order with their key inputs and what each does, what is risky, what an update changes,
//! and the JSON exactly as it will be sent.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::build::{START_VARIABLE, STOP_VARIABLE};
use super::changes::FieldChange;
use super::spec::DefinitionSpec;
use crate::pipeline::catalog::SynapseTasks;

/// What saving will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum PreviewAction {
    /// No definition for this branch exists yet: one is created.
    Create,
    /// One exists and differs in fields the app owns: it is updated (other fields kept).
    Update,
    /// One exists and already is what the app would make: nothing is sent.
    Reuse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RiskLevel {
    Info,
    Warning,
    Danger,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Risk {
    pub level: RiskLevel,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct InputSummary {
    /// The catalogue's canonical input name.
    pub name: String,
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TaskSummary {
    /// 1-based position in the agent job.
    pub order: u32,
    /// The name shown in the pipeline editor.
    pub display_name: String,
    /// `Azure Synapse Toggle Triggers 2.5.0`.
    pub task: String,
    /// What it does, in plain words.
    pub purpose: String,
    pub inputs: Vec<InputSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VariableSummary {
    pub name: String,
    pub value: String,
    /// Settable when a release is created (`allowOverride`).
    pub settable_at_release: bool,
    pub purpose: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DefinitionPreview {
    pub action: PreviewAction,
    /// The existing definition (update / reuse).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_id: Option<i32>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i32>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    pub name: String,
    pub folder: String,
    pub stage_name: String,
    pub repository: String,
    pub branch: String,
    pub artifact_alias: String,
    pub agent_queue: String,
    pub service_connection: String,
    /// Who approves the deployment; empty = automated approval.
    pub approvers: Vec<String>,
    pub tasks: Vec<TaskSummary>,
    pub variables: Vec<VariableSummary>,
    pub risks: Vec<Risk>,
    /// For an update: what changes in the existing definition.
    pub changes: Vec<FieldChange>,
    /// The definition as it will be sent, pretty-printed.
    pub json: String,
}

fn input_rows(
    task: &Value,
    catalog: &crate::pipeline::catalog::CatalogTask,
    keys: &[&str],
) -> Vec<InputSummary> {
    let inputs = &task["inputs"];
    let mut rows = Vec::new();
    for key in keys {
        let Some(input) = catalog.input(key) else {
            continue;
        };
        let Some(value) = inputs[&input.name].as_str() else {
            continue;
        };
        rows.push(InputSummary {
            name: input.name.clone(),
            label: if input.label.is_empty() {
                input.name.clone()
            } else {
                input.label.clone()
            },
            value: value.to_owned(),
        });
    }
    rows
}

fn risks(spec: &DefinitionSpec) -> Vec<Risk> {
    let mut out = Vec::new();
    if spec.delete_artifacts_not_in_template {
        out.push(Risk {
            level: RiskLevel::Danger,
            message:
                "Delete artifacts not in the template is ON: every pipeline, notebook, dataset, \
                      linked service, managed private endpoint and lake-database item in the \
                      production workspace that is not on the hotfix branch will be deleted, and \
                      large workspaces can time out. Turn it off in Profile → Hotfix pipeline \
                      unless you want production to match the branch exactly."
                    .into(),
        });
    }
    if spec.deploy_managed_private_endpoints {
        out.push(Risk {
            level: RiskLevel::Warning,
            message: "Deploy managed private endpoints is ON: the branch's managed private \
                      endpoints are created or changed in production and may need approval by the \
                      owners of the target resources."
                .into(),
        });
    }
    if spec.override_arm_parameters.is_empty() {
        out.push(Risk {
            level: RiskLevel::Warning,
            message: "No template parameter overrides: with validateDeploy the production values \
                      of linked services, URLs and keys come only from Override template \
                      parameters, so the development values would reach production. Add them in \
                      Profile → Hotfix pipeline (-name value pairs)."
                .into(),
        });
    } else if spec.override_arm_parameters.contains("\" -")
        || spec.override_arm_parameters.contains("' -")
    {
        out.push(Risk {
            level: RiskLevel::Warning,
            message: "An override value seems to contain \" -\", which the task's -name value \
                      parser splits as a new parameter. Check the overrides, or write them as YAML \
                      lines (name: value)."
                .into(),
        });
    }
    if spec.approvers.is_empty() {
        out.push(Risk {
            level: RiskLevel::Info,
            message: "Approval is automated: the deployment runs as soon as it is started, with no \
                      one else approving. Add approvers in Profile → Hotfix pipeline to require one."
                .into(),
        });
    }
    out.push(Risk {
        level: RiskLevel::Info,
        message: "If the deployment fails, the start task does not run and the stopped triggers \
                  stay stopped, so a half-deployed workspace is not triggered. Start them by hand \
                  once it is fixed."
            .into(),
    });
    out
}

/// The preview of `body` (the definition to send).
#[allow(clippy::too_many_arguments)]
pub fn preview(
    spec: &DefinitionSpec,
    tasks: &SynapseTasks,
    body: &Value,
    action: PreviewAction,
    existing: Option<(i32, i32, Option<String>)>,
    changes: Vec<FieldChange>,
) -> DefinitionPreview {
    let env = body["environments"]
        .as_array()
        .and_then(|e| {
            e.iter().find(|e| {
                e["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&spec.stage_name))
            })
        })
        .cloned()
        .unwrap_or(Value::Null);
    let workflow = env["deployPhases"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["deploymentInput"].is_object()))
        .map(|p| p["workflowTasks"].as_array().cloned().unwrap_or_default())
        .unwrap_or_default();
    let mut summaries = Vec::new();
    for (i, t) in workflow.iter().enumerate() {
        let id = t["taskId"].as_str().unwrap_or("");
        let order = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let display_name = t["name"].as_str().unwrap_or("").to_owned();
        let (catalog, purpose, keys): (_, String, &[&str]) = if id
            .eq_ignore_ascii_case(&tasks.deploy.id)
        {
            (
                &tasks.deploy,
                format!(
                    "Validates the Synapse artifacts of the branch (folder {}) and deploys them to \
                     workspace {} (operation validateDeploy).",
                    spec.artifacts_folder(),
                    spec.workspace
                ),
                &[
                    "operation",
                    "ArtifactsFolder",
                    "TargetWorkspaceName",
                    "ResourceGroupName",
                    "DeleteArtifactsNotInTemplate",
                    "DeployManagedPrivateEndpoints",
                    "OverrideArmParameters",
                    "Environment",
                ],
            )
        } else if id.eq_ignore_ascii_case(&tasks.toggle.id) {
            let on = t["inputs"]["ToggleOn"].as_str() == Some("true");
            let purpose = if on {
                format!(
                    "Starts the triggers listed in ${START_VARIABLE} again after the deployment."
                )
            } else {
                format!("Stops the triggers listed in ${STOP_VARIABLE} (* = all) before deploying; Synapse refuses to update a running trigger.")
            };
            (
                &tasks.toggle,
                purpose,
                &["ToggleOn", "Triggers", "WorkspaceName", "ResourceGroupName"],
            )
        } else {
            summaries.push(TaskSummary {
                order,
                display_name,
                task: id.to_owned(),
                purpose: "A task added outside the app; it is kept as it is.".into(),
                inputs: Vec::new(),
            });
            continue;
        };
        let friendly = if catalog.friendly_name.is_empty() {
            &catalog.name
        } else {
            &catalog.friendly_name
        };
        summaries.push(TaskSummary {
            order,
            display_name,
            task: format!("{friendly} {}", catalog.version),
            purpose,
            inputs: input_rows(t, catalog, keys),
        });
    }
    let variables = [(STOP_VARIABLE, "Triggers the first task stops, comma-separated without spaces (* = all)."),
                     (START_VARIABLE, "Triggers the last task starts again; each release passes those that were running before.")]
        .iter()
        .map(|(name, purpose)| VariableSummary {
            name: (*name).to_owned(),
            value: body["variables"][*name]["value"].as_str().unwrap_or("").to_owned(),
            settable_at_release: body["variables"][*name]["allowOverride"].as_bool().unwrap_or(false),
            purpose: (*purpose).to_owned(),
        })
        .collect();
    let (definition_id, revision, web_url) = match existing {
        Some((id, rev, url)) => (Some(id), Some(rev), url),
        None => (None, None, None),
    };
    DefinitionPreview {
        action,
        definition_id,
        revision,
        web_url,
        name: body["name"].as_str().unwrap_or(&spec.name).to_owned(),
        folder: body["path"].as_str().unwrap_or(&spec.folder).to_owned(),
        stage_name: spec.stage_name.clone(),
        repository: spec.repository.name.clone(),
        branch: spec.branch.clone(),
        artifact_alias: spec.artifact_alias.clone(),
        agent_queue: spec.agent_queue.name.clone(),
        service_connection: spec.service_connection.name.clone(),
        approvers: spec.approvers.iter().map(|a| a.name.clone()).collect(),
        tasks: summaries,
        variables,
        risks: risks(spec),
        changes,
        json: serde_json::to_string_pretty(body).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::definition::build::build_definition;
    use crate::pipeline::definition::build::tests::{spec, tasks};

    #[test]
    fn the_preview_lists_the_tasks_in_order_with_their_key_inputs() {
        let (s, t) = (spec(), tasks());
        let body = build_definition(&s, &t).unwrap();
        let p = preview(&s, &t, &body, PreviewAction::Create, None, vec![]);
        assert_eq!(p.tasks.len(), 3);
        assert_eq!(p.tasks[0].display_name, "Stop Synapse triggers");
        assert!(p.tasks[0].purpose.starts_with("Stops"));
        assert!(p.tasks[0]
            .inputs
            .iter()
            .any(|i| i.name == "ToggleOn" && i.value == "false"));
        assert!(p.tasks[1]
            .task
            .starts_with("Synapse workspace deployment 2.5.0"));
        assert!(p.tasks[1]
            .inputs
            .iter()
            .any(|i| i.name == "operation" && i.value == "validateDeploy"));
        assert!(p.tasks[2].purpose.starts_with("Starts"));
        assert!(p.variables.iter().all(|v| v.settable_at_release));
        assert!(p.json.contains("\"validateDeploy\""));
        assert_eq!(serde_json::from_str::<Value>(&p.json).unwrap(), body);
        assert!(p.risks.iter().all(|r| r.level != RiskLevel::Danger));
    }

    #[test]
    fn risky_settings_are_said_plainly() {
        let mut s = spec();
        s.delete_artifacts_not_in_template = true;
        s.deploy_managed_private_endpoints = true;
        s.override_arm_parameters.clear();
        let t = tasks();
        let body = build_definition(&s, &t).unwrap();
        let p = preview(&s, &t, &body, PreviewAction::Create, None, vec![]);
        let danger: Vec<&Risk> = p
            .risks
            .iter()
            .filter(|r| r.level == RiskLevel::Danger)
            .collect();
        assert_eq!(danger.len(), 1);
        assert!(danger[0].message.contains("will be deleted"));
        assert!(p
            .risks
            .iter()
            .any(|r| r.message.contains("managed private endpoints")));
        assert!(p
            .risks
            .iter()
            .any(|r| r.message.contains("No template parameter overrides")));
        assert!(p.tasks[1]
            .inputs
            .iter()
            .any(|i| i.name == "DeleteArtifactsNotInTemplate" && i.value == "true"));
    }
}
