//! Step 1 — what runs in production: the releases deployed to the production stage (latest
//! succeeded deployment first), and for the chosen release the source-code artifact and its full
//! commit ([`super::step1_resolve`] tells it apart from the ARM-template artifact,
//! [`super::step1_commit`] reads the commit).
//!
//! Request budget for the current production release with its commit (Git artifact): the
//! deployments list, the release, the commit — 3 requests (a Build artifact adds the build).
//! Resource Areas discovery and `publish_config.json` are read once per session ([`Session`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::step1_resolve::{resolve_release, Resolution};
use super::{Action, StepCtx, StepId};
use crate::ado::release::{self, Release};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{CommitInfo, EventLevel, HotfixRun, StepState};
use crate::hotfix::session::Session;

/// Step 1's saved state: the release picked, its source artifact and commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReleaseState {
    /// The release the last look at production found running there (latest succeeded deployment).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_production_release_id: Option<i32>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<SelectedRelease>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<SourceArtifact>,
    /// The question put to the user when the rules cannot tell the source artifact apart.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_choice: Option<ArtifactChoice>,
    /// The full commit production runs: what the hotfix branch starts from.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
}

/// The production release the hotfix starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SelectedRelease {
    pub id: i32,
    pub name: String,
    pub definition_id: i32,
    pub definition_environment_id: i32,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// True when this was the release deployed to production when it was picked.
    pub was_current: bool,
}

/// The source-code artifact of the release and how it was told apart from the ARM-template one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SourceArtifact {
    pub alias: String,
    /// `Git`, `Build`, … as Azure DevOps names the artifact type.
    pub artifact_type: String,
    /// Branch without `refs/heads/`.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub repository_id: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_name: Option<String>,
    /// Build id and number of a Build artifact.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_id: Option<i32>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_number: Option<String>,
    /// Why this artifact is the source code (shown to the user).
    pub reason: String,
}

/// One artifact the user may pick when the rules cannot decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ArtifactCandidate {
    pub alias: String,
    pub artifact_type: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The version the release took (commit for Git, build number for Build).
    pub version: String,
    /// What the tree at that version looks like, when it was read ("source folders", "ARM template").
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub looks_like: Option<String>,
}

/// The question put to the user when the rules cannot tell the source artifact apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ArtifactChoice {
    pub candidates: Vec<ArtifactCandidate>,
    pub why: String,
}

/// Picks a release: reads it, resolves the source artifact and the full commit. When the rules
/// cannot decide, `artifactChoice` asks the user and step 1 stays active.
pub struct SelectRelease {
    pub release_id: i32,
}

/// The user's answer to `artifactChoice`: the alias of the source artifact.
pub struct ChooseArtifact {
    pub alias: String,
}

fn no_new_release_once_branched(run: &HotfixRun) -> AppResult<()> {
    if let Some(b) = &run.steps.branch.branch {
        return Err(AppError::new(
            ErrorCode::Precondition,
            format!(
                "This hotfix already has its branch {} from {}. Start a new hotfix to work from another release.",
                b.name,
                run.steps
                    .release
                    .release
                    .as_ref()
                    .map_or("the chosen release", |r| r.name.as_str())
            ),
        ));
    }
    Ok(())
}

impl Action for SelectRelease {
    const STEP: StepId = StepId::Release;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        no_new_release_once_branched(run)
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        resolve_on(ctx.session, run, self.release_id, None).await
    }
}

impl Action for ChooseArtifact {
    const STEP: StepId = StepId::Release;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        if run.steps.release.release.is_none() {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "Pick a release first; then choose its source artifact.",
            ));
        }
        no_new_release_once_branched(run)
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let release_id = run.steps.release.release.as_ref().map_or(0, |r| r.id);
        resolve_on(ctx.session, run, release_id, Some(&self.alias)).await
    }
}

