//! REST handlers of the release area (`{base}/vsrm/{org}/{project}/_apis/release/...`).

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde_json::{json, Value};

use super::links::{self, person_of, Person, ProjectRef};
use super::model::{
    self, Approval, Counters, Ctx, Definition, DeploymentEntry, Release, ReleaseArtifact,
    ReleaseEnvironment, ReleaseView,
};
use crate::api::{JsonBody, QueryParams};
use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::state::{AppState, Sim, World};

const RM: &str = "/vsrm/{org}/{project}/_apis/release";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{RM}/definitions"), get(list_definitions).post(create_definition).put(update_definition))
        .route(&format!("{RM}/definitions/{{definition_id}}"), get(get_definition))
        .route(&format!("{RM}/releases"), get(list_releases).post(create_release))
        .route(&format!("{RM}/releases/{{release_id}}"), get(get_release))
        .route(
            &format!("{RM}/releases/{{release_id}}/environments/{{env_id}}"),
            get(get_environment).patch(update_environment),
        )
        .route(
            &format!("{RM}/releases/{{release_id}}/environments/{{env_id}}/deployphases/{{phase_id}}/tasks/{{task_id}}/logs"),
            get(task_log),
        )
        .route(&format!("{RM}/releases/{{release_id}}/logs"), get(release_logs))
        .route(&format!("{RM}/deployments"), get(list_deployments))
        .route(&format!("{RM}/approvals"), get(list_approvals))
        .route(&format!("{RM}/approvals/{{approval_id}}"), get(get_approval).patch(update_approval))
}

pub(crate) fn ctx(sim: &Sim, p: &ProjectRef) -> Ctx {
    Ctx {
        base: sim.info.base_url.clone(),
        org: links::org_of(&sim.info.org_url),
        project_id: p.id,
        project_name: p.name.clone(),
    }
}

fn int_param(raw: &str, what: &str) -> ApiResult<i32> {
    raw.trim().parse::<i32>().map_err(|_| {
        ApiError::bad_request(
            format!("The value '{raw}' is not valid for {what}. Specify a valid integer."),
            "InvalidArgumentValueException",
        )
    })
}

fn definition_not_found(id: i32) -> ApiError {
    ApiError::not_found(
        format!("Release pipeline with id {id} does not exist. Specify a valid id and try again."),
        "ReleaseDefinitionNotFoundException",
    )
}

fn release_not_found(id: i32) -> ApiError {
    ApiError::not_found(
        format!("A release with id {id} does not exist. Specify a valid id and try again."),
        "ReleaseNotFoundException",
    )
}

fn environment_not_found(release: i32, env: i32) -> ApiError {
    ApiError::not_found(
        format!("Stage with id {env} does not exist in release {release}. Specify a valid stage id and try again."),
        "ReleaseEnvironmentNotFoundException",
    )
}

fn expands(q: &QueryParams) -> Vec<String> {
    q.all("$expand")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .collect()
}

// ------------------------------------------------------------------------------------------------
// Definitions.

async fn list_definitions(
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
    let search = q.get("searchText").map(str::to_ascii_lowercase);
    let exact = q.flag("isExactNameMatch").unwrap_or(false);
    let path = q.get("path").map(str::to_ascii_lowercase);
    let mut defs: Vec<&Definition> = world
        .release
        .definitions
        .iter()
        .filter(|d| !d.is_deleted && d.project_id == p.id)
        .filter(|d| {
            search.as_deref().is_none_or(|s| {
                let n = d.name().to_ascii_lowercase();
                if exact {
                    n == s
                } else {
                    n.contains(s)
                }
            })
        })
        .filter(|d| {
            path.as_deref()
                .is_none_or(|x| d.path().eq_ignore_ascii_case(x))
        })
        .collect();
    // queryOrder: idAscending (default), idDescending, nameAscending, nameDescending.
    match q.get("queryOrder").map(str::to_ascii_lowercase).as_deref() {
        Some("iddescending") => defs.sort_by_key(|d| std::cmp::Reverse(d.id)),
        Some("nameascending") => defs.sort_by_key(|d| d.name().to_ascii_lowercase()),
        Some("namedescending") => {
            defs.sort_by_key(|d| std::cmp::Reverse(d.name().to_ascii_lowercase()));
        }
        _ => defs.sort_by_key(|d| d.id),
    }
    let top = q.int("$top")?.map(|t| usize::try_from(t).unwrap_or(0));
    let (page, token) = crate::api::continuation_page(defs, top, q.get("continuationToken"))?;
    let items: Vec<Value> = page
        .into_iter()
        .map(|d| {
            let mut v = model::render_definition(
                &ctx,
                d,
                &world.release,
                ex.iter().any(|e| e == "environments"),
                ex.iter().any(|e| e == "artifacts"),
            );
            if !ex.iter().any(|e| e == "environments") {
                if let Some(o) = v.as_object_mut() {
                    o.remove("environments");
                }
            }
            v
        })
        .collect();
    Ok(crate::api::with_continuation(
        crate::api::list(items),
        token,
    ))
}

