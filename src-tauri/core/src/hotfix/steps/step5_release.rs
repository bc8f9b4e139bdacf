//! Step 5 — the release of the fix commit ([`CreateHotfixRelease`]): after the typed
//! confirmation and a fresh review, a release of the hotfix definition **pinned to the fix
//! commit** (`instanceReference` with the 40-character SHA), with the release variables
//! `TriggersToStop` / `TriggersToStart` = the triggers that run in production now (`a,b,c`, never
//! `*`). The intent is saved before the POST; a release of the definition for that commit that is
//! already there (a lost answer, a crash, a second try) is taken instead of creating another.

use chrono::Utc;

use super::step5_deploy::{
    check_typed, definition, err_of, fix_commit, fresh_basis, not_in_progress, trigger_list,
    DeployIntent, HotfixRelease,
};
use super::{Action, StepCtx, StepId};
use crate::ado::release_deploy as api;
use crate::ado::AdoError;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::{EventLevel, HotfixRun, StepState};
use crate::hotfix::session::Session;
use crate::pipeline::definition::build::{START_VARIABLE, STOP_VARIABLE};

/// How many of the definition's newest releases are searched for one of the fix commit.
const RELEASE_SEARCH_TOP: u32 = 50;

/// The release `v` as the run records it, when it is of `definition_id` and pinned to `commit`
/// through artifact `alias`.
fn release_of_commit(v: &serde_json::Value, alias: &str, commit: &str) -> bool {
    v["artifacts"].as_array().into_iter().flatten().any(|a| {
        a["alias"]
            .as_str()
            .is_some_and(|x| x.eq_ignore_ascii_case(alias))
            && a["definitionReference"]["version"]["id"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(commit))
    })
}

/// Looks for a release of the definition pinned to `commit` (not abandoned): one request.
pub(super) async fn find_release(
    s: &Session,
    definition_id: i32,
    alias: &str,
    commit: &str,
) -> AppResult<Option<serde_json::Value>> {
    let list = api::releases_of_definition(
        s.client(),
        s.project()?,
        definition_id,
        Some(commit),
        RELEASE_SEARCH_TOP,
    )
    .await
    .map_err(|e| {
        let base = err_of(&e);
        AppError {
            message: format!(
                "The app could not look for an existing release of the fix commit: {} Nothing \
                 was created; try again in a moment.",
                base.message
            ),
            ..base
        }
    })?;
    let Some(found) = list.into_iter().find(|r| {
        release_of_commit(r, alias, commit)
            && !r["status"]
                .as_str()
                .is_some_and(|st| st.eq_ignore_ascii_case("abandoned"))
    }) else {
        return Ok(None);
    };
    // The list has neither the stages nor the variables: read the release itself.
    let id = i32::try_from(found["id"].as_i64().unwrap_or(0)).unwrap_or(0);
    let full = api::release_with_tasks(s.client(), s.project()?, id)
        .await
        .map_err(|e| err_of(&e))?;
    Ok(Some(full))
}

/// Reads the release's stage `stage_id` (definition environment id) from its JSON.
fn stage_of(release: &serde_json::Value, stage_id: i32) -> Option<(i32, String)> {
    release["environments"].as_array()?.iter().find_map(|e| {
        (e["definitionEnvironmentId"].as_i64() == Some(i64::from(stage_id))).then(|| {
            (
                i32::try_from(e["id"].as_i64().unwrap_or(0)).unwrap_or(0),
                e["name"].as_str().unwrap_or("").to_owned(),
            )
        })
    })
}

