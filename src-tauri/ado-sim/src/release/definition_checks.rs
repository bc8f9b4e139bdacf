//! What the service refuses in a release definition's stages before it saves one (create and
//! update alike), with the codes and wording seen on the real service:
//!
//! * a stage without pre- or post-deployment approvals → `VS402877` (API.md, "Steps 4–6");
//! * a stage without a retention policy → `VS402982`;
//! * a task the organization's catalogue does not know → "Tasks with versions '…' are not valid
//!   for deploy job '…' in stage …" (the service's wording for an unknown task or version);
//! * an agent job on a queue the project does not have;
//! * a task input that names a service connection the project does not have → `VS402913`
//!   (microsoft/azure-pipelines-tasks#4824).
//!
//! Inputs holding a `$(variable)` are not resolved here, as on the service.

use serde_json::Value;

use super::api::invalid;
use super::links::ProjectRef;
use crate::errors::{ApiError, ApiResult};
use crate::state::World;

/// Checks every stage of `environments` (the array of a definition body).
pub(crate) fn check_stages(
    world: &World,
    project: &ProjectRef,
    environments: &[Value],
) -> ApiResult<()> {
    for env in environments {
        let stage = env["name"].as_str().unwrap_or("").trim();
        check_approvals(env, stage)?;
        if !env["retentionPolicy"].is_object() {
            return Err(invalid(format!(
                "VS402982: Retention policy is not defined for the stage '{stage}'. Define a retention policy for the stage and try again."
            )));
        }
        for phase in env["deployPhases"].as_array().into_iter().flatten() {
            check_phase(world, project, stage, phase)?;
        }
    }
    Ok(())
}

fn check_approvals(env: &Value, stage: &str) -> ApiResult<()> {
    let empty = |kind: &str| {
        env[kind]["approvals"]
            .as_array()
            .is_none_or(|list| list.is_empty())
    };
    if empty("preDeployApprovals") || empty("postDeployApprovals") {
        return Err(invalid(format!(
            "VS402877: Pre-approvals or post-approvals in stage '{stage}' are empty."
        )));
    }
    Ok(())
}

fn check_phase(world: &World, project: &ProjectRef, stage: &str, phase: &Value) -> ApiResult<()> {
    let job = phase["name"].as_str().unwrap_or("Agent job");
    let agent_based = phase["phaseType"]
        .as_str()
        .is_none_or(|t| t.eq_ignore_ascii_case("agentBasedDeployment"));
    if agent_based {
        if let Some(queue) = phase["deploymentInput"]["queueId"].as_i64() {
            let known = world.catalog.queues.iter().any(|q| {
                q["id"].as_i64() == Some(queue) && q["projectId"] == project.id.to_string()
            });
            if !known {
                return Err(invalid(format!(
                    "The agent queue with id {queue} used by deploy job '{job}' in stage '{stage}' does not exist in project '{}', or you do not have permission to use it. Choose an agent queue of the project and try again.",
                    project.name
                )));
            }
        }
    }
    for task in phase["workflowTasks"].as_array().into_iter().flatten() {
        check_task(world, project, stage, job, task)?;
    }
    Ok(())
}

fn check_task(
    world: &World,
    project: &ProjectRef,
    stage: &str,
    job: &str,
    task: &Value,
) -> ApiResult<()> {
    let id = task["taskId"].as_str().unwrap_or("").trim();
    let version = task["version"].as_str().unwrap_or("").trim();
    let Some(def) = world.catalog.task(id) else {
        return Err(unknown_task(id, version, job, stage));
    };
    // `2.*` (or `2`, `2.4.0`) must name the major version the catalogue has.
    let major = version.split('.').next().unwrap_or("");
    if def["version"]["major"].as_i64().map(|m| m.to_string()) != Some(major.to_owned()) {
        return Err(unknown_task(
            def["name"].as_str().unwrap_or(id),
            version,
            job,
            stage,
        ));
    }
    let name = task["name"].as_str().unwrap_or("");
    for input in def["inputs"].as_array().into_iter().flatten() {
        let kind = input["type"].as_str().unwrap_or("");
        if !kind.to_ascii_lowercase().starts_with("connectedservice") {
            continue;
        }
        let Some(value) = input["name"]
            .as_str()
            .and_then(|n| task["inputs"][n].as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.starts_with("$("))
        else {
            continue;
        };
        let usable = world.catalog.endpoint(value).is_some_and(|e| {
            e["serviceEndpointProjectReferences"]
                .as_array()
                .is_some_and(|refs| {
                    refs.iter()
                        .any(|r| r["projectReference"]["id"] == project.id.to_string())
                })
        });
        if !usable {
            return Err(endpoint_unusable(stage, name, value));
        }
    }
    Ok(())
}

fn unknown_task(task: &str, version: &str, job: &str, stage: &str) -> ApiError {
    invalid(format!(
        "Tasks with versions '{task}:{version}' are not valid for deploy job '{job}' in stage {stage}."
    ))
}

fn endpoint_unusable(stage: &str, task: &str, endpoint: &str) -> ApiError {
    invalid(format!(
        "VS402913: The release definition cannot be saved because the environment '{stage}' references a service endpoint that cannot be found, or that you do not have permission to access. Details: 'Task '{task}' is using endpoint '{endpoint}''"
    ))
}
