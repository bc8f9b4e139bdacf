//! Git: real bare repositories on disk, the git REST area (repositories, refs, commits, diffs,
//! items, trees, branch stats, pull requests) and smart HTTP (`/{org}/{project}/_git/{repo}`).
//!
//! One file per concept: `repos`, `refs`, `commits`, `diffs`, `items`, `pulls` (+ `merge`),
//! `smart_http`,
//! `write` (commits made by the simulator itself: seeds and the admin push-files hook),
//! `json` (the REST shapes) and `version` (version descriptors → commits).

use std::path::PathBuf;

use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use crate::errors::{ApiError, ApiResult};
use crate::state::{AppState, Sim};

pub mod commits;
pub mod diffs;
pub mod items;
pub mod json;
pub mod merge;
pub mod pr_page;
pub mod pulls;
pub mod refs;
pub mod repos;
pub mod smart_http;
pub mod version;
pub mod write;

/// The repositories and pull requests of the simulated organization.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct GitWorld {
    pub repos: Vec<RepoInfo>,
    #[serde(default)]
    pub pull_requests: Vec<pulls::PullRequest>,
    #[serde(default)]
    pub next_pull_request_id: i32,
    /// Locked refs as `(repository id, ref name)` (`PATCH …/refs` with `isLocked`).
    #[serde(default)]
    pub locked_refs: Vec<(uuid::Uuid, String)>,
}

/// One repository: REST metadata plus the path of its real bare repository on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RepoInfo {
    pub id: uuid::Uuid,
    pub name: String,
    pub project_id: uuid::Uuid,
    pub project_name: String,
    pub default_branch: String,
    /// The bare repository on disk; open it with `git2::Repository::open_bare`.
    pub path: PathBuf,
}

impl GitWorld {
    /// Finds a repository by GUID or (case-insensitive) name inside a project given by name or GUID.
    pub fn repo(&self, project: &str, name_or_id: &str) -> Option<&RepoInfo> {
        self.repos.iter().find(|r| {
            (r.project_name.eq_ignore_ascii_case(project)
                || r.project_id.to_string().eq_ignore_ascii_case(project))
                && (r.name.eq_ignore_ascii_case(name_or_id)
                    || r.id.to_string().eq_ignore_ascii_case(name_or_id))
        })
    }

    /// Finds a repository by GUID anywhere in the organization.
    pub fn repo_by_id(&self, id: &str) -> Option<&RepoInfo> {
        self.repos
            .iter()
            .find(|r| r.id.to_string().eq_ignore_ascii_case(id))
    }
}

impl RepoInfo {
    /// Opens the bare repository.
    pub fn open(&self) -> ApiResult<git2::Repository> {
        git2::Repository::open_bare(&self.path).map_err(ApiError::from)
    }
}

/// The service's 404 for an unknown repository (`TF401019`).
pub fn repo_not_found(name_or_id: &str) -> ApiError {
    ApiError::not_found(
        format!(
            "TF401019: The Git repository with name or identifier {name_or_id} does not exist or you do not have permissions for the operation you are attempting."
        ),
        "GitRepositoryNotFoundException",
    )
}

/// Resolves `{org}/{project}/…/repositories/{repo}` (project optional: org-level routes accept a
/// repository GUID only).
pub fn resolve_repo(
    sim: &Sim,
    org: &str,
    project: Option<&str>,
    repo: &str,
) -> ApiResult<RepoInfo> {
    crate::location::check_org(sim, org)?;
    let world = sim.world();
    match project {
        Some(project) => {
            crate::core_api::project(&world, project)?;
            world
                .git
                .repo(project, repo)
                .cloned()
                .ok_or_else(|| repo_not_found(repo))
        }
        None => world
            .git
            .repo_by_id(repo)
            .cloned()
            .ok_or_else(|| repo_not_found(repo)),
    }
}

/// The repositories of a project (by name or id), or the project's 404.
pub fn project_repos(sim: &Sim, project: &str) -> ApiResult<Vec<RepoInfo>> {
    let world = sim.world();
    let p = crate::core_api::project(&world, project)?;
    Ok(world
        .git
        .repos
        .iter()
        .filter(|r| r.project_id == p.id)
        .cloned()
        .collect())
}

/// Runs blocking git work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

pub fn routes() -> Router<AppState> {
    let repo = "/{org}/{project}/_apis/git/repositories/{repo}";
    Router::new()
        .route("/{org}/{project}/_apis/git/repositories", get(repos::list))
        .route("/{org}/_apis/git/repositories", get(repos::list_org))
        .route(repo, get(repos::get))
        .route(
            &format!("{repo}/refs"),
            get(refs::list).post(refs::update).patch(refs::lock),
        )
        .route(&format!("{repo}/commits"), get(commits::list))
        .route(&format!("{repo}/commits/{{commit}}"), get(commits::get))
        .route(
            &format!("{repo}/commits/{{commit}}/changes"),
            get(commits::changes),
        )
        .route(&format!("{repo}/commitsbatch"), post(commits::batch))
        .route(&format!("{repo}/diffs/commits"), get(diffs::commit_diffs))
        .route(&format!("{repo}/stats/branches"), get(diffs::branch_stats))
        .route(
            &format!("{repo}/stats/branches/{{name}}"),
            get(diffs::branch_stats_named),
        )
        .route(&format!("{repo}/items"), get(items::get))
        .route(&format!("{repo}/trees/{{sha}}"), get(items::tree))
        .route(
            &format!("{repo}/pullrequests"),
            get(pulls::list).post(pulls::create),
        )
        .route(
            &format!("{repo}/pullrequests/{{id}}"),
            get(pulls::get).patch(pulls::update),
        )
        .route(
            "/{org}/{project}/_apis/git/pullrequests",
            get(pulls::list_project),
        )
        .route(
            "/{org}/{project}/_apis/git/pullrequests/{id}",
            get(pulls::get_by_id),
        )
        .route(
            "/{org}/{project}/_git/{repo}/pullrequest/{id}",
            get(pr_page::page),
        )
        .route(
            "/{org}/{project}/_git/{repo}/{*rest}",
            get(smart_http::serve).post(smart_http::serve),
        )
}
