//! Step 7 — merge back: where the fix must go, and what merging it would do.
//!
//! * [`ListTargets`]: fetches the profile's cached clone ([`crate::git::cache`]) and lists the
//!   collaboration branch plus every branch matching the profile's feature branch patterns, each
//!   with ahead/behind against the hotfix branch and whether it already contains the deployed
//!   fix commit. The ones lacking the fix are ticked unless the user ticked others before.
//! * [`PreviewConflicts`]: fetches again (a branch may have moved) and merges the hotfix head into
//!   each ticked target in memory, listing the conflicting files as Synapse artifacts — the same
//!   merge Azure Repos computes for a pull request's `mergeStatus`.
//!
//! Neither writes anything to Azure DevOps; the pull requests are [`super::step7_pulls`].

use std::sync::Arc;

use chrono::Utc;

use super::step7_state::{
    fix_in_production, ConflictFile, ConflictKind, ConflictPreview, MergeTarget, TargetKind,
    TargetListing,
};
use super::{Action, StepCtx, StepId};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::git::cache::{ProgressFn, SyncOutcome};
use crate::git::merge::{self, ConflictSide};
use crate::git::{pattern, GitAuth, GitCache};
use crate::hotfix::run::{EventLevel, HotfixRun, StepState};
use crate::hotfix::session::Session;
use crate::synapse::{classify, PathClass, RootFolder};

/// What a step-7 action needs besides the session: the cache and where its progress goes.
#[derive(Clone)]
pub struct CacheAccess {
    pub cache: Arc<GitCache>,
    pub progress: ProgressFn,
}

/// Lists the merge-back targets from a freshly fetched clone.
pub struct ListTargets {
    pub access: CacheAccess,
}

/// Computes the conflict preview of `targets` (short names, from the listing).
pub struct PreviewConflicts {
    pub access: CacheAccess,
    pub targets: Vec<String>,
}

/// Step 6 (or at least the deployment of step 5) is done: the fix is in production.
pub(super) fn confirmed(run: &HotfixRun) -> AppResult<()> {
    if run.step_state(StepId::Confirm) == StepState::Done {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::Precondition,
            "Confirm the deployment (step 6) first: the fix is merged back once it is known to \
             work in production.",
        ))
    }
}

pub(super) fn hotfix_branch(run: &HotfixRun) -> AppResult<String> {
    run.steps
        .branch
        .branch
        .as_ref()
        .map(|b| b.name.clone())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Precondition,
                "The run has no hotfix branch (step 2).",
            )
        })
}

/// The commit deployed to production: the hotfix branch head reviewed in step 3 and deployed.
pub(super) fn fix_commit(run: &HotfixRun) -> AppResult<String> {
    run.steps.fix.head.clone().ok_or_else(|| {
        AppError::new(
            ErrorCode::Precondition,
            "The run has no fix commit (step 3).",
        )
    })
}

fn short(name: &str) -> String {
    name.trim().trim_start_matches("refs/heads/").to_owned()
}

/// `{org}/{project}/_git/{repo}` of the profile: the clone URL (no user name, no token).
pub fn clone_url(s: &Session) -> AppResult<String> {
    let p = s.profile();
    let repo = p.repository.as_ref().ok_or_else(|| {
        AppError::new(
            ErrorCode::Precondition,
            "The profile has no repository; pick it in the profile.",
        )
    })?;
    Ok(format!(
        "{}/{}/_git/{}",
        s.client().org_url_str().trim_end_matches('/'),
        crate::ado::encode_segment(s.project()?),
        crate::ado::encode_segment(&repo.name)
    ))
}

/// The web page of `branch` in Azure Repos.
pub(super) fn branch_web_url(s: &Session, branch: &str) -> Option<String> {
    clone_url(s)
        .ok()
        .map(|u| format!("{u}?version=GB{}", crate::ado::encode_segment(branch)))
}

