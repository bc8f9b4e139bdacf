//! Pull requests: create (201; `TF401179` 409 for a duplicate active PR, `TF401398` for missing
//! branches), get, list (`searchCriteria.*`, `$top`/`$skip`) and update (title/description,
//! abandon, reactivate, complete — which performs a real merge into the target branch).
//! `mergeStatus` comes from a real in-memory merge (`git2::Repository::merge_commits`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::json::{commit_ref, identity_short, repo_api_url, repo_ref_json};
use super::merge::{complete_pr, refresh};
use super::version::{branch_head, branch_ref};
use super::{blocking, resolve_repo, RepoInfo};
use crate::api::{created, list as list_json, JsonBody, Page, QueryParams};
use crate::auth::{Identity, Principal};
use crate::errors::{ApiError, ApiResult};
use crate::state::{AppState, Sim};

/// A stored pull request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullRequest {
    pub id: i32,
    pub repository_id: uuid::Uuid,
    pub title: String,
    pub description: String,
    pub source_ref_name: String,
    pub target_ref_name: String,
    /// active | abandoned | completed
    pub status: String,
    pub is_draft: bool,
    pub created_by: Identity,
    pub creation_date: String,
    pub closed_date: Option<String>,
    pub closed_by: Option<Identity>,
    pub merge_id: uuid::Uuid,
    /// notSet | queued | conflicts | succeeded | rejectedByPolicy | failure
    pub merge_status: String,
    pub last_merge_source_commit: Option<String>,
    pub last_merge_target_commit: Option<String>,
    pub last_merge_commit: Option<String>,
    pub conflicts: Vec<String>,
    pub reviewers: Vec<Identity>,
    pub completion_options: Option<Value>,
    pub auto_complete_set_by: Option<Identity>,
    /// Ids of the work items linked at creation (`workItemRefs`).
    #[serde(default)]
    pub work_item_ids: Vec<String>,
}

/// `2026-04-15T14:26:00.1234567Z` (the service writes 7 fractional digits; chrono has no `%.7f`).
pub(super) fn now() -> String {
    let t = chrono::Utc::now();
    format!(
        "{}.{:07}Z",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.timestamp_subsec_nanos() / 100
    )
}

