//! Updating a definition someone may have edited: only the fields the app owns are written into
//! the JSON read back from the service; everything else (other stages, other tasks, inputs the
//! app does not set, `deploymentInput` fields, custom variables, gates, options …) is left exactly
//! as it was. [`super::changes`] lists what differs between two versions for the user.
//!
//! Owned: the Git artifact with the app's alias (its repository and default branch), the two
//! trigger variables (created when missing, `allowOverride` set; their values are kept), and in
//! the stage named like the profile's: manual start (`conditions: []`), approvals when the profile
//! names approvers (otherwise only when empty), a retention policy when missing, the agent job's
//! queue, and the three Synapse tasks (task id, version, enabled, and the inputs the app sets).

use serde_json::{Map, Value};

use super::build::{self, START_TASK, STOP_TASK};
use super::spec::DefinitionSpec;

/// What the app writes, from the definition it would create.
pub struct Owned<'a> {
    pub spec: &'a DefinitionSpec,
    /// The definition [`build::build_definition`] made (its tasks carry the catalogue's ids and
    /// checked inputs).
    pub desired: &'a Value,
}

impl Owned<'_> {
    fn desired_tasks(&self) -> &[Value] {
        self.desired["environments"][0]["deployPhases"][0]["workflowTasks"]
            .as_array()
            .map_or(&[], Vec::as_slice)
    }
}

fn is_same_id(a: &Value, b: &Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    }
}

/// The branch of a Git artifact without `refs/heads/`.
pub fn artifact_branch(a: &Value) -> Option<String> {
    let raw = a["definitionReference"]["branches"]["id"]
        .as_str()
        .or_else(|| a["definitionReference"]["branch"]["id"].as_str())?;
    Some(
        raw.trim()
            .strip_prefix("refs/heads/")
            .unwrap_or(raw.trim())
            .to_owned(),
    )
}

