//! Releases: list (filters, paging), get, and create (naming from the definition's format and
//! resolving each artifact's version against the simulated builds and repositories).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use serde_json::Value;

use super::api::{
    ctx, definition_of, descending, expands, has_artifact_ref, int_param, invalid, no_source_info,
    page_size, release_of,
};
use super::links::{self, person_of};
use super::model::{self, Counters, Release, ReleaseEnvironment, ReleaseView};
use crate::api::{JsonBody, QueryParams};
use crate::auth::Principal;
use crate::errors::ApiResult;
use crate::state::AppState;

mod resolve;

pub(crate) use resolve::resolve_artifact;

pub(super) async fn list_releases(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    q: QueryParams,
) -> ApiResult<Response> {
    principal.require("vso.release")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let ctx = ctx(&sim, &p);
    let ex = expands(&q);
    let definition_id = q.int("definitionId")?;
    let def_env = q.int("definitionEnvironmentId")?;
    let env_filter = q.int("environmentStatusFilter")?;
    let status_filter = q.get("statusFilter").map(str::to_ascii_lowercase);
    let search = q.get("searchText").map(str::to_ascii_lowercase);
    let descending = descending(&q);
    let top = page_size(&q)?;
    let token = q
        .int("continuationToken")?
        .and_then(|t| i32::try_from(t).ok());
    let artifact_version = q.get("artifactVersionId").map(str::to_ascii_lowercase);
    let source_branch = q.get("sourceBranchFilter").map(str::to_ascii_lowercase);

    let matches = |r: &Release| -> bool {
        if r.project_id != p.id {
            return false;
        }
        if definition_id.is_some_and(|d| i64::from(r.definition_id) != d) {
            return false;
        }
        if status_filter
            .as_deref()
            .is_some_and(|s| r.status.to_ascii_lowercase() != s)
        {
            return false;
        }
        if search
            .as_deref()
            .is_some_and(|s| !r.name.to_ascii_lowercase().contains(s))
        {
            return false;
        }
        if let Some(de) = def_env {
            let Some(env) = r
                .environments
                .iter()
                .find(|e| i64::from(e.definition_environment_id) == de)
            else {
                return false;
            };
            if let Some(mask) = env_filter {
                if mask & env_status_bit(&env.status) == 0 {
                    return false;
                }
            }
        } else if let Some(mask) = env_filter {
            if !r
                .environments
                .iter()
                .any(|e| mask & env_status_bit(&e.status) != 0)
            {
                return false;
            }
        }
        if let Some(v) = &artifact_version {
            if !has_artifact_ref(r, "version", v) {
                return false;
            }
        }
        if let Some(b) = &source_branch {
            if !has_artifact_ref(r, "branch", b) {
                return false;
            }
        }
        true
    };
    let mut page: Vec<&Release> = Vec::with_capacity(top + 1);
    let iter: Box<dyn Iterator<Item = &Release>> = if descending {
        Box::new(
            world
                .release
                .releases
                .range(..=token.unwrap_or(i32::MAX))
                .rev()
                .map(|(_, r)| r),
        )
    } else {
        Box::new(
            world
                .release
                .releases
                .range(token.unwrap_or(i32::MIN)..)
                .map(|(_, r)| r),
        )
    };
    for r in iter.filter(|r| matches(r)) {
        page.push(r);
        if page.len() > top {
            break;
        }
    }
    let next = if page.len() > top {
        page.pop().map(|r| r.id.to_string())
    } else {
        None
    };
    let view = ReleaseView {
        environments: ex.iter().any(|e| e == "environments"),
        artifacts: ex.iter().any(|e| e == "artifacts"),
        tasks: false,
        approvals: ex.iter().any(|e| e == "approvals"),
    };
    let items: Vec<Value> = page
        .into_iter()
        .map(|r| model::render_release(&ctx, &world.release, r, view))
        .collect();
    Ok(crate::api::with_continuation(crate::api::list(items), next))
}

/// Bit of an EnvironmentStatus in `environmentStatusFilter` (node-api `EnvironmentStatus`).
pub(super) fn env_status_bit(status: &str) -> i64 {
    match status {
        "notStarted" => 1,
        "inProgress" => 2,
        "succeeded" => 4,
        "canceled" => 8,
        "rejected" => 16,
        "queued" => 32,
        "scheduled" => 64,
        "partiallySucceeded" => 128,
        _ => 0,
    }
}

pub(super) async fn get_release(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, id)): Path<(String, String, String)>,
    q: QueryParams,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release")?;
    let id = int_param(&id, "releaseId")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let r = release_of(&world, &p, id)?;
    let ex = expands(&q);
    let view = ReleaseView {
        environments: true,
        artifacts: true,
        tasks: ex.iter().any(|e| e == "tasks"),
        approvals: true,
    };
    Ok(Json(model::render_release(
        &ctx(&sim, &p),
        &world.release,
        r,
        view,
    )))
}

/// The release-scope variables of a new release: the definition's, with the value given at
/// creation for each one marked `allowOverride`. A value for a variable that is not overridable
/// (or not defined) is not applied. *verify live*: whether the service refuses it instead.
fn release_variables(definition: &Value, given: &Value) -> serde_json::Map<String, Value> {
    let mut vars = definition["variables"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, v) in given.as_object().into_iter().flatten() {
        let Some((_, def_var)) = vars.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(name)) else {
            continue;
        };
        if !def_var["allowOverride"].as_bool().unwrap_or(false) {
            continue;
        }
        let value = match &v["value"] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        def_var["value"] = Value::String(value);
    }
    vars
}

