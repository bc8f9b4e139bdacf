//! What the simulated agent does for each task of a release: the Synapse Workspace Deployment
//! extension's two tasks against the simulated workspaces, a few built-in tasks, and the job's own
//! steps (initialize, download artifacts, finalize). Every executor returns its log lines and
//! whether it succeeded; the engine streams the lines into the task log.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

use crate::catalog::TaskKind;
use crate::state::World;
use crate::synapse::{STARTED, STOPPED};

/// Result of one task.
#[derive(Debug, Default)]
pub struct Outcome {
    pub lines: Vec<String>,
    pub ok: bool,
    /// Error messages (also the task's `issues`).
    pub errors: Vec<String>,
}

impl Outcome {
    pub(crate) fn line(&mut self, s: impl Into<String>) {
        self.lines.push(s.into());
    }
    pub(crate) fn error(&mut self, s: impl Into<String>) {
        let s = s.into();
        self.lines.push(format!("##[error]{s}"));
        self.errors.push(s);
        self.ok = false;
    }
}

/// A release artifact as the agent sees it.
#[derive(Debug, Clone)]
pub struct AgentArtifact {
    pub alias: String,
    pub kind: String,
    pub repo_name: String,
    pub repo_path: Option<PathBuf>,
    pub commit: String,
    pub branch: String,
}

/// The agent's working directory for artifacts.
pub const WORK_DIR: &str = "/home/vsts/work/r1/a";

/// Git folder names of Synapse artifacts (source layout) and the ARM collection of each.
const KINDS: &[(&str, &str)] = &[
    ("pipeline", "pipelines"),
    ("dataset", "datasets"),
    ("linkedService", "linkedServices"),
    ("notebook", "notebooks"),
    ("trigger", "triggers"),
    ("dataflow", "dataflows"),
    ("sqlscript", "sqlscripts"),
    ("sparkJobDefinition", "sparkJobDefinitions"),
    ("integrationRuntime", "integrationRuntimes"),
    ("credential", "credentials"),
    ("kqlscript", "kqlscripts"),
];

fn kind_of_reference(t: &str) -> Option<&'static str> {
    Some(match t {
        "DatasetReference" => "dataset",
        "LinkedServiceReference" => "linkedService",
        "PipelineReference" => "pipeline",
        "NotebookReference" => "notebook",
        "DataFlowReference" => "dataflow",
        "SparkJobDefinitionReference" => "sparkJobDefinition",
        "IntegrationRuntimeReference" => "integrationRuntime",
        "CredentialReference" => "credential",
        _ => return None,
    })
}

fn label(kind: &str) -> &str {
    match kind {
        "linkedService" => "linked service",
        "dataflow" => "data flow",
        "sqlscript" => "SQL script",
        "sparkJobDefinition" => "Spark job definition",
        "integrationRuntime" => "integration runtime",
        "kqlscript" => "KQL script",
        other => other,
    }
}

/// One artifact read from the folder / template.
#[derive(Debug, Clone)]
pub struct SynArtifact {
    pub kind: String,
    pub name: String,
    pub file: String,
    pub properties: Value,
}

/// Expands `$(System.DefaultWorkingDirectory)` / `$(System.ArtifactsDirectory)` / `$(Agent.ReleaseDirectory)`
/// and returns (alias, path inside the artifact).
fn split_artifact_path(raw: &str) -> (String, String) {
    let mut p = raw.trim().replace('\\', "/");
    for var in [
        "$(System.DefaultWorkingDirectory)",
        "$(System.ArtifactsDirectory)",
        "$(Agent.ReleaseDirectory)",
        WORK_DIR,
    ] {
        if let Some(rest) = p.strip_prefix(var) {
            p = rest.to_owned();
        }
    }
    let p = p.trim_matches('/');
    match p.split_once('/') {
        Some((alias, rest)) => (alias.to_owned(), rest.trim_matches('/').to_owned()),
        None => (p.to_owned(), String::new()),
    }
}

