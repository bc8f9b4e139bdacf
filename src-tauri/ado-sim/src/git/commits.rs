//! Commits: `GET …/commits/{id}`, `GET …/commits` (searchCriteria: itemVersion, compareVersion,
//! `$top`/`$skip`), `GET …/commits/{id}/changes` and `POST …/commitsbatch`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use git2::{Oid, Repository, Sort};
use serde::Deserialize;
use serde_json::{json, Value};

use super::diffs::{change_counts, changes_json, tree_changes};

/// Commit lists always carry `Add`, `Edit` and `Delete` (zeros included), like the examples.
fn list_change_counts(changes: &[super::diffs::Change]) -> Value {
    let mut v = change_counts(changes);
    for k in ["Add", "Edit", "Delete"] {
        if v.get(k).is_none() {
            v[k] = json!(0);
        }
    }
    v
}
use super::json::commit_json;
use super::version::{resolve, resolve_commit};
use super::{blocking, resolve_repo, RepoInfo};
use crate::api::{list as list_json, JsonBody, Page, QueryParams};
use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::state::{AppState, Sim};

/// Reads `searchCriteria.{name}` or the bare `{name}` (the prefix may be dropped).
pub fn criteria<'q>(q: &'q QueryParams, name: &str) -> Option<&'q str> {
    q.get(&format!("searchCriteria.{name}"))
        .or_else(|| q.get(name))
}

fn criteria_int(q: &QueryParams, name: &str) -> ApiResult<Option<usize>> {
    let v = match q.int(&format!("searchCriteria.{name}"))? {
        Some(v) => Some(v),
        None => q.int(name)?,
    };
    Ok(v.map(|v| usize::try_from(v).unwrap_or(0)))
}

/// The changes a commit introduced relative to its first parent.
fn commit_changes(
    git: &Repository,
    commit: &git2::Commit<'_>,
) -> ApiResult<Vec<super::diffs::Change>> {
    let tree = commit.tree()?;
    let parent_tree = match commit.parent(0) {
        Ok(p) => Some(p.tree()?),
        Err(_) => None,
    };
    tree_changes(git, parent_tree.as_ref(), &tree)
}

fn commit_with_counts(
    sim: &Sim,
    repo: &RepoInfo,
    git: &Repository,
    oid: Oid,
    full: bool,
) -> ApiResult<Value> {
    let commit = git.find_commit(oid)?;
    let counts = change_counts(&commit_changes(git, &commit)?);
    Ok(commit_json(sim, repo, &commit, Some(counts), full))
}

pub async fn get(
    State(sim): State<AppState>,
    Path((org, project, repo, id)): Path<(String, String, String, String)>,
    principal: Principal,
) -> ApiResult<Json<Value>> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let s = sim.clone();
    blocking(move || {
        let git = repo.open()?;
        let oid = resolve_commit(&git, &repo, &id)?;
        let commit = git.find_commit(oid)?;
        Ok(Json(commit_json(&s, &repo, &commit, None, true)))
    })
    .await
}

