//! Step 1, the rules — which artifact of a release is the source code. The ARM-template artifact
//! is told apart by the rules of API.md "Telling the source-code artifact from the ARM-template
//! artifact"; when they cannot decide, the user is asked and told why.

use super::step1_commit::resolve_commit;
use super::step1_release::{ArtifactCandidate, ArtifactChoice, SourceArtifact};
use crate::ado::build::get_build;
use crate::ado::git::VersionType;
use crate::ado::release::{Release, ReleaseArtifact};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::CommitInfo;
use crate::hotfix::session::Session;
use crate::synapse::ArtifactKind;

/// What resolving a release's source gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Resolved {
        artifact: Box<SourceArtifact>,
        commit: Box<CommitInfo>,
    },
    AskUser(ArtifactChoice),
}

fn describe(a: &ReleaseArtifact) -> String {
    match a.branch() {
        Some(b) => format!("`{}` ({}, branch {b})", a.alias, a.artifact_type),
        None => format!("`{}` ({})", a.alias, a.artifact_type),
    }
}

fn same_repo(a: &ReleaseArtifact, s: &Session) -> bool {
    let Some(repo) = s.profile().repository.as_ref() else {
        return true;
    };
    let id = a.reference_id("definition");
    let name = a.reference_name("definition");
    id.as_deref()
        .is_some_and(|i| i.eq_ignore_ascii_case(&repo.id))
        || name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(&repo.name))
}