/// Fetches the profile's clone with the session's credential.
pub(super) async fn sync(s: &Session, access: &CacheAccess) -> AppResult<SyncOutcome> {
    let auth = GitAuth::from_credential(s.client().credential()).await?;
    let url = clone_url(s)?;
    let synced = access
        .cache
        .sync(&s.profile().id, &url, auth, Arc::clone(&access.progress))
        .await;
    synced.map_err(|e| demo_advice(s.profile().simulated, e))
}

/// A refused credential on the demo profile: its token is the simulator's own, so the advice for
/// a real organization (create a new token) does not apply.
pub(super) fn demo_advice(simulated: bool, e: AppError) -> AppError {
    if !simulated || e.code != ErrorCode::TokenRejected {
        return e;
    }
    AppError::new(
        ErrorCode::TokenRejected,
        "The demo organization refused the demo profile's token when the app fetched the \
         repository with git. Start the demo again (About → Reset the demo), then list the \
         targets again; nothing of the run is lost.",
    )
}

/// Computes the listing from the clone (blocking work on the cache's thread).
pub(super) async fn compute_listing(
    s: &Session,
    run: &HotfixRun,
    access: &CacheAccess,
    synced: &SyncOutcome,
) -> AppResult<TargetListing> {
    let hotfix = hotfix_branch(run)?;
    let fix = fix_commit(run)?;
    let profile = s.profile();
    let collab = short(&profile.collaboration_branch);
    let publish = s.publish_branch().await.ok().map(|b| short(&b));
    let patterns = profile.feature_branch_patterns.clone();
    let heads = synced.heads.clone();
    let find = |name: &str| {
        heads
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .cloned()
    };
    let Some((_, hotfix_head)) = find(&hotfix) else {
        return Err(AppError::new(
            ErrorCode::NotFound,
            format!(
                "The hotfix branch {hotfix} no longer exists in Azure DevOps, so there is nothing to \
                 merge back. Restore it (its commit is {}) or merge the fix by hand.",
                &fix[..fix.len().min(8)]
            ),
        ));
    };
    let Some((collab_name, collab_head)) = find(&collab) else {
        return Err(AppError::new(
            ErrorCode::NotFound,
            format!(
                "The collaboration branch {collab} of the profile does not exist in the repository. \
                 Check Profile → Repository → Collaboration branch."
            ),
        ));
    };
    let mut wanted: Vec<(String, String, TargetKind, Option<String>)> = vec![(
        collab_name.clone(),
        collab_head,
        TargetKind::Collaboration,
        None,
    )];
    for (name, head) in &heads {
        let skip = name.eq_ignore_ascii_case(&hotfix)
            || name.eq_ignore_ascii_case(&collab_name)
            || publish
                .as_deref()
                .is_some_and(|p| name.eq_ignore_ascii_case(p));
        if skip {
            continue;
        }
        if let Some(p) = pattern::first_match(&patterns, name) {
            wanted.push((
                name.clone(),
                head.clone(),
                TargetKind::Feature,
                Some(p.to_owned()),
            ));
        }
    }
    let unmatched: Vec<String> = patterns
        .iter()
        .filter(|p| !p.trim().is_empty())
        .filter(|p| !wanted.iter().any(|(n, ..)| pattern::matches(p, n)))
        .cloned()
        .collect();
    let (hh, fx) = (hotfix_head.clone(), fix.clone());
    let facts = access
        .cache
        .with_repo(&profile.id, move |repo| {
            let (h, f) = (merge::oid(&hh)?, merge::oid(&fx)?);
            let undeployed = if merge::contains(repo, h, f)? {
                merge::ahead_behind(repo, h, f)?.0
            } else {
                0
            };
            let mut out = Vec::new();
            for (name, head, kind, pattern) in wanted {
                let t = merge::oid(&head)?;
                let (ahead, behind) = merge::ahead_behind(repo, t, h)?;
                let contains_fix = merge::contains(repo, t, f)?;
                out.push(MergeTarget {
                    name,
                    kind,
                    pattern,
                    head,
                    ahead,
                    behind,
                    contains_fix,
                    web_url: None,
                });
            }
            Ok((undeployed, out))
        })
        .await?;
    let (undeployed, mut targets) = facts;
    for t in &mut targets {
        t.web_url = branch_web_url(s, &t.name);
    }
    let mut notes = Vec::new();
    if let Some(why) = &synced.repaired {
        notes.push(format!(
            "The app's copy of the repository was damaged ({why}); it was cloned again."
        ));
    }
    if patterns.is_empty() {
        notes.push(format!(
            "The profile names no feature branch patterns, so only {collab_name} is offered. Add \
             patterns in Profile → Hotfix conventions to merge into feature branches too."
        ));
    } else if !targets.iter().any(|t| t.kind == TargetKind::Feature) {
        notes.push(format!(
            "No branch matches the feature branch pattern{} {} of the profile, so only \
             {collab_name} is offered. Check the patterns in Profile → Hotfix conventions if you \
             expected feature branches.",
            if patterns.len() == 1 { "" } else { "s" },
            patterns.join(", ")
        ));
    }
    if undeployed > 0 {
        notes.push(format!(
            "The hotfix branch has {undeployed} commit{} after the deployed one; the pull requests \
             bring {} along although {} not in production.",
            if undeployed == 1 { "" } else { "s" },
            if undeployed == 1 { "it" } else { "them" },
            if undeployed == 1 { "it is" } else { "they are" },
        ));
    }
    Ok(TargetListing {
        listed_at: Utc::now(),
        hotfix_branch: hotfix,
        hotfix_head,
        fix_commit: fix,
        undeployed_commits: undeployed,
        targets,
        unmatched_patterns: unmatched,
        notes,
    })
}