pub(super) fn recorded(
    v: &serde_json::Value,
    definition_id: i32,
    stage_id: i32,
    commit: &str,
    triggers: &str,
    recovered: bool,
) -> AppResult<HotfixRelease> {
    let id = i32::try_from(v["id"].as_i64().unwrap_or(0)).unwrap_or(0);
    let (environment_id, _) = stage_of(v, stage_id).ok_or_else(|| {
        AppError::new(
            ErrorCode::ServerError,
            format!(
                "Release {} has no stage of the hotfix pipeline's stage (id {stage_id}). Check the \
                 pipeline in Azure DevOps, then save it again in step 4.",
                v["name"].as_str().unwrap_or("?")
            ),
        )
    })?;
    Ok(HotfixRelease {
        id,
        name: v["name"].as_str().unwrap_or("").to_owned(),
        web_url: v["_links"]["web"]["href"].as_str().map(str::to_owned),
        environment_id,
        definition_id,
        commit: commit.to_owned(),
        triggers: triggers.to_owned(),
        recovered,
    })
}

/// Creates (or finds) the release of the fix commit after the typed confirmation.
pub struct CreateHotfixRelease {
    pub typed: String,
}

impl Action for CreateHotfixRelease {
    const STEP: StepId = StepId::Deploy;
    type Output = ();

    fn preconditions(&self, run: &HotfixRun) -> AppResult<()> {
        check_typed(run, &self.typed, "deploy")?;
        not_in_progress(run)?;
        let basis = fresh_basis(run, Utc::now())?;
        trigger_list(basis).map(|_| ())
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let s = ctx.session;
        let commit = fix_commit(run)?;
        let (definition_id, stage_id, def_name) = definition(run)?;
        if run
            .steps
            .deploy
            .release
            .as_ref()
            .is_some_and(|r| r.commit == commit && r.definition_id == definition_id)
        {
            return Ok(());
        }
        let triggers = trigger_list(fresh_basis(run, Utc::now())?)?;
        let alias = s.profile().pipeline_settings().artifact_alias;
        let branch = run
            .steps
            .branch
            .branch
            .as_ref()
            .map(|b| b.name.clone())
            .unwrap_or_default();
        let found = find_release(s, definition_id, &alias, &commit).await?;
        let (release, recovered) = if let Some(v) = found {
            (v, true)
        } else {
            run.steps.deploy.intent = Some(DeployIntent::CreateRelease {
                definition_id,
                commit: commit.clone(),
                at: Utc::now(),
            });
            ctx.save_intent(run)?;
            let body = api::release_body(
                definition_id,
                &alias,
                &commit,
                &branch,
                &s.profile().pipeline_settings().stage_name,
                &format!(
                    "Hotfix of {} from {} ({}), created by Synapse Hotfix",
                    run.steps
                        .release
                        .release
                        .as_ref()
                        .map_or("production", |r| r.name.as_str()),
                    branch,
                    &commit[..8]
                ),
                &[
                    (STOP_VARIABLE, triggers.clone()),
                    (START_VARIABLE, triggers.clone()),
                ],
            );
            let v = api::create_release(s.client(), s.project()?, &body)
                .await
                .map_err(|e| create_error(&e, &def_name))?;
            (v, false)
        };
        let rel = recorded(
            &release,
            definition_id,
            stage_id,
            &commit,
            &triggers,
            recovered,
        )?;
        run.log_event(
            StepId::Deploy,
            EventLevel::Info,
            format!(
                "Release {} of {def_name} {} for commit {} (triggers stopped and started again: {triggers}).",
                rel.name,
                if recovered { "found (created before)" } else { "created" },
                &commit[..8]
            ),
        );
        let state = &mut run.steps.deploy;
        state.release = Some(rel);
        state.intent = None;
        run.set_step(StepId::Deploy, StepState::Active, None);
        Ok(())
    }
}

fn create_error(e: &AdoError, def_name: &str) -> AppError {
    let base = err_of(e);
    let tail = match base.code {
        ErrorCode::Unreachable | ErrorCode::ServerError | ErrorCode::RateLimited => {
            " The release may or may not have been created: deploying again first looks for it, \
             so nothing is created twice."
        }
        _ => " Nothing was created.",
    };
    AppError {
        message: format!(
            "Azure DevOps did not create the release of {def_name}: {}{tail}",
            base.message
        ),
        ..base
    }
}
