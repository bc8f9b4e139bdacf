//! Release definitions (pipelines): list, get, create and update, and the validation that
//! fills server-assigned ids (`normalise_definition`, also used by the demo seed).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use serde_json::{json, Value};

use super::api::{
    ctx, definition_not_found, definition_of, expands, int_param, invalid, no_source_info,
};
use super::links::{self, person_of, ProjectRef};
use super::model::{self, Counters, Definition};
use crate::api::{JsonBody, QueryParams};
use crate::auth::Principal;
use crate::errors::ApiResult;
use crate::state::{AppState, World};

pub(super) async fn list_definitions(
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
    // artifactSourceId (e.g. `{projectId}:{repositoryId}` for Git), with artifactType when given.
    let source = q.get("artifactSourceId").map(str::to_ascii_lowercase);
    let artifact_type = q.get("artifactType").map(str::to_ascii_lowercase);
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
        .filter(|d| {
            source
                .as_deref()
                .is_none_or(|s| has_artifact_source(d.body(), s, artifact_type.as_deref()))
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

/// Whether a definition body has an artifact with `sourceId` `source` (lower-case) and, when
/// given, of type `kind` (lower-case).
fn has_artifact_source(body: &Value, source: &str, kind: Option<&str>) -> bool {
    body["artifacts"].as_array().is_some_and(|arts| {
        arts.iter().any(|a| {
            a["sourceId"]
                .as_str()
                .is_some_and(|x| x.to_ascii_lowercase() == source)
                && kind.is_none_or(|k| {
                    a["type"]
                        .as_str()
                        .is_some_and(|t| t.to_ascii_lowercase() == k)
                })
        })
    })
}

pub(super) async fn get_definition(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, id)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.release")?;
    let id = int_param(&id, "definitionId")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let d = definition_of(&world, &p, id)?;
    Ok(Json(model::render_definition(
        &ctx(&sim, &p),
        d,
        &world.release,
        true,
        true,
    )))
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
    if let Some(envs) = obj.get("environments").and_then(Value::as_array) {
        super::definition_checks::check_stages(world, project, envs)?;
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
            // Present and non-empty: `check_stages` refused the definition otherwise.
            if let Some(list) = e
                .get_mut(kind)
                .and_then(|ap| ap.get_mut("approvals"))
                .and_then(Value::as_array_mut)
            {
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

pub(super) async fn create_definition(
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

pub(super) async fn update_definition(
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
    let existing = definition_of(&world, &p, id)?.clone();
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
