//! Find, plan and save the hotfix definition.
//!
//! * [`plan`] builds the definition from the catalogue (a refused input stops here, before any
//!   request), looks for an existing definition of the same repository and branch (one list call
//!   filtered by artifact source, plus one GET when there is one), and merges the app's fields into
//!   it. The plan carries the JSON to send and its preview.
//! * [`apply`] sends it: POST for a new one, PUT with the revision read for an existing one,
//!   nothing when it already matches. Saves are never repeated; after a lost answer the app reads
//!   back to learn what happened. A stale revision is not overwritten: the definition is re-read and
//!   the outcome says what changed, with a new plan built on the current version.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::build::build_definition;
use super::changes::{changes, FieldChange};
use super::errors::{definition_error, not_saved, outcome_unknown, unknown_outcome, Operation};
use super::merge::{is_for_branch, merge_owned, Owned};
use super::spec::DefinitionSpec;
use super::summary::{preview, DefinitionPreview, PreviewAction};
use crate::ado::release_definitions as api;
use crate::ado::{AdoClient, AdoError};
use crate::error::AppResult;
use crate::pipeline::catalog::SynapseTasks;

/// The definition as read from the service, with what the app needs of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExistingDefinition {
    pub id: i32,
    pub revision: i32,
    pub name: String,
    pub web_url: Option<String>,
    /// The whole definition as read (the base of the update).
    pub body: Value,
}

impl ExistingDefinition {
    fn from_json(body: Value) -> Option<Self> {
        Some(Self {
            id: i32::try_from(body["id"].as_i64()?).ok()?,
            revision: i32::try_from(body["revision"].as_i64().unwrap_or(0)).ok()?,
            name: body["name"].as_str().unwrap_or("").to_owned(),
            web_url: body["_links"]["web"]["href"].as_str().map(str::to_owned),
            body,
        })
    }
}

/// What [`apply`] will send. Serializable so a run can keep it between preview and save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefinitionPlan {
    pub spec: DefinitionSpec,
    /// The definition the app would create (catalogue ids, checked inputs).
    pub desired: Value,
    pub existing: Option<ExistingDefinition>,
    /// What is sent: `desired` for a new definition, the merge for an existing one.
    pub body: Value,
    pub preview: DefinitionPreview,
}

/// A saved (or reused) definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedDefinition {
    pub id: i32,
    pub name: String,
    pub revision: i32,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    /// The id of the hotfix stage (`definitionEnvironmentId`), for creating releases.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_id: Option<i32>,
    /// True when the answer to the save was lost and the app found the saved result by reading.
    pub recovered: bool,
}

/// The definition changed since it was read: what changed, and the preview of the new plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StaleDefinition {
    pub id: i32,
    pub name: String,
    /// The revision the plan was built on.
    pub read_revision: i32,
    pub current_revision: i32,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_by: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_on: Option<String>,
    /// What someone else changed between the two revisions.
    pub their_changes: Vec<FieldChange>,
    /// What saving now would do to the current revision.
    pub preview: DefinitionPreview,
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum ApplyOutcome {
    Created(SavedDefinition),
    Updated(SavedDefinition),
    /// Already as the app would make it: nothing was sent.
    Reused(SavedDefinition),
    /// Not saved: someone changed it after it was read. `plan` is built on the current version;
    /// apply it (after the user saw `report`) to save.
    Stale {
        report: Box<StaleDefinition>,
        plan: Box<DefinitionPlan>,
    },
}

