//! What production will really receive, reviewed before the deployment (step 5) and checked
//! again after it (step 6):
//!
//! - **triggers**, as they are now in the production workspace (every page): only the `Started`
//!   ones are stopped and started again by the release ([`ProductionReview::started_triggers`]);
//! - **drift**: the live artifacts against the release commit *as it was deployed*
//!   ([`drift`]): a hand edit in production that the deployment would overwrite;
//! - **parameters**: every parameterised value of the fix commit that no override covers
//!   ([`dev_values`]), read from the repository alone.
//!
//! The first two need a Synapse data-plane token; without one (or when the workspace refuses the
//! reads) each says that it did not run, why and what to do — never that it passed.

mod commit;
mod dev_values;
mod drift;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use commit::{CommitArtifacts, Definition, GitArtifact};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::hotfix::run::HotfixRun;
use crate::hotfix::session::Session;
use crate::synapse::dataplane::{
    DataPlane, DataPlaneUnavailable, LiveArtifact, LiveTrigger, TokenSource, COLLECTIONS, TRIGGERS,
};
use crate::synapse::overrides::{self, Overrides};
use crate::synapse::parameters::DefaultKept;
use crate::synapse::ArtifactKind;

/// The result of one check, or why it did not run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "status", rename_all = "camelCase")]
#[ts(export, rename = "ReviewCheck")]
pub enum CheckOutcome<T> {
    Ran {
        result: T,
    },
    NotRun {
        reason: String,
        #[serde(rename = "whatToDo")]
        what_to_do: String,
    },
}

impl<T> CheckOutcome<T> {
    pub fn result(&self) -> Option<&T> {
        match self {
            Self::Ran { result } => Some(result),
            Self::NotRun { .. } => None,
        }
    }
}

/// How a live artifact differs from the release commit as deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum DriftChange {
    /// Both exist and differ: the deployment overwrites the production version.
    Changed,
    /// Only production has it (the deployment leaves it, or deletes it when
    /// `DeleteArtifactsNotInTemplate` is on).
    AddedInProduction,
    /// The commit has it, production does not (deleted by hand): the deployment creates it again.
    MissingInProduction,
}

/// One artifact whose live version is not what the commit deployed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DriftItem {
    /// Git folder name of the kind (`pipeline`, `linkedService`, …).
    pub kind: String,
    pub name: String,
    pub change: DriftChange,
    /// Unified diff of the pretty JSON: the commit as deployed (`-`) against production (`+`).
    pub diff: String,
}

/// A parameterised value that would reach production without a production value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DevValuedParameter {
    /// The template parameter (what an override would name: `-{parameter} value`).
    pub parameter: String,
    pub artifact: String,
    /// Git folder name of the artifact's kind.
    pub kind: String,
    /// Where in the artifact: `properties.typeProperties.baseUrl`.
    pub path: String,
    /// The development value (secrets inside connection strings redacted).
    pub dev_value: String,
    /// What production would get, and why it matters.
    pub why: String,
    pub secure: bool,
    /// Whether production gets the development value, or an empty one.
    pub default_kept: DefaultKept,
    /// False when the value is not a template parameter at all (a custom
    /// `template-parameters-definition.json` dropped it): no override can reach it.
    pub overridable: bool,
}

/// The review of production before (and after) the deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProductionReview {
    pub checked_at: DateTime<Utc>,
    pub workspace: String,
    /// The commit production runs (step 1).
    pub release_commit: String,
    /// The commit that will be deployed (the hotfix branch head reviewed in step 3).
    pub fix_commit: String,
    /// Where the data-plane token came from; absent when there was none.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_source: Option<TokenSource>,
    /// The triggers as they are now.
    pub triggers: CheckOutcome<Vec<LiveTrigger>>,
    /// Live artifacts against the release commit as deployed.
    pub drift: CheckOutcome<Vec<DriftItem>>,
    /// Parameterised values no override covers (reads the repository; needs no Synapse token).
    pub parameters: CheckOutcome<Vec<DevValuedParameter>>,
    /// The fix commit has its own `template-parameters-definition.json` (replacing the defaults).
    #[serde(default)]
    pub custom_parameter_template: bool,
    /// Overrides the task would read differently than meant, or that match no parameter.
    #[serde(default)]
    pub override_notes: Vec<String>,
}