/// Reads every file under `sub` of the artifact's commit: (path relative to `sub`, bytes).
fn read_tree(a: &AgentArtifact, sub: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let path = a
        .repo_path
        .as_ref()
        .ok_or_else(|| format!("artifact '{}' is not a Git artifact", a.alias))?;
    let repo = git2::Repository::open_bare(path)
        .map_err(|e| format!("cannot open repository '{}': {}", a.repo_name, e.message()))?;
    let oid = git2::Oid::from_str(&a.commit).map_err(|e| e.message().to_owned())?;
    let commit = repo.find_commit(oid).map_err(|_| {
        format!(
            "commit {} was not found in repository '{}'",
            a.commit, a.repo_name
        )
    })?;
    let root = commit.tree().map_err(|e| e.message().to_owned())?;
    let tree = if sub.is_empty() {
        root
    } else {
        let entry = root.get_path(std::path::Path::new(sub)).map_err(|_| {
            format!(
                "folder '{sub}' does not exist in artifact '{}' at commit {}",
                a.alias,
                &a.commit[..8.min(a.commit.len())]
            )
        })?;
        repo.find_tree(entry.id())
            .map_err(|_| format!("'{sub}' in artifact '{}' is a file, not a folder", a.alias))?
    };
    let mut out = Vec::new();
    let mut err = None;
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
            let name = format!("{dir}{}", entry.name().unwrap_or(""));
            match repo.find_blob(entry.id()) {
                Ok(b) => out.push((name, b.content().to_vec())),
                Err(e) => err = Some(e.message().to_owned()),
            }
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(|e| e.message().to_owned())?;
    if let Some(e) = err {
        return Err(e);
    }
    Ok(out)
}

/// Reads one file of an artifact.
fn read_file(a: &AgentArtifact, path: &str) -> Result<Vec<u8>, String> {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    read_tree(a, dir)?
        .into_iter()
        .find(|(p, _)| p == file)
        .map(|(_, b)| b)
        .ok_or_else(|| {
            format!(
                "file '{path}' does not exist in artifact '{}' at commit {}",
                a.alias,
                &a.commit[..8.min(a.commit.len())]
            )
        })
}

fn parse_json(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let text = String::from_utf8_lossy(bytes);
    serde_json::from_str(text.trim_start_matches('\u{feff}'))
}

