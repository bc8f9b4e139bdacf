//! Step 3, the review — what changed on the hotfix branch since the release commit: its commits,
//! each changed file classified as a Synapse artifact (or outside the root folder, or another
//! file) with a readable JSON diff, and the deploy plan built from them.

use super::step1_commit::commit_info;
use super::step3_fix::release_sha;
use crate::ado::git::VersionType;
use crate::error::AppResult;
use crate::hotfix::run::{CommitInfo, HotfixRun};
use crate::hotfix::session::Session;
use crate::synapse::{
    build_plan, classify, json_diff, ArtifactChange, ChangeKind, ChangeSummary, DeployPlan,
    FileChange, PathClass,
};

/// Commits, changed artifacts with their diffs, and the deploy plan for the branch at `head`.
pub async fn compute_changes(
    s: &Session,
    run: &HotfixRun,
    head: &str,
) -> AppResult<(Vec<CommitInfo>, ChangeSummary, DeployPlan)> {
    let base = release_sha(run)?.to_owned();
    let repo = s.repo()?;
    let commits = repo
        .commits(
            (head, VersionType::Commit),
            Some((&base, VersionType::Commit)),
            100,
        )
        .await?;
    let commits = commits.iter().map(|c| commit_info(s, c)).collect();
    let diff = repo
        .diff((&base, VersionType::Commit), (head, VersionType::Commit))
        .await?;
    let root = s.root_folder();
    let mut summary = ChangeSummary {
        base_commit: base.clone(),
        target_commit: head.to_owned(),
        artifacts: Vec::new(),
        outside_root: Vec::new(),
        other_files: Vec::new(),
    };
    // A rename shows as the new path (`rename`) plus, when reported, its source path: the artifact
    // name is the file name, so a renamed artifact is a new one plus a deleted one.
    let mut files: Vec<(String, ChangeKind)> = Vec::new();
    for c in &diff.changes {
        let folder = c.item.is_folder
            || c.item
                .git_object_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("tree"));
        if folder {
            continue;
        }
        let kind = ChangeKind::from_ado(&c.change_type);
        files.push((c.item.path.clone(), kind));
        if c.change_type.to_ascii_lowercase().contains("rename") && kind != ChangeKind::Deleted {
            if let Some(src) = c.source_server_item.clone().or(c.original_path.clone()) {
                if !files.iter().any(|(p, _)| *p == src) {
                    files.push((src, ChangeKind::Deleted));
                }
            }
        }
    }
    for (path, change) in files {
        match classify(&path, &root) {
            PathClass::OutsideRoot => summary.outside_root.push(FileChange { path, change }),
            PathClass::NonArtifact => summary.other_files.push(FileChange { path, change }),
            PathClass::Artifact(artifact) => {
                let old = if change == ChangeKind::Created {
                    None
                } else {
                    repo.file(&path, (&base, VersionType::Commit)).await?
                };
                let new = if change == ChangeKind::Deleted {
                    None
                } else {
                    repo.file(&path, (head, VersionType::Commit)).await?
                };
                let diff = json_diff(old.as_deref(), new.as_deref());
                summary.artifacts.push(ArtifactChange {
                    artifact,
                    path,
                    change,
                    diff,
                });
            }
        }
    }
    summary
        .artifacts
        .sort_by(|a, b| (a.change, &a.artifact).cmp(&(b.change, &b.artifact)));
    let plan = build_plan(&summary);
    Ok((commits, summary, plan))
}
