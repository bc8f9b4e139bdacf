//! Service endpoints (`{project}/_apis/serviceendpoint/endpoints`): the seeded azurerm endpoints
//! and the routes that list them (by name, type, ids) and answer one.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::release::links::{self, Person};
use crate::state::AppState;

/// An azurerm service endpoint (`scheme` = `ServicePrincipal` or `WorkloadIdentityFederation`).
#[allow(clippy::too_many_arguments)]
pub fn azurerm_endpoint(
    name: &str,
    scheme: &str,
    subscription_id: &str,
    subscription_name: &str,
    tenant_id: &str,
    project_id: Uuid,
    project_name: &str,
    created_by: &Person,
    is_ready: bool,
) -> Value {
    let id = Uuid::new_v4();
    let sp = Uuid::new_v4();
    let parameters = if scheme == "WorkloadIdentityFederation" {
        json!({"serviceprincipalid": sp.to_string(), "tenantid": tenant_id,
               "workloadIdentityFederationIssuer": format!("https://login.microsoftonline.com/{tenant_id}/v2.0"),
               "workloadIdentityFederationSubject": format!("sc://contoso/{project_name}/{name}")})
    } else {
        json!({"serviceprincipalid": sp.to_string(), "tenantid": tenant_id,
               "authenticationType": "spnKey", "serviceprincipalkey": null})
    };
    json!({
        "data": {"environment": "AzureCloud", "scopeLevel": "Subscription", "subscriptionId": subscription_id,
                 "subscriptionName": subscription_name, "creationMode": "Manual"},
        "id": id.to_string(),
        "name": name,
        "type": "azurerm",
        "url": "https://management.azure.com/",
        "createdBy": links::identity_template(created_by),
        "description": format!("Azure Resource Manager connection to {subscription_name}"),
        "authorization": {"parameters": parameters, "scheme": scheme},
        "isShared": false,
        "isReady": is_ready,
        "owner": "Library",
        "serviceEndpointProjectReferences": [
            {"projectReference": {"id": project_id.to_string(), "name": project_name}, "name": name, "description": ""}
        ],
    })
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct EndpointQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(rename = "actionFilter")]
    action_filter: Option<String>,
    #[serde(rename = "includeFailed")]
    include_failed: Option<bool>,
    #[serde(rename = "endpointNames")]
    endpoint_names: Option<String>,
    #[serde(rename = "endpointIds")]
    endpoint_ids: Option<String>,
}

fn in_project(e: &Value, project_id: Uuid) -> bool {
    e["serviceEndpointProjectReferences"]
        .as_array()
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r["projectReference"]["id"] == project_id.to_string())
        })
}

pub(super) async fn list_endpoints(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project)): Path<(String, String)>,
    Query(q): Query<EndpointQuery>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.serviceendpoint")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let names: Option<Vec<String>> = q.endpoint_names.as_deref().map(|n| {
        n.split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    });
    let ids: Option<Vec<String>> = q.endpoint_ids.as_deref().map(|n| {
        n.split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    });
    if let Some(action) = q.action_filter.as_deref() {
        if !["none", "manage", "use", "view"]
            .iter()
            .any(|a| a.eq_ignore_ascii_case(action))
        {
            return Err(ApiError::bad_request(
                format!("The value '{action}' is not valid for actionFilter. Use none, manage, use or view."),
                "ArgumentException",
            ));
        }
    }
    let items: Vec<Value> = world
        .catalog
        .endpoints
        .iter()
        .filter(|e| in_project(e, p.id))
        .filter(|e| {
            q.kind.as_deref().is_none_or(|k| {
                e["type"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case(k))
            })
        })
        .filter(|e| q.include_failed.unwrap_or(false) || e["isReady"].as_bool().unwrap_or(true))
        .filter(|e| {
            names.as_ref().is_none_or(|n| {
                e["name"]
                    .as_str()
                    .is_some_and(|x| n.contains(&x.to_ascii_lowercase()))
            })
        })
        .filter(|e| {
            ids.as_ref().is_none_or(|n| {
                e["id"]
                    .as_str()
                    .is_some_and(|x| n.contains(&x.to_ascii_lowercase()))
            })
        })
        .map(|e| links::rebase(e, &sim))
        .collect();
    Ok(crate::api::list(items))
}

pub(super) async fn get_endpoint(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, endpoint_id)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require("vso.serviceendpoint")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    // The real service answers 200 with an empty body for an unknown endpoint id; a JSON null is the
    // closest a JSON client sees.
    let found = world
        .catalog
        .endpoints
        .iter()
        .find(|e| {
            in_project(e, p.id)
                && e["id"]
                    .as_str()
                    .is_some_and(|i| i.eq_ignore_ascii_case(&endpoint_id))
        })
        .map(|e| links::rebase(e, &sim));
    Ok(Json(found.unwrap_or(Value::Null)))
}