/// Collects every `{referenceName, type: *Reference}` inside a value.
fn references(v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(o) => {
            if let (Some(Value::String(name)), Some(Value::String(t))) =
                (o.get("referenceName"), o.get("type"))
            {
                if let Some(kind) = kind_of_reference(t) {
                    out.push((kind.to_owned(), name.clone()));
                }
            }
            for x in o.values() {
                references(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| references(x, out)),
        _ => {}
    }
}

/// Validates references between artifacts; returns one error message per missing reference.
pub fn validate(artifacts: &[SynArtifact], origin: &str) -> Vec<String> {
    let present: BTreeSet<(String, String)> = artifacts
        .iter()
        .map(|a| (a.kind.clone(), a.name.to_ascii_lowercase()))
        .collect();
    let mut errors = Vec::new();
    for a in artifacts {
        let mut refs = Vec::new();
        references(&a.properties, &mut refs);
        refs.sort();
        refs.dedup();
        for (kind, name) in refs {
            if kind == "integrationRuntime" && name == "AutoResolveIntegrationRuntime" {
                continue;
            }
            if !present.contains(&(kind.clone(), name.to_ascii_lowercase())) {
                errors.push(format!(
                    "Validation failed for {} '{}' ({}): it references {} '{}', which does not exist in {origin}.",
                    label(&a.kind),
                    a.name,
                    a.file,
                    label(&kind),
                    name
                ));
            }
        }
    }
    errors
}

/// Reads the Synapse source layout (`pipeline/*.json`, `dataset/*.json`, …) under a folder.
pub fn read_source(a: &AgentArtifact, sub: &str, out: &mut Outcome) -> Option<Vec<SynArtifact>> {
    let files = match read_tree(a, sub) {
        Ok(f) => f,
        Err(e) => {
            out.error(format!("Could not read the artifacts folder: {e}."));
            return None;
        }
    };
    let mut arts = Vec::new();
    let mut parse_failed = false;
    for (path, bytes) in files {
        let Some((folder, file)) = path.split_once('/') else {
            continue;
        };
        let Some((kind, _)) = KINDS.iter().find(|(k, _)| k.eq_ignore_ascii_case(folder)) else {
            continue;
        };
        if !file.ends_with(".json") || file.contains('/') {
            continue;
        }
        match parse_json(&bytes) {
            Ok(v) => {
                let stem = file.trim_end_matches(".json");
                let name = v["name"].as_str().unwrap_or(stem).to_owned();
                if v.get("properties").is_none() {
                    out.error(format!(
                        "Artifact file '{path}' of artifact '{}' has no 'properties': it is not a Synapse {} definition.",
                        a.alias,
                        label(kind)
                    ));
                    parse_failed = true;
                    continue;
                }
                arts.push(SynArtifact {
                    kind: (*kind).to_owned(),
                    name,
                    file: path.clone(),
                    properties: v["properties"].clone(),
                });
            }
            Err(e) => {
                out.error(format!(
                    "Artifact file '{path}' of artifact '{}' is not valid JSON: {e}.",
                    a.alias
                ));
                parse_failed = true;
            }
        }
    }
    if parse_failed {
        return None;
    }
    Some(arts)
}

/// Reads the artifacts of an ARM template (`TemplateForWorkspace.json`).
fn read_template(template: &Value, file: &str, out: &mut Outcome) -> Option<Vec<SynArtifact>> {
    let Some(resources) = template["resources"].as_array() else {
        out.error(format!(
            "Template '{file}' has no 'resources' array: it is not an ARM template."
        ));
        return None;
    };
    let mut arts = Vec::new();
    for r in resources {
        let t = r["type"].as_str().unwrap_or("");
        let Some(collection) = t.strip_prefix("Microsoft.Synapse/workspaces/") else {
            continue;
        };
        let Some((kind, _)) = KINDS
            .iter()
            .find(|(_, c)| c.eq_ignore_ascii_case(collection))
        else {
            continue;
        };
        let raw = r["name"].as_str().unwrap_or("");
        // "[concat(parameters('workspaceName'), '/PL_Copy')]" → PL_Copy
        let name = raw
            .rsplit('/')
            .next()
            .unwrap_or(raw)
            .trim_end_matches(")]")
            .trim_end_matches('\'')
            .to_owned();
        arts.push(SynArtifact {
            kind: (*kind).to_owned(),
            name,
            file: format!("{file}#{collection}"),
            properties: r["properties"].clone(),
        });
    }
    Some(arts)
}

/// Inputs of a workflow task (canonical name first, then the YAML alias).
fn input<'a>(inputs: &'a Value, names: &[&str]) -> &'a str {
    for n in names {
        if let Some(v) = inputs
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)))
            .and_then(|(_, v)| v.as_str())
        {
            return v;
        }
    }
    ""
}

fn truthy(v: &str, default: bool) -> bool {
    if v.trim().is_empty() {
        default
    } else {
        v.trim().eq_ignore_ascii_case("true")
    }
}

/// Checks the service connection input; returns its display name.
fn check_connection(world: &World, id_or_name: &str, out: &mut Outcome) -> Option<String> {
    if id_or_name.trim().is_empty() {
        out.error("Input required: the Azure Resource Manager service connection is empty. Select a service connection in the task.");
        return None;
    }
    let Some(ep) = world.catalog.endpoint(id_or_name) else {
        out.error(format!(
            "The service connection with id '{id_or_name}' could not be found. It may have been deleted or you may not have permission to use it."
        ));
        return None;
    };
    if !ep["isReady"].as_bool().unwrap_or(true) {
        out.error(format!("Service connection '{}' is not ready: its creation failed. Fix it in Project settings > Service connections.", ep["name"].as_str().unwrap_or("")));
        return None;
    }
    Some(ep["name"].as_str().unwrap_or("").to_owned())
}

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

