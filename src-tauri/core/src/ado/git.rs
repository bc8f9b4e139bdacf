//! Typed Azure Repos calls the hotfix wizard makes: refs (list by prefix, create), commits (one,
//! a range), the commit diff between the release commit and the hotfix branch, and file content.
//! Wire shapes follow `specification/git/7.1/httpExamples`.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::client::{encode_segment, AdoClient, Area};
use super::error::AdoError;
use super::models::VssList;
use super::retry::Retry;

/// The all-zero object id: "no ref" in a refs update.
pub const ZERO_ID: &str = "0000000000000000000000000000000000000000";

/// `GET …/refs` item.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitRef {
    pub name: String,
    pub object_id: String,
    #[serde(default)]
    pub is_locked: bool,
}

/// `POST …/refs` body item.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefUpdate {
    pub name: String,
    pub old_object_id: String,
    pub new_object_id: String,
}

/// `POST …/refs` answer item. `success:false` arrives inside an HTTP 200.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefUpdateResult {
    pub name: String,
    #[serde(default)]
    pub new_object_id: Option<String>,
    #[serde(default)]
    pub success: bool,
    #[serde(default)]
    pub update_status: String,
    #[serde(default)]
    pub custom_message: Option<String>,
    #[serde(default)]
    pub rejected_by: Option<String>,
    #[serde(default)]
    pub is_locked: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitUserDate {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub date: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitCommitRef {
    pub commit_id: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub author: GitUserDate,
    #[serde(default)]
    pub committer: GitUserDate,
    #[serde(default)]
    pub remote_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitItemRef {
    pub path: String,
    #[serde(default)]
    pub is_folder: bool,
    #[serde(default)]
    pub git_object_type: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitChange {
    pub item: GitItemRef,
    #[serde(default)]
    pub change_type: String,
    #[serde(default)]
    pub source_server_item: Option<String>,
    #[serde(default)]
    pub original_path: Option<String>,
}

/// `GET …/diffs/commits`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitDiffs {
    #[serde(default = "yes")]
    pub all_changes_included: bool,
    #[serde(default)]
    pub changes: Vec<GitChange>,
    #[serde(default)]
    pub base_commit: Option<String>,
    #[serde(default)]
    pub target_commit: Option<String>,
    #[serde(default)]
    pub ahead_count: Option<u32>,
}

fn yes() -> bool {
    true
}

/// How a version string is meant, for `versionDescriptor.versionType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionType {
    Branch,
    Commit,
}

impl VersionType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Branch => "branch",
            Self::Commit => "commit",
        }
    }
}

/// One repository of one project.
#[derive(Debug, Clone)]
pub struct GitRepoApi {
    client: AdoClient,
    base: String,
}

impl GitRepoApi {
    /// `project` and `repository` are names or ids.
    pub fn new(client: AdoClient, project: &str, repository: &str) -> Self {
        let base = format!(
            "{}/_apis/git/repositories/{}",
            encode_segment(project),
            encode_segment(repository)
        );
        Self { client, base }
    }

    pub fn client(&self) -> &AdoClient {
        &self.client
    }

    /// `{project}/_apis/git/repositories/{repository}/{rest}`, for calls built in other modules.
    pub(crate) fn path(&self, rest: &str) -> String {
        format!("{}/{rest}", self.base)
    }

    /// Refs whose name starts with `refs/{prefix}` (the service's `filter` is a prefix match), all
    /// pages. Callers compare names exactly.
    pub async fn refs_with_prefix(&self, prefix: &str) -> Result<Vec<GitRef>, AdoError> {
        let query = [
            ("filter", prefix.trim_start_matches("refs/").to_owned()),
            ("$top", "1000".to_owned()),
        ];
        self.client
            .get_all(Area::Core, &self.path("refs"), &query)
            .await
    }

    /// The branch `refs/heads/{name}` exactly, if it exists (one request).
    pub async fn branch(&self, name: &str) -> Result<Option<GitRef>, AdoError> {
        let full = format!("refs/heads/{name}");
        let refs = self.refs_with_prefix(&format!("heads/{name}")).await?;
        Ok(refs.into_iter().find(|r| r.name == full))
    }

    /// `POST …/refs` with one update. Never retried blindly: the caller re-reads the refs when the
    /// answer is lost or an error.
    pub async fn update_ref(&self, update: &RefUpdate) -> Result<RefUpdateResult, AdoError> {
        let answer: VssList<RefUpdateResult> = self
            .client
            .send_json(
                Method::POST,
                Area::Core,
                &self.path("refs"),
                &[],
                &[update],
                Retry::Never,
            )
            .await?;
        answer.value.into_iter().next().ok_or_else(|| {
            AdoError::from(super::error::AdoErrorKind::Decode {
                method: "POST".into(),
                url: format!("{}/{}", self.client.org_url_str(), self.path("refs")),
                reason: "the refs update answer listed no result".into(),
            })
            .with_org(self.client.org_url_str())
        })
    }

