//! Step 1, second half — the commit production runs: the chosen artifact's commit read from Azure
//! DevOps (Git artifact: its `version.id`, a short SHA resolved on its branch; Build artifact: the
//! build's `sourceVersion`), and the [`CommitInfo`] the wizard shows for any commit.

use super::step1_release::SourceArtifact;
use crate::ado::build::get_build;
use crate::ado::git::{GitCommitRef, VersionType};
use crate::ado::release::{Release, ReleaseArtifact};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::CommitInfo;
use crate::hotfix::session::Session;

fn is_full_sha(s: &str) -> bool {
    s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit())
}

pub fn commit_info(s: &Session, c: &GitCommitRef) -> CommitInfo {
    let p = s.profile();
    let web_url = match (&p.project, &p.repository) {
        (Some(project), Some(repo)) => Some(format!(
            "{}/{}/_git/{}/commit/{}",
            p.organization_url.trim_end_matches('/'),
            crate::ado::encode_segment(&project.name),
            crate::ado::encode_segment(&repo.name),
            c.commit_id
        )),
        _ => None,
    };
    CommitInfo {
        commit_id: c.commit_id.to_ascii_lowercase(),
        message: c.comment.clone(),
        author_name: c.author.name.clone(),
        author_email: c.author.email.clone(),
        author_date: c.author.date,
        web_url,
    }
}

/// The commit of one artifact: Git → `version.id` (a full SHA normally; a short one is resolved
/// through the commits API), Build → the build's `sourceVersion`. One request for Git, two for Build.
pub(super) async fn resolve_commit(
    s: &Session,
    r: &Release,
    a: &ReleaseArtifact,
    reason: String,
) -> AppResult<(SourceArtifact, CommitInfo)> {
    let repo = s.repo()?;
    let mut artifact = SourceArtifact {
        alias: a.alias.clone(),
        artifact_type: a.artifact_type.clone(),
        branch: a.branch(),
        repository_id: a.reference_id("definition").unwrap_or_default(),
        repository_name: a.reference_name("definition"),
        build_id: None,
        build_number: None,
        reason,
    };
    let wanted = if a.is_type("Build") {
        let build_id = a
            .reference_id("version")
            .and_then(|v| v.parse::<i32>().ok())
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::Precondition,
                    format!(
                        "The Build artifact `{}` of {} records no build id.",
                        a.alias, r.name
                    ),
                )
            })?;
        let project = s.project()?;
        let build = get_build(s.client(), project, build_id).await?;
        let sha = build.source_version.clone().filter(|v| !v.trim().is_empty()).ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                format!("Build {} behind `{}` records no source commit, so the release has no usable Git source.", build.build_number.clone().unwrap_or_else(|| build_id.to_string()), a.alias),
            )
        })?;
        if let Some(repo_id) = s.repository_id() {
            if !build.repository.id.is_empty() && !build.repository.id.eq_ignore_ascii_case(repo_id)
            {
                return Err(AppError::new(
                    ErrorCode::Precondition,
                    format!(
                        "Build {} behind `{}` ran on repository {}, not on the profile's Synapse repository. \
                         Pick the artifact built from the Synapse repository.",
                        build.build_number.clone().unwrap_or_default(),
                        a.alias,
                        build.repository.name.clone().unwrap_or_else(|| build.repository.id.clone())
                    ),
                ));
            }
        }
        artifact.build_id = Some(build.id);
        artifact.build_number = build.build_number.clone();
        artifact.branch = build
            .source_branch
            .as_deref()
            .map(|b| b.trim_start_matches("refs/heads/").to_owned());
        artifact.repository_id = build.repository.id.clone();
        artifact.repository_name = build.repository.name;
        sha
    } else {
        a.reference_id("version").ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                format!(
                    "The Git artifact `{}` of {} records no commit. Pick another release.",
                    a.alias, r.name
                ),
            )
        })?
    };
    let wanted = wanted.trim().to_ascii_lowercase();
    let commit = match repo.commit(&wanted).await {
        Ok(c) if c.commit_id.to_ascii_lowercase().starts_with(&wanted) && is_full_sha(&c.commit_id) => c,
        Ok(c) => {
            return Err(AppError::new(
                ErrorCode::ServerError,
                format!("Azure DevOps answered commit {} when asked for {wanted}; the app will not guess.", c.commit_id),
            ))
        }
        Err(e) if e.is_not_found() && !is_full_sha(&wanted) && wanted.len() >= 7 => {
            find_by_prefix(s, &wanted, artifact.branch.as_deref()).await?
        }
        Err(e) if e.is_not_found() => {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!(
                    "Commit {wanted} of artifact `{}` is not in the repository any more (history rewritten, or \
                     another repository). The release has no usable Git source; pick another release.",
                    a.alias
                ),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    Ok((artifact, commit_info(s, &commit)))
}

/// API.md fallback for a short SHA: list the branch's commits and prefix-match; 0 or >1 matches fail.
async fn find_by_prefix(s: &Session, short: &str, branch: Option<&str>) -> AppResult<GitCommitRef> {
    let branch = branch.ok_or_else(|| {
        AppError::new(
            ErrorCode::NotFound,
            format!("The short commit {short} cannot be resolved: the artifact names no branch."),
        )
    })?;
    let repo = s.repo()?;
    let commits = repo
        .commits((branch, VersionType::Branch), None, 1000)
        .await?;
    let mut matches = commits
        .into_iter()
        .filter(|c| c.commit_id.to_ascii_lowercase().starts_with(short));
    match (matches.next(), matches.next()) {
        (Some(c), None) => Ok(c),
        (None, _) => Err(AppError::new(
            ErrorCode::NotFound,
            format!("No commit starting with {short} is on branch {branch}. The release has no usable Git source."),
        )),
        (Some(_), Some(_)) => Err(AppError::new(
            ErrorCode::Conflict,
            format!("More than one commit on {branch} starts with {short}; the app will not guess which one production runs."),
        )),
    }
}
