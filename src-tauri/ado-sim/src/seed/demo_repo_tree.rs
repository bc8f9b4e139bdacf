//! The working tree of the demo repository, edited commit by commit: artifacts by folder and
//! name, the commits of `main` and of side branches, and the ARM templates Synapse Studio's
//! Publish writes to `workspace_publish` for a set of artifacts.

use std::collections::BTreeMap;

use git2::{Oid, Repository};
use serde_json::{json, Value};

use super::demo_repo::{DEV_WORKSPACE, PEOPLE};
use crate::git::write::{commit_files, synapse_json, Author};

pub(super) fn at(person: usize, date: &str) -> Author {
    let (name, email) = PEOPLE[person % PEOPLE.len()];
    let time = chrono::DateTime::parse_from_rfc3339(date)
        .map(|d| d.timestamp())
        .unwrap_or(0);
    Author {
        name: name.into(),
        email: email.into(),
        time,
    }
}

/// Artifacts by `(folder, name)`.
pub(super) type Artifacts = BTreeMap<(String, String), Value>;

pub(super) fn put(a: &mut Artifacts, folder: &str, v: Value) -> (String, Option<Vec<u8>>) {
    let name = v["name"].as_str().unwrap_or_default().to_owned();
    let path = format!("{folder}/{name}.json");
    let bytes = synapse_json(&v);
    a.insert((folder.to_owned(), name), v);
    (path, Some(bytes))
}

/// ARM collection for a Synapse Git folder.
fn collection(folder: &str) -> &'static str {
    match folder {
        "pipeline" => "pipelines",
        "dataset" => "datasets",
        "linkedService" => "linkedServices",
        "notebook" => "notebooks",
        "trigger" => "triggers",
        "sqlscript" => "sqlscripts",
        "integrationRuntime" => "integrationRuntimes",
        _ => "artifacts",
    }
}

/// Folder a reference type points into.
fn reference_folder(t: &str) -> Option<&'static str> {
    match t {
        "PipelineReference" => Some("pipeline"),
        "DatasetReference" => Some("dataset"),
        "LinkedServiceReference" => Some("linkedService"),
        "NotebookReference" => Some("notebook"),
        "IntegrationRuntimeReference" => Some("integrationRuntime"),
        _ => None,
    }
}