/// Runs the `toggle-triggers-dev` task.
pub fn toggle_triggers(world: &mut World, inputs: &Value) -> Outcome {
    let mut out = Outcome {
        ok: true,
        ..Outcome::default()
    };
    let conn_input = input(inputs, &["ServiceConnectionName", "azureSubscription"]);
    let rg = input(inputs, &["ResourceGroupName"]).to_owned();
    let name = input(inputs, &["WorkspaceName"]).to_owned();
    let on = truthy(input(inputs, &["ToggleOn"]), true);
    let list = input(inputs, &["Triggers"]).trim().to_owned();
    let Some(conn) = check_connection(world, conn_input, &mut out) else {
        return out;
    };
    out.line(format!("Using service connection '{conn}'."));
    let Some(ws) = world.synapse.workspace_mut(&name) else {
        out.error(format!(
            "Workspace '{name}' was not found. Check WorkspaceName."
        ));
        return out;
    };
    if !rg.is_empty() && !ws.resource_group.eq_ignore_ascii_case(&rg) {
        out.error(format!(
            "Workspace '{name}' was not found in resource group '{rg}'. Check ResourceGroupName."
        ));
        return out;
    }
    let wanted: Vec<String> = if list.is_empty() || list == "*" {
        ws.triggers().map(|t| t.name.clone()).collect()
    } else {
        list.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    out.line(format!(
        "{} {} trigger(s) of workspace '{}'.",
        if on { "Starting" } else { "Stopping" },
        wanted.len(),
        ws.name
    ));
    let target = if on { STARTED } else { STOPPED };
    for t in &wanted {
        match ws.trigger_state(t).map(str::to_owned) {
            None => out.error(format!(
                "Trigger '{t}' was not found in workspace '{}'.",
                ws.name
            )),
            Some(state) if state == target => out.line(format!(
                "Trigger '{t}' is already {}.",
                target.to_ascii_lowercase()
            )),
            Some(_) => {
                ws.set_trigger_state(t, target);
                out.line(format!(
                    "Trigger '{t}' {}.",
                    if on { "started" } else { "stopped" }
                ));
            }
        }
    }
    if out.ok {
        out.line(format!(
            "All requested triggers are {}.",
            target.to_ascii_lowercase()
        ));
    }
    out
}

/// Runs a workflow task by kind. `None` kind = a task id the organization doesn't know.
pub fn run_task(
    world: &mut World,
    kind: Option<TaskKind>,
    task_id: &str,
    inputs: &Value,
    artifacts: &[AgentArtifact],
) -> Outcome {
    match kind {
        Some(TaskKind::SynapseDeploy) => synapse_deploy(world, inputs, artifacts),
        Some(TaskKind::ToggleTriggers) => toggle_triggers(world, inputs),
        Some(TaskKind::PowerShell | TaskKind::CommandLine | TaskKind::AzureCli) => {
            let mut out = Outcome {
                ok: true,
                ..Outcome::default()
            };
            let script = ["script", "inlineScript", "filePath", "scriptPath"]
                .iter()
                .map(|k| input(inputs, &[k]))
                .find(|s| !s.is_empty())
                .unwrap_or("");
            out.line("Generating script.");
            for l in script.lines().take(20) {
                out.line(format!("> {l}"));
            }
            out.line("Script finished with exit code 0.");
            out
        }
        None => {
            let mut out = Outcome {
                ok: true,
                ..Outcome::default()
            };
            out.error(format!(
                "Task with id '{task_id}' could not be found: it is not installed in this organization. Install the extension that contributes it or remove the task from the stage."
            ));
            out
        }
    }
}
