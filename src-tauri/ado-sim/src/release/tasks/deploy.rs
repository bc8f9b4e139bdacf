//! The `Synapse workspace deployment` task against the simulated workspaces.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::synapse_files::{
    label, parse_json, read_file, read_source, read_template, split_artifact_path, validate,
};
use super::{check_connection, input, truthy, AgentArtifact, Outcome, WORK_DIR};
use crate::state::World;
use crate::synapse::STARTED;

/// Runs the `Synapse workspace deployment` task.
pub fn synapse_deploy(world: &mut World, inputs: &Value, artifacts: &[AgentArtifact]) -> Outcome {
    let mut out = Outcome {
        ok: true,
        ..Outcome::default()
    };
    let operation = input(inputs, &["operation"]);
    let operation = if operation.is_empty() {
        "deploy"
    } else {
        operation
    };
    // The task switches on the exact value: `deploy`, `validateDeploy`, `validate`, and a
    // `case 'default':` that only the literal string "default" reaches. Any other value (a typo,
    // another casing) matches nothing: the task writes nothing, deploys nothing and succeeds.
    match operation {
        "deploy" | "validateDeploy" | "validate" => {}
        "default" => {
            out.line(
                "An error occurred during execution: Error: Operation not supported : default",
            );
            out.error("Encountered with exception:Error: Operation not supported : default");
            return out;
        }
        _ => return out,
    }
    let conn_input = input(
        inputs,
        &["AzureResourceManagerConnection", "azureSubscription"],
    );
    let rg = input(inputs, &["ResourceGroupName"]).to_owned();
    let target = input(inputs, &["TargetWorkspaceName"]).to_owned();
    let delete_missing = truthy(input(inputs, &["DeleteArtifactsNotInTemplate"]), false);
    out.line(format!("Operation type: {operation}"));
    out.line(format!("Target workspace: {target}, resource group: {rg}"));
    let Some(conn) = check_connection(world, conn_input, &mut out) else {
        return out;
    };
    if let Some(ep) = world.catalog.endpoint(conn_input) {
        if ep["authorization"]["scheme"] == "WorkloadIdentityFederation" {
            out.error(format!(
                "Service connection '{conn}' uses workload identity federation, which this task does not support. Use a service connection with a service principal secret or certificate, or a managed identity."
            ));
            return out;
        }
    }
    out.line(format!(
        "Using service connection '{conn}' (Azure Resource Manager, service principal)."
    ));
    let Some(ws) = world.synapse.workspace(&target).cloned() else {
        out.error(format!("Workspace '{target}' was not found in the subscription of service connection '{conn}'. Check TargetWorkspaceName."));
        return out;
    };
    if !rg.is_empty() && !ws.resource_group.eq_ignore_ascii_case(&rg) {
        out.error(format!("Workspace '{target}' was not found in resource group '{rg}' (it is in '{}'). Check ResourceGroupName.", ws.resource_group));
        return out;
    }
    let find_artifact = |raw: &str, out: &mut Outcome| -> Option<(AgentArtifact, String)> {
        let (alias, sub) = split_artifact_path(raw);
        match artifacts
            .iter()
            .find(|a| a.alias.eq_ignore_ascii_case(&alias))
        {
            Some(a) => Some((a.clone(), sub)),
            None => {
                out.error(format!(
                    "The path '{raw}' is not inside a downloaded artifact: no artifact with alias '{alias}' is linked to this release."
                ));
                None
            }
        }
    };
    let arts = match operation {
        "validate" | "validateDeploy" => {
            let raw = input(inputs, &["ArtifactsFolder"]);
            if raw.trim().is_empty() {
                out.error("Input required: ArtifactsFolder. Point it at the Synapse root folder of the artifact.");
                return out;
            }
            let Some((a, sub)) = find_artifact(raw, &mut out) else {
                return out;
            };
            out.line(format!(
                "Artifacts folder: {WORK_DIR}/{}{}{sub}",
                a.alias,
                if sub.is_empty() { "" } else { "/" }
            ));
            out.line(format!(
                "Artifact '{}' at commit {} ({})",
                a.alias, a.commit, a.branch
            ));
            out.line("Validating the Synapse artifacts of the folder...");
            let Some(arts) = read_source(&a, &sub, &mut out) else {
                return out;
            };
            if arts.is_empty() {
                out.error(format!(
                    "No Synapse artifacts were found in '{raw}' (artifact '{}'): expected folders such as pipeline/, dataset/, linkedService/. Check ArtifactsFolder and the Synapse root folder.",
                    a.alias
                ));
                return out;
            }
            let errors = validate(&arts, &format!("artifact '{}'", a.alias));
            if !errors.is_empty() {
                for e in errors {
                    out.error(format!("{e} (artifact '{}')", a.alias));
                }
                out.error(format!(
                    "Validation of artifact '{}' failed; nothing was deployed.",
                    a.alias
                ));
                return out;
            }
            out.line(format!(
                "Validation succeeded: {} artifacts, all references resolve.",
                arts.len()
            ));
            if operation == "validate" {
                return out;
            }
            out.line("Exporting ARM template to ExportedArtifacts/TemplateForWorkspace.json ...");
            arts
        }
        _ => {
            let raw = input(inputs, &["TemplateFile"]);
            if raw.trim().is_empty() {
                out.error("Input required: TemplateFile. Point it at TemplateForWorkspace.json of the publish artifact.");
                return out;
            }
            let Some((a, path)) = find_artifact(raw, &mut out) else {
                return out;
            };
            out.line(format!("Template file: {WORK_DIR}/{}/{path}", a.alias));
            let bytes = match read_file(&a, &path) {
                Ok(b) => b,
                Err(e) => {
                    out.error(format!("Could not read the template: {e}."));
                    return out;
                }
            };
            let template = match parse_json(&bytes) {
                Ok(t) => t,
                Err(e) => {
                    out.error(format!(
                        "Template '{path}' of artifact '{}' is not valid JSON: {e}.",
                        a.alias
                    ));
                    return out;
                }
            };
            let Some(arts) = read_template(&template, &path, &mut out) else {
                return out;
            };
            let errors = validate(&arts, &format!("template '{path}'"));
            if !errors.is_empty() {
                for e in errors {
                    out.error(format!("{e} (artifact '{}')", a.alias));
                }
                return out;
            }
            arts
        }
    };
    let overrides = input(inputs, &["OverrideArmParameters"]);
    if !overrides.trim().is_empty() {
        out.line(format!(
            "Overriding template parameters: {}",
            overrides.lines().collect::<Vec<_>>().join(" ")
        ));
    }
    // A trigger the template touches must be stopped first (like the real service).
    for t in arts.iter().filter(|a| a.kind == "trigger") {
        if ws.trigger_state(&t.name) == Some(STARTED) {
            out.line(format!("Deploying trigger '{}' ...", t.name));
            out.error(format!(
                "Failed to deploy trigger '{}' to workspace '{}': {{\"code\":\"TriggerEnabledCannotUpdate\",\"message\":\"Cannot update enabled Trigger; the trigger needs to be disabled first.\"}}. Stop the triggers before deploying (toggle-triggers-dev with ToggleOn: false).",
                t.name, ws.name
            ));
            return out;
        }
    }
    let Some(ws) = world.synapse.workspace_mut(&target) else {
        return out;
    };
    // Deploy in dependency order, the way the task sorts them.
    let order = [
        "credential",
        "integrationRuntime",
        "linkedService",
        "dataset",
        "dataflow",
        "notebook",
        "sqlscript",
        "kqlscript",
        "sparkJobDefinition",
        "pipeline",
        "trigger",
    ];
    let mut sorted = arts;
    sorted.sort_by_key(|a| {
        order
            .iter()
            .position(|k| *k == a.kind)
            .unwrap_or(order.len())
    });
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &sorted {
        out.line(format!("Deploying {} '{}' ...", label(&a.kind), a.name));
        ws.upsert(&a.kind, &a.name, a.properties.clone());
        *counts.entry(a.kind.as_str()).or_default() += 1;
    }
    if delete_missing {
        let keep: BTreeSet<(String, String)> = sorted
            .iter()
            .map(|a| (a.kind.clone(), a.name.to_ascii_lowercase()))
            .collect();
        let stale: Vec<(String, String)> = ws
            .artifacts
            .values()
            .filter(|a| !keep.contains(&(a.kind.clone(), a.name.to_ascii_lowercase())))
            .map(|a| (a.kind.clone(), a.name.clone()))
            .collect();
        for (k, n) in stale {
            out.line(format!(
                "Deleting {} '{n}' (not in the template) ...",
                label(&k)
            ));
            ws.remove(&k, &n);
        }
    }
    let summary: Vec<String> = counts
        .iter()
        .map(|(k, n)| format!("{n} {}", label(k)))
        .collect();
    out.line(format!(
        "Deployed {} artifacts to workspace '{}': {}.",
        sorted.len(),
        ws.name,
        summary.join(", ")
    ));
    out.line("Deployment of the Synapse artifacts succeeded.");
    out
}
