//! The Synapse artifacts of one commit, read through the Azure Repos REST API: one listing of the
//! Synapse root folder (every depth), then each artifact file (four at a time), and the
//! `template-parameters-definition.json` of the root folder when there is one. The fix commit is
//! derived from the release commit and step 3's change summary when that summary is for exactly
//! these two commits, so only the changed files are read again.

use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::Value;

use crate::ado::git::{GitRepoApi, VersionType};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::session::Session;
use crate::synapse::parameters::{default_definition, DEFINITION_FILE};
use crate::synapse::{classify, ArtifactKind, ChangeKind, ChangeSummary, PathClass};

/// Files read at the same time.
const PARALLEL_READS: usize = 4;

/// One artifact file of a commit.
#[derive(Debug, Clone, PartialEq)]
pub struct GitArtifact {
    pub kind: ArtifactKind,
    /// The artifact's name (`name` in the file, else the file name).
    pub name: String,
    pub path: String,
    /// The whole file (`name`, `properties`, `type`).
    pub json: Value,
}

impl GitArtifact {
    pub fn properties(&self) -> &Value {
        &self.json["properties"]
    }
}

/// Which parameter template a commit's artifacts are parameterised with.
#[derive(Debug, Clone, PartialEq)]
pub enum Definition {
    Default,
    Custom(Value),
    /// The file is there but is not JSON: Synapse cannot publish with it either.
    Invalid(String),
}

impl Definition {
    /// The rules to apply (the defaults for [`Definition::Invalid`] are never used: callers stop).
    pub fn rules(&self) -> Value {
        match self {
            Self::Custom(v) => v.clone(),
            _ => default_definition(),
        }
    }
}

/// The Synapse artifacts of one commit.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitArtifacts {
    pub commit: String,
    pub artifacts: Vec<GitArtifact>,
    pub definition: Definition,
    /// Artifact files that are not valid JSON (the deployment's validation fails on them).
    pub unreadable: Vec<String>,
}

impl CommitArtifacts {
    pub fn find(&self, kind: ArtifactKind, name: &str) -> Option<&GitArtifact> {
        self.artifacts
            .iter()
            .find(|a| a.kind == kind && a.name.eq_ignore_ascii_case(name))
    }
}

fn parse_artifact(kind: ArtifactKind, path: &str, text: &str) -> Option<GitArtifact> {
    let json: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()?;
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".json");
    let name = json["name"].as_str().unwrap_or(stem).to_owned();
    Some(GitArtifact {
        kind,
        name,
        path: path.to_owned(),
        json,
    })
}

fn parse_definition(text: Option<String>) -> Definition {
    match text {
        None => Definition::Default,
        Some(t) => match serde_json::from_str::<Value>(t.trim_start_matches('\u{feff}')) {
            Ok(v) => Definition::Custom(v),
            Err(e) => Definition::Invalid(e.to_string()),
        },
    }
}

async fn read_files(
    repo: &GitRepoApi,
    commit: &str,
    paths: Vec<(ArtifactKind, String)>,
) -> AppResult<Vec<(ArtifactKind, String, Option<String>)>> {
    stream::iter(paths)
        .map(|(kind, path)| {
            let repo = repo.clone();
            async move {
                let text = repo.file(&path, (commit, VersionType::Commit)).await?;
                Ok::<_, AppError>((kind, path, text))
            }
        })
        .buffered(PARALLEL_READS)
        .try_collect()
        .await
}

fn sort(c: &mut CommitArtifacts) {
    c.artifacts.sort_by(|a, b| {
        (a.kind, a.name.to_ascii_lowercase()).cmp(&(b.kind, b.name.to_ascii_lowercase()))
    });
    c.unreadable.sort();
}

/// Every Synapse artifact of `commit`.
pub async fn read(s: &Session, commit: &str) -> AppResult<CommitArtifacts> {
    let repo = s.repo()?;
    let root = s.root_folder();
    let folder = root.as_str().trim_end_matches('/');
    let folder = if folder.is_empty() { "/" } else { folder };
    let items = repo
        .list_tree(folder, (commit, VersionType::Commit))
        .await?
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!(
                    "The Synapse root folder {} does not exist at commit {}. Check the root \
                     folder in the profile.",
                    root.as_str(),
                    &commit[..commit.len().min(8)]
                ),
            )
        })?;
    let definition_path = root.join(DEFINITION_FILE);
    let mut paths = Vec::new();
    let mut has_definition = false;
    for item in items.iter().filter(|i| !i.is_folder) {
        if item.path.eq_ignore_ascii_case(&definition_path) {
            has_definition = true;
        } else if let PathClass::Artifact(a) = classify(&item.path, &root) {
            paths.push((a.kind, item.path.clone()));
        }
    }
    let definition = if has_definition {
        parse_definition(
            repo.file(&definition_path, (commit, VersionType::Commit))
                .await?,
        )
    } else {
        Definition::Default
    };
    let mut out = CommitArtifacts {
        commit: commit.to_owned(),
        artifacts: Vec::new(),
        definition,
        unreadable: Vec::new(),
    };
    for (kind, path, text) in read_files(&repo, commit, paths).await? {
        match text.as_deref().and_then(|t| parse_artifact(kind, &path, t)) {
            Some(a) => out.artifacts.push(a),
            None => out.unreadable.push(path),
        }
    }
    sort(&mut out);
    Ok(out)
}

/// The artifacts of `commit`: from `base` plus the changed files of `changes` when that summary
/// goes from `base`'s commit to `commit`, else read in full.
pub async fn read_from(
    s: &Session,
    base: &CommitArtifacts,
    commit: &str,
    changes: Option<&ChangeSummary>,
) -> AppResult<CommitArtifacts> {
    if commit.eq_ignore_ascii_case(&base.commit) {
        return Ok(base.clone());
    }
    let Some(summary) = changes.filter(|c| {
        c.base_commit.eq_ignore_ascii_case(&base.commit)
            && c.target_commit.eq_ignore_ascii_case(commit)
    }) else {
        return read(s, commit).await;
    };
    let repo = s.repo()?;
    let mut out = base.clone();
    out.commit = commit.to_owned();
    let mut to_read = Vec::new();
    for change in &summary.artifacts {
        out.artifacts
            .retain(|a| !a.path.eq_ignore_ascii_case(&change.path));
        out.unreadable
            .retain(|p| !p.eq_ignore_ascii_case(&change.path));
        if change.change != ChangeKind::Deleted {
            to_read.push((change.artifact.kind, change.path.clone()));
        }
    }
    let definition_path = s.root_folder().join(DEFINITION_FILE);
    if let Some(f) = summary
        .other_files
        .iter()
        .find(|f| f.path.eq_ignore_ascii_case(&definition_path))
    {
        out.definition = if f.change == ChangeKind::Deleted {
            Definition::Default
        } else {
            parse_definition(
                repo.file(&definition_path, (commit, VersionType::Commit))
                    .await?,
            )
        };
    }
    for (kind, path, text) in read_files(&repo, commit, to_read).await? {
        match text.as_deref().and_then(|t| parse_artifact(kind, &path, t)) {
            Some(a) => out.artifacts.push(a),
            None => out.unreadable.push(path),
        }
    }
    sort(&mut out);
    Ok(out)
}