impl ProductionReview {
    /// Names of the triggers that are Started now (the only ones the release stops and starts
    /// again), sorted; `None` when the trigger check did not run.
    pub fn started_triggers(&self) -> Option<Vec<String>> {
        let mut names: Vec<String> = self
            .triggers
            .result()?
            .iter()
            .filter(|t| t.is_started())
            .map(|t| t.name.clone())
            .collect();
        names.sort_by_key(|n| n.to_ascii_lowercase());
        Some(names)
    }

    /// Everything the user must acknowledge before deploying, one sentence each.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (label, check) in [
            ("The trigger check", not_run(&self.triggers)),
            ("The drift check", not_run(&self.drift)),
            ("The parameter check", not_run(&self.parameters)),
        ] {
            if let Some((reason, what)) = check {
                out.push(format!("{label} did not run. {reason} {what}"));
            }
        }
        if let Some(stopped) = self.triggers.result().map(|ts| {
            ts.iter()
                .filter(|t| !t.is_started())
                .map(|t| t.name.clone())
                .collect::<Vec<_>>()
        }) {
            if !stopped.is_empty() {
                out.push(format!(
                    "Not started now, so they stay as they are: {}.",
                    stopped.join(", ")
                ));
            }
        }
        for d in self.drift.result().into_iter().flatten() {
            let label = kind_label(&d.kind);
            out.push(match d.change {
                DriftChange::Changed => format!(
                    "{label} `{}` was changed in production since the release: deploying \
                     overwrites that change.",
                    d.name
                ),
                DriftChange::AddedInProduction => format!(
                    "{label} `{}` exists only in production; the deployment does not touch it \
                     unless DeleteArtifactsNotInTemplate is on, which deletes it.",
                    d.name
                ),
                DriftChange::MissingInProduction => format!(
                    "{label} `{}` was deleted in production since the release: deploying \
                     creates it again.",
                    d.name
                ),
            });
        }
        for p in self.parameters.result().into_iter().flatten() {
            out.push(if p.overridable {
                format!(
                    "{} Add `-{} <production value>` to the overrides in Profile → Hotfix \
                     pipeline.",
                    p.why, p.parameter
                )
            } else {
                format!(
                    "{} Parameterise it in template-parameters-definition.json on the hotfix \
                     branch, then add its override.",
                    p.why
                )
            });
        }
        out.extend(self.override_notes.iter().cloned());
        out
    }
}

fn not_run<T>(c: &CheckOutcome<T>) -> Option<(&str, &str)> {
    match c {
        CheckOutcome::NotRun { reason, what_to_do } => Some((reason, what_to_do)),
        CheckOutcome::Ran { .. } => None,
    }
}

