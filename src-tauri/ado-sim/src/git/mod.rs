//! Git: real bare repositories, the git REST area (repositories, refs, commits, diffs, items,
//! pull requests) and smart HTTP (`/{org}/{project}/_git/{repo}`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The repositories of the simulated organization.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct GitWorld {
    pub repos: Vec<RepoInfo>,
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
            (r.project_name.eq_ignore_ascii_case(project) || r.project_id.to_string() == project.to_ascii_lowercase())
                && (r.name.eq_ignore_ascii_case(name_or_id) || r.id.to_string() == name_or_id.to_ascii_lowercase())
        })
    }
}
