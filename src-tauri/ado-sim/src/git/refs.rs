//! `GET …/refs` (`filter` prefix after `refs/`, `filterContains`, `$top` + continuation token) and
//! `POST …/refs` (batch create / update / delete with a per-item `updateStatus`).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use git2::{Oid, Repository};
use serde::Deserialize;
use serde_json::{json, Value};

use super::json::{encode, identity_short, repo_api_url};
use super::version::{is_full_sha, ZERO_ID};
use super::{blocking, resolve_repo, RepoInfo};
use crate::api::{continuation_page, list as list_json, with_continuation, JsonBody, QueryParams};
use crate::auth::Principal;
use crate::errors::ApiResult;
use crate::state::AppState;

/// One entry of a refs update batch.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefUpdate {
    pub name: String,
    #[serde(default)]
    pub old_object_id: Option<String>,
    #[serde(default)]
    pub new_object_id: Option<String>,
    #[serde(default)]
    pub repository_id: Option<String>,
    #[serde(default)]
    pub is_locked: Option<bool>,
}

/// Every ref of a repository, sorted by name, as `(name, object id)`.
pub fn all_refs(git: &Repository) -> ApiResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for r in git.references()?.flatten() {
        let (Some(name), Some(target)) = (r.name(), r.target()) else {
            continue;
        };
        if name.starts_with("refs/heads/") || name.starts_with("refs/tags/") {
            out.push((name.to_owned(), target.to_string()));
        }
    }
    out.sort();
    Ok(out)
}

pub async fn list(
    State(sim): State<AppState>,
    Path((org, project, repo)): Path<(String, String, String)>,
    principal: Principal,
    q: QueryParams,
) -> ApiResult<Response> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let r2 = repo.clone();
    let refs = blocking(move || all_refs(&r2.open()?)).await?;
    let filter = q
        .get("filter")
        .map(|f| format!("refs/{}", f.trim_start_matches("refs/")).to_ascii_lowercase());
    let contains = q.get("filterContains").map(str::to_ascii_lowercase);
    let (creator, locked) = {
        let world = sim.world();
        let locked: Vec<String> = world
            .git
            .locked_refs
            .iter()
            .filter(|(id, _)| *id == repo.id)
            .map(|(_, n)| n.clone())
            .collect();
        (identity_short(&sim, &world.core.default_user()), locked)
    };
    let api = repo_api_url(&sim, &repo);
    let items: Vec<Value> = refs
        .into_iter()
        .filter(|(name, _)| {
            let lower = name.to_ascii_lowercase();
            filter
                .as_ref()
                .is_none_or(|f| lower.starts_with(f.as_str()))
                && contains.as_ref().is_none_or(|c| lower.contains(c.as_str()))
        })
        .map(|(name, id)| {
            let short = name.trim_start_matches("refs/");
            let mut v = json!({
                "name": name,
                "objectId": id,
                "creator": creator,
                "url": format!("{api}/refs?filter={}", encode(short)),
            });
            if locked.contains(&name) {
                v["isLocked"] = json!(true);
                v["isLockedBy"] = creator.clone();
            }
            v
        })
        .collect();
    let top = q.int("$top")?.map(|t| usize::try_from(t).unwrap_or(0));
    let (items, token) = continuation_page(items, top, q.get("continuationToken"))?;
    Ok(with_continuation(list_json(items), token))
}