fn kind_label(folder: &str) -> String {
    let label = COLLECTIONS
        .iter()
        .map(|c| c.kind)
        .find(|k| k.folder().eq_ignore_ascii_case(folder))
        .map_or_else(|| folder.to_owned(), |k| k.label().to_owned());
    let mut c = label.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn precondition(message: &str) -> AppError {
    AppError::new(ErrorCode::Precondition, message)
}

/// The commit production runs, the commit to deploy and the production workspace of a run.
fn run_facts(run: &HotfixRun) -> AppResult<(String, String, String)> {
    let release = run
        .steps
        .release
        .commit
        .as_ref()
        .map(|c| c.commit_id.clone())
        .ok_or_else(|| precondition("Resolve the production release commit (step 1) first."))?;
    let fix = run
        .steps
        .fix
        .head
        .clone()
        .ok_or_else(|| precondition("Review the fix on the hotfix branch (step 3) first."))?;
    let workspace = run.prod_workspace.trim().to_owned();
    if workspace.is_empty() {
        return Err(precondition(
            "The profile names no production workspace. Add it in the profile and start again.",
        ));
    }
    Ok((release, fix, workspace))
}

fn overrides_of(s: &Session) -> Overrides {
    overrides::parse(&s.profile().pipeline_settings().override_arm_parameters)
}

/// A check that needed the data plane and could not have it.
fn unavailable<T>(check: &str, u: &DataPlaneUnavailable) -> CheckOutcome<T> {
    CheckOutcome::NotRun {
        reason: format!("{check} needs the Synapse data plane. {}", u.reason),
        what_to_do: u.what_to_do.clone(),
    }
}

/// A check whose data-plane reads failed.
fn failed<T>(check: &str, e: &AppError) -> CheckOutcome<T> {
    let what_to_do = match e.code {
        ErrorCode::NoPermission => {
            "Get a Synapse role on the workspace as described, then review again."
        }
        ErrorCode::TokenRejected | ErrorCode::NotSignedIn | ErrorCode::SignInRefused => {
            "Sign in again as described, then review again."
        }
        ErrorCode::NotFound | ErrorCode::InvalidInput => {
            "Check the production workspace in the profile, then review again."
        }
        _ => "Review again in a moment.",
    };
    CheckOutcome::NotRun {
        reason: format!(
            "{check} could not read the production workspace: {}",
            e.message
        ),
        what_to_do: what_to_do.to_owned(),
    }
}

const TRIGGER_CHECK: &str = "The trigger check (which triggers run now)";
const DRIFT_CHECK: &str = "The drift check (production against the release commit)";

/// Reads production and the repository and reviews what the deployment of the run's fix commit
/// would do: the triggers as they are, the drift since the release, the dev-valued parameters.
pub async fn review_production(s: &Session, run: &HotfixRun) -> AppResult<ProductionReview> {
    let (release_commit, fix_commit, workspace) = run_facts(run)?;
    let overrides = overrides_of(s);
    let release = commit::read(s, &release_commit).await?;
    let fix = commit::read_from(s, &release, &fix_commit, run.steps.fix.changes.as_ref()).await?;
    let (parameters, override_notes) = dev_values::check(&fix, &overrides);
    let (token_source, triggers, drift) = match DataPlane::for_profile(s, &workspace).await {
        Err(u) => (
            None,
            unavailable(TRIGGER_CHECK, &u),
            unavailable(DRIFT_CHECK, &u),
        ),
        Ok(dp) => {
            let (triggers, drift) = match Box::pin(dp.list(&TRIGGERS)).await {
                // The first read failed (refused token, no role, …): the others would too.
                Err(e) => (failed(TRIGGER_CHECK, &e), failed(DRIFT_CHECK, &e)),
                Ok(trigger_list) => {
                    let triggers = CheckOutcome::Ran {
                        result: trigger_list
                            .iter()
                            .map(LiveTrigger::from_artifact)
                            .collect(),
                    };
                    let drift = match Box::pin(live_except_triggers(&dp)).await {
                        Ok(mut live) => {
                            live.extend(trigger_list);
                            CheckOutcome::Ran {
                                result: drift::compare(&release, &live, &overrides, &workspace),
                            }
                        }
                        Err(e) => failed(DRIFT_CHECK, &e),
                    };
                    (triggers, drift)
                }
            };
            (Some(dp.token_source()), triggers, drift)
        }
    };
    Ok(ProductionReview {
        checked_at: Utc::now(),
        workspace,
        release_commit,
        fix_commit,
        token_source,
        triggers,
        drift,
        parameters,
        custom_parameter_template: matches!(fix.definition, Definition::Custom(_)),
        override_notes,
    })
}

/// After the deployment (step 6): drift of the live workspace against `commit` as deployed with
/// the profile's overrides (empty = production holds exactly that commit's artifacts).
pub async fn drift_against(
    s: &Session,
    dp: &DataPlane,
    run: &HotfixRun,
    commit: &str,
) -> AppResult<Vec<DriftItem>> {
    let (_, _, workspace) = run_facts(run)?;
    let artifacts = Box::pin(commit::read(s, commit)).await?;
    let live = Box::pin(dp.artifacts()).await?;
    Ok(drift::compare(
        &artifacts,
        &live,
        &overrides_of(s),
        &workspace,
    ))
}

async fn live_except_triggers(dp: &DataPlane) -> AppResult<Vec<LiveArtifact>> {
    let mut all = Vec::new();
    for c in COLLECTIONS
        .iter()
        .filter(|c| c.kind != ArtifactKind::Trigger)
    {
        all.extend(dp.list(c).await?);
    }
    Ok(all)
}

#[cfg(test)]
mod tests;
