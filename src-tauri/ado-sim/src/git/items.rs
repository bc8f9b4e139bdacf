//! `GET …/items` (one file's metadata or content by branch/commit, or a folder listing with
//! `scopePath` + `recursionLevel`) and `GET …/trees/{sha}`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};
use serde_json::{json, Value};

use super::json::repo_api_url;
use super::version::resolve;
use super::{blocking, resolve_repo, RepoInfo};
use crate::api::{list, QueryParams};
use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::state::{AppState, Sim};

fn item_not_found(repo: &RepoInfo, path: &str, version: &str, commit: Oid) -> ApiError {
    ApiError::not_found(
        format!(
            "TF401174: The item '{path}' could not be found in the repository '{}' at the version specified by '{version}' (resolved to commit '{commit}'). It may not exist, or you may not have permission to see it.",
            repo.name
        ),
        "GitItemNotFoundException",
    )
}

/// Normalises `path`: leading `/`, no trailing `/` (root = `/`).
fn norm(path: &str) -> String {
    let p = path.trim().trim_matches('/');
    format!("/{p}")
}

struct Entry {
    path: String,
    id: Oid,
    kind: ObjectType,
}

fn item_json(sim: &Sim, repo: &RepoInfo, e: &Entry, commit: Oid, content: Option<String>) -> Value {
    let api = repo_api_url(sim, repo);
    let folder = e.kind == ObjectType::Tree;
    let mut v = json!({
        "objectId": e.id.to_string(),
        "gitObjectType": if folder { "tree" } else { "blob" },
        "commitId": commit.to_string(),
        "path": e.path,
    });
    if folder {
        v["isFolder"] = json!(true);
    }
    if let Some(c) = content {
        v["content"] = json!(c);
    }
    v["url"] = json!(format!(
        "{api}/items?path={}&versionType=Commit&version={commit}",
        super::json::encode(&e.path)
    ));
    v
}

fn lookup(git: &Repository, commit: Oid, path: &str) -> ApiResult<Option<Entry>> {
    let tree = git.find_commit(commit)?.tree()?;
    if path == "/" {
        return Ok(Some(Entry {
            path: "/".into(),
            id: tree.id(),
            kind: ObjectType::Tree,
        }));
    }
    let rel = path.trim_start_matches('/');
    Ok(tree
        .get_path(std::path::Path::new(rel))
        .ok()
        .map(|e| Entry {
            path: path.to_owned(),
            id: e.id(),
            kind: e.kind().unwrap_or(ObjectType::Blob),
        }))
}

/// Children of a folder: one level, or the whole subtree.
fn children(git: &Repository, folder: &Entry, full: bool) -> ApiResult<Vec<Entry>> {
    let tree = git.find_tree(folder.id)?;
    let base = if folder.path == "/" {
        String::new()
    } else {
        folder.path.clone()
    };
    let mut out = Vec::new();
    if full {
        tree.walk(TreeWalkMode::PreOrder, |dir, e| {
            if let Some(name) = e.name() {
                out.push(Entry {
                    path: format!("{base}/{dir}{name}"),
                    id: e.id(),
                    kind: e.kind().unwrap_or(ObjectType::Blob),
                });
            }
            TreeWalkResult::Ok
        })?;
    } else {
        for e in &tree {
            if let Some(name) = e.name() {
                out.push(Entry {
                    path: format!("{base}/{name}"),
                    id: e.id(),
                    kind: e.kind().unwrap_or(ObjectType::Blob),
                });
            }
        }
    }
    Ok(out)
}

