//! What changed between two versions: the change list of a tree diff (files and the folders
//! around them, renames detected), `GET …/diffs/commits` (ahead/behind, common commit, paging)
//! and `GET …/stats/branches`.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use git2::{Delta, DiffFindOptions, Oid, Repository, Tree};
use serde_json::{json, Map, Value};

use super::json::{commit_json, repo_api_url};
use super::version::{branch_ref, resolve};
use super::{blocking, resolve_repo, RepoInfo};
use crate::api::{list, Page, QueryParams};
use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::state::{AppState, Sim};

/// One changed item.
#[derive(Debug, Clone)]
pub struct Change {
    /// `/folder/file.json`
    pub path: String,
    /// `add`, `edit`, `delete`, `rename`, `edit, rename`
    pub change_type: String,
    pub is_folder: bool,
    pub object_id: Option<String>,
    pub original_object_id: Option<String>,
    pub source_path: Option<String>,
}

fn entry_id(tree: Option<&Tree<'_>>, path: &str) -> Option<String> {
    let tree = tree?;
    if path.is_empty() {
        return Some(tree.id().to_string());
    }
    tree.get_path(std::path::Path::new(path))
        .ok()
        .map(|e| e.id().to_string())
}

/// The changes from `old` (None = empty tree) to `new`, folders included, sorted by path.
pub fn tree_changes(
    git: &Repository,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> ApiResult<Vec<Change>> {
    let mut diff = git.diff_tree_to_tree(old, Some(new), None)?;
    let mut find = DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find))?;
    let mut files: Vec<Change> = Vec::new();
    let mut folders: BTreeSet<String> = BTreeSet::new();
    for delta in diff.deltas() {
        let new_path = delta
            .new_file()
            .path()
            .map(|p| p.to_string_lossy().into_owned());
        let old_path = delta
            .old_file()
            .path()
            .map(|p| p.to_string_lossy().into_owned());
        let (path, change_type, source) = match delta.status() {
            Delta::Added => (new_path, "add".to_owned(), None),
            Delta::Deleted => (old_path, "delete".to_owned(), None),
            Delta::Renamed => {
                let edited = delta.old_file().id() != delta.new_file().id();
                let t = if edited { "edit, rename" } else { "rename" };
                (new_path, t.to_owned(), old_path.clone())
            }
            _ => (new_path, "edit".to_owned(), None),
        };
        let Some(path) = path else { continue };
        for p in [Some(&path), source.as_ref()].into_iter().flatten() {
            let mut dir = std::path::Path::new(p).parent();
            while let Some(d) = dir {
                let s = d.to_string_lossy().into_owned();
                if s.is_empty() {
                    break;
                }
                folders.insert(s);
                dir = d.parent();
            }
        }
        let new_id = delta.new_file().id();
        let old_id = delta.old_file().id();
        files.push(Change {
            path: format!("/{path}"),
            change_type,
            is_folder: false,
            object_id: (!new_id.is_zero()).then(|| new_id.to_string()),
            original_object_id: (!old_id.is_zero()).then(|| old_id.to_string()),
            source_path: source.map(|s| format!("/{s}")),
        });
    }
    for folder in folders {
        let before = entry_id(old, &folder);
        let after = entry_id(Some(new), &folder);
        let change_type = match (&before, &after) {
            (None, Some(_)) => "add",
            (Some(_), None) => "delete",
            _ => "edit",
        };
        files.push(Change {
            path: format!("/{folder}"),
            change_type: change_type.to_owned(),
            is_folder: true,
            object_id: after,
            original_object_id: before,
            source_path: None,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// `{"Add": n, "Edit": n, "Delete": n, ...}` (only the kinds present).
pub fn change_counts(changes: &[Change]) -> Value {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for c in changes {
        let key = if c.change_type.contains("rename") {
            "Rename".to_owned()
        } else {
            let mut k = c.change_type.clone();
            if let Some(first) = k.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            k
        };
        *counts.entry(key).or_default() += 1;
    }
    Value::Object(
        counts
            .into_iter()
            .map(|(k, v)| (k, json!(v)))
            .collect::<Map<_, _>>(),
    )
}

/// The `changes[]` JSON of a diff at `commit_id`.
pub fn changes_json(sim: &Sim, repo: &RepoInfo, changes: &[Change], commit_id: &str) -> Vec<Value> {
    let api = repo_api_url(sim, repo);
    changes
        .iter()
        .map(|c| {
            let mut item = Map::new();
            if let Some(id) = &c.object_id {
                item.insert("objectId".into(), json!(id));
            }
            if let Some(id) = &c.original_object_id {
                item.insert("originalObjectId".into(), json!(id));
            }
            item.insert(
                "gitObjectType".into(),
                json!(if c.is_folder { "tree" } else { "blob" }),
            );
            item.insert("commitId".into(), json!(commit_id));
            item.insert("path".into(), json!(c.path));
            if c.is_folder {
                item.insert("isFolder".into(), json!(true));
            }
            item.insert(
                "url".into(),
                json!(format!(
                    "{api}/items/{}?versionType=Commit&version={commit_id}",
                    c.path
                )),
            );
            let mut v = json!({"item": Value::Object(item), "changeType": c.change_type});
            if let Some(src) = &c.source_path {
                v["sourceServerItem"] = json!(src);
            }
            v
        })
        .collect()
}

fn count_commits(git: &Repository, from: Oid, hide: Oid) -> ApiResult<usize> {
    let mut walk = git.revwalk()?;
    walk.push(from)?;
    walk.hide(hide)?;
    Ok(walk.count())
}

/// Reads a version given as `{prefix}Version`/`{prefix}VersionType` or
/// `{prefix}VersionDescriptor.version`/`.versionType`.
fn descriptor<'q>(q: &'q QueryParams, prefix: &str) -> (Option<&'q str>, Option<&'q str>) {
    let v = q
        .get(&format!("{prefix}Version"))
        .or_else(|| q.get(&format!("{prefix}VersionDescriptor.version")));
    let t = q
        .get(&format!("{prefix}VersionType"))
        .or_else(|| q.get(&format!("{prefix}VersionDescriptor.versionType")));
    (v, t)
}

pub async fn commit_diffs(
    State(sim): State<AppState>,
    Path((org, project, repo)): Path<(String, String, String)>,
    principal: Principal,
    q: QueryParams,
) -> ApiResult<Json<Value>> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let (bv, bt) = descriptor(&q, "base");
    let (tv, tt) = descriptor(&q, "target");
    let (bv, bt, tv, tt) = (
        bv.map(str::to_owned),
        bt.map(str::to_owned),
        tv.map(str::to_owned),
        tt.map(str::to_owned),
    );
    let diff_common = q.flag("diffCommonCommit").unwrap_or(true);
    let page = Page::from_query(&q)?;
    let top = page.top.unwrap_or(100);
    let skip = page.skip;
    let s = sim.clone();
    blocking(move || {
        let git = repo.open()?;
        let base = resolve(&git, &repo, bv.as_deref(), bt.as_deref())?;
        let target = resolve(&git, &repo, tv.as_deref(), tt.as_deref())?;
        let common = git.merge_base(base, target).ok();
        let from = if diff_common {
            common.unwrap_or(base)
        } else {
            base
        };
        let old_tree = git.find_commit(from)?.tree()?;
        let new_tree = git.find_commit(target)?.tree()?;
        let all = tree_changes(&git, Some(&old_tree), &new_tree)?;
        let counts = change_counts(&all);
        let total = all.len();
        let page_items: Vec<Change> = all.into_iter().skip(skip).take(top).collect();
        let all_included = skip == 0 && page_items.len() == total;
        let mut v = json!({
            "allChangesIncluded": all_included,
            "changeCounts": counts,
            "changes": changes_json(&s, &repo, &page_items, &target.to_string()),
            "baseCommit": base.to_string(),
            "targetCommit": target.to_string(),
            "aheadCount": count_commits(&git, target, base)?,
            "behindCount": count_commits(&git, base, target)?,
        });
        if let Some(c) = common {
            v["commonCommit"] = json!(c.to_string());
        }
        Ok(Json(v))
    })
    .await
}

fn stats_for(
    sim: &Sim,
    repo: &RepoInfo,
    git: &Repository,
    name: &str,
    head: Oid,
    base: Oid,
) -> ApiResult<Value> {
    let commit = git.find_commit(head)?;
    Ok(json!({
        "commit": commit_json(sim, repo, &commit, None, true),
        "name": name,
        "aheadCount": count_commits(git, head, base)?,
        "behindCount": count_commits(git, base, head)?,
        "isBaseVersion": head == base,
    }))
}

async fn branch_stats_impl(
    sim: AppState,
    repo: RepoInfo,
    q: QueryParams,
    name: Option<String>,
) -> ApiResult<Response> {
    let (bv, bt) = descriptor(&q, "base");
    let (bv, bt) = (bv.map(str::to_owned), bt.map(str::to_owned));
    blocking(move || {
        let git = repo.open()?;
        let base = resolve(&git, &repo, bv.as_deref(), bt.as_deref())?;
        match name {
            Some(name) => {
                let short = name.trim_start_matches("refs/heads/").to_owned();
                let head = super::version::branch_head(&git, &name).ok_or_else(|| {
                    ApiError::not_found(
                        format!("TF401175:The version descriptor <Branch: {short} > could not be resolved to a version on the repository {}", repo.name),
                        "GitUnresolvableToCommitException",
                    )
                })?;
                let canonical = canonical_branch(&git, &name).unwrap_or(short);
                Ok(Json(stats_for(&sim, &repo, &git, &canonical, head, base)?).into_response())
            }
            None => {
                let mut out = Vec::new();
                for r in git.references_glob("refs/heads/*")?.flatten() {
                    let (Some(n), Ok(c)) = (r.name(), r.peel_to_commit()) else { continue };
                    let short = n.trim_start_matches("refs/heads/").to_owned();
                    out.push(stats_for(&sim, &repo, &git, &short, c.id(), base)?);
                }
                Ok(list(out).into_response())
            }
        }
    })
    .await
}

/// The stored spelling of a branch name given in any case.
fn canonical_branch(git: &Repository, name: &str) -> Option<String> {
    let full = branch_ref(name).to_ascii_lowercase();
    git.references_glob("refs/heads/*")
        .ok()?
        .flatten()
        .find_map(|r| {
            let n = r.name()?;
            (n.to_ascii_lowercase() == full).then(|| n.trim_start_matches("refs/heads/").to_owned())
        })
}

pub async fn branch_stats(
    State(sim): State<AppState>,
    Path((org, project, repo)): Path<(String, String, String)>,
    principal: Principal,
    q: QueryParams,
) -> ApiResult<Response> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let name = q.get("name").map(str::to_owned);
    branch_stats_impl(sim, repo, q, name).await
}

pub async fn branch_stats_named(
    State(sim): State<AppState>,
    Path((org, project, repo, _name)): Path<(String, String, String, String)>,
    principal: Principal,
    crate::routing::OriginalPath(original): crate::routing::OriginalPath,
    q: QueryParams,
) -> ApiResult<Response> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let name = original.rsplit('/').next().unwrap_or("").to_owned();
    branch_stats_impl(sim, repo, q, Some(name)).await
}
