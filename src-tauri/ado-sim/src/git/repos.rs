//! `GET …/_apis/git/repositories` (project and organization level) and `…/repositories/{id}`.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::Value;

use super::json::repo_json;
use super::{resolve_repo, RepoInfo};
use crate::api::list as list_json;
use crate::auth::Principal;
use crate::errors::ApiResult;
use crate::state::{AppState, Sim};

/// Bytes on disk of a bare repository (the service reports the repository size).
fn disk_size(repo: &RepoInfo) -> u64 {
    fn walk(p: &std::path::Path) -> u64 {
        std::fs::read_dir(p).map_or(0, |rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => walk(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
    }
    walk(&repo.path.join("objects"))
}

fn repos_json(sim: &Sim, repos: &[RepoInfo]) -> Vec<Value> {
    let mut repos = repos.to_vec();
    repos.sort_by_key(|r| r.name.to_ascii_lowercase());
    repos
        .iter()
        .map(|r| repo_json(sim, r, disk_size(r)))
        .collect()
}

pub async fn list(
    State(sim): State<AppState>,
    Path((org, project)): Path<(String, String)>,
    principal: Principal,
) -> ApiResult<Json<Value>> {
    crate::location::check_org(&sim, &org)?;
    principal.require("vso.code")?;
    let repos = super::project_repos(&sim, &project)?;
    Ok(list_json(repos_json(&sim, &repos)))
}

pub async fn list_org(
    State(sim): State<AppState>,
    Path(org): Path<String>,
    principal: Principal,
) -> ApiResult<Json<Value>> {
    crate::location::check_org(&sim, &org)?;
    principal.require("vso.code")?;
    let repos = sim.world().git.repos.clone();
    Ok(list_json(repos_json(&sim, &repos)))
}

pub async fn get(
    State(sim): State<AppState>,
    Path((org, project, repo)): Path<(String, String, String)>,
    principal: Principal,
) -> ApiResult<Json<Value>> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    Ok(Json(repo_json(&sim, &repo, disk_size(&repo))))
}