/// Expands `$(rev:r)` and a few date tokens of a release name format.
pub(super) fn release_name(format: &str, number: i32, def_name: &str) -> String {
    let now = Utc::now();
    let f = if format.trim().is_empty() {
        "Release-$(rev:r)"
    } else {
        format
    };
    f.replace("$(rev:r)", &number.to_string())
        .replace("$(rev:rr)", &format!("{number:02}"))
        .replace("$(Date:yyyyMMdd)", &now.format("%Y%m%d").to_string())
        .replace("$(Build.DefinitionName)", def_name)
        .replace("$(Release.DefinitionName)", def_name)
}

pub(super) async fn create_release(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release_execute")?;
    let def_id = body["definitionId"]
        .as_i64()
        .and_then(|i| i32::try_from(i).ok())
        .ok_or_else(|| {
            invalid("The release pipeline id is missing. Specify definitionId and try again.")
        })?;
    let who = person_of(&principal.user);
    let (out, auto_envs) = {
        let mut world = sim.world();
        let p = links::project(&world, &project)?;
        let def = definition_of(&world, &p, def_id)?.clone();
        let body_artifacts = body["artifacts"].as_array().cloned().unwrap_or_default();
        for a in &body_artifacts {
            let alias = a["alias"].as_str().unwrap_or("");
            if !def.body()["artifacts"].as_array().is_some_and(|d| {
                d.iter().any(|x| {
                    x["alias"]
                        .as_str()
                        .is_some_and(|x| x.eq_ignore_ascii_case(alias))
                })
            }) {
                return Err(invalid(format!(
                    "Artifact with alias '{alias}' is not linked to release pipeline '{}'. Use one of the pipeline's artifact aliases and try again.",
                    def.name()
                )));
            }
        }
        let mut artifacts = Vec::new();
        for da in def.body()["artifacts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let alias = da["alias"].as_str().unwrap_or("");
            let inst = body_artifacts
                .iter()
                .find(|a| {
                    a["alias"]
                        .as_str()
                        .is_some_and(|x| x.eq_ignore_ascii_case(alias))
                })
                .map(|a| a.get("instanceReference").cloned().unwrap_or(Value::Null));
            if let Some(Value::Null) = inst {
                return Err(no_source_info());
            }
            artifacts.push(resolve_artifact(&world, &da, inst.as_ref())?);
        }
        let manual: Vec<String> = body["manualEnvironments"]
            .as_array()
            .map(|m| {
                m.iter()
                    .filter_map(|x| x.as_str().map(str::to_ascii_lowercase))
                    .collect()
            })
            .unwrap_or_default();
        let now = Utc::now();
        let number = def.next_release_number;
        let name = release_name(
            def.body()["releaseNameFormat"].as_str().unwrap_or(""),
            number,
            def.name(),
        );
        let rel = &mut world.release;
        let id = Counters::next(&mut rel.ids.release);
        let mut auto_envs = Vec::new();
        let mut environments = Vec::new();
        for e in def.body()["environments"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let env_id = Counters::next(&mut rel.ids.release_environment);
            let ename = e["name"].as_str().unwrap_or("").to_owned();
            let release_started = e["conditions"].as_array().is_some_and(|c| {
                c.iter().any(|c| {
                    c["name"] == "ReleaseStarted"
                        && c["conditionType"]
                            .as_str()
                            .is_some_and(|t| t.eq_ignore_ascii_case("event"))
                })
            });
            if release_started && !manual.contains(&ename.to_ascii_lowercase()) {
                auto_envs.push(env_id);
            }
            environments.push(ReleaseEnvironment {
                id: env_id,
                definition_environment_id: e["id"]
                    .as_i64()
                    .and_then(|i| i32::try_from(i).ok())
                    .unwrap_or(0),
                name: ename,
                rank: e["rank"]
                    .as_i64()
                    .and_then(|i| i32::try_from(i).ok())
                    .unwrap_or(1),
                status: "notStarted".into(),
                created_on: now,
                modified_on: now,
                trigger_reason: if release_started {
                    "After release".into()
                } else {
                    "Manual".into()
                },
                deploy_steps: Vec::new(),
            });
        }
        let release = Release {
            id,
            name,
            definition_id: def.id,
            definition_revision: def.revision,
            project_id: p.id,
            status: if body["isDraft"].as_bool().unwrap_or(false) {
                "draft".into()
            } else {
                "active".into()
            },
            reason: body["reason"]
                .as_str()
                .filter(|r| !r.is_empty() && *r != "none")
                .unwrap_or("manual")
                .to_owned(),
            description: body["description"].as_str().unwrap_or("").to_owned(),
            created_on: now,
            modified_on: now,
            created_by: who.clone(),
            modified_by: who.clone(),
            artifacts,
            environments,
        };
        if let Some(d) = rel.definitions.iter_mut().find(|d| d.id == def.id) {
            d.next_release_number += 1;
        }
        rel.releases.insert(id, release);
        rel.variables
            .insert(id, release_variables(def.body(), &body["variables"]));
        for env_id in &auto_envs {
            super::engine::queue_deployment(&mut world, id, *env_id, &who, "automated", "")?;
        }
        let r = &world.release.releases[&id];
        let out = model::render_release(
            &ctx(&sim, &p),
            &world.release,
            r,
            ReleaseView {
                environments: true,
                artifacts: true,
                tasks: false,
                approvals: true,
            },
        );
        (
            out,
            auto_envs.into_iter().map(|e| (id, e)).collect::<Vec<_>>(),
        )
    };
    for (rid, eid) in auto_envs {
        super::engine::spawn(&sim, rid, eid);
    }
    Ok(Json(out))
}