async fn get_definition(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, id)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release")?;
    let id = int_param(&id, "definitionId")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let d = world
        .release
        .definition(id)
        .filter(|d| d.project_id == p.id)
        .ok_or_else(|| definition_not_found(id))?;
    Ok(Json(model::render_definition(
        &ctx(&sim, &p),
        d,
        &world.release,
        true,
        true,
    )))
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message, "InvalidRequestException")
}

fn no_source_info() -> ApiError {
    invalid("VS402862: Artifact source should have source information. Specify a valid source and try again.")
}

/// Validates a definition body and fills server-assigned ids (environments, approvals, phases).
pub(crate) fn normalise_definition(
    world: &mut World,
    project: &ProjectRef,
    body: &mut Value,
    existing: Option<&Definition>,
) -> ApiResult<()> {
    let name = body["name"]
        .as_str()
        .map(str::trim)
        .unwrap_or("")
        .to_owned();
    if name.is_empty() {
        return Err(invalid(
            "The release pipeline name is missing. Specify a name and try again.",
        ));
    }
    if name.chars().any(|c| "\\/:*?\"<>|".contains(c)) {
        return Err(invalid(format!(
            "The release pipeline name '{name}' contains characters that are not allowed (\\ / : * ? \" < > |). Rename it and try again."
        )));
    }
    let path = body["path"]
        .as_str()
        .filter(|p| !p.is_empty())
        .unwrap_or("\\")
        .to_owned();
    let path = if path.starts_with('\\') {
        path
    } else {
        format!("\\{path}")
    };
    let clash = world.release.definitions.iter().any(|d| {
        !d.is_deleted
            && d.project_id == project.id
            && existing.is_none_or(|e| e.id != d.id)
            && d.name().eq_ignore_ascii_case(&name)
            && d.path().eq_ignore_ascii_case(&path)
    });
    if clash {
        return Err(invalid(format!(
            "A release pipeline named '{name}' already exists in folder '{path}'. Choose a different name or folder and try again."
        )));
    }
    let obj = body
        .as_object_mut()
        .ok_or_else(|| invalid("The release pipeline must be a JSON object."))?;
    obj.insert("name".into(), json!(name));
    obj.insert("path".into(), json!(path));
    for key in [
        "id",
        "revision",
        "url",
        "_links",
        "createdBy",
        "createdOn",
        "modifiedBy",
        "modifiedOn",
        "isDeleted",
    ] {
        obj.remove(key);
    }
    // Artifacts: every artifact needs a complete source (VS402862 otherwise).
    let artifacts = obj.entry("artifacts").or_insert_with(|| json!([]));
    if let Some(arts) = artifacts.as_array() {
        for a in arts {
            let dr = &a["definitionReference"];
            let has = |k: &str| dr[k]["id"].as_str().is_some_and(|s| !s.trim().is_empty());
            if a["alias"].as_str().is_none_or(|s| s.trim().is_empty())
                || !has("definition")
                || !has("project")
            {
                return Err(no_source_info());
            }
            if a["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("Git"))
            {
                let repo = dr["definition"]["id"].as_str().unwrap_or("");
                let proj = dr["project"]["id"].as_str().unwrap_or("");
                if world.git.repo(proj, repo).is_none() {
                    return Err(invalid(format!(
                        "VS402862: Artifact source should have source information. The repository '{repo}' was not found in project '{proj}'. Specify a valid source and try again."
                    )));
                }
            }
        }
    }
    let envs = obj
        .get_mut("environments")
        .and_then(Value::as_array_mut)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| {
            invalid("A release pipeline needs at least one stage. Add a stage and try again.")
        })?;
    let ids = &mut world.release.ids;
    let known_env_ids: Vec<i64> = existing
        .and_then(|d| d.body()["environments"].as_array())
        .map(|es| es.iter().filter_map(|e| e["id"].as_i64()).collect())
        .unwrap_or_default();
    for (i, env) in envs.iter_mut().enumerate() {
        let Some(e) = env.as_object_mut() else {
            return Err(invalid("Each stage must be a JSON object."));
        };
        let env_name = e
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("")
            .to_owned();
        if env_name.is_empty() {
            return Err(invalid(
                "A stage of the release pipeline has no name. Name every stage and try again.",
            ));
        }
        let id_ok = e
            .get("id")
            .and_then(Value::as_i64)
            .filter(|id| *id > 0 && known_env_ids.contains(id));
        if id_ok.is_none() {
            e.insert(
                "id".into(),
                json!(Counters::next(&mut ids.definition_environment)),
            );
        }
        e.entry("rank").or_insert_with(|| json!(i + 1));
        for kind in ["preDeployApprovals", "postDeployApprovals"] {
            let ap = e.entry(kind).or_insert_with(|| json!({"approvals": [{"rank": 1, "isAutomated": true, "isNotificationOn": false}]}));
            if let Some(list) = ap.get_mut("approvals").and_then(Value::as_array_mut) {
                for a in list {
                    if a.get("id").and_then(Value::as_i64).unwrap_or(0) == 0 {
                        a["id"] = json!(Counters::next(&mut ids.definition_approval));
                    }
                }
            }
        }
        e.entry("deployStep")
            .or_insert_with(|| json!({"id": Counters::next(&mut ids.definition_approval)}));
        let phases = e.entry("deployPhases").or_insert_with(|| json!([]));
        if let Some(phases) = phases.as_array_mut() {
            for (j, ph) in phases.iter_mut().enumerate() {
                if let Some(ph) = ph.as_object_mut() {
                    ph.entry("rank").or_insert_with(|| json!(j + 1));
                    ph.entry("phaseType")
                        .or_insert_with(|| json!("agentBasedDeployment"));
                    ph.entry("name").or_insert_with(|| json!("Agent job"));
                    ph.entry("refName").or_insert(Value::Null);
                    let tasks = ph.entry("workflowTasks").or_insert_with(|| json!([]));
                    if !tasks.is_array() {
                        return Err(invalid(format!(
                            "workflowTasks of stage '{env_name}' must be an array."
                        )));
                    }
                }
            }
        }
    }
    match obj.get("releaseNameFormat") {
        None => {
            obj.insert("releaseNameFormat".into(), json!("Release-$(rev:r)"));
        }
        Some(Value::Null) => {
            obj.insert("releaseNameFormat".into(), json!(""));
        }
        Some(_) => {}
    }
    Ok(())
}

