//! Installed extensions (`extmgmt/.../installedextensions`): the seeded Synapse and first-party
//! extension records and the routes that list them and answer one by publisher and name.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{SYNAPSE_EXTENSION, SYNAPSE_PUBLISHER};
use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::release::links;
use crate::state::AppState;

/// The installed-extension record of the Synapse Workspace Deployment extension.
pub fn synapse_extension(version: &str, last_updated: chrono::DateTime<chrono::Utc>) -> Value {
    let full = format!("{SYNAPSE_PUBLISHER}.{SYNAPSE_EXTENSION}");
    json!({
        "extensionId": SYNAPSE_EXTENSION,
        "registrationId": Uuid::new_v4().to_string(),
        "extensionName": "Synapse workspace deployment",
        "publisherId": SYNAPSE_PUBLISHER,
        "publisherName": "Azure Synapse Workspace",
        "version": version,
        "flags": "none",
        "manifestVersion": 1,
        "baseUri": format!("https://{SYNAPSE_PUBLISHER}.gallerycdn.vsassets.io/extensions/{}/{SYNAPSE_EXTENSION}/{version}/1700000000000", SYNAPSE_PUBLISHER.to_ascii_lowercase()),
        "fallbackBaseUri": format!("https://{SYNAPSE_PUBLISHER}.gallery.vsassets.io/_apis/public/gallery/publisher/{SYNAPSE_PUBLISHER}/extension/{SYNAPSE_EXTENSION}/{version}/assetbyname"),
        "scopes": [],
        "contributions": [
            {"id": format!("{full}.synapse-deploy"), "description": "Deploy Synapse workspace artifacts",
             "type": "ms.vss-distributed-task.task", "targets": ["ms.vss-distributed-task.tasks"],
             "properties": {"name": "synapse-deploy"}},
            {"id": format!("{full}.toggle-trigger"), "description": "Start or stop Synapse triggers",
             "type": "ms.vss-distributed-task.task", "targets": ["ms.vss-distributed-task.tasks"],
             "properties": {"name": "toggle-trigger"}}
        ],
        "installState": {"flags": "none", "lastUpdated": links::ts(last_updated)},
        "contributionTypes": [],
        "lastPublished": links::ts(last_updated - chrono::Duration::days(20)),
        "files": [],
    })
}

/// A Microsoft first-party extension that is installed in every organization.
pub fn builtin_extension(
    id: &str,
    name: &str,
    version: &str,
    last_updated: chrono::DateTime<chrono::Utc>,
) -> Value {
    json!({
        "extensionId": id,
        "registrationId": Uuid::new_v4().to_string(),
        "extensionName": name,
        "publisherId": "ms",
        "publisherName": "Microsoft",
        "version": version,
        "flags": "builtIn, trusted",
        "manifestVersion": 1,
        "baseUri": format!("https://ms.gallerycdn.vsassets.io/extensions/ms/{id}/{version}/1700000000000"),
        "scopes": [],
        "contributions": [],
        "installState": {"flags": "builtIn, trusted", "lastUpdated": links::ts(last_updated)},
        "contributionTypes": [],
        "lastPublished": links::ts(last_updated),
        "files": [],
    })
}

pub(super) async fn list_extensions(
    State(sim): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<Value>> {
    principal.require("vso.extension")?;
    let world = sim.world();
    Ok(crate::api::list(world.catalog.extensions.clone()))
}

pub(super) async fn extension_by_name(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, publisher, extension)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.extension_manage")?;
    let world = sim.world();
    world
        .catalog
        .extensions
        .iter()
        .find(|e| {
            e["publisherId"]
                .as_str()
                .is_some_and(|p| p.eq_ignore_ascii_case(&publisher))
                && e["extensionId"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(&extension))
        })
        .cloned()
        .map(Json)
        .ok_or_else(|| {
            ApiError::not_found(
                format!("Extension {publisher}.{extension} is not installed in this organization."),
                "InstalledExtensionNotFoundException",
            )
        })
}

/// What the admin API can make of an installed extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExtensionState {
    /// Installed and enabled (installs it again if it was uninstalled).
    Enabled,
    /// Installed, `installState.flags` carries `disabled`.
    Disabled,
    /// Gone from the installed list, and its tasks gone from the task catalogue.
    Uninstalled,
}

fn is_extension(e: &Value, publisher: &str, extension: &str) -> bool {
    e["publisherId"]
        .as_str()
        .is_some_and(|p| p.eq_ignore_ascii_case(publisher))
        && e["extensionId"]
            .as_str()
            .is_some_and(|x| x.eq_ignore_ascii_case(extension))
}

/// Whether a task definition is contributed by `{publisher}.{extension}`.
fn contributed_by(task: &Value, publisher: &str, extension: &str) -> bool {
    let prefix = format!("{publisher}.{extension}.").to_ascii_lowercase();
    task["contributionIdentifier"]
        .as_str()
        .is_some_and(|c| c.to_ascii_lowercase().starts_with(&prefix))
}

