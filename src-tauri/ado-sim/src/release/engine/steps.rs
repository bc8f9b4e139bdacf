//! What one step of a deployment does: the job's built-in steps (initialize, download artifacts,
//! finalize) and the workflow tasks, run against the world by `release::tasks`.

use serde_json::Value;

use super::{snapshot_env, variables, DOWNLOAD, FINALIZE, INIT};
use crate::release::model::Task;
use crate::release::tasks::{self, AgentArtifact, Outcome, WORK_DIR};
use crate::state::World;

/// Artifacts as the agent downloads them.
fn agent_artifacts(w: &World, rid: i32) -> Vec<AgentArtifact> {
    let Some(r) = w.release.releases.get(&rid) else {
        return Vec::new();
    };
    r.artifacts
        .iter()
        .map(|a| {
            let dr = &a.definition_reference;
            let repo_id = if a.kind.eq_ignore_ascii_case("Git") {
                dr["definition"]["id"].as_str().unwrap_or("").to_owned()
            } else {
                dr["repository"]["id"].as_str().unwrap_or("").to_owned()
            };
            let project = dr["project"]["id"].as_str().unwrap_or("");
            let repo = w
                .git
                .repo(project, &repo_id)
                .or_else(|| w.git.repos.iter().find(|x| x.id.to_string() == repo_id));
            let commit = if a.kind.eq_ignore_ascii_case("Git") {
                dr["version"]["id"].as_str().unwrap_or("").to_owned()
            } else {
                dr["sourceVersion"]["id"].as_str().unwrap_or("").to_owned()
            };
            AgentArtifact {
                alias: a.alias.clone(),
                kind: a.kind.clone(),
                repo_name: repo.map_or_else(
                    || dr["definition"]["name"].as_str().unwrap_or("").to_owned(),
                    |x| x.name.clone(),
                ),
                repo_path: repo.map(|x| x.path.clone()),
                commit,
                branch: dr["branch"]["id"].as_str().unwrap_or("").to_owned(),
            }
        })
        .collect()
}

/// Runs the built-in or workflow step `ti` of phase `pi`.
pub(super) fn execute(w: &mut World, rid: i32, eid: i32, pi: usize, t: &Task) -> Outcome {
    let artifacts = agent_artifacts(w, rid);
    if t.name == INIT {
        let mut out = Outcome {
            ok: true,
            ..Outcome::default()
        };
        out.lines.push(format!("Agent name: '{}'", t.agent_name));
        out.lines.push("Agent machine name: 'fv-az512-317'".into());
        out.lines.push("Current agent version: '4.248.0'".into());
        out.lines
            .push("Operating System: Ubuntu 22.04.5 LTS".into());
        out.lines.push(format!(
            "Prepare release directory: {}",
            WORK_DIR.trim_end_matches("/a")
        ));
        let names: Vec<String> = w
            .release
            .releases
            .get(&rid)
            .and_then(|r| r.environments.iter().find(|e| e.id == eid))
            .and_then(|e| e.deploy_steps.last())
            .and_then(|a| a.phases.get(pi))
            .map(|p| {
                p.jobs
                    .iter()
                    .flat_map(|j| j.tasks.iter())
                    .filter_map(|t| t.task_ref.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                if r.name.is_empty() {
                    format!("Downloading task: {}", r.id)
                } else {
                    format!("Downloading task: {} ({})", r.name, r.version)
                }
            })
            .collect();
        out.lines.extend(names);
        return out;
    }
    if t.name == FINALIZE {
        let mut out = Outcome {
            ok: true,
            ..Outcome::default()
        };
        out.lines.push("Cleaning up task key".into());
        out.lines.push("Start cleaning up orphan processes.".into());
        return out;
    }
    if let Some(alias) = t.name.strip_prefix(DOWNLOAD) {
        let mut out = Outcome {
            ok: true,
            ..Outcome::default()
        };
        match artifacts.iter().find(|a| a.alias == alias) {
            Some(a) => {
                out.lines.push(format!(
                    "Downloading linked artifact '{}' of type {} ...",
                    a.alias, a.kind
                ));
                out.lines.push(format!(
                    "Repository '{}', branch '{}', version {}",
                    a.repo_name, a.branch, a.commit
                ));
                if a.repo_path.is_none() {
                    out.error(format!(
                        "Repository '{}' of artifact '{}' was not found. It may have been deleted.",
                        a.repo_name, a.alias
                    ));
                } else {
                    out.lines.push(format!(
                        "Successfully downloaded artifact to {WORK_DIR}/{}",
                        a.alias
                    ));
                }
            }
            None => out.error(format!("Artifact '{alias}' is not linked to this release.")),
        }
        return out;
    }
    let Some(wi) = t.workflow_index else {
        return Outcome {
            ok: true,
            ..Outcome::default()
        };
    };
    let snap = snapshot_env(w, rid, eid).unwrap_or(Value::Null);
    let wt = snap["deployPhases"]
        .get(pi)
        .and_then(|p| p["workflowTasks"].get(wi))
        .cloned()
        .unwrap_or(Value::Null);
    let task_id = wt["taskId"].as_str().unwrap_or("").to_owned();
    let kind = w.catalog.task_kind(&task_id);
    let vars = variables::for_stage(w, rid, eid, &snap);
    let inputs = variables::expand_inputs(&wt["inputs"], &vars);
    let mut out = Outcome {
        ok: true,
        ..Outcome::default()
    };
    if let Some(def) = w.catalog.task(&task_id) {
        out.lines.push(
            "==============================================================================".into(),
        );
        out.lines.push(format!(
            "Task         : {}",
            def["friendlyName"].as_str().unwrap_or("")
        ));
        out.lines.push(format!(
            "Description  : {}",
            def["description"].as_str().unwrap_or("")
        ));
        out.lines.push(format!(
            "Version      : {}.{}.{}",
            def["version"]["major"], def["version"]["minor"], def["version"]["patch"]
        ));
        out.lines.push(format!(
            "Author       : {}",
            def["author"].as_str().unwrap_or("")
        ));
        out.lines.push(
            "==============================================================================".into(),
        );
    }
    let result = tasks::run_task(w, kind, &task_id, &inputs, &artifacts);
    out.lines
        .extend(result.lines.iter().map(|l| variables::mask(l, &vars)));
    out.errors = result
        .errors
        .iter()
        .map(|l| variables::mask(l, &vars))
        .collect();
    out.ok = result.ok;
    out
}
