//! Reading Synapse artifacts the way the deploy task does: the Git source layout of a folder
//! (`pipeline/*.json`, …) or an ARM template, and checking the references between them.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{AgentArtifact, Outcome, WORK_DIR};

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

pub(super) fn label(kind: &str) -> &str {
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
pub(super) fn split_artifact_path(raw: &str) -> (String, String) {
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
pub fn read_file(a: &AgentArtifact, path: &str) -> Result<Vec<u8>, String> {
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

pub(super) fn parse_json(bytes: &[u8]) -> Result<Value, serde_json::Error> {
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
pub(super) fn read_template(
    template: &Value,
    file: &str,
    out: &mut Outcome,
) -> Option<Vec<SynArtifact>> {
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