/// The PR JSON; `detail` adds `_links` (single GET / POST / PATCH) — lists carry
/// `supportsIterations` instead, like the examples.
pub fn pr_json(
    sim: &Sim,
    repo: &RepoInfo,
    pr: &PullRequest,
    detail: bool,
    merge_status_override: Option<&str>,
) -> Value {
    let api = repo_api_url(sim, repo);
    let url = format!("{api}/pullRequests/{}", pr.id);
    let reviewers: Vec<Value> = pr
        .reviewers
        .iter()
        .map(|r| {
            let mut v = identity_short(sim, r);
            v["reviewerUrl"] = json!(format!("{url}/reviewers/{}", r.id));
            v["vote"] = json!(0);
            v["hasDeclined"] = json!(false);
            v["isFlagged"] = json!(false);
            v["isContainer"] = json!(false);
            v
        })
        .collect();
    let mut v = json!({
        "repository": repo_ref_json(sim, repo),
        "pullRequestId": pr.id,
        "codeReviewId": pr.id,
        "status": pr.status,
        "createdBy": identity_short(sim, &pr.created_by),
        "creationDate": pr.creation_date,
        "title": pr.title,
        "description": pr.description,
        "sourceRefName": pr.source_ref_name,
        "targetRefName": pr.target_ref_name,
        "mergeStatus": merge_status_override.unwrap_or(&pr.merge_status),
        "isDraft": pr.is_draft,
        "mergeId": pr.merge_id,
        "reviewers": reviewers,
        "url": url,
        "supportsIterations": true,
        "artifactId": format!("vstfs:///Git/PullRequestId/{}%2f{}%2f{}", repo.project_id, repo.id, pr.id),
    });
    if let Some(c) = &pr.last_merge_source_commit {
        v["lastMergeSourceCommit"] = commit_ref(sim, repo, c);
    }
    if let Some(c) = &pr.last_merge_target_commit {
        v["lastMergeTargetCommit"] = commit_ref(sim, repo, c);
    }
    if let Some(c) = &pr.last_merge_commit {
        v["lastMergeCommit"] = commit_ref(sim, repo, c);
    }
    if let Some(d) = &pr.closed_date {
        v["closedDate"] = json!(d);
    }
    if let Some(b) = &pr.closed_by {
        v["closedBy"] = identity_short(sim, b);
    }
    if let Some(o) = &pr.completion_options {
        v["completionOptions"] = o.clone();
    }
    if let Some(a) = &pr.auto_complete_set_by {
        v["autoCompleteSetBy"] = identity_short(sim, a);
    }
    if pr.merge_status == "conflicts" {
        v["mergeFailureMessage"] = json!(format!(
            "The merge has conflicts in: {}",
            pr.conflicts.join(", ")
        ));
    }
    if detail && !pr.work_item_ids.is_empty() {
        let refs: Vec<Value> = pr
            .work_item_ids
            .iter()
            .map(|id| json!({"id": id, "url": format!("{}/_apis/wit/workItems/{id}", sim.info.org_url)}))
            .collect();
        v["workItemRefs"] = json!(refs);
    }
    if detail {
        let mut links = json!({
            "self": {"href": url},
            "repository": {"href": api},
            "workItems": {"href": format!("{url}/workitems")},
            "sourceBranch": {"href": format!("{api}/refs")},
            "targetBranch": {"href": format!("{api}/refs")},
            "statuses": {"href": format!("{url}/statuses")},
            "createdBy": {"href": format!("{}/_apis/Identities/{}", sim.info.org_url, pr.created_by.id)},
            "iterations": {"href": format!("{url}/iterations")},
        });
        if let Some(c) = &pr.last_merge_source_commit {
            links["sourceCommit"] = json!({"href": format!("{api}/commits/{c}")});
        }
        if let Some(c) = &pr.last_merge_target_commit {
            links["targetCommit"] = json!({"href": format!("{api}/commits/{c}")});
        }
        v["_links"] = links;
    }
    v
}

/// The detailed PR JSON: `lastMergeCommit` carries author, committer and comment, as the single
/// PR GET of the examples shows.
fn pr_detail(sim: &Sim, repo: &RepoInfo, git: &Repository, pr: &PullRequest) -> Value {
    let mut v = pr_json(sim, repo, pr, true, None);
    if let Some(commit) = pr
        .last_merge_commit
        .as_deref()
        .and_then(|id| Oid::from_str(id).ok())
        .and_then(|oid| git.find_commit(oid).ok())
    {
        let full = super::json::commit_json(sim, repo, &commit, None, false);
        let mut m = serde_json::Map::new();
        for k in ["commitId", "author", "committer", "comment", "url"] {
            if let Some(x) = full.get(k) {
                m.insert(k.to_owned(), x.clone());
            }
        }
        v["lastMergeCommit"] = Value::Object(m);
    }
    v
}