async fn create_definition(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    JsonBody(mut body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release_execute")?;
    let mut world = sim.world();
    let p = links::project(&world, &project)?;
    normalise_definition(&mut world, &p, &mut body, None)?;
    let who = person_of(&principal.user);
    let now = Utc::now();
    let id = Counters::next(&mut world.release.ids.definition);
    let d = Definition {
        id,
        project_id: p.id,
        project_name: p.name.clone(),
        revision: 1,
        created_by: who.clone(),
        created_on: now,
        modified_by: who,
        modified_on: now,
        is_deleted: false,
        next_release_number: 1,
        revisions: vec![body],
    };
    let out = model::render_definition(&ctx(&sim, &p), &d, &world.release, true, true);
    world.release.definitions.push(d);
    Ok(Json(out))
}

async fn update_definition(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    JsonBody(mut body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release_execute")?;
    let mut world = sim.world();
    let p = links::project(&world, &project)?;
    let id = body["id"]
        .as_i64()
        .and_then(|i| i32::try_from(i).ok())
        .ok_or_else(|| invalid("The release pipeline to update has no id. Get the definition, change it and send it back with its id and revision."))?;
    let existing = world
        .release
        .definition(id)
        .filter(|d| d.project_id == p.id)
        .cloned()
        .ok_or_else(|| definition_not_found(id))?;
    let sent = body["revision"].as_i64();
    if sent != Some(i64::from(existing.revision)) {
        return Err(invalid(format!(
            "Release pipeline '{}' was modified by {} after you read it: you sent revision {}, the current revision is {}. Get the latest definition, apply your change again and retry.",
            existing.name(),
            existing.modified_by.display_name,
            sent.map_or_else(|| "none".to_owned(), |r| r.to_string()),
            existing.revision
        )));
    }
    normalise_definition(&mut world, &p, &mut body, Some(&existing))?;
    let who = person_of(&principal.user);
    let Some(d) = world.release.definitions.iter_mut().find(|d| d.id == id) else {
        return Err(definition_not_found(id));
    };
    d.revision += 1;
    d.modified_by = who;
    d.modified_on = Utc::now();
    d.revisions.push(body);
    let d = d.clone();
    Ok(Json(model::render_definition(
        &ctx(&sim, &p),
        &d,
        &world.release,
        true,
        true,
    )))
}

// ------------------------------------------------------------------------------------------------
// Releases.

async fn list_releases(
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
    let descending = !q
        .get("queryOrder")
        .is_some_and(|o| o.eq_ignore_ascii_case("ascending"));
    let top = usize::try_from(q.int("$top")?.unwrap_or(50))
        .unwrap_or(50)
        .max(1);
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
            if !r.artifacts.iter().any(|a| {
                a.definition_reference["version"]["id"]
                    .as_str()
                    .is_some_and(|x| x.to_ascii_lowercase() == *v)
            }) {
                return false;
            }
        }
        if let Some(b) = &source_branch {
            if !r.artifacts.iter().any(|a| {
                a.definition_reference["branch"]["id"]
                    .as_str()
                    .is_some_and(|x| x.to_ascii_lowercase() == *b)
            }) {
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
fn env_status_bit(status: &str) -> i64 {
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

async fn get_release(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, id)): Path<(String, String, String)>,
    q: QueryParams,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release")?;
    let id = int_param(&id, "releaseId")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let r = world
        .release
        .releases
        .get(&id)
        .filter(|r| r.project_id == p.id)
        .ok_or_else(|| release_not_found(id))?;
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

/// Expands `$(rev:r)` and a few date tokens of a release name format.
fn release_name(format: &str, number: i32, def_name: &str) -> String {
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

/// Resolves a release artifact from the definition's artifact and the caller's instance reference
/// (`None` = the default version: latest commit of the branch / latest build).
pub(crate) fn resolve_artifact(
    world: &World,
    def_artifact: &Value,
    instance: Option<&Value>,
) -> ApiResult<ReleaseArtifact> {
    let alias = def_artifact["alias"].as_str().unwrap_or("").to_owned();
    let kind = def_artifact["type"].as_str().unwrap_or("Git").to_owned();
    let mut dr = def_artifact["definitionReference"].clone();
    let repo_id = dr["definition"]["id"].as_str().unwrap_or("").to_owned();
    let project_id = dr["project"]["id"].as_str().unwrap_or("").to_owned();
    if repo_id.is_empty() || project_id.is_empty() {
        return Err(no_source_info());
    }
    if let Some(inst) = instance {
        if inst["id"].as_str().is_none_or(|s| s.trim().is_empty()) {
            return Err(no_source_info());
        }
    }
    if kind.eq_ignore_ascii_case("Git") {
        let repo = world
            .git
            .repo(&project_id, &repo_id)
            .ok_or_else(no_source_info)?;
        let git = git2::Repository::open_bare(&repo.path)?;
        let (commit, branch) = match instance {
            Some(inst) => {
                let id = inst["id"].as_str().unwrap_or("").trim();
                let obj = git.revparse_single(id).ok().and_then(|o| o.peel_to_commit().ok()).ok_or_else(|| {
                    invalid(format!(
                        "The version '{id}' of artifact '{alias}' was not found in repository '{}'. Specify an existing commit id and try again.",
                        repo.name
                    ))
                })?;
                let branch = inst["sourceBranch"]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| {
                        dr["branches"]["id"]
                            .as_str()
                            .or_else(|| dr["branch"]["id"].as_str())
                            .map(|b| {
                                if b.starts_with("refs/") {
                                    b.to_owned()
                                } else {
                                    format!("refs/heads/{b}")
                                }
                            })
                    });
                (obj.id().to_string(), branch)
            }
            None => {
                let b = dr["branches"]["id"]
                    .as_str()
                    .or_else(|| dr["branch"]["id"].as_str())
                    .unwrap_or("")
                    .to_owned();
                let short = b.trim_start_matches("refs/heads/").to_owned();
                let reference = git.find_reference(&format!("refs/heads/{short}")).map_err(|_| {
                    invalid(format!(
                        "No version is available for artifact '{alias}': branch '{short}' does not exist in repository '{}'. Push the branch or pick a version and try again.",
                        repo.name
                    ))
                })?;
                let commit = reference.peel_to_commit()?;
                (commit.id().to_string(), Some(format!("refs/heads/{short}")))
            }
        };
        dr["version"] = json!({"id": commit, "name": commit[..8].to_owned()});
        if let Some(b) = branch {
            let short = b.trim_start_matches("refs/heads/").to_owned();
            dr["branch"] = json!({"id": b, "name": short});
        }
        let source_id = def_artifact["sourceId"]
            .as_str()
            .map_or_else(|| format!("{project_id}:{repo_id}"), str::to_owned);
        return Ok(ReleaseArtifact {
            alias,
            kind,
            is_primary: def_artifact["isPrimary"].as_bool().unwrap_or(false),
            source_id,
            definition_reference: dr,
        });
    }
    // Build artifact: the version is a build id.
    let build = match instance {
        Some(inst) => {
            let id = inst["id"]
                .as_str()
                .and_then(|s| s.trim().parse::<i32>().ok())
                .unwrap_or(-1);
            world.catalog.builds.iter().find(|b| b.id == id)
        }
        None => world
            .catalog
            .builds
            .iter()
            .rev()
            .find(|b| b.definition_id.to_string() == repo_id),
    }
    .ok_or_else(|| {
        invalid(format!(
            "No build was found for artifact '{alias}'. Specify a valid build id and try again."
        ))
    })?;
    dr["version"] = json!({"id": build.id.to_string(), "name": build.build_number});
    dr["branch"] = json!({"id": build.source_branch, "name": build.source_branch});
    dr["repository"] =
        json!({"id": build.repository_id.to_string(), "name": build.repository_name});
    dr["sourceVersion"] = json!({"id": build.source_version, "name": build.source_version});
    Ok(ReleaseArtifact {
        alias,
        kind,
        is_primary: def_artifact["isPrimary"].as_bool().unwrap_or(false),
        source_id: def_artifact["sourceId"].as_str().unwrap_or("").to_owned(),
        definition_reference: dr,
    })
}

async fn create_release(
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
        let def = world
            .release
            .definition(def_id)
            .filter(|d| d.project_id == p.id)
            .cloned()
            .ok_or_else(|| definition_not_found(def_id))?;
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

async fn get_environment(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, release_id, env_id)): Path<(String, String, String, String)>,
    q: QueryParams,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release")?;
    let rid = int_param(&release_id, "releaseId")?;
    let eid = int_param(&env_id, "environmentId")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let r = world
        .release
        .releases
        .get(&rid)
        .filter(|r| r.project_id == p.id)
        .ok_or_else(|| release_not_found(rid))?;
    let e = r
        .environments
        .iter()
        .find(|e| e.id == eid)
        .ok_or_else(|| environment_not_found(rid, eid))?;
    let tasks = expands(&q).iter().any(|x| x == "tasks");
    Ok(Json(model::render_environment(
        &ctx(&sim, &p),
        &world.release,
        r,
        e,
        tasks,
    )))
}

async fn update_environment(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, release_id, env_id)): Path<(String, String, String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release_execute")?;
    let rid = int_param(&release_id, "releaseId")?;
    let eid = int_param(&env_id, "environmentId")?;
    let status = body["status"].as_str().unwrap_or("").to_owned();
    let comment = body["comment"].as_str().unwrap_or("").to_owned();
    let who = person_of(&principal.user);
    let (out, start) = {
        let mut world = sim.world();
        let p = links::project(&world, &project)?;
        let r = world
            .release
            .releases
            .get(&rid)
            .filter(|r| r.project_id == p.id)
            .ok_or_else(|| release_not_found(rid))?;
        let e = r
            .environments
            .iter()
            .find(|e| e.id == eid)
            .ok_or_else(|| environment_not_found(rid, eid))?;
        let start = match status.as_str() {
            s if s.eq_ignore_ascii_case("inProgress") => {
                if r.status == "abandoned" {
                    return Err(invalid(format!(
                        "Release '{}' is abandoned; a stage of an abandoned release cannot be deployed. Create a new release and deploy it.",
                        r.name
                    )));
                }
                if matches!(e.status.as_str(), "inProgress" | "queued") {
                    return Err(invalid(format!(
                        "Stage '{}' of release '{}' is already being deployed (status {}). Wait for the deployment to finish or cancel it, then try again.",
                        e.name, r.name, e.status
                    )));
                }
                super::engine::queue_deployment(&mut world, rid, eid, &who, "manual", &comment)?;
                true
            }
            s if s.eq_ignore_ascii_case("canceled") => {
                super::engine::cancel(&mut world, rid, eid, &comment)?;
                false
            }
            other => {
                return Err(invalid(format!(
                    "The stage status '{other}' cannot be set through this API. Use 'inProgress' to deploy or 'canceled' to cancel."
                )));
            }
        };
        let r = &world.release.releases[&rid];
        let e = r
            .environments
            .iter()
            .find(|e| e.id == eid)
            .ok_or_else(|| environment_not_found(rid, eid))?;
        (
            model::render_environment(&ctx(&sim, &p), &world.release, r, e, false),
            start,
        )
    };
    if start {
        super::engine::spawn(&sim, rid, eid);
    }
    Ok(Json(out))
}

async fn task_log(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, release_id, env_id, phase_id, task_id)): Path<(
        String,
        String,
        String,
        String,
        String,
        String,
    )>,
    q: QueryParams,
) -> ApiResult<Response> {
    principal.require("vso.release")?;
    let rid = int_param(&release_id, "releaseId")?;
    let eid = int_param(&env_id, "environmentId")?;
    let phid = int_param(&phase_id, "releaseDeployPhaseId")?;
    let tid = int_param(&task_id, "taskId")?;
    let start = q.int("startLine")?.unwrap_or(0).max(0);
    let end = q.int("endLine")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let r = world
        .release
        .releases
        .get(&rid)
        .filter(|r| r.project_id == p.id)
        .ok_or_else(|| release_not_found(rid))?;
    let e = r
        .environments
        .iter()
        .find(|e| e.id == eid)
        .ok_or_else(|| environment_not_found(rid, eid))?;
    let phase = e
        .deploy_steps
        .iter()
        .flat_map(|a| a.phases.iter())
        .find(|ph| ph.id == phid)
        .ok_or_else(|| {
            ApiError::not_found(
                format!("Deploy phase {phid} does not exist in stage {eid} of release {rid}."),
                "ReleaseDeployPhaseNotFoundException",
            )
        })?;
    let task = phase
        .jobs
        .iter()
        .flat_map(|j| std::iter::once(&j.job).chain(j.tasks.iter()))
        .find(|t| t.id == tid)
        .ok_or_else(|| ApiError::not_found(format!("Task {tid} does not exist in deploy phase {phid} of release {rid}. Read the release with $expand=tasks to get task ids."), "TaskNotFoundException"))?;
    let len = i64::try_from(task.log.len()).unwrap_or(i64::MAX);
    let end = end.unwrap_or(len).min(len);
    let text = if start >= end {
        String::new()
    } else {
        let (s, e) = (
            usize::try_from(start).unwrap_or(0),
            usize::try_from(end).unwrap_or(0),
        );
        let mut t = task.log[s..e].join("\n");
        t.push('\n');
        t
    };
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response())
}