fn references(v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(o) => {
            if let (Some(Value::String(name)), Some(Value::String(t))) =
                (o.get("referenceName"), o.get("type"))
            {
                if let Some(folder) = reference_folder(t) {
                    out.push((folder.to_owned(), name.clone()));
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

/// `TemplateForWorkspace.json` and `TemplateParametersForWorkspace.json` for a set of artifacts,
/// shaped like Synapse Studio's Publish output.
fn arm_templates(a: &Artifacts) -> (Value, Value) {
    let mut parameters = serde_json::Map::new();
    let mut values = serde_json::Map::new();
    parameters.insert(
        "workspaceName".into(),
        json!({"type": "string", "metadata": "Workspace name", "defaultValue": DEV_WORKSPACE}),
    );
    values.insert("workspaceName".into(), json!({"value": DEV_WORKSPACE}));
    let mut resources = Vec::new();
    use crate::release::tasks::parameters;
    let definition = parameters::default_definition();
    for ((folder, name), v) in a {
        let mut props = v["properties"].clone();
        // Parameterised the way Synapse Studio's Publish does with the default parameter template.
        for p in parameters::parameters_of(folder, name, &props, &definition) {
            if let Some(slot) = parameters::slot(&mut props, &p.path) {
                *slot = json!(format!("[parameters('{}')]", p.name));
            }
            let secure = p.stype.eq_ignore_ascii_case("securestring");
            let property = p
                .path
                .iter()
                .rev()
                .find_map(|s| match s {
                    parameters::Seg::Key(k) => Some(k.as_str()),
                    parameters::Seg::Index(_) => None,
                })
                .unwrap_or_default();
            let mut decl = json!({"type": p.stype});
            if secure {
                decl["metadata"] = json!(format!("Secure string for '{property}' of '{name}'"));
            }
            if p.keep_default && !secure {
                decl["defaultValue"] = p.dev_value.clone();
            }
            parameters.insert(p.name.clone(), decl);
            values.insert(
                p.name.clone(),
                json!({"value": if p.keep_default { p.dev_value.clone() } else { json!("") }}),
            );
        }
        let mut refs = Vec::new();
        references(v, &mut refs);
        refs.sort();
        refs.dedup();
        let depends: Vec<Value> = refs
            .iter()
            .filter(|(f, n)| !(f == folder && n == name))
            .map(|(f, n)| {
                json!(format!(
                    "[concat(variables('workspaceId'), '/{}/{n}')]",
                    collection(f)
                ))
            })
            .collect();
        resources.push(json!({
            "name": format!("[concat(parameters('workspaceName'), '/{name}')]"),
            "type": format!("Microsoft.Synapse/workspaces/{}", collection(folder)),
            "apiVersion": "2019-06-01-preview",
            "properties": props,
            "dependsOn": depends,
        }));
    }
    let template = json!({
        "$schema": "http://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": Value::Object(parameters),
        "variables": {"workspaceId": "[concat('Microsoft.Synapse/workspaces/', parameters('workspaceName'))]"},
        "resources": resources,
    });
    let params = json!({
        "$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentParameters.json#",
        "contentVersion": "1.0.0.0",
        "parameters": Value::Object(values),
    });
    (template, params)
}

pub(super) struct Builder<'r> {
    pub git: &'r Repository,
    pub artifacts: Artifacts,
    pub head: Option<Oid>,
}

impl Builder<'_> {
    pub fn commit(
        &mut self,
        who: usize,
        date: &str,
        message: &str,
        files: &[(String, Option<Vec<u8>>)],
    ) -> anyhow::Result<Oid> {
        let parents: Vec<Oid> = self.head.into_iter().collect();
        let oid = commit_files(
            self.git,
            Some("main"),
            &parents,
            files,
            &at(who, date),
            message,
        )?;
        self.head = Some(oid);
        Ok(oid)
    }
}

pub(super) fn publish(
    git: &Repository,
    parent: Option<Oid>,
    a: &Artifacts,
    date: &str,
    release: &str,
) -> anyhow::Result<Oid> {
    let (template, params) = arm_templates(a);
    let files = vec![
        (
            format!("{DEV_WORKSPACE}/TemplateForWorkspace.json"),
            Some(synapse_json(&template)),
        ),
        (
            format!("{DEV_WORKSPACE}/TemplateParametersForWorkspace.json"),
            Some(synapse_json(&params)),
        ),
    ];
    let parents: Vec<Oid> = parent.into_iter().collect();
    let msg = format!("Publishing from {DEV_WORKSPACE} ({release})");
    Ok(commit_files(
        git,
        Some("workspace_publish"),
        &parents,
        &files,
        &at(0, date),
        &msg,
    )?)
}

pub(super) fn branch_from(
    git: &Repository,
    name: &str,
    base: Oid,
    a: &Artifacts,
    commits: Vec<(usize, &str, &str, Vec<Value>)>,
) -> anyhow::Result<Oid> {
    let mut head = base;
    let mut a = a.clone();
    for (who, date, msg, artifacts) in commits {
        let files: Vec<(String, Option<Vec<u8>>)> = artifacts
            .into_iter()
            .map(|v| {
                let folder = v["_folder"].as_str().unwrap_or("pipeline").to_owned();
                let mut v = v;
                if let Some(o) = v.as_object_mut() {
                    o.remove("_folder");
                }
                put(&mut a, &folder, v)
            })
            .collect();
        head = commit_files(git, Some(name), &[head], &files, &at(who, date), msg)?;
    }
    Ok(head)
}

pub(super) fn in_folder(folder: &str, mut v: Value) -> Value {
    v["_folder"] = json!(folder);
    v
}

/// Every `(folder, name)` reference of an artifact (used by tests to check the history resolves).
pub fn artifact_references(v: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    references(v, &mut out);
    out
}