/// Records a new listing: ticks are kept for targets still listed; with none left, every target
/// lacking the fix is ticked.
pub(super) fn record_listing(run: &mut HotfixRun, listing: TargetListing) {
    let state = &mut run.steps.merge_back;
    let kept: Vec<String> = state
        .selected
        .iter()
        .filter(|n| listing.targets.iter().any(|t| &t.name == *n))
        .cloned()
        .collect();
    state.selected = if kept.is_empty() {
        listing
            .targets
            .iter()
            .filter(|t| !t.contains_fix)
            .map(|t| t.name.clone())
            .collect()
    } else {
        kept
    };
    state.previews.retain(|p| {
        listing.targets.iter().any(|t| {
            t.name == p.target && t.head == p.target_head && listing.hotfix_head == p.hotfix_head
        })
    });
    let lacking = listing.targets.iter().filter(|t| !t.contains_fix).count();
    let count = listing.targets.len();
    state.listing = Some(listing);
    run.log_event(
        StepId::MergeBack,
        EventLevel::Info,
        format!(
            "Merge-back targets listed: {count} branch{}, {lacking} without the fix.",
            if count == 1 { "" } else { "es" }
        ),
    );
}

fn conflict_kind(side: ConflictSide) -> ConflictKind {
    match side {
        ConflictSide::BothModified => ConflictKind::BothModified,
        ConflictSide::BothAdded => ConflictKind::BothAdded,
        ConflictSide::DeletedInTarget => ConflictKind::DeletedInTarget,
        ConflictSide::DeletedInHotfix => ConflictKind::DeletedInHotfix,
    }
}