/// Entry name of one log in the release logs zip. The reference documents only "`application/zip`
/// of all logs", not the layout; the simulator uses
/// `{stage}/Attempt {n}/{phase}/{rank}_{task}.log` (every attempt, job and task logs that have lines).
fn zip_entry(stage: &str, attempt: i32, phase: &str, rank: i32, task: &str) -> String {
    let clean = |s: &str| s.replace(['/', '\\'], "_");
    format!(
        "{}/Attempt {attempt}/{}/{rank}_{}.log",
        clean(stage),
        clean(phase),
        clean(task)
    )
}

/// `GET {vsrm}/{project}/_apis/release/releases/{releaseId}/logs`: every log of the release as
/// `application/zip` (API.md "Logs" rows; entries are stored uncompressed: the `zip` crate is used
/// without its compression features).
async fn release_logs(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, release_id)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    principal.require("vso.release")?;
    let rid = int_param(&release_id, "releaseId")?;
    let entries: Vec<(String, String)> = {
        let world = sim.world();
        let p = links::project(&world, &project)?;
        let r = world
            .release
            .releases
            .get(&rid)
            .filter(|r| r.project_id == p.id)
            .ok_or_else(|| release_not_found(rid))?;
        let mut entries = Vec::new();
        for e in &r.environments {
            for a in &e.deploy_steps {
                for ph in &a.phases {
                    for j in &ph.jobs {
                        for t in std::iter::once(&j.job).chain(j.tasks.iter()) {
                            if t.log.is_empty() {
                                continue;
                            }
                            let mut text = t.log.join("\n");
                            text.push('\n');
                            entries.push((
                                zip_entry(&e.name, a.attempt, &ph.name, t.rank, &t.name),
                                text,
                            ));
                        }
                    }
                }
            }
        }
        entries
    };
    let bytes = tokio::task::spawn_blocking(move || -> zip::result::ZipResult<Vec<u8>> {
        use std::io::Write;
        let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, text) in entries {
            zw.start_file(name, options)?;
            zw.write_all(text.as_bytes())?;
        }
        Ok(zw.finish()?.into_inner())
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/zip")],
        bytes,
    )
        .into_response())
}

