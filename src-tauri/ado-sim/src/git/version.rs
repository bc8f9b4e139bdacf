//! Version descriptors (`version` + `versionType` = branch | commit | tag) resolved to commits,
//! with the service's errors for names and ids that do not resolve.

use git2::{Oid, Repository};

use super::RepoInfo;
use crate::errors::{ApiError, ApiResult};

/// The all-zero object id (create/delete marker in refs updates).
pub const ZERO_ID: &str = "0000000000000000000000000000000000000000";

/// Whether `s` is a full 40-hex SHA-1.
pub fn is_full_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `refs/heads/x` for `x`, unchanged when already a full ref.
pub fn branch_ref(name: &str) -> String {
    if name.starts_with("refs/") {
        name.to_owned()
    } else {
        format!("refs/heads/{name}")
    }
}

/// The service's error for a descriptor that does not resolve (`TF401175`, 404).
pub fn unresolvable(repo: &RepoInfo, kind: &str, version: &str) -> ApiError {
    ApiError::not_found(
        format!(
            "TF401175:The version descriptor <{kind}: {version} > could not be resolved to a version on the repository {}",
            repo.name
        ),
        "GitUnresolvableToCommitException",
    )
}

/// The 404 for an unknown commit id (`GitCommitDoesNotExistException`; the service's exact
/// wording for this case is not in the reference material).
pub fn commit_not_found(repo: &RepoInfo, id: &str) -> ApiError {
    ApiError::not_found(
        format!("The commit {id} does not exist in repository {}. Check the commit id (a full 40-character SHA-1).", repo.name),
        "GitCommitDoesNotExistException",
    )
}

/// Finds a branch head, matching the name case-insensitively like the service.
pub fn branch_head(git: &Repository, name: &str) -> Option<Oid> {
    let full = branch_ref(name);
    if let Ok(r) = git.find_reference(&full) {
        return r.peel_to_commit().ok().map(|c| c.id());
    }
    let refs = git.references_glob("refs/heads/*").ok()?;
    for r in refs.flatten() {
        if r.name().is_some_and(|n| n.eq_ignore_ascii_case(&full)) {
            return r.peel_to_commit().ok().map(|c| c.id());
        }
    }
    None
}

/// Resolves a commit id: a full SHA, or an unambiguous prefix of at least 4 hex digits.
pub fn resolve_commit(git: &Repository, repo: &RepoInfo, id: &str) -> ApiResult<Oid> {
    if id.len() < 4 || id.len() > 40 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(commit_not_found(repo, id));
    }
    let obj = if id.len() == 40 {
        Oid::from_str(id)
            .ok()
            .and_then(|oid| git.find_object(oid, None).ok())
    } else {
        git.revparse_single(id).ok()
    };
    obj.and_then(|o| o.peel_to_commit().ok())
        .map(|c| c.id())
        .ok_or_else(|| commit_not_found(repo, id))
}

/// Resolves `version` of `version_type` (default branch when `version` is absent).
pub fn resolve(
    git: &Repository,
    repo: &RepoInfo,
    version: Option<&str>,
    version_type: Option<&str>,
) -> ApiResult<Oid> {
    let kind = version_type.unwrap_or("branch").to_ascii_lowercase();
    match (kind.as_str(), version) {
        ("commit", Some(v)) => {
            resolve_commit(git, repo, v).map_err(|_| unresolvable(repo, "Commit", v))
        }
        ("tag", Some(v)) => {
            let full = if v.starts_with("refs/") {
                v.to_owned()
            } else {
                format!("refs/tags/{v}")
            };
            git.find_reference(&full)
                .and_then(|r| r.peel_to_commit())
                .map(|c| c.id())
                .map_err(|_| unresolvable(repo, "Tag", v))
        }
        ("branch", Some(v)) => branch_head(git, v).ok_or_else(|| unresolvable(repo, "Branch", v)),
        ("branch" | "commit" | "tag", None) => {
            let b = repo.default_branch.trim_start_matches("refs/heads/");
            branch_head(git, &repo.default_branch).ok_or_else(|| unresolvable(repo, "Branch", b))
        }
        (other, _) => Err(ApiError::bad_request(
            format!("The version type '{other}' is not valid. Use branch, commit or tag."),
            "ArgumentException",
        )),
    }
}
