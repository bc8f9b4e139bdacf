//! Demo convenience: commit a sample fix to the hotfix branch through the simulator's admin API
//! (`POST {admin}/git/push-files`), exactly as Synapse Studio would — edit a pipeline, add a
//! notebook, delete a dataset. Only for simulated profiles.

use serde_json::{json, Value};

use super::run::HotfixRun;
use super::session::Session;
use crate::ado::git::VersionType;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::synapse::ArtifactKind;

/// Name of the notebook the sample fix adds.
pub const SAMPLE_NOTEBOOK: &str = "Hotfix_CleanNulls";

/// The files of the sample fix (repository path → new JSON, or `null` to delete), built from what
/// the branch holds: the first pipeline is edited, a notebook added, and the first dataset that no
/// pipeline or data flow references is deleted (deleting a referenced one would make the
/// deployment's validation fail, which is not what the demo is about).
pub async fn sample_fix_files(
    s: &Session,
    branch: &str,
) -> AppResult<serde_json::Map<String, Value>> {
    let repo = s.repo()?;
    let root = s.root_folder();
    let list = |kind: ArtifactKind| {
        let repo = repo.clone();
        let folder = root.join(kind.folder());
        async move {
            let items = repo
                .list_folder(&folder, (branch, VersionType::Branch))
                .await?;
            let mut paths: Vec<String> = items
                .unwrap_or_default()
                .into_iter()
                .filter(|i| !i.is_folder && i.path.to_ascii_lowercase().ends_with(".json"))
                .map(|i| i.path)
                .collect();
            paths.sort();
            Ok::<_, AppError>(paths)
        }
    };
    let read = |path: String| {
        let repo = repo.clone();
        async move {
            let text = repo.file(&path, (branch, VersionType::Branch)).await?;
            Ok::<_, AppError>(text.and_then(|t| serde_json::from_str::<Value>(&t).ok()))
        }
    };
    let pipelines = list(ArtifactKind::Pipeline).await?;
    let mut referenced = std::collections::HashSet::new();
    let mut edited = None;
    let dataflows = list(ArtifactKind::Dataflow).await?;
    for path in pipelines.iter().chain(&dataflows) {
        if let Some(value) = read(path.clone()).await? {
            dataset_references(&value, &mut referenced);
            if edited.is_none() && pipelines.contains(path) {
                edited = Some((path.clone(), value));
            }
        }
    }
    let unreferenced = list(ArtifactKind::Dataset).await?.into_iter().find(|path| {
        let stem = path
            .rsplit('/')
            .next()
            .unwrap_or(path)
            .trim_end_matches(".json");
        !referenced.contains(&stem.to_ascii_lowercase())
    });
    let mut files = serde_json::Map::new();
    if let Some((path, mut value)) = edited {
        edit_pipeline(&mut value);
        files.insert(relative(&path), value);
    }
    if let Some(path) = unreferenced {
        files.insert(relative(&path), Value::Null);
    }
    files.insert(
        relative(&root.join(&format!("notebook/{SAMPLE_NOTEBOOK}.json"))),
        sample_notebook(),
    );
    Ok(files)
}

/// Names (lower case) of the datasets `value` references.
fn dataset_references(value: &Value, out: &mut std::collections::HashSet<String>) {
    match value {
        Value::Object(o) => {
            if let (Some(Value::String(name)), Some(Value::String(t))) =
                (o.get("referenceName"), o.get("type"))
            {
                if t.eq_ignore_ascii_case("DatasetReference") {
                    out.insert(name.to_ascii_lowercase());
                }
            }
            o.values().for_each(|v| dataset_references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| dataset_references(v, out)),
        _ => {}
    }
}

fn relative(path: &str) -> String {
    path.trim_start_matches('/').to_owned()
}

/// The fix: a shorter activity timeout and a retry, plus a description saying why.
fn edit_pipeline(value: &mut Value) {
    if !value.is_object() {
        *value = json!({});
    }
    let props = value
        .as_object_mut()
        .map(|o| o.entry("properties").or_insert_with(|| json!({})))
        .filter(|p| p.is_object());
    if let Some(props) = props {
        props["description"] =
            json!("Hotfix: retry the copy on transient failures and time out after 1 hour.");
        if let Some(activities) = props.get_mut("activities").and_then(Value::as_array_mut) {
            for a in activities.iter_mut().filter(|a| a.is_object()) {
                a["policy"] =
                    json!({"timeout": "0.01:00:00", "retry": 2, "retryIntervalInSeconds": 60});
            }
        }
    }
}

fn sample_notebook() -> Value {
    json!({
        "name": SAMPLE_NOTEBOOK,
        "properties": {
            "nbformat": 4,
            "nbformat_minor": 2,
            "bigDataPool": {"referenceName": "sparkpool", "type": "BigDataPoolReference"},
            "metadata": {"language_info": {"name": "python"}},
            "cells": [{
                "cell_type": "code",
                "metadata": {},
                "source": ["df = spark.read.table('sales')\n", "df.dropna(subset=['amount']).write.mode('overwrite').saveAsTable('sales_clean')"],
                "outputs": [],
                "execution_count": null
            }]
        }
    })
}

/// Pushes the sample fix onto the run's hotfix branch and returns the new commit id.
pub async fn push_sample_fix(s: &Session, run: &HotfixRun, admin_url: &str) -> AppResult<String> {
    if !run.profile.simulated {
        return Err(AppError::new(
            ErrorCode::Precondition,
            "The sample fix exists only in demo mode. Make the real fix in Synapse Studio.",
        ));
    }
    let branch = run
        .steps
        .branch
        .branch
        .as_ref()
        .map(|b| b.name.clone())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                "Create the hotfix branch (step 2) before pushing the sample fix.",
            )
        })?;
    let files = sample_fix_files(s, &branch).await?;
    let p = &run.profile;
    let body = json!({
        "project": p.project.as_ref().map(|x| x.name.clone()).unwrap_or_default(),
        "repository": p.repository.as_ref().map(|x| x.name.clone()).unwrap_or_default(),
        "branch": branch,
        "message": "Hotfix: retry the sales copy, add the null-cleaning notebook, drop the unused dataset",
        "author": {"name": "Demo Engineer", "email": "demo.engineer@contoso.com"},
        "files": files,
    });
    let url = format!("{}/git/push-files", admin_url.trim_end_matches('/'));
    let unreachable = |e: &dyn std::fmt::Display| {
        AppError::new(
            ErrorCode::Unreachable,
            "The demo simulator did not accept the sample fix. Restart demo mode and try again.",
        )
        .with_detail(e.to_string())
    };
    let response = reqwest::Client::new()
        .post(&url)
        .json(&body)
        .send()
        .await
        .map_err(|e| unreachable(&e))?;
    let status = response.status();
    let answer: Value = response.json().await.map_err(|e| unreachable(&e))?;
    if !status.is_success() {
        return Err(unreachable(&answer));
    }
    answer["commitId"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| unreachable(&answer))
}
