//! Step 2 — the hotfix branch. The name comes from the profile's template, is validated as a git
//! ref name and against the existing refs before anything is sent, then the branch is created from
//! the release commit through the refs API (`oldObjectId` = zeros) and re-read to confirm it points
//! at that commit. Existing at the same commit: reused. Existing elsewhere: stop, never move it.
//! The refs POST is never repeated blindly: after an error the refs are re-read and decide.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::step2_refs::{results_in_error_body, update_status_message};
use super::{branch_name, Action, StepCtx, StepId};
use crate::ado::git::{GitRef, RefUpdate, ZERO_ID};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{EventLevel, HotfixRun, StepState};
use crate::hotfix::session::Session;

/// Step 2's saved state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BranchState {
    /// The branch name step 2 is about to create, saved *before* the request, so a resumed run
    /// knows which name to look for.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<HotfixBranch>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum BranchOutcome {
    Created,
    Reused,
}

/// The hotfix branch, confirmed by re-reading the ref after creating or finding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HotfixBranch {
    /// Short name, without `refs/heads/`.
    pub name: String,
    pub object_id: String,
    pub outcome: BranchOutcome,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

/// Creates (or reuses) the hotfix branch. The name is saved on the run *before* the request, so a
/// resumed run looks for exactly that branch.
pub struct CreateBranch {
    /// Short name (an optional `refs/heads/` prefix is dropped).
    pub name: String,
}

impl CreateBranch {
    pub fn new(name: &str) -> Self {
        Self {
            name: branch_name::short_name(name).to_owned(),
        }
    }
}

impl Action for CreateBranch {
    const STEP: StepId = StepId::Branch;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        if run.step_state(StepId::Release) != StepState::Done || run.steps.release.commit.is_none()
        {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "Finish step 1 (the release commit) first.",
            ));
        }
        if let Some(b) = &run.steps.branch.branch {
            if b.name != self.name {
                return Err(AppError::new(
                    ErrorCode::Precondition,
                    format!("This hotfix already uses the branch {}. Start a new hotfix to use another branch.", b.name),
                ));
            }
        }
        branch_name::validate(&self.name)
            .map_err(|p| AppError::invalid_input(format!("{p} Nothing was sent to Azure DevOps.")))
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let name = self.name;
        if run.steps.branch.intent.as_deref() != Some(name.as_str()) {
            run.steps.branch.intent = Some(name.clone());
            ctx.save_intent(run)?;
        }
        let mut result = create_or_reuse(ctx.session, run, &name).await?;
        if let Some(previous) = &run.steps.branch.branch {
            // Repeating a finished step 2 confirms the branch; it does not re-label how it came to be.
            result.branch.outcome = previous.outcome;
        }
        let b = &result.branch;
        let what = match b.outcome {
            BranchOutcome::Created => "created",
            BranchOutcome::Reused => "already existed at the release commit and is reused",
        };
        run.log_event(
            StepId::Branch,
            EventLevel::Info,
            format!("Branch {} {what} ({}).", b.name, short(&b.object_id)),
        );
        run.steps.fix.head = Some(b.object_id.clone());
        run.steps.branch.branch = Some(result.branch);
        run.steps.branch.intent = None;
        run.complete_step(StepId::Branch);
        Ok(())
    }
}

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
    /// What the app did to the name as typed (e.g. dropped a `refs/heads/` prefix), to show.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The name the profile's template gives for the run's release.
pub fn templated_name(run: &HotfixRun) -> AppResult<String> {
    let release = run.steps.release.release.as_ref().ok_or_else(step1_first)?;
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
    run.steps
        .release
        .commit
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
    let (name, note) = match name {
        Some(n) => (
            branch_name::short_name(n).to_owned(),
            branch_name::prefix_note(n),
        ),
        None => (templated_name(run)?, None),
    };
    if let Err(problem) = branch_name::validate(&name) {
        return Ok(BranchNameCheck {
            name,
            ok: false,
            problem: Some(problem),
            existing: None,
            suggestion: None,
            note,
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
        note,
    })
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
}