/// The conflict preview of each of `targets` against the listing's hotfix head.
pub(super) async fn previews(
    s: &Session,
    access: &CacheAccess,
    listing: &TargetListing,
    targets: &[String],
) -> AppResult<Vec<ConflictPreview>> {
    let root = RootFolder::new(&s.profile().root_folder);
    let hotfix_head = listing.hotfix_head.clone();
    let heads: Vec<(String, String)> = targets
        .iter()
        .filter_map(|n| listing.targets.iter().find(|t| &t.name == n))
        .map(|t| (t.name.clone(), t.head.clone()))
        .collect();
    access
        .cache
        .with_repo(&s.profile().id, move |repo| {
            let source = merge::oid(&hotfix_head)?;
            let mut out = Vec::new();
            for (name, head) in heads {
                let outcome = merge::merge(repo, merge::oid(&head)?, source)?;
                let artifact = |path: &str| match classify(path, &root) {
                    PathClass::Artifact(a) => Some(a),
                    _ => None,
                };
                let mut changed_artifacts: Vec<_> =
                    outcome.changed.iter().filter_map(|p| artifact(p)).collect();
                changed_artifacts.sort();
                out.push(ConflictPreview {
                    target: name,
                    target_head: head,
                    hotfix_head: hotfix_head.clone(),
                    computed_at: Utc::now(),
                    up_to_date: outcome.up_to_date,
                    conflicts: outcome
                        .conflicts
                        .iter()
                        .map(|c| ConflictFile {
                            path: c.path.clone(),
                            kind: conflict_kind(c.side),
                            artifact: artifact(&c.path),
                        })
                        .collect(),
                    changed_artifacts,
                    changed_files: u32::try_from(outcome.changed.len()).unwrap_or(u32::MAX),
                });
            }
            Ok(out)
        })
        .await
}

/// A one-line summary of the previews for the step's note.
fn preview_note(previews: &[ConflictPreview]) -> String {
    let conflicting: Vec<&str> = previews
        .iter()
        .filter(|p| !p.clean())
        .map(|p| p.target.as_str())
        .collect();
    if conflicting.is_empty() {
        format!(
            "The fix merges cleanly into {} target{}: open the pull requests.",
            previews.len(),
            if previews.len() == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "The fix conflicts with {}: the pull request{} will need the conflicts resolved.",
            conflicting.join(", "),
            if conflicting.len() == 1 { "" } else { "s" }
        )
    }
}

impl Action for ListTargets {
    const STEP: StepId = StepId::MergeBack;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        confirmed(run)
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let synced = sync(ctx.session, &self.access).await?;
        let listing = compute_listing(ctx.session, run, &self.access, &synced).await?;
        record_listing(run, listing);
        if run.step_state(StepId::MergeBack) != StepState::Done {
            run.set_step(
                StepId::MergeBack,
                StepState::Active,
                Some("Tick the branches to merge the fix into, then preview the merges.".into()),
            );
        }
        Ok(())
    }
}

impl Action for PreviewConflicts {
    const STEP: StepId = StepId::MergeBack;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        confirmed(run)?;
        if self.targets.is_empty() {
            return Err(AppError::invalid_input(
                "Tick at least one branch to merge the fix into.",
            ));
        }
        let Some(listing) = &run.steps.merge_back.listing else {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "List the targets first.",
            ));
        };
        if let Some(unknown) = self
            .targets
            .iter()
            .find(|t| !listing.targets.iter().any(|l| &&l.name == t))
        {
            return Err(AppError::invalid_input(format!(
                "{unknown} is not one of the listed targets. List the targets again and tick from \
                 the list."
            )));
        }
        Ok(())
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let s = ctx.session;
        let synced = sync(s, &self.access).await?;
        let listing = compute_listing(s, run, &self.access, &synced).await?;
        let gone: Vec<&String> = self
            .targets
            .iter()
            .filter(|t| !listing.targets.iter().any(|l| &&l.name == t))
            .collect();
        if !gone.is_empty() {
            let names = gone
                .iter()
                .map(|g| g.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            record_listing(run, listing);
            ctx.save_intent(run)?;
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "{names} no longer exist{} in Azure DevOps. The targets were listed again: tick \
                     them again and preview.",
                    if gone.len() == 1 { "s" } else { "" }
                ),
            ));
        }
        let computed = previews(s, &self.access, &listing, &self.targets).await?;
        let note = preview_note(&computed);
        record_listing(run, listing);
        let state = &mut run.steps.merge_back;
        state.selected.clone_from(&self.targets);
        state.previews = computed;
        run.log_event(StepId::MergeBack, EventLevel::Info, note.clone());
        if run.step_state(StepId::MergeBack) != StepState::Done && fix_in_production(run) {
            run.set_step(StepId::MergeBack, StepState::Active, Some(note));
        }
        Ok(())
    }
}