// ------------------------------------------------------------------------------------------------
// Deployments.

async fn list_deployments(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    q: QueryParams,
) -> ApiResult<Response> {
    principal.require("vso.release")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let ctx = ctx(&sim, &p);
    let rel = &world.release;
    let definition_id = q.int("definitionId")?;
    let def_env = q.int("definitionEnvironmentId")?;
    let status = q.get("deploymentStatus").map(str::to_ascii_lowercase);
    let op_status = q.get("operationStatus").map(str::to_ascii_lowercase);
    let latest_only = q.flag("latestAttemptsOnly").unwrap_or(false);
    // Newest first unless asked otherwise (the service's example lists ids 79, 64, 63, ...).
    let descending = !q
        .get("queryOrder")
        .is_some_and(|o| o.eq_ignore_ascii_case("ascending"));
    let top = usize::try_from(q.int("$top")?.unwrap_or(50))
        .unwrap_or(50)
        .max(1);
    let token = q.int("continuationToken")?;
    let min_started = q
        .get("minStartedTime")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let max_started = q
        .get("maxStartedTime")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let source_branch = q.get("sourceBranch").map(str::to_ascii_lowercase);
    let created_by = q.get("createdBy").map(str::to_ascii_lowercase);

    let wanted = |e: &&DeploymentEntry| -> bool {
        definition_id.is_none_or(|d| i64::from(e.definition_id) == d)
            && def_env.is_none_or(|d| i64::from(e.definition_environment_id) == d)
            && match (token, descending) {
                (Some(t), true) => i64::from(e.id) <= t,
                (Some(t), false) => i64::from(e.id) >= t,
                (None, _) => true,
            }
    };
    let accept = |e: &DeploymentEntry| -> Option<Value> {
        let (r, env, a) = rel.attempt_of(e)?;
        if r.project_id != p.id {
            return None;
        }
        if latest_only
            && env
                .deploy_steps
                .last()
                .is_some_and(|l| l.deployment_id != a.deployment_id)
        {
            return None;
        }
        if let Some(s) = &status {
            if s != "all" && a.status.to_ascii_lowercase() != *s {
                return None;
            }
        }
        if let Some(s) = &op_status {
            if s != "all" && a.operation_status.to_ascii_lowercase() != *s {
                return None;
            }
        }
        if let Some(min) = min_started {
            if a.started_on.is_none_or(|t| t < min) {
                return None;
            }
        }
        if let Some(max) = max_started {
            if a.started_on.is_none_or(|t| t > max) {
                return None;
            }
        }
        if let Some(b) = &source_branch {
            if !r.artifacts.iter().any(|x| {
                x.definition_reference["branch"]["id"]
                    .as_str()
                    .is_some_and(|y| y.to_ascii_lowercase() == *b)
            }) {
                return None;
            }
        }
        if let Some(c) = &created_by {
            if a.requested_by.id.to_string() != *c
                && a.requested_by.unique_name.to_ascii_lowercase() != *c
            {
                return None;
            }
        }
        Some(model::render_deployment(&ctx, rel, r, env, a))
    };
    let mut items = Vec::with_capacity(top);
    let mut next = None;
    let iter: Box<dyn Iterator<Item = &DeploymentEntry>> = if descending {
        Box::new(rel.deployments.iter().rev())
    } else {
        Box::new(rel.deployments.iter())
    };
    for e in iter.filter(wanted) {
        if items.len() == top {
            // Only announce a next page when one more matching item exists.
            if accept(e).is_some() {
                next = Some(e.id.to_string());
                break;
            }
            continue;
        }
        if let Some(v) = accept(e) {
            items.push(v);
        }
    }
    Ok(crate::api::with_continuation(crate::api::list(items), next))
}

