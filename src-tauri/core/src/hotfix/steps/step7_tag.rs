//! Step 7, optional — a tag on the deployed fix commit, as git-flow's hotfix finish does
//! ([`TagFixCommit`]). The name comes from the profile's template (`Release-{release}-hotfix-{n}`,
//! `{n}` the next free number for that release). A lightweight tag is created through the refs
//! API (`POST …/refs`, `refs/tags/…` from the zero id, `vso.code_write`, in the official examples
//! and the simulator); the annotated-tags API needs the preview `7.1-preview.1` version and
//! `vso.code_manage`, which the app does not ask for. Idempotent: a tag of the template already on
//! the fix commit is reused; the create is never repeated blindly — after an error the tag is
//! read again.

use super::step7_merge::{confirmed, fix_commit};
use super::step7_state::FixTag;
use super::{Action, StepCtx, StepId};
use crate::ado::git::{GitRef, RefUpdate, ZERO_ID};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{EventLevel, HotfixRun};
use crate::validate::{release_label, render_branch_template};

/// Tags the deployed fix commit (or finds the tag already there).
pub struct TagFixCommit;

/// The template rendered around `{n}`: (before, after, has `{n}`).
pub(super) fn tag_parts(template: &str, run: &HotfixRun) -> (String, String, bool) {
    let release = run.steps.release.release.as_ref();
    let label = release.map(|r| release_label(&r.name)).unwrap_or_default();
    let id = release.map_or(0, |r| r.id);
    let date = chrono::Utc::now().format("%Y%m%d").to_string();
    let rendered = render_branch_template(template, &label, id, &date);
    match rendered.split_once("{n}") {
        Some((a, b)) => (a.to_owned(), b.to_owned(), true),
        None => (rendered, String::new(), false),
    }
}

/// The number of a tag of the template (`Release-3-hotfix-2` → 2), or `None` when `name` is not
/// one of its tags.
fn number(name: &str, before: &str, after: &str) -> Option<u32> {
    let middle = name.strip_prefix(before)?.strip_suffix(after)?;
    (!middle.is_empty() && middle.chars().all(|c| c.is_ascii_digit()))
        .then(|| middle.parse().ok())
        .flatten()
}

/// The tag to use: one of the template already on `fix` (reused), else the next name.
pub(super) fn choose(
    tags: &[GitRef],
    before: &str,
    after: &str,
    numbered: bool,
    fix: &str,
) -> Result<(String, bool), AppError> {
    let short = |r: &GitRef| r.name.trim_start_matches("refs/tags/").to_owned();
    if !numbered {
        return match tags.iter().find(|r| short(r) == before) {
            Some(r) if r.object_id.eq_ignore_ascii_case(fix) => Ok((before.to_owned(), true)),
            Some(r) => Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "A tag {before} already exists on commit {}, not on the fix commit. The app \
                     never moves a tag: add {{n}} to the tag name template in the profile, or tag \
                     by hand.",
                    &r.object_id[..r.object_id.len().min(8)]
                ),
            )),
            None => Ok((before.to_owned(), false)),
        };
    }
    let ours: Vec<(u32, &GitRef)> = tags
        .iter()
        .filter_map(|r| number(&short(r), before, after).map(|n| (n, r)))
        .collect();
    if let Some((n, _)) = ours
        .iter()
        .find(|(_, r)| r.object_id.eq_ignore_ascii_case(fix))
    {
        return Ok((format!("{before}{n}{after}"), true));
    }
    let next = ours.iter().map(|(n, _)| *n).max().unwrap_or(0) + 1;
    Ok((format!("{before}{next}{after}"), false))
}

fn tag_url(ctx: &StepCtx<'_>, name: &str) -> Option<String> {
    super::step7_merge::clone_url(ctx.session)
        .ok()
        .map(|u| format!("{u}?version=GT{}", crate::ado::encode_segment(name)))
}