fn pr_not_found(id: &str) -> ApiError {
    ApiError::not_found(
        format!("TF401180: The requested pull request was not found. (id {id})"),
        "GitPullRequestNotFoundException",
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRequest {
    source_ref_name: Option<String>,
    target_ref_name: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    is_draft: Option<bool>,
    #[serde(default)]
    reviewers: Vec<ReviewerRef>,
    #[serde(default)]
    work_item_refs: Vec<ReviewerRef>,
}

#[derive(Debug, Deserialize)]
pub struct ReviewerRef {
    id: Option<String>,
}

pub(super) fn missing_branches() -> ApiError {
    ApiError::bad_request(
        "TF401398: The pull request cannot be activated because the source and/or the target branch no longer exists, or the requested refs are not branches",
        "GitPullRequestCannotBeActivated",
    )
}

fn duplicate_pr() -> ApiError {
    ApiError::conflict(
        "TF401179: An active pull request for the source and target branch already exists.",
        "GitPullRequestExistsException",
    )
}

pub async fn create(
    State(sim): State<AppState>,
    Path((org, project, repo)): Path<(String, String, String)>,
    principal: Principal,
    JsonBody(req): JsonBody<CreateRequest>,
) -> ApiResult<Response> {
    principal.require("vso.code_write")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let (Some(source), Some(target)) = (req.source_ref_name.clone(), req.target_ref_name.clone())
    else {
        return Err(ApiError::bad_request(
            "Value cannot be null.\r\nParameter name: sourceRefName and targetRefName",
            "ArgumentNullException",
        ));
    };
    if !source.starts_with("refs/heads/") || !target.starts_with("refs/heads/") {
        return Err(missing_branches());
    }
    if source.eq_ignore_ascii_case(&target) {
        return Err(ApiError::bad_request(
            "TF401402: The source and target branches of the pull request are the same.",
            "InvalidArgumentValueException",
        ));
    }
    let s = sim.clone();
    let user = principal.user.clone();
    let r2 = repo.clone();
    let pr = blocking(move || {
        let git = r2.open()?;
        let (Some(_), Some(_)) = (branch_head(&git, &source), branch_head(&git, &target)) else {
            return Err(missing_branches());
        };
        let mut world = s.world();
        if world.git.pull_requests.iter().any(|p| {
            p.repository_id == r2.id
                && p.status == "active"
                && p.source_ref_name.eq_ignore_ascii_case(&source)
                && p.target_ref_name.eq_ignore_ascii_case(&target)
        }) {
            return Err(duplicate_pr());
        }
        world.git.next_pull_request_id += 1;
        let id = world.git.next_pull_request_id;
        let reviewers: Vec<Identity> = req
            .reviewers
            .iter()
            .filter_map(|r| r.id.as_deref())
            .filter_map(|id| {
                world
                    .core
                    .users
                    .iter()
                    .find(|u| u.id.to_string().eq_ignore_ascii_case(id))
                    .cloned()
            })
            .collect();
        let mut pr = PullRequest {
            id,
            repository_id: r2.id,
            title: req.title.clone().unwrap_or_default(),
            description: req.description.clone().unwrap_or_default(),
            source_ref_name: branch_ref(&source),
            target_ref_name: branch_ref(&target),
            status: "active".into(),
            is_draft: req.is_draft.unwrap_or(false),
            created_by: user.clone(),
            creation_date: now(),
            closed_date: None,
            closed_by: None,
            merge_id: uuid::Uuid::new_v4(),
            merge_status: "queued".into(),
            last_merge_source_commit: None,
            last_merge_target_commit: None,
            last_merge_commit: None,
            conflicts: Vec::new(),
            reviewers,
            completion_options: None,
            auto_complete_set_by: None,
            work_item_ids: req
                .work_item_refs
                .iter()
                .filter_map(|w| w.id.clone())
                .collect(),
        };
        refresh(&git, &mut pr, &user)?;
        world.git.pull_requests.push(pr.clone());
        Ok(pr)
    })
    .await?;
    // The service answers 201 with the merge still queued; the computed status shows on the next GET.
    Ok(created(&pr_json(&sim, &repo, &pr, true, Some("queued"))))
}

/// Loads a PR of `repo` (refreshing its merge status).
fn load(
    sim: &Sim,
    git: &Repository,
    repo: &RepoInfo,
    id: &str,
    user: &Identity,
) -> ApiResult<PullRequest> {
    let n: i32 = id.parse().map_err(|_| pr_not_found(id))?;
    let mut world = sim.world();
    let pr = world
        .git
        .pull_requests
        .iter_mut()
        .find(|p| p.id == n && p.repository_id == repo.id)
        .ok_or_else(|| pr_not_found(id))?;
    refresh(git, pr, user)?;
    Ok(pr.clone())
}

pub async fn get(
    State(sim): State<AppState>,
    Path((org, project, repo, id)): Path<(String, String, String, String)>,
    principal: Principal,
) -> ApiResult<Json<Value>> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let s = sim.clone();
    blocking(move || {
        let git = repo.open()?;
        let pr = load(&s, &git, &repo, &id, &principal.user)?;
        Ok(Json(pr_detail(&s, &repo, &git, &pr)))
    })
    .await
}

pub async fn get_by_id(
    State(sim): State<AppState>,
    Path((org, project, id)): Path<(String, String, String)>,
    principal: Principal,
) -> ApiResult<Json<Value>> {
    principal.require("vso.code")?;
    crate::location::check_org(&sim, &org)?;
    let repo_id = {
        let world = sim.world();
        let p = crate::core_api::project(&world, &project)?;
        let n: i32 = id.parse().map_err(|_| pr_not_found(&id))?;
        let pr = world
            .git
            .pull_requests
            .iter()
            .find(|pr| pr.id == n)
            .ok_or_else(|| pr_not_found(&id))?;
        let repo = world
            .git
            .repos
            .iter()
            .find(|r| r.id == pr.repository_id && r.project_id == p.id)
            .ok_or_else(|| pr_not_found(&id))?;
        repo.id.to_string()
    };
    let repo = resolve_repo(&sim, &org, Some(&project), &repo_id)?;
    let s = sim.clone();
    blocking(move || {
        let git = repo.open()?;
        let pr = load(&s, &git, &repo, &id, &principal.user)?;
        Ok(Json(pr_detail(&s, &repo, &git, &pr)))
    })
    .await
}

fn matches(pr: &PullRequest, q: &QueryParams) -> bool {
    let crit = |n: &str| super::commits::criteria(q, n);
    let status = crit("status").unwrap_or("active").to_ascii_lowercase();
    (status == "all" || pr.status.eq_ignore_ascii_case(&status))
        && crit("sourceRefName").is_none_or(|s| pr.source_ref_name.eq_ignore_ascii_case(s))
        && crit("targetRefName").is_none_or(|t| pr.target_ref_name.eq_ignore_ascii_case(t))
        && crit("creatorId").is_none_or(|c| pr.created_by.id.to_string().eq_ignore_ascii_case(c))
        && crit("repositoryId").is_none_or(|r| pr.repository_id.to_string().eq_ignore_ascii_case(r))
}

fn list_prs(sim: &Sim, repos: &[RepoInfo], q: &QueryParams) -> ApiResult<Json<Value>> {
    let page = Page::from_query(q)?;
    let mut prs: Vec<PullRequest> = sim
        .world()
        .git
        .pull_requests
        .iter()
        .filter(|p| repos.iter().any(|r| r.id == p.repository_id) && matches(p, q))
        .cloned()
        .collect();
    prs.sort_by_key(|p| std::cmp::Reverse(p.id));
    let page = Page {
        top: Some(page.top.unwrap_or(101)),
        skip: page.skip,
    };
    let items: Vec<Value> = page
        .apply(prs)
        .iter()
        .filter_map(|pr| {
            repos
                .iter()
                .find(|r| r.id == pr.repository_id)
                .map(|r| pr_json(sim, r, pr, false, None))
        })
        .collect();
    Ok(list_json(items))
}

pub async fn list(
    State(sim): State<AppState>,
    Path((org, project, repo)): Path<(String, String, String)>,
    principal: Principal,
    q: QueryParams,
) -> ApiResult<Json<Value>> {
    principal.require("vso.code")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    // Refresh merge statuses of the repository's active PRs first.
    let s = sim.clone();
    let r2 = repo.clone();
    let user = principal.user.clone();
    blocking(move || {
        let git = r2.open()?;
        let mut world = s.world();
        for pr in world
            .git
            .pull_requests
            .iter_mut()
            .filter(|p| p.repository_id == r2.id)
        {
            refresh(&git, pr, &user)?;
        }
        Ok(())
    })
    .await?;
    list_prs(&sim, &[repo], &q)
}

pub async fn list_project(
    State(sim): State<AppState>,
    Path((org, project)): Path<(String, String)>,
    principal: Principal,
    q: QueryParams,
) -> ApiResult<Json<Value>> {
    principal.require("vso.code")?;
    crate::location::check_org(&sim, &org)?;
    let repos = super::project_repos(&sim, &project)?;
    list_prs(&sim, &repos, &q)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRequest {
    status: Option<String>,
    title: Option<String>,
    description: Option<String>,
    is_draft: Option<bool>,
    last_merge_source_commit: Option<CommitId>,
    completion_options: Option<Value>,
    auto_complete_set_by: Option<ReviewerRef>,
    target_ref_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitId {
    commit_id: Option<String>,
}

pub async fn update(
    State(sim): State<AppState>,
    Path((org, project, repo, id)): Path<(String, String, String, String)>,
    principal: Principal,
    JsonBody(req): JsonBody<UpdateRequest>,
) -> ApiResult<Response> {
    principal.require("vso.code_write")?;
    let repo = resolve_repo(&sim, &org, Some(&project), &repo)?;
    let s = sim.clone();
    let r2 = repo.clone();
    let pr = blocking(move || {
        let git = r2.open()?;
        let user = principal.user.clone();
        let mut pr = load(&s, &git, &r2, &id, &user)?;
        if req.target_ref_name.is_some() {
            return Err(ApiError::bad_request(
                "TF401187: Retargeting a pull request is not supported by this simulator.",
                "InvalidArgumentValueException",
            ));
        }
        if let Some(t) = req.title {
            pr.title = t;
        }
        if let Some(d) = req.description {
            pr.description = d;
        }
        if let Some(d) = req.is_draft {
            pr.is_draft = d;
        }
        if let Some(o) = req.completion_options {
            pr.completion_options = Some(o);
        }
        let mut complete = false;
        if let Some(a) = req.auto_complete_set_by {
            if a.id.is_some() {
                pr.auto_complete_set_by = Some(user.clone());
                // No branch policies in the simulator: auto-complete completes as soon as the merge is clean.
                complete = pr.merge_status == "succeeded" && !pr.is_draft;
            }
        }
        match req.status.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None => {}
            Some("completed") => {
                if let Some(c) = req.last_merge_source_commit.and_then(|c| c.commit_id) {
                    if pr.last_merge_source_commit.as_deref() != Some(c.as_str()) {
                        return Err(ApiError::conflict(
                            "TF401181: The pull request cannot be completed because the source branch has been updated since the last merge. Refresh the pull request and try again.",
                            "GitPullRequestStaleException",
                        ));
                    }
                }
                complete = true;
            }
            Some("abandoned") => {
                if pr.status != "active" {
                    return Err(not_active(&pr));
                }
                pr.status = "abandoned".into();
                pr.closed_date = Some(now());
                pr.closed_by = Some(user.clone());
            }
            Some("active") => {
                if pr.status == "completed" {
                    return Err(not_active(&pr));
                }
                if pr.status == "abandoned" {
                    let world = s.world();
                    if world.git.pull_requests.iter().any(|p| p.id != pr.id && p.repository_id == pr.repository_id && p.status == "active"
                        && p.source_ref_name.eq_ignore_ascii_case(&pr.source_ref_name)
                        && p.target_ref_name.eq_ignore_ascii_case(&pr.target_ref_name)) {
                        return Err(duplicate_pr());
                    }
                    drop(world);
                    pr.status = "active".into();
                    pr.closed_date = None;
                    pr.closed_by = None;
                    pr.merge_status = "queued".into();
                    refresh(&git, &mut pr, &user)?;
                }
            }
            Some(other) => {
                return Err(ApiError::bad_request(
                    format!("The pull request status '{other}' is not valid here. Use active, abandoned or completed."),
                    "InvalidArgumentValueException",
                ))
            }
        }
        if complete {
            complete_pr(&git, &mut pr, &user)?;
        }
        {
            let mut world = s.world();
            if let Some(stored) = world.git.pull_requests.iter_mut().find(|p| p.id == pr.id) {
                *stored = pr.clone();
            }
        }
        Ok(pr_detail(&s, &r2, &git, &pr))
    })
    .await?;
    Ok((StatusCode::OK, Json(pr)).into_response())
}

pub(super) fn not_active(pr: &PullRequest) -> ApiError {
    ApiError::conflict(
        format!(
            "TF401181: The pull request {} is {} and cannot be changed this way.",
            pr.id, pr.status
        ),
        "InvalidArgumentValueException",
    )
}