/// Resolves the source artifact of `r` and its full commit. `chosen_alias` is the user's answer to
/// an earlier [`Resolution::AskUser`].
pub async fn resolve_release(
    s: &Session,
    r: &Release,
    chosen_alias: Option<&str>,
) -> AppResult<Resolution> {
    if let Some(alias) = chosen_alias {
        let a = r
            .artifacts
            .iter()
            .find(|a| a.alias == alias)
            .ok_or_else(|| {
                AppError::invalid_input(format!(
                    "{} has no artifact called `{alias}`. Pick one of the listed artifacts.",
                    r.name
                ))
            })?;
        if !(a.is_type("Git") || a.is_type("Build")) {
            return Err(AppError::invalid_input(format!(
                "`{alias}` is a {} artifact; only Azure Repos Git and Build artifacts lead to a commit the wizard can branch from.",
                a.artifact_type
            )));
        }
        let (artifact, commit) = resolve_commit(s, r, a, "You picked it.".into()).await?;
        return Ok(Resolution::Resolved {
            artifact: Box::new(artifact),
            commit: Box::new(commit),
        });
    }
    let usable: Vec<&ReleaseArtifact> = r
        .artifacts
        .iter()
        .filter(|a| a.is_type("Git") || a.is_type("Build"))
        .collect();
    if usable.is_empty() {
        let found = if r.artifacts.is_empty() {
            "no artifact at all".to_owned()
        } else {
            r.artifacts
                .iter()
                .map(describe)
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(AppError::new(
            ErrorCode::Precondition,
            format!(
                "{} has no usable Git source: it has {found}. The wizard branches from an Azure Repos commit, \
                 so the release needs a Git artifact of the Synapse repository, or a Build artifact built \
                 from it. Pick another release, or check the release pipeline's artifacts.",
                r.name
            ),
        ));
    }
    let publish = s.publish_branch().await?;
    let mut excluded = Vec::new();
    let mut candidates = Vec::new();
    for a in usable {
        if a.is_type("Git") && a.branch().is_some_and(|b| b.eq_ignore_ascii_case(&publish)) {
            excluded.push(format!(
                "{} is the publish branch (ARM templates)",
                describe(a)
            ));
        } else if a.is_type("Git") && !same_repo(a, s) {
            excluded.push(format!("{} comes from another repository", describe(a)));
        } else {
            candidates.push(a);
        }
    }
    if candidates.is_empty() {
        return Err(AppError::new(
            ErrorCode::Precondition,
            format!(
                "{} has no source-code artifact: {}. The wizard needs the commit of the Synapse source \
                 (the collaboration-branch history), which this release does not record. Pick another \
                 release, or add the source artifact to the release pipeline.",
                r.name,
                excluded.join("; ")
            ),
        ));
    }
    if let [only] = candidates.as_slice() {
        let reason = if excluded.is_empty() {
            format!("It is the release's only {} artifact.", only.artifact_type)
        } else {
            format!(
                "The other artifact is not the source: {}.",
                excluded.join("; ")
            )
        };
        let (artifact, commit) = resolve_commit(s, r, only, reason).await?;
        return Ok(Resolution::Resolved {
            artifact: Box::new(artifact),
            commit: Box::new(commit),
        });
    }
    // Several candidates: look at what each one's tree holds.
    let mut looks = Vec::new();
    for a in &candidates {
        looks.push(tree_looks_like(s, a, &publish).await?);
    }
    let sources: Vec<usize> = looks
        .iter()
        .enumerate()
        .filter(|(_, l)| **l == Looks::Source)
        .map(|(i, _)| i)
        .collect();
    if let [i] = sources.as_slice() {
        let a = candidates[*i];
        let reason = format!(
            "Its files are the Synapse source folders; the other candidates are not ({}).",
            excluded.join("; ")
        );
        let (artifact, commit) = resolve_commit(s, r, a, reason).await?;
        return Ok(Resolution::Resolved {
            artifact: Box::new(artifact),
            commit: Box::new(commit),
        });
    }
    let listed: Vec<String> = candidates.iter().map(|a| describe(a)).collect();
    let why = format!(
        "{} has {} artifacts that could be the source code — {} — none on the publish branch `{publish}`{}. \
         The app cannot tell which commit production runs. Pick the artifact that holds the Synapse source \
         JSON (pipeline/, notebook/, dataset/ …).",
        r.name,
        candidates.len(),
        listed.join(", "),
        if sources.len() > 1 { ", and each holds Synapse source folders" } else { "" }
    );
    let candidates = candidates
        .iter()
        .zip(looks)
        .map(|(a, l)| ArtifactCandidate {
            alias: a.alias.clone(),
            artifact_type: a.artifact_type.clone(),
            branch: a.branch(),
            version: a
                .reference_name("version")
                .or_else(|| a.reference_id("version"))
                .unwrap_or_default(),
            looks_like: l.label(),
        })
        .collect();
    Ok(Resolution::AskUser(ArtifactChoice { candidates, why }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Looks {
    Source,
    ArmTemplate,
    Unknown,
}

impl Looks {
    fn label(self) -> Option<String> {
        match self {
            Self::Source => Some("Synapse source folders".into()),
            Self::ArmTemplate => Some("ARM template (TemplateForWorkspace.json)".into()),
            Self::Unknown => None,
        }
    }
}

/// Rule 3 of API.md: the ARM artifact has `TemplateForWorkspace.json`, the source artifact has the
/// artifact-type folders (below the root folder). Build artifacts are judged by their build's branch.
async fn tree_looks_like(s: &Session, a: &ReleaseArtifact, publish: &str) -> AppResult<Looks> {
    if a.is_type("Build") {
        let Some(build_id) = a
            .reference_id("version")
            .and_then(|v| v.parse::<i32>().ok())
        else {
            return Ok(Looks::Unknown);
        };
        let project = s.project()?;
        let build = get_build(s.client(), project, build_id).await?;
        let branch = build.source_branch.unwrap_or_default();
        return Ok(
            if branch
                .trim_start_matches("refs/heads/")
                .eq_ignore_ascii_case(publish)
            {
                Looks::ArmTemplate
            } else {
                Looks::Source
            },
        );
    }
    let Some(version) = a.reference_id("version") else {
        return Ok(Looks::Unknown);
    };
    let repo = s.repo()?;
    let root = s.root_folder();
    let folder = root.as_str().trim_end_matches('/');
    let folder = if folder.is_empty() { "/" } else { folder };
    let Some(items) = repo
        .list_folder(folder, (&version, VersionType::Commit))
        .await?
    else {
        return Ok(Looks::Unknown);
    };
    let names: Vec<String> = items
        .iter()
        .filter_map(|i| i.path.rsplit('/').next().map(str::to_owned))
        .collect();
    let has_template = names
        .iter()
        .any(|n| n.eq_ignore_ascii_case("TemplateForWorkspace.json"));
    let source_folders = [
        ArtifactKind::Pipeline,
        ArtifactKind::Notebook,
        ArtifactKind::Dataset,
        ArtifactKind::LinkedService,
        ArtifactKind::Trigger,
    ];
    let has_source = items.iter().any(|i| {
        i.is_folder
            && i.path.rsplit('/').next().is_some_and(|n| {
                source_folders
                    .iter()
                    .any(|k| k.folder().eq_ignore_ascii_case(n))
            })
    });
    Ok(match (has_source, has_template) {
        (true, false) => Looks::Source,
        (false, true) => Looks::ArmTemplate,
        _ => Looks::Unknown,
    })
}
