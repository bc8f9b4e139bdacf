//! Service endpoints (`{project}/_apis/serviceendpoint/endpoints`): the seeded azurerm endpoints
//! (every authentication scheme, optionally scoped to a resource group through
//! `authorization.parameters.scope` as the Synapse deployment task reads it) and the routes that
//! list them (by name, type, ids) and answer one.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::release::links::{self, Person};
use crate::state::AppState;

/// How an azurerm connection signs in (`authorization.scheme` + `parameters.authenticationType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArmAuth {
    /// `ServicePrincipal`, `authenticationType: spnKey`.
    SecretServicePrincipal,
    /// `ServicePrincipal`, `authenticationType: spnCertificate`.
    CertificateServicePrincipal,
    /// `ManagedServiceIdentity`.
    ManagedIdentity,
    /// `WorkloadIdentityFederation`.
    WorkloadIdentityFederation,
}

impl ArmAuth {
    /// From an `authorization.scheme` (a `ServicePrincipal` is one with a secret).
    pub fn from_scheme(scheme: &str) -> Self {
        match scheme {
            "WorkloadIdentityFederation" => ArmAuth::WorkloadIdentityFederation,
            "ManagedServiceIdentity" => ArmAuth::ManagedIdentity,
            _ => ArmAuth::SecretServicePrincipal,
        }
    }
}

/// An azurerm service connection to seed.
#[derive(Debug, Clone)]
pub struct ArmEndpoint<'a> {
    pub name: &'a str,
    pub auth: ArmAuth,
    pub subscription_id: &'a str,
    pub subscription_name: &'a str,
    pub tenant_id: &'a str,
    /// Scoped to this resource group (`authorization.parameters.scope`), else to the subscription.
    pub resource_group: Option<&'a str>,
    pub project_id: Uuid,
    pub project_name: &'a str,
    pub created_by: &'a Person,
    pub is_ready: bool,
}

impl ArmEndpoint<'_> {
    /// The endpoint in its REST shape (secrets `null`, as the service answers them).
    pub fn build(&self) -> Value {
        let id = Uuid::new_v4();
        let sp = Uuid::new_v4().to_string();
        let (name, tenant_id) = (self.name, self.tenant_id);
        let (scheme, mut parameters) = match self.auth {
            ArmAuth::WorkloadIdentityFederation => (
                "WorkloadIdentityFederation",
                json!({"serviceprincipalid": sp, "tenantid": tenant_id,
                       "workloadIdentityFederationIssuer": format!("https://login.microsoftonline.com/{tenant_id}/v2.0"),
                       "workloadIdentityFederationSubject": format!("sc://contoso/{}/{name}", self.project_name)}),
            ),
            ArmAuth::SecretServicePrincipal => (
                "ServicePrincipal",
                json!({"serviceprincipalid": sp, "tenantid": tenant_id,
                       "authenticationType": "spnKey", "serviceprincipalkey": null}),
            ),
            ArmAuth::CertificateServicePrincipal => (
                "ServicePrincipal",
                json!({"serviceprincipalid": sp, "tenantid": tenant_id,
                       "authenticationType": "spnCertificate", "servicePrincipalCertificate": null}),
            ),
            ArmAuth::ManagedIdentity => ("ManagedServiceIdentity", json!({"tenantid": tenant_id})),
        };
        if let Some(rg) = self.resource_group {
            parameters["scope"] = json!(format!(
                "/subscriptions/{}/resourcegroups/{rg}",
                self.subscription_id
            ));
        }
        let scope_text = self
            .resource_group
            .map(|rg| format!(", resource group {rg}"))
            .unwrap_or_default();
        json!({
            "data": {"environment": "AzureCloud", "scopeLevel": "Subscription", "subscriptionId": self.subscription_id,
                     "subscriptionName": self.subscription_name, "creationMode": "Manual"},
            "id": id.to_string(),
            "name": name,
            "type": "azurerm",
            "url": "https://management.azure.com/",
            "createdBy": links::identity_template(self.created_by),
            "description": format!("Azure Resource Manager connection to {}{scope_text}", self.subscription_name),
            "authorization": {"parameters": parameters, "scheme": scheme},
            "isShared": false,
            "isReady": self.is_ready,
            "owner": "Library",
            "serviceEndpointProjectReferences": [
                {"projectReference": {"id": self.project_id.to_string(), "name": self.project_name}, "name": name, "description": ""}
            ],
        })
    }
}

/// A subscription-scoped azurerm service endpoint (`scheme` = `ServicePrincipal` (with a
/// secret), `ManagedServiceIdentity` or `WorkloadIdentityFederation`).
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
    ArmEndpoint {
        name,
        auth: ArmAuth::from_scheme(scheme),
        subscription_id,
        subscription_name,
        tenant_id,
        resource_group: None,
        project_id,
        project_name,
        created_by,
        is_ready,
    }
    .build()
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
