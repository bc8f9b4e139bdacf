//! Step 5 — an interrupted start, resolved from the remote state when the hotfix is opened again
//! ([`ResumeStart`]). The app saved an intent before a write and stopped before it saved the
//! result: a release create whose release is there is recorded (else the intent is dropped, and
//! deploying again creates it); a stage start that landed is recorded as the attempt it made (else
//! dropped). It only reads: nothing is created or started here.

use super::step5_deploy::{err_of, DeployAttempt, DeployIntent};
use super::step5_release::{find_release, recorded};
use super::step5_stage::{landed, record_attempt};
use super::step5_status;
use super::{Action, StepCtx, StepId};
use crate::ado::release_deploy as api;
use crate::error::AppResult;
use crate::hotfix::run::{EventLevel, HotfixRun};
use crate::pipeline::definition::build::START_VARIABLE;

/// Resolves `run.steps.deploy.intent` from what Azure DevOps shows.
pub struct ResumeStart;

impl Action for ResumeStart {
    const STEP: StepId = StepId::Deploy;
    type Output = ();

    fn preconditions(&self, _run: &HotfixRun) -> AppResult<()> {
        Ok(())
    }

    async fn advance(self, ctx: &StepCtx<'_>, run: &mut HotfixRun) -> AppResult<()> {
        let s = ctx.session;
        match run.steps.deploy.intent.clone() {
            None => {}
            Some(DeployIntent::CreateRelease {
                definition_id,
                commit,
                ..
            }) => {
                let alias = s.profile().pipeline_settings().artifact_alias;
                let stage_id = run
                    .steps
                    .pipeline
                    .definition
                    .as_ref()
                    .and_then(|d| d.stage_id)
                    .unwrap_or(0);
                match find_release(s, definition_id, &alias, &commit).await? {
                    Some(v) => {
                        let triggers = v["variables"][START_VARIABLE]["value"]
                            .as_str()
                            .unwrap_or("")
                            .to_owned();
                        let rel = recorded(&v, definition_id, stage_id, &commit, &triggers, true)?;
                        run.log_event(
                            StepId::Deploy,
                            EventLevel::Info,
                            format!(
                                "Release {} was found after the app stopped while creating it.",
                                rel.name
                            ),
                        );
                        run.steps.deploy.release = Some(rel);
                    }
                    None => run.log_event(
                        StepId::Deploy,
                        EventLevel::Warning,
                        "The app stopped while creating the release, and no release was created. \
                         Deploy again when you are ready.",
                    ),
                }
                run.steps.deploy.intent = None;
            }
            Some(DeployIntent::StartStage {
                deploy_kind,
                release_id,
                environment_id,
                ..
            }) => {
                let release = api::release_with_tasks(s.client(), s.project()?, release_id)
                    .await
                    .map_err(|e| err_of(&e))?;
                let env = step5_status::environment(&release, environment_id);
                let highest = env
                    .map(step5_status::attempts)
                    .and_then(|a| a.last().copied())
                    .unwrap_or(0);
                let status = env.and_then(|e| e["status"].as_str()).unwrap_or("");
                match landed(
                    run.steps.deploy.intent.as_ref(),
                    release_id,
                    environment_id,
                    highest,
                    status,
                ) {
                    Some(attempt) => record_attempt(
                        run,
                        DeployAttempt {
                            kind: deploy_kind,
                            release_id,
                            release_name: release["name"].as_str().unwrap_or("").to_owned(),
                            web_url: release["_links"]["web"]["href"].as_str().map(str::to_owned),
                            environment_id,
                            stage_name: env
                                .and_then(|e| e["name"].as_str())
                                .unwrap_or("")
                                .to_owned(),
                            attempt,
                            requested_at: chrono::Utc::now(),
                            finished_at: None,
                            result: None,
                        },
                        true,
                    ),
                    None => {
                        run.log_event(
                            StepId::Deploy,
                            EventLevel::Warning,
                            "The app stopped while starting the stage, and the stage did not \
                             start. Start it again when you are ready.",
                        );
                        run.steps.deploy.intent = None;
                    }
                }
            }
        }
        Ok(())
    }
}
