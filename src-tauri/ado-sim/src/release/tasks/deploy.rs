//! The `Synapse workspace deployment` task against the simulated workspaces.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::parameters::{self, parse_overrides, DEFINITION_FILE};
use super::synapse_files::{
    label, parse_json, read_file, read_source, read_template, split_artifact_path, validate,
    SynArtifact,
};
use super::{check_connection, input, template_params, truthy, AgentArtifact, Outcome, WORK_DIR};
use crate::state::World;
use crate::synapse::defaults::{is_default, rename_references};
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
    let overrides_raw = input(inputs, &["OverrideArmParameters"]);
    let overrides = parse_overrides(overrides_raw);
    if !overrides.is_empty() {
        // Names only: the values are production connection strings and keys.
        out.line(format!(
            "Overriding template parameters: {}",
            overrides.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
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
            let definition_path = if sub.is_empty() {
                DEFINITION_FILE.to_owned()
            } else {
                format!("{sub}/{DEFINITION_FILE}")
            };
            let definition = match read_file(&a, &definition_path).map(|b| parse_json(&b)) {
                Ok(Ok(d)) => {
                    out.line(format!(
                        "Using the custom parameter template {DEFINITION_FILE}."
                    ));
                    d
                }
                Ok(Err(e)) => {
                    out.error(format!(
                        "{DEFINITION_FILE} of artifact '{}' is not valid JSON: {e}.",
                        a.alias
                    ));
                    return out;
                }
                Err(_) => {
                    out.line("Using the default parameter template.");
                    parameters::default_definition()
                }
            };
            with_overrides(arts, &definition, &overrides, &mut out)
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
            let params_file = input(inputs, &["ParametersFile"]);
            let params_file = if params_file.trim().is_empty() {
                None
            } else {
                find_artifact(params_file, &mut out)
                    .and_then(|(pa, pp)| read_file(&pa, &pp).ok())
                    .and_then(|b| parse_json(&b).ok())
            };
            let values =
                template_params::values(&template, params_file.as_ref(), &overrides, &target);
            let mut template = template;
            if let Some(resources) = template.get_mut("resources") {
                template_params::substitute(resources, &values);
            }
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
    let arts = for_target(arts, &ws.name, &mut out);
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
            // The workspace's own default artifacts stand for the template's (renamed) ones.
            .filter(|a| !is_default(&a.kind, &a.name, &a.properties))
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

/// The artifacts with what the deployment gives their parameterised values (override, else the
/// development default, else empty).
fn with_overrides(
    arts: Vec<SynArtifact>,
    definition: &Value,
    overrides: &BTreeMap<String, String>,
    out: &mut Outcome,
) -> Vec<SynArtifact> {
    let mut used = BTreeSet::new();
    let arts = arts
        .into_iter()
        .map(|mut a| {
            let params = parameters::parameters_of(&a.kind, &a.name, &a.properties, definition);
            used.extend(parameters::apply(&mut a.properties, &params, overrides));
            a
        })
        .collect();
    for name in overrides
        .keys()
        .filter(|n| !used.contains(*n) && *n != "workspaceName")
    {
        out.line(format!(
            "Override '{name}' matches no parameter of the generated template; it is ignored."
        ));
    }
    arts
}

/// What the task deploys to `target`: the workspace's own default artifacts are skipped and every
/// reference to the source workspace's defaults points at the target's.
pub fn for_target(arts: Vec<SynArtifact>, target: &str, out: &mut Outcome) -> Vec<SynArtifact> {
    arts.into_iter()
        .filter_map(|mut a| {
            if is_default(&a.kind, &a.name, &a.properties) {
                out.line(format!(
                    "Skipping {} '{}': it is a default artifact of the workspace.",
                    label(&a.kind),
                    a.name
                ));
                return None;
            }
            rename_references(&mut a.properties, target);
            Some(a)
        })
        .collect()
}