fn saved(body: &Value, spec: &DefinitionSpec, recovered: bool) -> SavedDefinition {
    let stage_id = body["environments"].as_array().and_then(|envs| {
        envs.iter()
            .find(|e| {
                e["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&spec.stage_name))
            })
            .and_then(|e| e["id"].as_i64())
            .and_then(|id| i32::try_from(id).ok())
    });
    SavedDefinition {
        id: body["id"]
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .unwrap_or(0),
        name: body["name"].as_str().unwrap_or(&spec.name).to_owned(),
        revision: body["revision"]
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .unwrap_or(0),
        web_url: body["_links"]["web"]["href"].as_str().map(str::to_owned),
        stage_id,
        recovered,
    }
}

/// The existing definition for the spec's repository and branch, read whole; `None` when there
/// is none. Several candidates: the one named like the spec, else the oldest.
pub async fn find_existing(
    client: &AdoClient,
    spec: &DefinitionSpec,
) -> Result<Option<ExistingDefinition>, AdoError> {
    let list = api::list_by_artifact_source(
        client,
        &spec.project.name,
        "Git",
        &spec.artifact_source_id(),
    )
    .await?;
    let mut candidates: Vec<&Value> = list.iter().filter(|d| is_for_branch(d, spec)).collect();
    candidates.sort_by_key(|d| {
        (
            d["name"]
                .as_str()
                .is_none_or(|n| !n.eq_ignore_ascii_case(&spec.name)),
            d["id"].as_i64().unwrap_or(i64::MAX),
        )
    });
    let Some(id) = candidates.first().and_then(|d| d["id"].as_i64()) else {
        return Ok(None);
    };
    let full = api::get_definition(client, &spec.project.name, id).await?;
    Ok(ExistingDefinition::from_json(full))
}

/// The plan on top of `existing` (or for a new definition).
pub fn plan_on(
    spec: &DefinitionSpec,
    tasks: &SynapseTasks,
    desired: Value,
    existing: Option<ExistingDefinition>,
) -> DefinitionPlan {
    let (body, action, change_list, existing_ref) = match &existing {
        None => (desired.clone(), PreviewAction::Create, Vec::new(), None),
        Some(e) => {
            let mut merged = merge_owned(
                &e.body,
                &Owned {
                    spec,
                    desired: &desired,
                },
            );
            let list = changes(&e.body, &merged);
            // Sent with the revision read: the service refuses it if someone saved in between.
            merged["revision"] = Value::from(e.revision);
            merged["id"] = Value::from(e.id);
            let action = if list.is_empty() {
                PreviewAction::Reuse
            } else {
                PreviewAction::Update
            };
            (
                merged,
                action,
                list,
                Some((e.id, e.revision, e.web_url.clone())),
            )
        }
    };
    let preview = preview(spec, tasks, &body, action, existing_ref, change_list);
    DefinitionPlan {
        spec: spec.clone(),
        desired,
        existing,
        body,
        preview,
    }
}

/// Builds the definition (no request when an input is refused), finds an existing one and plans.
pub async fn plan(
    client: &AdoClient,
    spec: &DefinitionSpec,
    tasks: &SynapseTasks,
) -> AppResult<DefinitionPlan> {
    let desired = build_definition(spec, tasks)?;
    let existing = find_existing(client, spec)
        .await
        .map_err(|e| definition_error(&e, Operation::Find, spec))?;
    Ok(plan_on(spec, tasks, desired, existing))
}

/// Saves the plan. See the module documentation for what happens on each answer.
pub async fn apply(
    client: &AdoClient,
    tasks: &SynapseTasks,
    plan: &DefinitionPlan,
) -> AppResult<ApplyOutcome> {
    let spec = &plan.spec;
    let project = &spec.project.name;
    let Some(existing) = &plan.existing else {
        return match api::create_definition(client, project, &plan.body).await {
            Ok(body) => Ok(ApplyOutcome::Created(saved(&body, spec, false))),
            Err(e) if outcome_unknown(&e, Operation::Create) => {
                // A read is safe: did the lost request create it?
                match find_existing(client, spec).await {
                    Ok(Some(found)) => Ok(ApplyOutcome::Created(saved(&found.body, spec, true))),
                    Ok(None) => Err(not_saved(&e, Operation::Create, spec)),
                    Err(check) => Err(unknown_outcome(&e, &check, Operation::Create, spec)),
                }
            }
            Err(e) => Err(definition_error(&e, Operation::Create, spec)),
        };
    };
    if plan.preview.action == PreviewAction::Reuse {
        return Ok(ApplyOutcome::Reused(saved(&existing.body, spec, false)));
    }
    let err = match api::update_definition(client, project, &plan.body).await {
        Ok(body) => return Ok(ApplyOutcome::Updated(saved(&body, spec, false))),
        Err(e) => e,
    };
    let lost = outcome_unknown(&err, Operation::Update);
    if !lost && err.status() != Some(400) && err.status() != Some(409) {
        return Err(definition_error(&err, Operation::Update, spec));
    }
    // Refused (perhaps as stale) or answer lost: read the current version.
    let current = match api::get_definition(client, project, i64::from(existing.id)).await {
        Ok(c) => ExistingDefinition::from_json(c),
        Err(check) if lost => return Err(unknown_outcome(&err, &check, Operation::Update, spec)),
        Err(_) => return Err(definition_error(&err, Operation::Update, spec)),
    };
    let Some(current) = current else {
        return Err(definition_error(&err, Operation::Update, spec));
    };
    if current.revision == existing.revision {
        // Nothing saved in between: the refusal was about the content.
        return Err(if lost {
            not_saved(&err, Operation::Update, spec)
        } else {
            definition_error(&err, Operation::Update, spec)
        });
    }
    let next = plan_on(spec, tasks, plan.desired.clone(), Some(current.clone()));
    if lost
        && next.preview.action == PreviewAction::Reuse
        && current.revision == existing.revision + 1
    {
        // The lost PUT was ours: the current version is what the app sent.
        return Ok(ApplyOutcome::Updated(saved(&current.body, spec, true)));
    }
    let report = StaleDefinition {
        id: current.id,
        name: current.name.clone(),
        read_revision: existing.revision,
        current_revision: current.revision,
        modified_by: current.body["modifiedBy"]["displayName"]
            .as_str()
            .map(str::to_owned),
        modified_on: current.body["modifiedOn"].as_str().map(str::to_owned),
        their_changes: changes(&existing.body, &current.body),
        preview: next.preview.clone(),
    };
    Ok(ApplyOutcome::Stale {
        report: Box::new(report),
        plan: Box::new(next),
    })
}

impl ApplyOutcome {
    /// The saved definition, unless the outcome is [`ApplyOutcome::Stale`].
    pub fn saved(&self) -> Option<&SavedDefinition> {
        match self {
            ApplyOutcome::Created(s) | ApplyOutcome::Updated(s) | ApplyOutcome::Reused(s) => {
                Some(s)
            }
            ApplyOutcome::Stale { .. } => None,
        }
    }
}
