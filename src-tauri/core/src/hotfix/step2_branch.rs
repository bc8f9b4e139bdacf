//! Step 2 — the hotfix branch. The name comes from the profile's template, is validated as a git
//! ref name and against the existing refs before anything is sent, then the branch is created from
//! the release commit through the refs API (`oldObjectId` = zeros) and re-read to confirm it points
//! at that commit. Existing at the same commit: reused. Existing elsewhere: stop, never move it.
//! The refs POST is never repeated blindly: after an error the refs are re-read and decide.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::branch_name;
use super::run::{BranchOutcome, HotfixBranch, HotfixRun};
use super::session::Session;
use crate::ado::git::{GitRef, RefUpdate, RefUpdateResult, ZERO_ID};
use crate::ado::{AdoError, AdoErrorKind, VssList};
use crate::error::{AppError, AppResult, ErrorCode};

/// A branch that already carries the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExistingBranch {
    pub name: String,
    pub object_id: String,
    /// True when it points at the release commit (it will be reused).
    pub at_release_commit: bool,
}

/// What the wizard shows under the branch-name field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BranchNameCheck {
    pub name: String,
    /// True when creating (or reusing) the branch can go ahead.
    pub ok: bool,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing: Option<ExistingBranch>,
    /// A free name to offer when this one is taken.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// The name the profile's template gives for the run's release.
pub fn templated_name(run: &HotfixRun) -> AppResult<String> {
    let release = run.release.as_ref().ok_or_else(step1_first)?;
    Ok(branch_name::render_template(
        &run.profile.branch_template,
        &release.name,
        release.id,
        chrono::Utc::now().date_naive(),
    ))
}

fn step1_first() -> AppError {
    AppError::new(
        ErrorCode::Precondition,
        "Pick the production release and its commit (step 1) before naming the hotfix branch.",
    )
}

fn release_sha(run: &HotfixRun) -> AppResult<&str> {
    run.commit
        .as_ref()
        .map(|c| c.commit_id.as_str())
        .ok_or_else(step1_first)
}

/// What the existing refs say about `name`, given the refs whose name starts with its first part.
fn judge(name: &str, sha: &str, refs: &[GitRef]) -> (Option<ExistingBranch>, Option<String>) {
    let full = format!("refs/heads/{name}");
    if let Some(r) = refs.iter().find(|r| r.name == full) {
        let at = r.object_id.eq_ignore_ascii_case(sha);
        let problem = (!at).then(|| {
            format!(
                "A branch {name} already exists and points at commit {}, not at the release commit {}. \
                 The app never moves or overwrites a branch: pick another name (or delete that branch \
                 yourself if it is a leftover).",
                short(&r.object_id),
                short(sha)
            )
        });
        let existing = ExistingBranch {
            name: name.to_owned(),
            object_id: r.object_id.clone(),
            at_release_commit: at,
        };
        return (Some(existing), problem);
    }
    let lower = full.to_ascii_lowercase();
    for r in refs {
        let other = r.name.to_ascii_lowercase();
        let shown = r.name.trim_start_matches("refs/heads/");
        if other == lower {
            return (None, Some(format!(
                "A branch {shown} exists that differs from {name} only in letter case; Azure Repos treats them as the same name. Pick another name."
            )));
        }
        if other.starts_with(&format!("{lower}/")) || lower.starts_with(&format!("{other}/")) {
            return (None, Some(format!(
                "A branch {shown} exists, and git cannot hold both {shown} and {name} (one would be a folder of the other). Pick another name."
            )));
        }
    }
    (None, None)
}

fn short(sha: &str) -> &str {
    sha.get(..8).unwrap_or(sha)
}