/// Whether `definition` has a Git artifact on the spec's repository whose default branch is the
/// hotfix branch.
pub fn is_for_branch(definition: &Value, spec: &DefinitionSpec) -> bool {
    definition["artifacts"].as_array().is_some_and(|arts| {
        arts.iter().any(|a| {
            a["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("Git"))
                && a["definitionReference"]["definition"]["id"]
                    .as_str()
                    .is_some_and(|r| r.eq_ignore_ascii_case(&spec.repository.id))
                && artifact_branch(a).is_some_and(|b| b.eq_ignore_ascii_case(&spec.branch))
        })
    })
}

/// Writes `value` at `key` of an object value.
fn set(target: &mut Value, key: &str, value: Value) {
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Some(o) = target.as_object_mut() {
        o.insert(key.to_owned(), value);
    }
}

fn merge_artifact(def: &mut Value, owned: &Owned<'_>) {
    let desired = &owned.desired["artifacts"][0];
    let spec = owned.spec;
    if !def["artifacts"].is_array() {
        set(def, "artifacts", Value::Array(vec![]));
    }
    let Some(arts) = def["artifacts"].as_array_mut() else {
        return;
    };
    // The artifact on this repository and branch, else the one with the app's alias.
    let pos = arts
        .iter()
        .position(|a| {
            a["definitionReference"]["definition"]["id"]
                .as_str()
                .is_some_and(|r| r.eq_ignore_ascii_case(&spec.repository.id))
                && artifact_branch(a).is_some_and(|b| b.eq_ignore_ascii_case(&spec.branch))
        })
        .or_else(|| {
            arts.iter()
                .position(|a| a["alias"] == spec.artifact_alias.as_str())
        });
    match pos {
        Some(i) => {
            let a = &mut arts[i];
            for key in ["type", "sourceId"] {
                set(a, key, desired[key].clone());
            }
            let dr = &mut a["definitionReference"];
            for key in ["project", "definition", "branches"] {
                set(dr, key, desired["definitionReference"][key].clone());
            }
            if dr["defaultVersionType"]["id"]
                .as_str()
                .is_none_or(str::is_empty)
            {
                set(
                    dr,
                    "defaultVersionType",
                    desired["definitionReference"]["defaultVersionType"].clone(),
                );
            }
        }
        None => arts.push(desired.clone()),
    }
}

fn merge_variables(def: &mut Value) {
    if !def["variables"].is_object() {
        set(def, "variables", Value::Object(Map::new()));
    }
    for (name, wanted) in build::trigger_variables() {
        let v = &mut def["variables"][&name];
        if v.is_object() {
            set(v, "allowOverride", Value::Bool(true));
        } else {
            *v = wanted;
        }
    }
}

/// Index of the stage owned by the app, appended from `desired` when there is none.
fn stage_index(def: &mut Value, owned: &Owned<'_>) -> Option<usize> {
    if !def["environments"].is_array() {
        set(def, "environments", Value::Array(vec![]));
    }
    let envs = def["environments"].as_array_mut()?;
    if let Some(i) = envs.iter().position(|e| {
        e["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(&owned.spec.stage_name))
    }) {
        return Some(i);
    }
    let mut stage = owned.desired["environments"][0].clone();
    set(&mut stage, "rank", Value::from(envs.len() + 1));
    envs.push(stage);
    Some(envs.len() - 1)
}

fn approvals_empty(v: &Value) -> bool {
    v["approvals"].as_array().is_none_or(Vec::is_empty)
}

fn merge_stage(env: &mut Value, owned: &Owned<'_>) {
    let desired = &owned.desired["environments"][0];
    set(env, "conditions", Value::Array(vec![]));
    if !owned.spec.approvers.is_empty() || approvals_empty(&env["preDeployApprovals"]) {
        set(
            env,
            "preDeployApprovals",
            desired["preDeployApprovals"].clone(),
        );
    }
    if approvals_empty(&env["postDeployApprovals"]) {
        set(
            env,
            "postDeployApprovals",
            desired["postDeployApprovals"].clone(),
        );
    }
    if !env["retentionPolicy"].is_object() {
        set(env, "retentionPolicy", desired["retentionPolicy"].clone());
    }
    if !env["deployPhases"].is_array() {
        set(env, "deployPhases", Value::Array(vec![]));
    }
    let Some(phases) = env["deployPhases"].as_array_mut() else {
        return;
    };
    let pos = phases.iter().position(|p| {
        p["phaseType"]
            .as_str()
            .is_none_or(|t| t.eq_ignore_ascii_case("agentBasedDeployment"))
    });
    let phase = match pos {
        Some(i) => &mut phases[i],
        None => {
            phases.insert(0, desired["deployPhases"][0].clone());
            &mut phases[0]
        }
    };
    if !phase["deploymentInput"].is_object() {
        set(
            phase,
            "deploymentInput",
            desired["deployPhases"][0]["deploymentInput"].clone(),
        );
    }
    set(
        &mut phase["deploymentInput"],
        "queueId",
        Value::from(owned.spec.agent_queue.id),
    );
    merge_tasks(phase, owned);
}

/// Which of the three tasks an existing workflow task is, by task id and position.
fn slots(tasks: &[Value], deploy_id: &Value, toggle_id: &Value) -> [Option<usize>; 3] {
    let deploy = tasks
        .iter()
        .position(|t| is_same_id(&t["taskId"], deploy_id));
    let toggles: Vec<usize> = tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| is_same_id(&t["taskId"], toggle_id))
        .map(|(i, _)| i)
        .collect();
    let by_name = |n: &str| toggles.iter().copied().find(|&i| tasks[i]["name"] == n);
    let (stop, start) = match deploy {
        Some(d) => (
            by_name(STOP_TASK).or_else(|| toggles.iter().copied().rev().find(|&i| i < d)),
            by_name(START_TASK).or_else(|| toggles.iter().copied().find(|&i| i > d)),
        ),
        None => (by_name(STOP_TASK), by_name(START_TASK)),
    };
    [stop, deploy, start]
}

fn merge_tasks(phase: &mut Value, owned: &Owned<'_>) {
    let desired = owned.desired_tasks().to_vec();
    if desired.len() != 3 {
        return;
    }
    if !phase["workflowTasks"].is_array() {
        set(phase, "workflowTasks", Value::Array(vec![]));
    }
    let Some(tasks) = phase["workflowTasks"].as_array_mut() else {
        return;
    };
    let found = slots(tasks, &desired[1]["taskId"], &desired[0]["taskId"]);
    for (slot, index) in found.iter().enumerate() {
        if let Some(i) = *index {
            let t = &mut tasks[i];
            for key in ["taskId", "version", "enabled"] {
                set(t, key, desired[slot][key].clone());
            }
            if let Some(inputs) = desired[slot]["inputs"].as_object() {
                if !t["inputs"].is_object() {
                    set(t, "inputs", Value::Object(Map::new()));
                }
                for (k, v) in inputs {
                    set(&mut t["inputs"], k, v.clone());
                }
            }
        }
    }
    // Missing tasks go where they belong: stop before the deployment, start after it.
    let mut found = found;
    if found[1].is_none() {
        let at = found[0].map_or(0, |s| s + 1);
        tasks.insert(at, desired[1].clone());
        found = slots(tasks, &desired[1]["taskId"], &desired[0]["taskId"]);
    }
    if found[0].is_none() {
        let at = found[1].unwrap_or(0);
        tasks.insert(at, desired[0].clone());
        found = slots(tasks, &desired[1]["taskId"], &desired[0]["taskId"]);
    }
    if found[2].is_none() {
        let at = found[1].map_or(tasks.len(), |d| d + 1);
        tasks.insert(at, desired[2].clone());
    }
}

/// `current` with the app's fields written in; everything else unchanged.
pub fn merge_owned(current: &Value, owned: &Owned<'_>) -> Value {
    let mut def = current.clone();
    merge_artifact(&mut def, owned);
    merge_variables(&mut def);
    if let Some(i) = stage_index(&mut def, owned) {
        merge_stage(&mut def["environments"][i], owned);
    }
    def
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::definition::build::build_definition;
    use crate::pipeline::definition::build::tests::{spec, tasks};
    use crate::pipeline::definition::changes::changes;
    use serde_json::json;

    fn saved(desired: &Value) -> Value {
        // What the service answers: ids filled, fields added, and someone's own additions.
        let mut d = desired.clone();
        d["id"] = json!(7);
        d["revision"] = json!(3);
        d["variables"]["Custom"] = json!({"value": "keep me", "allowOverride": false});
        d["variables"]["TriggersToStart"]["value"] = json!("trg_a,trg_b");
        let phase = &mut d["environments"][0]["deployPhases"][0];
        phase["deploymentInput"]["agentSpecification"] = json!({"identifier": "windows-latest"});
        phase["deploymentInput"]["demands"] = json!(["Agent.OS -equals Windows_NT"]);
        phase["workflowTasks"][1]["inputs"]["FailOnMissingOverrides"] = json!("true");
        phase["workflowTasks"][1]["inputs"]["npmpackage"] = json!("prod");
        phase["workflowTasks"]
            .as_array_mut()
            .unwrap()
            .insert(2, json!({"taskId": "ps-guid", "name": "Smoke test", "version": "2.*", "inputs": {"script": "echo ok"}}));
        d["environments"][0]["environmentOptions"] = json!({"emailNotificationType": "Always"});
        d
    }

    #[test]
    fn an_unchanged_definition_merges_to_itself() {
        let s = spec();
        let desired = build_definition(&s, &tasks()).unwrap();
        let current = saved(&desired);
        let merged = merge_owned(
            &current,
            &Owned {
                spec: &s,
                desired: &desired,
            },
        );
        assert_eq!(changes(&current, &merged), vec![]);
        assert_eq!(merged, current);
    }

    #[test]
    fn owned_fields_are_rewritten_and_everything_else_is_kept() {
        let s = spec();
        let desired = build_definition(&s, &tasks()).unwrap();
        let mut current = saved(&desired);
        let phase = &mut current["environments"][0]["deployPhases"][0];
        phase["workflowTasks"][1]["inputs"]["operation"] = json!("deploy");
        phase["workflowTasks"][0]["inputs"]["ToggleOn"] = json!("true");
        phase["deploymentInput"]["queueId"] = json!(3);
        current["environments"][0]["conditions"] =
            json!([{"name": "ReleaseStarted", "conditionType": "event", "value": ""}]);
        let merged = merge_owned(
            &current,
            &Owned {
                spec: &s,
                desired: &desired,
            },
        );
        let p = &merged["environments"][0]["deployPhases"][0];
        assert_eq!(
            p["workflowTasks"][1]["inputs"]["operation"],
            "validateDeploy"
        );
        assert_eq!(p["workflowTasks"][0]["inputs"]["ToggleOn"], "false");
        assert_eq!(p["deploymentInput"]["queueId"], 9);
        assert_eq!(merged["environments"][0]["conditions"], json!([]));
        // Kept: fields the app does not own.
        assert_eq!(
            p["deploymentInput"]["agentSpecification"]["identifier"],
            "windows-latest"
        );
        assert_eq!(
            p["deploymentInput"]["demands"][0],
            "Agent.OS -equals Windows_NT"
        );
        assert_eq!(
            p["workflowTasks"][1]["inputs"]["FailOnMissingOverrides"],
            "true"
        );
        assert_eq!(p["workflowTasks"][2]["name"], "Smoke test");
        assert_eq!(p["workflowTasks"][3]["name"], START_TASK);
        assert_eq!(merged["variables"]["Custom"]["value"], "keep me");
        assert_eq!(
            merged["variables"]["TriggersToStart"]["value"],
            "trg_a,trg_b"
        );
        assert_eq!(
            merged["environments"][0]["environmentOptions"]["emailNotificationType"],
            "Always"
        );
        let c = changes(&current, &merged);
        let paths: Vec<&str> = c.iter().map(|c| c.path.as_str()).collect();
        assert!(paths.iter().any(|p| p.ends_with("operation")), "{paths:?}");
        let op = c.iter().find(|c| c.path.ends_with("operation")).unwrap();
        assert_eq!(op.before.as_deref(), Some("deploy"));
        assert_eq!(op.after.as_deref(), Some("validateDeploy"));
        assert!(
            op.path
                .starts_with("environments › Production_Hotfix › deployPhases › Agent job"),
            "{}",
            op.path
        );
    }

    #[test]
    fn missing_tasks_stage_and_variables_are_added_in_place() {
        let s = spec();
        let desired = build_definition(&s, &tasks()).unwrap();
        let mut current = desired.clone();
        current["variables"] = json!({});
        let w = current["environments"][0]["deployPhases"][0]["workflowTasks"]
            .as_array_mut()
            .unwrap();
        w.remove(2);
        w.remove(0);
        let merged = merge_owned(
            &current,
            &Owned {
                spec: &s,
                desired: &desired,
            },
        );
        assert_eq!(
            merged, desired,
            "stop and start put back around the deployment"
        );
        let mut other_stage = desired.clone();
        other_stage["environments"][0]["name"] = json!("QA");
        let merged = merge_owned(
            &other_stage,
            &Owned {
                spec: &s,
                desired: &desired,
            },
        );
        assert_eq!(merged["environments"][0]["name"], "QA");
        assert_eq!(merged["environments"][1]["name"], "Production_Hotfix");
        assert_eq!(merged["environments"][1]["rank"], 2);
    }

    #[test]
    fn the_branch_match_reads_the_repository_and_the_default_branch() {
        let s = spec();
        let d = build_definition(&s, &tasks()).unwrap();
        assert!(is_for_branch(&d, &s));
        let mut refs = d.clone();
        refs["artifacts"][0]["definitionReference"]["branches"]["id"] =
            json!("refs/heads/release3_hotfixes");
        assert!(is_for_branch(&refs, &s));
        let mut other = d.clone();
        other["artifacts"][0]["definitionReference"]["branches"]["id"] = json!("main");
        assert!(!is_for_branch(&other, &s));
        let mut repo = d;
        repo["artifacts"][0]["definitionReference"]["definition"]["id"] = json!("other");
        assert!(!is_for_branch(&repo, &s));
    }
}
