//! What the simulated agent does for each task of a release: the Synapse Workspace Deployment
//! extension's two tasks against the simulated workspaces, a few built-in tasks, and the job's own
//! steps (initialize, download artifacts, finalize). Every executor returns its log lines and
//! whether it succeeded; the engine streams the lines into the task log.

use std::path::PathBuf;

use serde_json::Value;

use crate::catalog::TaskKind;
use crate::state::World;

mod deploy;
pub mod parameters;
mod synapse_files;
mod template_params;
mod toggle;

pub use deploy::{for_target, synapse_deploy};
pub use synapse_files::{read_file, read_source, validate, SynArtifact};
pub use toggle::toggle_triggers;

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

/// Inputs of a workflow task (canonical name first, then the YAML alias).
pub(super) fn input<'a>(inputs: &'a Value, names: &[&str]) -> &'a str {
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

/// A required input as the agent hands it to a task: the definition's value, the task's default
/// when the definition omits the input, and "Input required: <name>" (task failed) when the value
/// is given but empty.
pub(super) fn input_or_default(
    inputs: &Value,
    name: &str,
    default: &str,
    out: &mut Outcome,
) -> Option<String> {
    let given = inputs
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        .map(|(_, v)| match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        });
    match given {
        None => Some(default.to_owned()),
        Some(v) if v.is_empty() => {
            out.error(format!("Input required: {name}"));
            None
        }
        Some(v) => Some(v),
    }
}

pub(super) fn truthy(v: &str, default: bool) -> bool {
    if v.trim().is_empty() {
        default
    } else {
        v.trim().eq_ignore_ascii_case("true")
    }
}

/// Checks the service connection input; returns its display name.
pub(super) fn check_connection(
    world: &World,
    id_or_name: &str,
    out: &mut Outcome,
) -> Option<String> {
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
