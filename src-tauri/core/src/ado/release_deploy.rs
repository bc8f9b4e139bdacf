//! Release Management calls of wizard steps 5 and 6 (`API.md` Step 5, "Steps 4–6: additions"):
//! the releases of a definition, creating a release pinned to a commit, one release with its tasks,
//! starting or cancelling a stage (PATCH of the release environment) and reading a task log from a
//! line on. Releases are kept as JSON: the status model is deep, its casing varies
//! (`PhaseFailed` / `phaseFailed`) and `releaseDeployPhases[].id` is missing from the spec, so the
//! caller reads what it needs from the JSON ([`crate::hotfix::steps::step5_status`]).

use reqwest::Method;
use serde_json::{json, Value};

use super::client::{encode_segment, AdoClient, Area};
use super::error::AdoError;
use super::retry::Retry;

fn releases_path(project: &str) -> String {
    format!("{}/_apis/release/releases", encode_segment(project))
}

/// The newest releases of a definition with their artifacts (one page of `top`, newest first).
/// `artifact_version` narrows them to releases whose artifact version is that id (a commit for a
/// Git artifact); the caller still checks the artifacts itself.
pub async fn releases_of_definition(
    client: &AdoClient,
    project: &str,
    definition_id: i32,
    artifact_version: Option<&str>,
    top: u32,
) -> Result<Vec<Value>, AdoError> {
    let mut query = vec![
        ("definitionId", definition_id.to_string()),
        ("$expand", "artifacts".to_owned()),
        ("queryOrder", "descending".to_owned()),
        ("$top", top.to_string()),
    ];
    if let Some(v) = artifact_version {
        query.push(("artifactVersionId", v.to_owned()));
    }
    let (page, _): (super::models::VssList<Value>, _) = client
        .get_page(Area::Release, &releases_path(project), &query)
        .await?;
    Ok(page.value)
}

/// The body of a release of `definition_id` pinned to `commit` on `branch` (artifact `alias`),
/// with release-time `variables` and `manual_stage` forced to manual (`API.md` Step 5).
pub fn release_body(
    definition_id: i32,
    alias: &str,
    commit: &str,
    branch: &str,
    manual_stage: &str,
    description: &str,
    variables: &[(&str, String)],
) -> Value {
    let vars: serde_json::Map<String, Value> = variables
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!({ "value": v })))
        .collect();
    let short = &commit[..commit.len().min(8)];
    json!({
        "definitionId": definition_id,
        "description": description,
        "isDraft": false,
        "reason": "manual",
        "manualEnvironments": [manual_stage],
        "artifacts": [{
            "alias": alias,
            "instanceReference": {
                "id": commit,
                "name": short,
                "sourceBranch": format!("refs/heads/{}", branch.trim_start_matches("refs/heads/")),
            }
        }],
        "variables": vars,
    })
}

/// Creates a release. Never repeated by the client: a lost answer may still have created it, so
/// the caller looks for it before trying again.
pub async fn create_release(
    client: &AdoClient,
    project: &str,
    body: &Value,
) -> Result<Value, AdoError> {
    client
        .send_json(
            Method::POST,
            Area::Release,
            &releases_path(project),
            &[],
            body,
            Retry::Never,
        )
        .await
}

/// One release with its stages, attempts, phases, jobs and tasks (`$expand=tasks`; without it the
/// service lists no tasks).
pub async fn release_with_tasks(
    client: &AdoClient,
    project: &str,
    release_id: i32,
) -> Result<Value, AdoError> {
    client
        .get(
            Area::Release,
            &format!("{}/{release_id}", releases_path(project)),
            &[("$expand", "tasks".to_owned())],
        )
        .await
}

/// Sets a stage's status: `inProgress` deploys it (again), `canceled` cancels it. Never repeated
/// by the client: a second deploy would queue a second attempt, so after a lost answer the caller
/// reads the stage to learn what happened.
pub async fn update_environment(
    client: &AdoClient,
    project: &str,
    release_id: i32,
    environment_id: i32,
    status: &str,
    comment: &str,
) -> Result<Value, AdoError> {
    client
        .send_json(
            Method::PATCH,
            Area::Release,
            &format!(
                "{}/_apis/Release/releases/{release_id}/environments/{environment_id}",
                encode_segment(project)
            ),
            &[],
            &json!({"status": status, "comment": comment, "scheduledDeploymentTime": null, "variables": {}}),
            Retry::Never,
        )
        .await
}

/// The lines of a task log from `start_line` (0-based) on, as text (`""` when there is nothing new).
pub async fn task_log(
    client: &AdoClient,
    project: &str,
    path: &TaskLogPath,
    start_line: u64,
) -> Result<String, AdoError> {
    client
        .get_text(
            Area::Release,
            &format!(
                "{}/{}/environments/{}/deployPhases/{}/tasks/{}/logs",
                releases_path(project),
                path.release_id,
                path.environment_id,
                path.phase_id,
                path.task_id
            ),
            &[("startLine", start_line.to_string())],
        )
        .await
}

/// Where one task's log is: `releaseDeployPhases[].id` (missing from the spec) and `tasks[].id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskLogPath {
    pub release_id: i32,
    pub environment_id: i32,
    pub phase_id: i64,
    pub task_id: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_release_is_pinned_to_the_full_commit_with_the_variables_and_the_manual_stage() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let b = release_body(
            12,
            "_hotfix",
            sha,
            "Release3_Hotfixes",
            "Production_Hotfix",
            "Hotfix",
            &[("TriggersToStart", "tr_a,tr_b".into())],
        );
        let a = &b["artifacts"][0];
        assert_eq!(a["alias"], "_hotfix");
        assert_eq!(a["instanceReference"]["id"], sha);
        assert_eq!(a["instanceReference"]["name"], "01234567");
        assert_eq!(
            a["instanceReference"]["sourceBranch"],
            "refs/heads/Release3_Hotfixes"
        );
        assert_eq!(b["manualEnvironments"], json!(["Production_Hotfix"]));
        assert_eq!(b["variables"]["TriggersToStart"]["value"], "tr_a,tr_b");
        assert_eq!(b["isDraft"], false);
    }
}