pub async fn list(
    State(sim): State<AppState>,
    Path((org, project, repo)): Path<(String, String, String)>,
    principal: Principal,
    q: QueryParams,
) -> ApiResult<Response> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let item_version = criteria(&q, "itemVersion.version").map(str::to_owned);
    let item_type = criteria(&q, "itemVersion.versionType").map(str::to_owned);
    let compare_version = criteria(&q, "compareVersion.version").map(str::to_owned);
    let compare_type = criteria(&q, "compareVersion.versionType").map(str::to_owned);
    let top = criteria_int(&q, "$top")?.unwrap_or(100);
    let skip = criteria_int(&q, "$skip")?.unwrap_or(0);
    let item_path = criteria(&q, "itemPath").map(|p| p.trim_start_matches('/').to_owned());
    let author = criteria(&q, "author").map(str::to_ascii_lowercase);
    let s = sim.clone();
    blocking(move || {
        let git = repo.open()?;
        if git.is_empty()? {
            return Ok(list_json(Vec::<Value>::new()).into_response());
        }
        let start = resolve(&git, &repo, item_version.as_deref(), item_type.as_deref())?;
        let mut walk = git.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        walk.push(start)?;
        if let Some(cv) = compare_version.as_deref() {
            let hide = resolve(&git, &repo, Some(cv), compare_type.as_deref())?;
            walk.hide(hide)?;
        }
        let mut out = Vec::new();
        let mut matched = 0usize;
        for oid in walk {
            let oid = oid?;
            let commit = git.find_commit(oid)?;
            let changes = commit_changes(&git, &commit)?;
            if let Some(p) = &item_path {
                if !p.is_empty()
                    && !changes
                        .iter()
                        .any(|c| c.path.trim_start_matches('/').starts_with(p.as_str()))
                {
                    continue;
                }
            }
            if let Some(a) = &author {
                let sig = commit.author();
                let name = sig.name().unwrap_or("").to_ascii_lowercase();
                let email = sig.email().unwrap_or("").to_ascii_lowercase();
                if !name.contains(a.as_str()) && !email.contains(a.as_str()) {
                    continue;
                }
            }
            matched += 1;
            if matched <= skip {
                continue;
            }
            if out.len() >= top {
                break;
            }
            out.push(commit_json(
                &s,
                &repo,
                &commit,
                Some(list_change_counts(&changes)),
                false,
            ));
        }
        Ok(list_json(out).into_response())
    })
    .await
}

pub async fn changes(
    State(sim): State<AppState>,
    Path((org, project, repo, id)): Path<(String, String, String, String)>,
    principal: Principal,
    q: QueryParams,
) -> ApiResult<Json<Value>> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let page = Page::from_query(&q)?;
    let s = sim.clone();
    blocking(move || {
        let git = repo.open()?;
        let oid = resolve_commit(&git, &repo, &id)?;
        let commit = git.find_commit(oid)?;
        let all = commit_changes(&git, &commit)?;
        let counts = change_counts(&all);
        let page_items = page.apply(all);
        Ok(Json(json!({
            "changeCounts": counts,
            "changes": changes_json(&s, &repo, &page_items, &oid.to_string()),
        })))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct BatchRequest {
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default, rename = "itemVersion")]
    item_version: Option<VersionDescriptor>,
    #[serde(default, rename = "compareVersion")]
    compare_version: Option<VersionDescriptor>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionDescriptor {
    version: Option<String>,
    version_type: Option<String>,
}

pub async fn batch(
    State(sim): State<AppState>,
    Path((org, project, repo)): Path<(String, String, String)>,
    principal: Principal,
    q: QueryParams,
    JsonBody(req): JsonBody<BatchRequest>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let page = Page::from_query(&q)?;
    let s = sim.clone();
    blocking(move || {
        let git = repo.open()?;
        let mut oids = Vec::new();
        if req.ids.is_empty() {
            let Some(iv) = req.item_version else {
                return Err(ApiError::bad_request(
                    "Value cannot be null.\r\nParameter name: searchCriteria.ids",
                    "ArgumentNullException",
                ));
            };
            let start = resolve(
                &git,
                &repo,
                iv.version.as_deref(),
                iv.version_type.as_deref(),
            )?;
            let mut walk = git.revwalk()?;
            walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
            walk.push(start)?;
            if let Some(cv) = req.compare_version {
                walk.hide(resolve(
                    &git,
                    &repo,
                    cv.version.as_deref(),
                    cv.version_type.as_deref(),
                )?)?;
            }
            for oid in walk {
                oids.push(oid?);
            }
        } else {
            for id in &req.ids {
                oids.push(resolve_commit(&git, &repo, id)?);
            }
        }
        let oids = page.apply(oids);
        let items = oids
            .into_iter()
            .map(|oid| commit_with_counts(&s, &repo, &git, oid, false))
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(list_json(items))
    })
    .await
}