    /// One commit by id (full, or a prefix the service may resolve).
    pub async fn commit(&self, id: &str) -> Result<GitCommitRef, AdoError> {
        self.client
            .get(
                Area::Core,
                &self.path(&format!("commits/{}", encode_segment(id))),
                &[],
            )
            .await
    }

    /// Commits of `version` (newest first), optionally only those not reachable from `compare`.
    pub async fn commits(
        &self,
        version: (&str, VersionType),
        compare: Option<(&str, VersionType)>,
        top: u32,
    ) -> Result<Vec<GitCommitRef>, AdoError> {
        let mut query = vec![
            ("searchCriteria.itemVersion.version", version.0.to_owned()),
            (
                "searchCriteria.itemVersion.versionType",
                version.1.as_str().to_owned(),
            ),
            ("searchCriteria.$top", top.to_string()),
        ];
        if let Some((v, t)) = compare {
            query.push(("searchCriteria.compareVersion.version", v.to_owned()));
            query.push((
                "searchCriteria.compareVersion.versionType",
                t.as_str().to_owned(),
            ));
        }
        let list: VssList<GitCommitRef> = self
            .client
            .get(Area::Core, &self.path("commits"), &query)
            .await?;
        Ok(list.value)
    }

    /// Every change between `base` and `target` (tree diff, not via the common commit), paging with
    /// `$skip` while `allChangesIncluded` is false.
    pub async fn diff(
        &self,
        base: (&str, VersionType),
        target: (&str, VersionType),
    ) -> Result<CommitDiffs, AdoError> {
        const PAGE: usize = 100;
        let mut all: Option<CommitDiffs> = None;
        for page in 0..100usize {
            let query = [
                ("baseVersion", base.0.to_owned()),
                ("baseVersionType", base.1.as_str().to_owned()),
                ("targetVersion", target.0.to_owned()),
                ("targetVersionType", target.1.as_str().to_owned()),
                ("diffCommonCommit", "false".to_owned()),
                ("$top", PAGE.to_string()),
                ("$skip", (page * PAGE).to_string()),
            ];
            let answer: CommitDiffs = self
                .client
                .get(Area::Core, &self.path("diffs/commits"), &query)
                .await?;
            let done = answer.all_changes_included || answer.changes.len() < PAGE;
            match &mut all {
                None => all = Some(answer),
                Some(acc) => acc.changes.extend(answer.changes),
            }
            if done {
                break;
            }
        }
        let mut all = all.unwrap_or(CommitDiffs {
            all_changes_included: true,
            changes: Vec::new(),
            base_commit: None,
            target_commit: None,
            ahead_count: None,
        });
        all.all_changes_included = true;
        Ok(all)
    }

    /// The text of the file at `path` in `version`; `None` when it does not exist there.
    pub async fn file(
        &self,
        path: &str,
        version: (&str, VersionType),
    ) -> Result<Option<String>, AdoError> {
        let query = [
            ("path", path.to_owned()),
            ("versionDescriptor.version", version.0.to_owned()),
            (
                "versionDescriptor.versionType",
                version.1.as_str().to_owned(),
            ),
            ("includeContent", "true".to_owned()),
            ("$format", "json".to_owned()),
        ];
        match self
            .client
            .get::<GitItemRef>(Area::Core, &self.path("items"), &query)
            .await
        {
            Ok(item) => Ok(item.content),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every item below `folder` at `version`, at any depth (one request); `None` when the folder
    /// does not exist.
    pub async fn list_tree(
        &self,
        folder: &str,
        version: (&str, VersionType),
    ) -> Result<Option<Vec<GitItemRef>>, AdoError> {
        self.list_items(folder, version, "Full").await
    }

    /// The direct children of `folder` at `version`; `None` when the folder does not exist.
    pub async fn list_folder(
        &self,
        folder: &str,
        version: (&str, VersionType),
    ) -> Result<Option<Vec<GitItemRef>>, AdoError> {
        self.list_items(folder, version, "OneLevel").await
    }

    async fn list_items(
        &self,
        folder: &str,
        version: (&str, VersionType),
        recursion: &str,
    ) -> Result<Option<Vec<GitItemRef>>, AdoError> {
        let query = [
            ("scopePath", folder.to_owned()),
            ("recursionLevel", recursion.to_owned()),
            ("versionDescriptor.version", version.0.to_owned()),
            (
                "versionDescriptor.versionType",
                version.1.as_str().to_owned(),
            ),
        ];
        match self
            .client
            .get::<VssList<GitItemRef>>(Area::Core, &self.path("items"), &query)
            .await
        {
            Ok(list) => Ok(Some(list.value)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}