async fn resolve_on(
    s: &Session,
    run: &mut HotfixRun,
    release_id: i32,
    alias: Option<&str>,
) -> AppResult<()> {
    let release = read_release(s, release_id).await?;
    let resolution = resolve_release(s, &release, alias).await?;
    let state = &mut run.steps.release;
    let was_current = state.current_production_release_id == Some(release.id);
    state.release = Some(selected_release(s, &release, was_current)?);
    run.reopen_step(StepId::Release);
    match resolution {
        Resolution::Resolved { artifact, commit } => {
            run.log_event(
                StepId::Release,
                EventLevel::Info,
                format!(
                    "{} runs commit {} (artifact `{}`). {}",
                    release.name,
                    short(&commit.commit_id),
                    artifact.alias,
                    artifact.reason
                ),
            );
            let state = &mut run.steps.release;
            state.artifact = Some(*artifact);
            state.commit = Some(*commit);
            state.artifact_choice = None;
            run.complete_step(StepId::Release);
        }
        Resolution::AskUser(choice) => {
            run.log_event(StepId::Release, EventLevel::Warning, choice.why.clone());
            run.set_step(StepId::Release, StepState::Active, Some(choice.why.clone()));
            let state = &mut run.steps.release;
            state.artifact = None;
            state.commit = None;
            state.artifact_choice = Some(choice);
        }
    }
    Ok(())
}

fn short(sha: &str) -> &str {
    sha.get(..8).unwrap_or(sha)
}

/// One deployment of a release to the production stage, as the release list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeployedRelease {
    pub release_id: i32,
    pub release_name: String,
    pub deployment_id: i32,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_on: Option<DateTime<Utc>>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_by: Option<String>,
    /// The release description when the deployments list carries it (the selected release's own
    /// description is read with the release).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    /// True for the release running in production now (the latest succeeded deployment).
    pub is_current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProductionReleases {
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<DeployedRelease>,
    /// Earlier releases deployed to the stage, newest first (one entry per release).
    pub previous: Vec<DeployedRelease>,
}

fn definition_ids(s: &Session) -> AppResult<(i32, i32)> {
    let p = s.profile();
    let missing = |what: &str| {
        AppError::new(
            ErrorCode::Precondition,
            format!("The profile has no {what}. Pick it in the profile, save, and try again."),
        )
    };
    let def = p
        .release_definition
        .as_ref()
        .ok_or_else(|| missing("production release pipeline"))?;
    let stage = p
        .production_stage
        .as_ref()
        .ok_or_else(|| missing("production stage"))?;
    Ok((def.id, stage.id))
}

/// The releases deployed to the production stage: one request (`$top` deployments).
pub async fn list_production_releases(s: &Session, top: u32) -> AppResult<ProductionReleases> {
    let (def, stage) = definition_ids(s)?;
    let project = s.project()?;
    let top = top.clamp(1, 100);
    let deployments = release::succeeded_deployments(s.client(), project, def, stage, top).await?;
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::new();
    for d in deployments {
        if !seen.insert(d.release.id) {
            continue; // a redeploy of the same release: keep the newest row only
        }
        let web_url = d
            .release
            .links
            .web
            .as_ref()
            .map(|h| h.href.clone())
            .or(d.release.web_access_uri.clone());
        rows.push(DeployedRelease {
            release_id: d.release.id,
            release_name: d.release.name.clone(),
            deployment_id: d.id,
            deployed_on: d.completed_on.or(d.started_on),
            deployed_by: d
                .requested_for
                .or(d.requested_by)
                .map(|i| i.display_name)
                .filter(|n| !n.is_empty()),
            description: d.release.description.filter(|t| !t.trim().is_empty()),
            web_url,
            is_current: rows.is_empty(),
        });
    }
    let mut rows = rows.into_iter();
    Ok(ProductionReleases {
        current: rows.next(),
        previous: rows.collect(),
    })
}

/// Reads the release (one request).
pub async fn read_release(s: &Session, release_id: i32) -> AppResult<Release> {
    let project = s.project()?;
    release::get_release(s.client(), project, release_id).await.map_err(|e| {
        if e.is_not_found() {
            AppError::new(
                ErrorCode::NotFound,
                format!("Release {release_id} does not exist (any more). Refresh the list and pick another release."),
            )
        } else {
            e.into()
        }
    })
}

pub fn selected_release(s: &Session, r: &Release, was_current: bool) -> AppResult<SelectedRelease> {
    let (def, stage) = definition_ids(s)?;
    Ok(SelectedRelease {
        id: r.id,
        name: r.name.clone(),
        definition_id: r.release_definition.as_ref().map_or(def, |d| d.id),
        definition_environment_id: stage,
        web_url: r.links.web.as_ref().map(|h| h.href.clone()),
        description: r.description.clone().filter(|d| !d.trim().is_empty()),
        was_current,
    })
}