// ------------------------------------------------------------------------------------------------
// Approvals.

async fn list_approvals(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    q: QueryParams,
) -> ApiResult<Response> {
    principal.require("vso.release")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let ctx = ctx(&sim, &p);
    let release_ids: Vec<i32> = q
        .get("releaseIdsFilter")
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_default();
    // statusFilter defaults to pending, like the service.
    let status = q
        .get("statusFilter")
        .map_or_else(|| "pending".to_owned(), str::to_ascii_lowercase);
    let type_filter = q.get("typeFilter").map(str::to_ascii_lowercase);
    let assigned = q.get("assignedToFilter").map(str::to_ascii_lowercase);
    let top = usize::try_from(q.int("top")?.or(q.int("$top")?).unwrap_or(50))
        .unwrap_or(50)
        .max(1);
    let token = q.int("continuationToken")?.unwrap_or(0);
    let ascending = q
        .get("queryOrder")
        .is_some_and(|o| o.eq_ignore_ascii_case("ascending"));
    let mut matching: Vec<&Approval> = world
        .release
        .approvals
        .iter()
        .filter(|a| {
            world
                .release
                .releases
                .get(&a.release_id)
                .is_some_and(|r| r.project_id == p.id)
        })
        .filter(|a| release_ids.is_empty() || release_ids.contains(&a.release_id))
        .filter(|a| {
            status == "all"
                || status
                    .split(',')
                    .any(|s| s.trim() == a.status.to_ascii_lowercase())
        })
        .filter(|a| {
            type_filter
                .as_deref()
                .is_none_or(|t| t == "all" || t == a.approval_type.to_ascii_lowercase())
        })
        .filter(|a| {
            assigned.as_deref().is_none_or(|x| {
                a.approver.id.to_string() == x || a.approver.unique_name.to_ascii_lowercase() == x
            })
        })
        .filter(|a| {
            token <= 0
                || if ascending {
                    i64::from(a.id) >= token
                } else {
                    i64::from(a.id) <= token
                }
        })
        .collect();
    if ascending {
        matching.sort_by_key(|a| a.id);
    } else {
        matching.sort_by_key(|a| std::cmp::Reverse(a.id));
    }
    let next = matching.get(top).map(|a| a.id.to_string());
    let items: Vec<Value> = matching
        .into_iter()
        .take(top)
        .map(|a| model::render_approval(&ctx, &world.release, a))
        .collect();
    Ok(crate::api::with_continuation(crate::api::list(items), next))
}