impl Action for TagFixCommit {
    const STEP: StepId = StepId::MergeBack;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        confirmed(run)
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let s = ctx.session;
        let template = s.profile().hotfix_tag_template.trim().to_owned();
        if template.is_empty() {
            return Err(AppError::invalid_input(
                "The profile has no tag name template, so the app does not tag the fix. Fill in \
                 Profile → Hotfix conventions → Tag on the fix commit, e.g. \
                 Release-{release}-hotfix-{n}.",
            ));
        }
        if let Err(why) = crate::validate::check_tag_template(&template) {
            return Err(AppError::invalid_input(format!(
                "{why} Fix it in the profile."
            )));
        }
        let fix = fix_commit(run)?;
        let (before, after, numbered) = tag_parts(&template, run);
        let repo = s.repo()?;
        let tags = repo.refs_with_prefix(&format!("tags/{before}")).await?;
        let (name, reused) = choose(&tags, &before, &after, numbered, &fix)?;
        if reused {
            run.log_event(
                StepId::MergeBack,
                EventLevel::Info,
                format!("The fix commit already carries the tag {name}."),
            );
            run.steps.merge_back.tag = Some(FixTag {
                web_url: tag_url(ctx, &name),
                name,
                commit: fix,
                reused: true,
            });
            return Ok(());
        }
        run.steps.merge_back.tag_intent = Some(name.clone());
        ctx.save_intent(run)?;
        let full = format!("refs/tags/{name}");
        let update = RefUpdate {
            name: full.clone(),
            old_object_id: ZERO_ID.to_owned(),
            new_object_id: fix.clone(),
        };
        let answer = repo.update_ref(&update).await;
        let landed = matches!(&answer, Ok(r) if r.success);
        if !landed {
            // Read again: the tag may exist although the answer says otherwise or was lost.
            let now = repo.refs_with_prefix(&format!("tags/{name}")).await?;
            let there = now
                .iter()
                .any(|r| r.name == full && r.object_id.eq_ignore_ascii_case(&fix));
            if !there {
                run.steps.merge_back.tag_intent = None;
                ctx.save_intent(run)?;
                let why = match answer {
                    Ok(r) if r.update_status.eq_ignore_ascii_case("createTagPermissionRequired") => {
                        return Err(AppError::new(
                            ErrorCode::NoPermission,
                            "You may not create tags in this repository (createTagPermissionRequired). \
                             Ask a project administrator for the \"Create tag\" permission; the pull \
                             requests do not need it.",
                        ))
                    }
                    Ok(r) => format!("updateStatus \"{}\"", r.update_status),
                    Err(e) => AppError::from(e).message,
                };
                return Err(AppError::new(
                    ErrorCode::ServerError,
                    format!(
                        "Azure DevOps did not create the tag {name} ({why}). The app read the tags \
                         again and it is not there; try again."
                    ),
                ));
            }
        }
        run.log_event(
            StepId::MergeBack,
            EventLevel::Info,
            format!(
                "Tag {name} created on the fix commit {}.",
                &fix[..fix.len().min(8)]
            ),
        );
        run.steps.merge_back.tag_intent = None;
        run.steps.merge_back.tag = Some(FixTag {
            web_url: tag_url(ctx, &name),
            name,
            commit: fix,
            reused: false,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str, id: &str) -> GitRef {
        GitRef {
            name: format!("refs/tags/{name}"),
            object_id: id.into(),
            is_locked: false,
        }
    }

    #[test]
    fn the_next_number_is_taken_and_a_tag_on_the_fix_is_reused() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let tags = [
            r("Release-3-hotfix-1", &a),
            r("Release-3-hotfix-2x", &a),
            r("Release-3-hotfix-3", &a),
        ];
        assert_eq!(
            choose(&tags, "Release-3-hotfix-", "", true, &b).unwrap(),
            ("Release-3-hotfix-4".into(), false)
        );
        let tags = [r("Release-3-hotfix-1", &a), r("Release-3-hotfix-2", &b)];
        assert_eq!(
            choose(&tags, "Release-3-hotfix-", "", true, &b).unwrap(),
            ("Release-3-hotfix-2".into(), true)
        );
        assert_eq!(
            choose(&[], "v3-", "-hf", true, &b).unwrap(),
            ("v3-1-hf".into(), false)
        );
        assert_eq!(number("v3-12-hf", "v3-", "-hf"), Some(12));
        assert_eq!(number("v3--hf", "v3-", "-hf"), None);
    }

    #[test]
    fn a_fixed_name_is_reused_at_the_fix_and_never_moved() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        assert_eq!(
            choose(&[r("hotfix-3", &b)], "hotfix-3", "", false, &b).unwrap(),
            ("hotfix-3".into(), true)
        );
        let err = choose(&[r("hotfix-3", &a)], "hotfix-3", "", false, &b).unwrap_err();
        assert_eq!(err.code, ErrorCode::Conflict);
        assert!(err.message.contains("never moves a tag"), "{}", err.message);
        assert_eq!(
            choose(&[], "hotfix-3", "", false, &b).unwrap(),
            ("hotfix-3".into(), false)
        );
    }
}