fn set_flag(flags: &str, flag: &str, on: bool) -> String {
    let mut list: Vec<&str> = flags
        .split(',')
        .map(str::trim)
        .filter(|f| {
            !f.is_empty() && !f.eq_ignore_ascii_case("none") && !f.eq_ignore_ascii_case(flag)
        })
        .collect();
    if on {
        list.push(flag);
    }
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }
}

/// Enables, disables, uninstalls or re-installs an extension (admin API). Uninstalling removes its
/// tasks from the catalogue, as the service does; re-installing brings back the same records.
/// Answers the extension's record (`null` once uninstalled).
pub fn set_extension_state(
    world: &mut crate::state::World,
    publisher: &str,
    extension: &str,
    state: ExtensionState,
) -> ApiResult<Value> {
    let catalog = &mut world.catalog;
    if !catalog
        .extensions
        .iter()
        .any(|e| is_extension(e, publisher, extension))
    {
        let stashed = catalog
            .uninstalled
            .iter()
            .position(|u| is_extension(&u["extension"], publisher, extension));
        match (stashed, state) {
            (Some(i), ExtensionState::Enabled | ExtensionState::Disabled) => {
                let u = catalog.uninstalled.remove(i);
                catalog.extensions.push(u["extension"].clone());
                if let Some(tasks) = u["tasks"].as_array() {
                    catalog.tasks.extend(tasks.iter().cloned());
                }
            }
            (Some(_), ExtensionState::Uninstalled) => return Ok(Value::Null),
            (None, _) => {
                return Err(ApiError::not_found(
                    format!("Extension {publisher}.{extension} is not known to the simulator. Reset it to get the seeded extensions back."),
                    "InstalledExtensionNotFoundException",
                ))
            }
        }
    }
    let index = catalog
        .extensions
        .iter()
        .position(|e| is_extension(e, publisher, extension))
        .ok_or_else(|| ApiError::internal("the extension vanished while its state was changed"))?;
    if state == ExtensionState::Uninstalled {
        let record = catalog.extensions.remove(index);
        let (tasks, kept): (Vec<Value>, Vec<Value>) = std::mem::take(&mut catalog.tasks)
            .into_iter()
            .partition(|t| contributed_by(t, publisher, extension));
        catalog.tasks = kept;
        catalog
            .uninstalled
            .push(json!({"extension": record, "tasks": tasks}));
        return Ok(Value::Null);
    }
    let record = &mut catalog.extensions[index];
    let flags = record["installState"]["flags"]
        .as_str()
        .unwrap_or("none")
        .to_owned();
    record["installState"]["flags"] = json!(set_flag(
        &flags,
        "disabled",
        state == ExtensionState::Disabled
    ));
    Ok(record.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> crate::state::World {
        let mut w = crate::state::World::default();
        w.catalog.extensions = vec![synapse_extension("2.4.0", chrono::Utc::now())];
        w.catalog.tasks = crate::catalog::synapse_tasks("2.4.0");
        w.catalog.tasks.extend(crate::catalog::builtin_tasks());
        w
    }

    #[test]
    fn flags_are_added_and_removed_without_losing_the_others() {
        assert_eq!(set_flag("none", "disabled", true), "disabled");
        assert_eq!(
            set_flag("multiVersion", "disabled", true),
            "multiVersion, disabled"
        );
        assert_eq!(
            set_flag("multiVersion, disabled", "disabled", false),
            "multiVersion"
        );
        assert_eq!(set_flag("disabled", "disabled", false), "none");
    }

    #[test]
    fn uninstalling_takes_the_tasks_away_and_installing_brings_the_same_ones_back() {
        let mut w = world();
        let ids: Vec<Value> = w.catalog.tasks.iter().map(|t| t["id"].clone()).collect();
        let off = set_extension_state(
            &mut w,
            "azuresynapseworkspace",
            "SYNAPSECICD-DEPLOY",
            ExtensionState::Disabled,
        )
        .unwrap();
        assert_eq!(off["installState"]["flags"], "disabled");
        assert_eq!(w.catalog.tasks.len(), 5, "disabling keeps the tasks");
        assert_eq!(
            set_extension_state(
                &mut w,
                SYNAPSE_PUBLISHER,
                SYNAPSE_EXTENSION,
                ExtensionState::Uninstalled
            )
            .unwrap(),
            Value::Null
        );
        assert!(w.catalog.extensions.is_empty());
        assert_eq!(w.catalog.tasks.len(), 3, "only the built-in tasks stay");
        let back = set_extension_state(
            &mut w,
            SYNAPSE_PUBLISHER,
            SYNAPSE_EXTENSION,
            ExtensionState::Enabled,
        )
        .unwrap();
        assert_eq!(back["installState"]["flags"], "none");
        let again: Vec<Value> = w.catalog.tasks.iter().map(|t| t["id"].clone()).collect();
        assert!(ids.iter().all(|i| again.contains(i)) && again.len() == ids.len());
        let err =
            set_extension_state(&mut w, "ms", "nothing", ExtensionState::Enabled).unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::NOT_FOUND);
    }
}