pub async fn update(
    State(sim): State<AppState>,
    Path((org, project, repo)): Path<(String, String, String)>,
    principal: Principal,
    JsonBody(updates): JsonBody<Vec<RefUpdate>>,
) -> ApiResult<Response> {
    principal.require("vso.code_write")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let r2 = repo.clone();
    let results = blocking(move || {
        let git = r2.open()?;
        Ok(updates
            .iter()
            .map(|u| apply(&git, &r2, u))
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(list_json(results).into_response())
}

fn result(repo: &RepoInfo, u: &RefUpdate, status: &str) -> Value {
    let success = matches!(
        status,
        "succeeded" | "succeededNonExistentRef" | "succeededCorruptRef"
    );
    json!({
        "repositoryId": repo.id,
        "name": u.name,
        "oldObjectId": u.old_object_id.clone().unwrap_or_else(|| ZERO_ID.to_owned()),
        "newObjectId": u.new_object_id.clone().unwrap_or_else(|| ZERO_ID.to_owned()),
        "isLocked": u.is_locked.unwrap_or(false),
        "updateStatus": status,
        "success": success,
    })
}

/// Applies one ref update and answers its `updateStatus`.
fn apply(git: &Repository, repo: &RepoInfo, u: &RefUpdate) -> Value {
    let status = apply_status(git, u);
    result(repo, u, status)
}

fn apply_status(git: &Repository, u: &RefUpdate) -> &'static str {
    let name = u.name.as_str();
    if !name.starts_with("refs/") || !git2::Reference::is_valid_name(name) || name.ends_with('/') {
        return "invalidRefName";
    }
    let old = u
        .old_object_id
        .as_deref()
        .unwrap_or(ZERO_ID)
        .to_ascii_lowercase();
    let new = u
        .new_object_id
        .as_deref()
        .unwrap_or(ZERO_ID)
        .to_ascii_lowercase();
    if !is_full_sha(&old) {
        return "staleOldObjectId";
    }
    let current = git
        .find_reference(name)
        .ok()
        .and_then(|r| r.target())
        .map(|o| o.to_string());
    if new == ZERO_ID {
        return match current {
            None => "succeededNonExistentRef",
            Some(cur) if old != ZERO_ID && cur != old => "staleOldObjectId",
            Some(_) => match git.find_reference(name).and_then(|mut r| r.delete()) {
                Ok(()) => "succeeded",
                Err(_) => "rejectedByPlugin",
            },
        };
    }
    let Some(new_oid) = is_full_sha(&new)
        .then(|| Oid::from_str(&new).ok())
        .flatten()
    else {
        return "unresolvableToCommit";
    };
    let is_branch = name.starts_with("refs/heads/");
    let resolves = match git.find_object(new_oid, None) {
        Ok(obj) if is_branch => obj.peel_to_commit().is_ok_and(|c| c.id() == new_oid),
        Ok(_) => true,
        Err(_) => false,
    };
    if !resolves {
        return "unresolvableToCommit";
    }
    match current {
        Some(cur) if cur != old => return "staleOldObjectId",
        None if old != ZERO_ID => return "staleOldObjectId",
        None => {
            if conflicts(git, name) {
                return "refNameConflict";
            }
        }
        Some(_) => {}
    }
    let msg = format!("ref update {name}");
    match git.reference(name, new_oid, true, &msg) {
        Ok(_) => "succeeded",
        Err(_) => "refNameConflict",
    }
}

/// A new ref clashes with an existing one: same name in another case, or a file/directory
/// clash (`refs/heads/a` vs `refs/heads/a/b`).
fn conflicts(git: &Repository, name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Ok(refs) = git.references() else {
        return false;
    };
    refs.flatten()
        .filter_map(|r| r.name().map(str::to_ascii_lowercase))
        .any(|existing| {
            existing == lower
                || existing.starts_with(&format!("{lower}/"))
                || lower.starts_with(&format!("{existing}/"))
        })
}

/// `PATCH …/refs?filter=heads/x` with `{"isLocked": true|false}`: the only property the service
/// lets you patch (creating or moving a branch is a `POST`).
pub async fn lock(
    State(sim): State<AppState>,
    Path((org, project, repo)): Path<(String, String, String)>,
    principal: Principal,
    q: QueryParams,
    JsonBody(body): JsonBody<serde_json::Map<String, Value>>,
) -> ApiResult<Response> {
    principal.require("vso.code_write")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let only_lock =
        body.keys().all(|k| k == "isLocked") && body.get("isLocked").is_some_and(Value::is_boolean);
    if !only_lock {
        return Err(crate::errors::ApiError::bad_request(
            "The only property which can be patched is isLocked.",
            "InvalidArgumentValueException",
        ));
    }
    let lock = body
        .get("isLocked")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let filter = q
        .get("filter")
        .unwrap_or("")
        .trim_start_matches("refs/")
        .to_owned();
    let name = format!("refs/{filter}");
    let r2 = repo.clone();
    let n2 = name.clone();
    let found =
        blocking(move || Ok(all_refs(&r2.open()?)?.into_iter().find(|(n, _)| *n == n2))).await?;
    let Some((name, id)) = found else {
        return Err(crate::errors::ApiError::not_found(
            format!(
                "TF401020: The Git ref with name {name} does not exist in repository {}.",
                repo.name
            ),
            "GitRefNotFoundException",
        ));
    };
    let creator = {
        let mut world = sim.world();
        world
            .git
            .locked_refs
            .retain(|(rid, n)| !(*rid == repo.id && *n == name));
        if lock {
            world.git.locked_refs.push((repo.id, name.clone()));
        }
        identity_short(&sim, &world.core.default_user())
    };
    let api = repo_api_url(&sim, &repo);
    let mut v = json!({
        "name": name,
        "objectId": id,
        "creator": creator,
        "url": format!("{api}/refs?filter={}", encode(&filter)),
        "isLocked": lock,
    });
    if lock {
        v["isLockedBy"] = identity_short(&sim, &principal.user);
    }
    Ok(axum::Json(v).into_response())
}