pub async fn get(
    State(sim): State<AppState>,
    Path((org, project, repo)): Path<(String, String, String)>,
    principal: Principal,
    headers: HeaderMap,
    q: QueryParams,
) -> ApiResult<Response> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let version = q
        .get("versionDescriptor.version")
        .or_else(|| q.get("version"))
        .map(str::to_owned);
    let version_type = q
        .get("versionDescriptor.versionType")
        .or_else(|| q.get("versionType"))
        .map(str::to_owned);
    let scope = q.get("scopePath").map(norm);
    let path = q.get("path").map(norm);
    let recursion = q
        .get("recursionLevel")
        .unwrap_or("none")
        .to_ascii_lowercase();
    let include_content = q.flag("includeContent").unwrap_or(false);
    let format = q.get("$format").map(str::to_ascii_lowercase);
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let raw = match format.as_deref() {
        Some("json") => false,
        Some("octetstream" | "text") => true,
        _ => !accept.is_empty() && !accept.contains("json") && !accept.contains("*/*"),
    };
    let s = sim.clone();
    blocking(move || {
        let git = repo.open()?;
        let commit = resolve(&git, &repo, version.as_deref(), version_type.as_deref())?;
        let described = format!(
            "<{}: {} >",
            version_type.as_deref().unwrap_or("Branch"),
            version
                .as_deref()
                .unwrap_or(repo.default_branch.trim_start_matches("refs/heads/"))
        );
        let target = path
            .clone()
            .or_else(|| scope.clone())
            .unwrap_or_else(|| "/".to_owned());
        let entry = lookup(&git, commit, &target)?
            .ok_or_else(|| item_not_found(&repo, &target, &described, commit))?;
        let listing = scope.is_some() && path.is_none() || recursion != "none";
        if listing {
            let mut items = vec![item_json(&s, &repo, &entry, commit, None)];
            if entry.kind == ObjectType::Tree && recursion != "none" {
                let full = recursion == "full";
                for child in children(&git, &entry, full)? {
                    items.push(item_json(&s, &repo, &child, commit, None));
                }
            }
            return Ok(list(items).into_response());
        }
        if entry.kind == ObjectType::Tree {
            return Ok(Json(item_json(&s, &repo, &entry, commit, None)).into_response());
        }
        let blob = git.find_blob(entry.id)?;
        if raw {
            let ct = if format.as_deref() == Some("text") || accept.contains("text/plain") {
                "text/plain; charset=utf-8"
            } else {
                "application/octet-stream"
            };
            return Ok(([(header::CONTENT_TYPE, ct)], blob.content().to_vec()).into_response());
        }
        let content = include_content.then(|| String::from_utf8_lossy(blob.content()).into_owned());
        Ok(Json(item_json(&s, &repo, &entry, commit, content)).into_response())
    })
    .await
}

pub async fn tree(
    State(sim): State<AppState>,
    Path((org, project, repo, sha)): Path<(String, String, String, String)>,
    principal: Principal,
    q: QueryParams,
) -> ApiResult<Json<Value>> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let recursive = q.flag("recursive").unwrap_or(false);
    let s = sim.clone();
    blocking(move || {
        let git = repo.open()?;
        let not_found = || {
            ApiError::not_found(
                format!(
                    "TF401174: The tree '{sha}' could not be found in the repository '{}'.",
                    repo.name
                ),
                "GitObjectNotFoundException",
            )
        };
        let oid = Oid::from_str(&sha).map_err(|_| not_found())?;
        let tree = git.find_tree(oid).map_err(|_| not_found())?;
        let api = repo_api_url(&s, &repo);
        let mut entries = Vec::new();
        let mut push = |path: String, e: &git2::TreeEntry<'_>| {
            let kind = e.kind().unwrap_or(ObjectType::Blob);
            let size = if kind == ObjectType::Blob {
                git.find_blob(e.id()).map(|b| b.size()).unwrap_or(0)
            } else {
                0
            };
            let kind_name = if kind == ObjectType::Tree {
                "tree"
            } else {
                "blob"
            };
            entries.push(json!({
                "objectId": e.id().to_string(),
                "relativePath": path,
                "mode": format!("{:o}", e.filemode()),
                "gitObjectType": kind_name,
                "url": format!("{api}/{}s/{}", kind_name, e.id()),
                "size": size,
            }));
        };
        if recursive {
            tree.walk(TreeWalkMode::PreOrder, |dir, e| {
                if let Some(name) = e.name() {
                    push(format!("{dir}{name}"), e);
                }
                TreeWalkResult::Ok
            })?;
        } else {
            for e in &tree {
                if let Some(name) = e.name() {
                    push(name.to_owned(), &e);
                }
            }
        }
        let url = format!("{api}/trees/{sha}");
        Ok(Json(json!({
            "objectId": sha,
            "url": url,
            "treeEntries": entries,
            "size": entries.len(),
            "_links": {"self": {"href": url}, "repository": {"href": api}},
        })))
    })
    .await
}