/// A name not used by any of `refs`: `name_2`, `name_3`, ….
fn suggest(name: &str, refs: &[GitRef]) -> String {
    let taken = |n: &str| {
        let full = format!("refs/heads/{n}").to_ascii_lowercase();
        refs.iter().any(|r| r.name.to_ascii_lowercase() == full)
    };
    (2..100)
        .map(|i| format!("{name}_{i}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| format!("{name}_{}", uuid::Uuid::new_v4().simple()))
}

/// Reads the refs that can clash with `name` (one request: prefix `heads/{first part}`).
async fn clashing_refs(s: &Session, name: &str) -> AppResult<Vec<GitRef>> {
    let first = name.split('/').next().unwrap_or(name);
    let repo = s.repo()?;
    let prefix = format!("heads/{first}");
    Ok(repo.refs_with_prefix(&prefix).await?)
}

/// Validates `name` (or the templated name) without sending anything but one refs read.
pub async fn check_name(
    s: &Session,
    run: &HotfixRun,
    name: Option<&str>,
) -> AppResult<BranchNameCheck> {
    let name = match name {
        Some(n) => branch_name::short_name(n).to_owned(),
        None => templated_name(run)?,
    };
    if let Err(problem) = branch_name::validate(&name) {
        return Ok(BranchNameCheck {
            name,
            ok: false,
            problem: Some(problem),
            existing: None,
            suggestion: None,
        });
    }
    let sha = release_sha(run)?;
    let refs = clashing_refs(s, &name).await?;
    let (existing, problem) = judge(&name, sha, &refs);
    let suggestion = problem.is_some().then(|| suggest(&name, &refs));
    Ok(BranchNameCheck {
        ok: problem.is_none(),
        name,
        problem,
        existing,
        suggestion,
    })
}

/// The message for each `updateStatus` a refs update can answer that is not a success.
pub fn update_status_message(name: &str, sha: &str, r: &RefUpdateResult) -> (ErrorCode, String) {
    let custom = r
        .custom_message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .map(|m| format!(" Azure DevOps said: \"{m}\""))
        .unwrap_or_default();
    let status = r.update_status.to_ascii_lowercase();
    let (code, text) = match status.as_str() {
        "invalidrefname" => (ErrorCode::InvalidInput, format!("Azure DevOps refused {name} as a branch name (invalidRefName). Pick a simpler name (letters, digits, - _ . /).")),
        "refnameconflict" => (ErrorCode::Conflict, format!("{name} clashes with an existing branch (refNameConflict): the same name in another letter case, or a branch that is a folder of it. Pick another name.")),
        "unresolvabletocommit" => (ErrorCode::Precondition, format!("Azure DevOps cannot find commit {sha} in the repository (unresolvableToCommit), so it cannot create {name} from it. Re-run step 1 to resolve the release commit again.")),
        "createbranchpermissionrequired" => (ErrorCode::NoPermission, format!("You may not create branches in this repository (createBranchPermissionRequired). Ask a project administrator for the \"Create branch\" permission, or ask someone who has it to create {name} at {sha}.")),
        "writepermissionrequired" => (ErrorCode::NoPermission, "You may not write to this repository (writePermissionRequired). Ask a project administrator for the \"Contribute\" permission.".to_owned()),
        "managenotepermissionrequired" => (ErrorCode::NoPermission, "Azure DevOps asked for the \"Manage notes\" permission (manageNotePermissionRequired). Ask a project administrator for it.".to_owned()),
        "createtagpermissionrequired" => (ErrorCode::NoPermission, "Azure DevOps asked for the \"Create tag\" permission (createTagPermissionRequired). Ask a project administrator for it.".to_owned()),
        "rejectedbyplugin" => (ErrorCode::Conflict, format!("A server-side check rejected creating {name} (rejectedByPlugin).")),
        "rejectedbypolicy" => (ErrorCode::Conflict, format!("A branch policy rejected creating {name} (rejectedByPolicy). Check the repository's branch policies or pick a name they allow.")),
        "locked" => (ErrorCode::Conflict, format!("{name} is locked (locked). Unlock it in Azure Repos or pick another name.")),
        "forcepushrequired" => (ErrorCode::Conflict, format!("Creating {name} would need a force push (forcePushRequired); the app never overwrites a branch. Pick another name.")),
        "staleoldobjectid" => (ErrorCode::Conflict, format!("{name} was created or moved by someone else at the same moment (staleOldObjectId). Check the name again.")),
        "unprocessed" => (ErrorCode::ServerError, format!("Azure DevOps did not process the creation of {name} (unprocessed). Nothing was changed; try again.")),
        _ => (ErrorCode::ServerError, format!("Azure DevOps did not create {name} (updateStatus \"{}\").", r.update_status)),
    };
    (code, format!("{text}{custom}"))
}

/// Outcome of the remote part of step 2, before anything is saved.
pub struct BranchResult {
    pub branch: HotfixBranch,
    /// True when this call sent the refs POST (false: found and reused, no write).
    pub posted: bool,
}

/// Creates or reuses the branch `name` at the release commit. Reads first, writes at most one refs
/// POST, and confirms by re-reading.
pub async fn create_or_reuse(s: &Session, run: &HotfixRun, name: &str) -> AppResult<BranchResult> {
    let name = branch_name::short_name(name).to_owned();
    branch_name::validate(&name)
        .map_err(|p| AppError::invalid_input(format!("{p} Nothing was sent to Azure DevOps.")))?;
    let sha = release_sha(run)?.to_owned();
    let refs = clashing_refs(s, &name).await?;
    let (existing, problem) = judge(&name, &sha, &refs);
    if let Some(problem) = problem {
        let mut err = AppError::new(ErrorCode::Conflict, problem);
        err.detail = Some(format!("suggestion: {}", suggest(&name, &refs)));
        return Err(err);
    }
    if let Some(e) = existing {
        let branch = confirm(s, &name, &sha, BranchOutcome::Reused).await?;
        debug_assert!(e.at_release_commit);
        return Ok(BranchResult {
            branch,
            posted: false,
        });
    }
    let repo = s.repo()?;
    let update = RefUpdate {
        name: format!("refs/heads/{name}"),
        old_object_id: ZERO_ID.to_owned(),
        new_object_id: sha.clone(),
    };
    let answer = repo.update_ref(&update).await;
    let result = match answer {
        Ok(r) => Ok(r),
        Err(e) => results_in_error_body(&e).ok_or_else(|| AppError::from(e)),
    };
    match result {
        Ok(r) if r.success => {
            let branch = confirm(s, &name, &sha, BranchOutcome::Created).await?;
            Ok(BranchResult {
                branch,
                posted: true,
            })
        }
        Ok(r) => {
            // A lost race ends up here as staleOldObjectId: the re-read decides.
            if r.update_status.eq_ignore_ascii_case("staleOldObjectId") {
                if let Some(found) = reread(s, &name).await? {
                    if found.object_id.eq_ignore_ascii_case(&sha) {
                        let branch = confirm(s, &name, &sha, BranchOutcome::Reused).await?;
                        return Ok(BranchResult {
                            branch,
                            posted: true,
                        });
                    }
                }
            }
            let (code, message) = update_status_message(&name, &sha, &r);
            Err(AppError::new(code, message)
                .with_detail(format!("updateStatus={}", r.update_status)))
        }
        Err(err) => {
            // The answer was an error or got lost: the branch may or may not exist now. Reading is
            // safe; repeating the POST is not.
            match reread(s, &name).await {
                Ok(Some(found)) if found.object_id.eq_ignore_ascii_case(&sha) => {
                    let branch = confirm(s, &name, &sha, BranchOutcome::Created).await?;
                    Ok(BranchResult { branch, posted: true })
                }
                Ok(Some(found)) => Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("{name} now exists at {} (not the release commit) after a failed request. The app leaves it alone; pick another name.", short(&found.object_id)),
                )),
                Ok(None) => Err(AppError::new(
                    err.code,
                    format!("{} The branch {name} was not created; nothing changed. Try again.", err.message),
                )
                .with_detail(err.detail.unwrap_or_default())),
                Err(_) => Err(AppError::new(
                    err.code,
                    format!("{} The app could not check whether {name} was created; it will check again before anything else when you retry.", err.message),
                )
                .with_detail(err.detail.unwrap_or_default())),
            }
        }
    }
}