fn approval_not_found(id: i32) -> ApiError {
    ApiError::not_found(
        format!("Approval with id {id} does not exist. Specify a valid approval id and try again."),
        "ReleaseApprovalNotFoundException",
    )
}

async fn get_approval(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, approval_id)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release")?;
    let id = int_param(&approval_id, "approvalId")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let a = world
        .release
        .approvals
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| approval_not_found(id))?;
    Ok(Json(model::render_approval(
        &ctx(&sim, &p),
        &world.release,
        a,
    )))
}

async fn update_approval(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, approval_id)): Path<(String, String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release_manage")?;
    let id = int_param(&approval_id, "approvalId")?;
    let status = body["status"].as_str().unwrap_or("").to_ascii_lowercase();
    if !matches!(status.as_str(), "approved" | "rejected") {
        return Err(invalid(format!(
            "The approval status '{}' is not valid. Use 'approved' or 'rejected'.",
            body["status"].as_str().unwrap_or("")
        )));
    }
    let comments = body["comments"].as_str().unwrap_or("").to_owned();
    let who: Person = person_of(&principal.user);
    let (out, resume) = {
        let mut world = sim.world();
        let p = links::project(&world, &project)?;
        let a = world
            .release
            .approvals
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| approval_not_found(id))?;
        if a.status != "pending" {
            return Err(invalid(format!(
                "Approval {id} is already {}; only a pending approval can be approved or rejected.",
                a.status
            )));
        }
        a.status.clone_from(&status);
        a.comments = comments;
        a.approved_by = Some(who);
        a.modified_on = Utc::now();
        a.revision += 1;
        let (rid, eid) = (a.release_id, a.release_environment_id);
        let resume = super::engine::approval_decided(&mut world, rid, eid);
        let a = world
            .release
            .approvals
            .iter()
            .find(|a| a.id == id)
            .ok_or_else(|| approval_not_found(id))?;
        (
            model::render_approval(&ctx(&sim, &p), &world.release, a),
            resume.then_some((rid, eid)),
        )
    };
    if let Some((rid, eid)) = resume {
        super::engine::spawn(&sim, rid, eid);
    }
    Ok(Json(out))
}
