//! The reads step 8 (clean up) makes besides the refs: how far a branch is ahead of the
//! collaboration branch (`GET …/stats/branches?name=`, spec operation `Stats_Get`), the active pull
//! requests whose source is a branch (`GET …/pullrequests?searchCriteria.sourceRefName=`), and the
//! releases of the production definition (`GET …/release/releases?definitionId=`). Wire shapes
//! follow `specification/git/7.1/httpExamples/branchStats`, `…/pullRequests` and
//! `specification/release/7.1/httpExamples/releases`.

use serde::Deserialize;

use super::client::{encode_segment, AdoClient, Area};
use super::error::AdoError;
use super::git::GitRepoApi;
use super::models::VssList;
use super::release::{IdentityRef, ReleaseShallow};

/// `GET …/stats/branches?name=` (GitBranchStats): commits of the branch not in the base version
/// (`aheadCount`) and the other way round (`behindCount`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BranchStats {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub ahead_count: u32,
    #[serde(default)]
    pub behind_count: u32,
    #[serde(default)]
    pub is_base_version: bool,
}

/// A pull request as the list answers it (GitPullRequest, the fields step 8 shows).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestRef {
    pub pull_request_id: i32,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub source_ref_name: String,
    #[serde(default)]
    pub target_ref_name: String,
    #[serde(default)]
    pub merge_status: Option<String>,
    #[serde(default)]
    pub created_by: Option<IdentityRef>,
}

/// How far `branch` is from `base_branch` (both short names): one request.
pub async fn branch_stats(
    repo: &GitRepoApi,
    branch: &str,
    base_branch: &str,
) -> Result<BranchStats, AdoError> {
    let query = [
        ("name", branch.to_owned()),
        ("baseVersionDescriptor.version", base_branch.to_owned()),
        ("baseVersionDescriptor.versionType", "branch".to_owned()),
    ];
    repo.client()
        .get(Area::Core, &repo.path("stats/branches"), &query)
        .await
}

/// The active pull requests whose source is `refs/heads/{branch}` (every page: `$top`/`$skip`).
pub async fn active_pull_requests_from(
    repo: &GitRepoApi,
    branch: &str,
) -> Result<Vec<PullRequestRef>, AdoError> {
    const PAGE: usize = 100;
    let mut all = Vec::new();
    for page in 0..50usize {
        let query = [
            (
                "searchCriteria.sourceRefName",
                format!("refs/heads/{branch}"),
            ),
            ("searchCriteria.status", "active".to_owned()),
            ("$top", PAGE.to_string()),
            ("$skip", (page * PAGE).to_string()),
        ];
        let list: VssList<PullRequestRef> = repo
            .client()
            .get(Area::Core, &repo.path("pullrequests"), &query)
            .await?;
        let n = list.value.len();
        all.extend(list.value);
        if n < PAGE {
            break;
        }
    }
    Ok(all)
}

/// Every release of `definition_id`, newest first (all pages).
pub async fn definition_releases(
    client: &AdoClient,
    project: &str,
    definition_id: i32,
) -> Result<Vec<ReleaseShallow>, AdoError> {
    let query = [
        ("definitionId", definition_id.to_string()),
        ("queryOrder", "descending".to_owned()),
        ("$top", "100".to_owned()),
    ];
    client
        .get_all(
            Area::Release,
            &format!("{}/_apis/release/releases", encode_segment(project)),
            &query,
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_branch_stats_example() {
        let s: BranchStats = serde_json::from_value(serde_json::json!({
            "commit": {"commitId": "67cae2b029dff7eb3dc062b49403aaedca5bad8d"},
            "name": "develop", "aheadCount": 0, "behindCount": 0, "isBaseVersion": true
        }))
        .unwrap();
        assert_eq!(
            (s.ahead_count, s.behind_count, s.is_base_version),
            (0, 0, true)
        );
    }

    #[test]
    fn reads_a_pull_request_of_the_list_example() {
        let pr: PullRequestRef = serde_json::from_value(serde_json::json!({
            "pullRequestId": 22, "status": "active", "title": "A new feature",
            "createdBy": {"displayName": "Normal Paulk"},
            "sourceRefName": "refs/heads/npaulk/my_work", "targetRefName": "refs/heads/new_feature",
            "mergeStatus": "succeeded"
        }))
        .unwrap();
        assert_eq!(pr.pull_request_id, 22);
        assert_eq!(pr.created_by.unwrap().display_name, "Normal Paulk");
        assert_eq!(pr.merge_status.as_deref(), Some("succeeded"));
    }
}
