//! Pull requests (step 7, API.md "Step 7"): the active one for a source/target pair, create
//! (answered 201 in the examples; any 2xx accepted), and get by id. Shapes follow
//! `specification/git/7.1/httpExamples/pullRequests`. The create is never repeated blindly:
//! the caller reads the active pull requests again when its answer is an error or lost.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::client::{encode_segment, Area};
use super::error::AdoError;
use super::git::GitRepoApi;
use super::models::VssList;
use super::retry::Retry;

/// `TF401179`: an active pull request for the same source and target already exists (409).
pub const TF_PR_EXISTS: &str = "TF401179";
/// `TF401398`: the source or target branch no longer exists, or is not a branch.
pub const TF_BRANCH_MISSING: &str = "TF401398";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitId {
    #[serde(default)]
    pub commit_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestRepository {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub web_url: Option<String>,
}

/// A `GitPullRequest` as the wizard reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitPullRequest {
    pub pull_request_id: i32,
    /// `active`, `abandoned`, `completed` (or `notSet`).
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub source_ref_name: String,
    #[serde(default)]
    pub target_ref_name: String,
    /// `notSet`, `queued`, `conflicts`, `succeeded`, `rejectedByPolicy`, `failure`.
    #[serde(default)]
    pub merge_status: Option<String>,
    #[serde(default)]
    pub merge_failure_message: Option<String>,
    #[serde(default)]
    pub is_draft: bool,
    #[serde(default)]
    pub creation_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub closed_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_merge_source_commit: Option<CommitId>,
    #[serde(default)]
    pub last_merge_commit: Option<CommitId>,
    #[serde(default)]
    pub repository: Option<PullRequestRepository>,
}

/// `workItemRefs` item of a create.
#[derive(Debug, Clone, Serialize)]
pub struct WorkItemRef {
    pub id: String,
}

/// `POST …/pullrequests` body. `completionOptions` is never sent: `deleteSourceBranch` stays
/// unset, since the hotfix branch is the source of several pull requests and step 8 removes it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPullRequest {
    pub source_ref_name: String,
    pub target_ref_name: String,
    pub title: String,
    pub description: String,
    pub is_draft: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub work_item_refs: Vec<WorkItemRef>,
}

fn full(branch: &str) -> String {
    if branch.starts_with("refs/") {
        branch.to_owned()
    } else {
        format!("refs/heads/{branch}")
    }
}

impl GitRepoApi {
    /// The active pull requests from `source` into `target` (branch names, with or without
    /// `refs/heads/`), newest first. One request.
    pub async fn active_pull_requests(
        &self,
        source: &str,
        target: &str,
    ) -> Result<Vec<GitPullRequest>, AdoError> {
        let query = [
            ("searchCriteria.sourceRefName", full(source)),
            ("searchCriteria.targetRefName", full(target)),
            ("searchCriteria.status", "active".to_owned()),
            ("$top", "10".to_owned()),
        ];
        let list: VssList<GitPullRequest> = self
            .client()
            .get(Area::Core, &self.path("pullrequests"), &query)
            .await?;
        Ok(list.value)
    }

    /// Creates a pull request. Sent once ([`Retry::Never`]).
    pub async fn create_pull_request(
        &self,
        pr: &NewPullRequest,
    ) -> Result<GitPullRequest, AdoError> {
        self.client()
            .send_json(
                Method::POST,
                Area::Core,
                &self.path("pullrequests"),
                &[],
                pr,
                Retry::Never,
            )
            .await
    }

    /// One pull request by id.
    pub async fn pull_request(&self, id: i32) -> Result<GitPullRequest, AdoError> {
        self.client()
            .get(
                Area::Core,
                &self.path(&format!("pullrequests/{}", encode_segment(&id.to_string()))),
                &[],
            )
            .await
    }
}

/// The pull request's page: `{repository web URL}/pullrequest/{id}`, the repository's web URL
/// built from the profile when the answer carries none.
pub fn web_url(pr: &GitPullRequest, fallback_repo_web_url: &str) -> String {
    let base = pr
        .repository
        .as_ref()
        .and_then(|r| r.web_url.clone())
        .unwrap_or_else(|| fallback_repo_web_url.to_owned());
    format!(
        "{}/pullrequest/{}",
        base.trim_end_matches('/'),
        pr.pull_request_id
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> serde_json::Value {
        let path = format!(
            "{}/../../tests/fixtures/azure-devops/specification/git/7.1/httpExamples/pullRequests/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn reads_the_official_examples() {
        let created = example("POST__git_repositories__repositoryId__pullRequests.json");
        let pr: GitPullRequest =
            serde_json::from_value(created["responses"]["201"]["body"].clone()).unwrap();
        assert_eq!(pr.pull_request_id, 22);
        assert_eq!(pr.status, "active");
        assert_eq!(pr.merge_status.as_deref(), Some("queued"));
        assert_eq!(pr.target_ref_name, "refs/heads/new_feature");
        let one = example("GET__git_repositories__repositoryId__pullRequests__pullRequestId_.json");
        let pr: GitPullRequest =
            serde_json::from_value(one["responses"]["200"]["body"].clone()).unwrap();
        assert_eq!(pr.merge_status.as_deref(), Some("succeeded"));
        assert_eq!(
            pr.last_merge_commit.unwrap().commit_id,
            "39f52d24533cc712fc845ed9fd1b6c06b3942588"
        );
        let list = example("GET__git_repositories__repositoryId__pullRequests.json");
        let prs: VssList<GitPullRequest> =
            serde_json::from_value(list["responses"]["200"]["body"].clone()).unwrap();
        assert!(!prs.value.is_empty());
    }

    #[test]
    fn the_create_body_never_asks_to_delete_the_source_branch() {
        let body = serde_json::to_value(NewPullRequest {
            source_ref_name: full("Release3_Hotfixes"),
            target_ref_name: full("refs/heads/main"),
            title: "t".into(),
            description: "d".into(),
            is_draft: false,
            work_item_refs: vec![WorkItemRef { id: "42".into() }],
        })
        .unwrap();
        assert_eq!(body["sourceRefName"], "refs/heads/Release3_Hotfixes");
        assert_eq!(body["targetRefName"], "refs/heads/main");
        assert_eq!(body["workItemRefs"][0]["id"], "42");
        assert!(body.get("completionOptions").is_none());
        assert!(!body.to_string().contains("deleteSourceBranch"));
    }

    #[test]
    fn the_web_link_is_the_repository_page_plus_the_id() {
        let mut pr: GitPullRequest = serde_json::from_value(serde_json::json!({
            "pullRequestId": 7,
            "repository": {"id": "r", "name": "n", "webUrl": "https://dev.azure.com/o/p/_git/n"}
        }))
        .unwrap();
        assert_eq!(
            web_url(&pr, "x"),
            "https://dev.azure.com/o/p/_git/n/pullrequest/7"
        );
        pr.repository = None;
        assert_eq!(
            web_url(&pr, "http://h/o/p/_git/n/"),
            "http://h/o/p/_git/n/pullrequest/7"
        );
    }
}