/// A refs POST rejected with a 4xx may carry the `{value:[…]}` update results instead of a VSS
/// error body; those are judged like a `success:false` inside a 200.
fn results_in_error_body(e: &AdoError) -> Option<RefUpdateResult> {
    let AdoErrorKind::Http {
        status: 400..=499,
        body: Some(body),
        ..
    } = e.kind()
    else {
        return None;
    };
    let list: VssList<RefUpdateResult> = serde_json::from_str(body).ok()?;
    list.value.into_iter().next()
}

async fn reread(s: &Session, name: &str) -> AppResult<Option<GitRef>> {
    let repo = s.repo()?;
    Ok(repo.branch(name).await?)
}

/// Re-reads the ref and checks it points at `sha`.
async fn confirm(
    s: &Session,
    name: &str,
    sha: &str,
    outcome: BranchOutcome,
) -> AppResult<HotfixBranch> {
    let found = reread(s, name).await?.ok_or_else(|| {
        AppError::new(ErrorCode::ServerError, format!("Azure DevOps reported {name} as created, but it is not there when read back. Try again."))
    })?;
    if !found.object_id.eq_ignore_ascii_case(sha) {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("{name} points at {} instead of the release commit {}. The app leaves it alone; pick another name.", short(&found.object_id), short(sha)),
        ));
    }
    let p = s.profile();
    let web_url = match (&p.project, &p.repository) {
        (Some(project), Some(repo)) => Some(format!(
            "{}/{}/_git/{}?version=GB{}",
            p.organization_url.trim_end_matches('/'),
            crate::ado::encode_segment(&project.name),
            crate::ado::encode_segment(&repo.name),
            crate::ado::encode_segment(name)
        )),
        _ => None,
    };
    Ok(HotfixBranch {
        name: name.to_owned(),
        object_id: found.object_id.to_ascii_lowercase(),
        outcome,
        web_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str, id: &str) -> GitRef {
        GitRef {
            name: name.into(),
            object_id: id.into(),
            is_locked: false,
        }
    }

    #[test]
    fn judge_tells_reuse_conflict_and_free_apart() {
        let sha = "a".repeat(40);
        let other = "b".repeat(40);
        let refs = vec![
            r("refs/heads/Release3_Hotfixes", &sha),
            r("refs/heads/Release3_Hotfixes_2", &other),
            r("refs/heads/hot/fix", &other),
        ];
        let (e, p) = judge("Release3_Hotfixes", &sha, &refs);
        assert!(e.unwrap().at_release_commit);
        assert!(p.is_none());
        let (e, p) = judge("Release3_Hotfixes_2", &sha, &refs);
        assert!(!e.unwrap().at_release_commit);
        assert!(p.unwrap().contains("bbbbbbbb"));
        let (e, p) = judge("release3_hotfixes", &sha, &refs);
        assert!(e.is_none());
        assert!(p.unwrap().contains("letter case"));
        assert!(judge("hot", &sha, &refs).1.unwrap().contains("folder"));
        assert!(judge("hot/fix/x", &sha, &refs)
            .1
            .unwrap()
            .contains("folder"));
        assert_eq!(judge("Release3_Hotfixes_3", &sha, &refs), (None, None));
        assert_eq!(suggest("Release3_Hotfixes", &refs), "Release3_Hotfixes_3");
    }

    #[test]
    fn every_update_status_has_its_own_message() {
        let statuses = [
            "invalidRefName",
            "refNameConflict",
            "unresolvableToCommit",
            "createBranchPermissionRequired",
            "writePermissionRequired",
            "manageNotePermissionRequired",
            "createTagPermissionRequired",
            "rejectedByPlugin",
            "rejectedByPolicy",
            "locked",
            "forcePushRequired",
            "staleOldObjectId",
            "unprocessed",
        ];
        let mut seen = std::collections::HashSet::new();
        for s in statuses {
            let res = RefUpdateResult {
                name: "refs/heads/x".into(),
                new_object_id: None,
                success: false,
                update_status: s.into(),
                custom_message: None,
                rejected_by: None,
                is_locked: false,
            };
            let (_, msg) = update_status_message("x", &"a".repeat(40), &res);
            assert!(msg.contains(&format!("({s})")), "{s}: {msg}");
            assert!(seen.insert(msg), "{s} shares its message");
        }
        let res = RefUpdateResult {
            name: "refs/heads/x".into(),
            new_object_id: None,
            success: false,
            update_status: "rejectedByPlugin".into(),
            custom_message: Some("Branch names must start with hotfix/".into()),
            rejected_by: None,
            is_locked: false,
        };
        assert!(update_status_message("x", "a", &res)
            .1
            .contains("must start with hotfix/"));
    }
}
