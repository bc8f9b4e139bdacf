//! Commits made by the simulator itself: creating repositories, committing a set of files on top
//! of a branch (seeds, and the admin `POST /_admin/git/push-files` that commits the way Synapse
//! Studio does).

use std::collections::BTreeMap;
use std::path::Path;

use git2::{build::TreeUpdateBuilder, FileMode, Oid, Repository, Signature, Time};
use serde::Deserialize;
use serde_json::Value;

use super::version::{branch_head, branch_ref};
use super::RepoInfo;
use crate::errors::{ApiError, ApiResult};
use crate::state::Sim;

/// Creates a bare repository `{repos_dir}/{id}.git` whose HEAD points at `default_branch`.
pub fn create_repo(
    repos_dir: &Path,
    project_id: uuid::Uuid,
    project_name: &str,
    name: &str,
    default_branch: &str,
) -> anyhow::Result<RepoInfo> {
    let id = uuid::Uuid::new_v4();
    let path = repos_dir.join(format!("{id}.git"));
    std::fs::create_dir_all(repos_dir)?;
    let git = Repository::init_bare(&path)?;
    git.set_head(&branch_ref(default_branch))?;
    let mut cfg = git.config()?;
    cfg.set_bool("http.receivepack", true)?;
    cfg.set_bool("uploadpack.allowAnySHA1InWant", true)?;
    Ok(RepoInfo {
        id,
        name: name.to_owned(),
        project_id,
        project_name: project_name.to_owned(),
        default_branch: branch_ref(default_branch),
        path,
    })
}

/// Who and when, for a commit made by the simulator.
#[derive(Debug, Clone)]
pub struct Author {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch (fixed dates keep seeds reproducible).
    pub time: i64,
}

impl Author {
    fn signature(&self) -> Result<Signature<'static>, git2::Error> {
        Signature::new(&self.name, &self.email, &Time::new(self.time, 0))
    }
}

/// Commits `files` (path → Some(bytes) to write, None to delete) on top of `parents[0]` (its tree
/// is the baseline) and moves `branch` (if given) to the new commit. Returns the commit id.
pub fn commit_files(
    git: &Repository,
    branch: Option<&str>,
    parents: &[Oid],
    files: &[(String, Option<Vec<u8>>)],
    author: &Author,
    message: &str,
) -> Result<Oid, git2::Error> {
    let parent_commits = parents
        .iter()
        .map(|p| git.find_commit(*p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut builder = TreeUpdateBuilder::new();
    for (path, content) in files {
        let path = path.trim_start_matches('/');
        match content {
            Some(bytes) => {
                let blob = git.blob(bytes)?;
                builder.upsert(path, blob, FileMode::Blob);
            }
            None => {
                builder.remove(path);
            }
        }
    }
    let tree_id = match parent_commits.first() {
        Some(p) => builder.create_updated(git, &p.tree()?)?,
        None => {
            let empty = git.treebuilder(None)?.write()?;
            builder.create_updated(git, &git.find_tree(empty)?)?
        }
    };
    let tree = git.find_tree(tree_id)?;
    let sig = author.signature()?;
    let refs: Vec<&git2::Commit<'_>> = parent_commits.iter().collect();
    let oid = git.commit(None, &sig, &sig, message, &tree, &refs)?;
    if let Some(branch) = branch {
        git.reference(&branch_ref(branch), oid, true, message)?;
    }
    Ok(oid)
}

/// Serialises an artifact the way Synapse Studio writes it (4-space indent, trailing newline).
pub fn synapse_json(value: &Value) -> Vec<u8> {
    use serde::Serialize;
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    if value.serialize(&mut ser).is_err() {
        out.clear();
    }
    out.push(b'\n');
    out
}

/// Body of `POST /_admin/git/push-files`.
#[derive(Debug, Clone, Deserialize)]
pub struct PushFiles {
    pub project: String,
    pub repository: String,
    pub branch: String,
    pub message: String,
    #[serde(default)]
    pub author: Option<PushAuthor>,
    /// path → JSON (written as Synapse JSON), string (written as-is) or null (deleted).
    pub files: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PushAuthor {
    pub name: String,
    pub email: String,
}

/// Commits `req.files` on top of the branch head (a new branch starts from the default branch).
pub fn push_files(sim: &Sim, req: &PushFiles) -> ApiResult<String> {
    let repo = {
        let world = sim.world();
        world.git.repo(&req.project, &req.repository).cloned()
    }
    .ok_or_else(|| super::repo_not_found(&req.repository))?;
    let git = repo.open()?;
    let parent = branch_head(&git, &req.branch).or_else(|| branch_head(&git, &repo.default_branch));
    let files: Vec<(String, Option<Vec<u8>>)> = req
        .files
        .iter()
        .map(|(path, v)| {
            let bytes = match v {
                Value::Null => None,
                Value::String(s) => Some(s.clone().into_bytes()),
                other => Some(synapse_json(other)),
            };
            (path.clone(), bytes)
        })
        .collect();
    let user = sim.world().core.default_user();
    let author = Author {
        name: req
            .author
            .as_ref()
            .map_or_else(|| user.display_name.clone(), |a| a.name.clone()),
        email: req
            .author
            .as_ref()
            .map_or_else(|| user.unique_name.clone(), |a| a.email.clone()),
        time: chrono::Utc::now().timestamp(),
    };
    let parents: Vec<Oid> = parent.into_iter().collect();
    let oid = commit_files(
        &git,
        Some(&req.branch),
        &parents,
        &files,
        &author,
        &req.message,
    )
    .map_err(|e| {
        ApiError::bad_request(
            format!("The files could not be committed: {}", e.message()),
            "GitException",
        )
    })?;
    Ok(oid.to_string())
}
