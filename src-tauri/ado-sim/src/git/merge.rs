//! Merging a pull request for real: the in-memory merge that decides `mergeStatus`
//! (`git2::Repository::merge_commits`, conflicts listed by path) and the completion that writes
//! the merge (or squash) commit and moves the target branch.

use git2::{Oid, Repository, Signature};
use serde_json::Value;

use super::pulls::{missing_branches, not_active, now, PullRequest};
use super::version::branch_head;
use crate::auth::Identity;
use crate::errors::{ApiError, ApiResult};

/// Result of merging source into target in memory.
struct MergeOutcome {
    source: Oid,
    target: Oid,
    /// The merge commit (not on any branch) when the merge is clean.
    merge_commit: Option<Oid>,
    conflicts: Vec<String>,
}

fn signature(user: &Identity) -> ApiResult<Signature<'static>> {
    let email = if user.unique_name.contains('@') {
        user.unique_name.clone()
    } else {
        format!("{}@contoso.com", user.unique_name)
    };
    Signature::now(&user.display_name, &email).map_err(ApiError::from)
}

/// Merges `source` into `target` in memory; a clean merge writes a merge commit object.
fn merge(
    git: &Repository,
    source: Oid,
    target: Oid,
    squash: bool,
    message: &str,
    user: &Identity,
) -> ApiResult<MergeOutcome> {
    let s = git.find_commit(source)?;
    let t = git.find_commit(target)?;
    let mut index = git.merge_commits(&t, &s, None)?;
    if index.has_conflicts() {
        let mut conflicts: Vec<String> = index
            .conflicts()?
            .flatten()
            .filter_map(|c| {
                let e = c.our.or(c.their).or(c.ancestor)?;
                Some(format!("/{}", String::from_utf8_lossy(&e.path)))
            })
            .collect();
        conflicts.sort();
        conflicts.dedup();
        return Ok(MergeOutcome {
            source,
            target,
            merge_commit: None,
            conflicts,
        });
    }
    let tree_id = index.write_tree_to(git)?;
    let tree = git.find_tree(tree_id)?;
    let sig = signature(user)?;
    let parents: Vec<&git2::Commit<'_>> = if squash { vec![&t] } else { vec![&t, &s] };
    let commit = git.commit(None, &sig, &sig, message, &tree, &parents)?;
    Ok(MergeOutcome {
        source,
        target,
        merge_commit: Some(commit),
        conflicts: Vec::new(),
    })
}

fn default_merge_message(pr: &PullRequest) -> String {
    format!("Merged PR {}: {}", pr.id, pr.title)
}

/// Recomputes `mergeStatus` of an active PR whose branches moved (or that was never merged).
pub(crate) fn refresh(git: &Repository, pr: &mut PullRequest, user: &Identity) -> ApiResult<()> {
    if pr.status != "active" {
        return Ok(());
    }
    let (Some(source), Some(target)) = (
        branch_head(git, &pr.source_ref_name),
        branch_head(git, &pr.target_ref_name),
    ) else {
        pr.merge_status = "failure".into();
        return Ok(());
    };
    let unchanged = pr.last_merge_source_commit.as_deref() == Some(&source.to_string())
        && pr.last_merge_target_commit.as_deref() == Some(&target.to_string())
        && pr.merge_status != "queued"
        && pr.merge_status != "notSet";
    if unchanged {
        return Ok(());
    }
    let message = format!(
        "Merge pull request {} from {} into {}",
        pr.id,
        short(&pr.source_ref_name),
        short(&pr.target_ref_name)
    );
    let outcome = merge(git, source, target, false, &message, user)?;
    apply_outcome(pr, &outcome);
    Ok(())
}

fn apply_outcome(pr: &mut PullRequest, o: &MergeOutcome) {
    pr.last_merge_source_commit = Some(o.source.to_string());
    pr.last_merge_target_commit = Some(o.target.to_string());
    pr.last_merge_commit = o.merge_commit.map(|c| c.to_string());
    pr.conflicts.clone_from(&o.conflicts);
    pr.merge_status = if o.merge_commit.is_some() {
        "succeeded"
    } else {
        "conflicts"
    }
    .into();
}

fn short(r: &str) -> &str {
    r.trim_start_matches("refs/heads/")
}

/// Completes a PR: merges the source into the target branch for real (merge commit, or squash),
/// moves the target ref, optionally deletes the source branch.
pub(super) fn complete_pr(
    git: &Repository,
    pr: &mut PullRequest,
    user: &Identity,
) -> ApiResult<()> {
    if pr.status != "active" {
        return Err(not_active(pr));
    }
    if pr.is_draft {
        return Err(ApiError::bad_request(
            "TF401401: A draft pull request cannot be completed. Publish it first.",
            "InvalidArgumentValueException",
        ));
    }
    let opts = pr.completion_options.clone().unwrap_or(Value::Null);
    let strategy = opts
        .get("mergeStrategy")
        .and_then(Value::as_str)
        .unwrap_or("noFastForward")
        .to_ascii_lowercase();
    let squash = strategy == "squash"
        || opts
            .get("squashMerge")
            .and_then(Value::as_bool)
            .unwrap_or(false);
    let message = opts
        .get("mergeCommitMessage")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .map_or_else(|| default_merge_message(pr), str::to_owned);
    let (Some(source), Some(target)) = (
        branch_head(git, &pr.source_ref_name),
        branch_head(git, &pr.target_ref_name),
    ) else {
        return Err(missing_branches());
    };
    let outcome = merge(git, source, target, squash, &message, user)?;
    apply_outcome(pr, &outcome);
    let Some(merged) = outcome.merge_commit else {
        return Err(ApiError::conflict(
            format!(
                "TF401192: The pull request {} cannot be completed because it has merge conflicts in: {}",
                pr.id,
                pr.conflicts.join(", ")
            ),
            "GitPullRequestCannotBeCompletedException",
        ));
    };
    git.reference_matching(
        &pr.target_ref_name,
        merged,
        true,
        target,
        &format!("pull request {} completed", pr.id),
    )?;
    if opts
        .get("deleteSourceBranch")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        if let Ok(mut r) = git.find_reference(&pr.source_ref_name) {
            r.delete()?;
        }
    }
    pr.status = "completed".into();
    pr.closed_date = Some(now());
    pr.closed_by = Some(user.clone());
    Ok(())
}
