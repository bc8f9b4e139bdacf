//! The production service connection: exists, is ready, is `azurerm`, both tasks accept its
//! authentication, and which resource group the tasks will really use.
//!
//! A connection whose `data.scopeLevel` is `Subscription` and whose `authorization.parameters.scope`
//! names a resource group (`/subscriptions/{id}/resourcegroups/{rg}`) overrides the task's
//! `ResourceGroupName`; a `scope` without a resource group makes the deployment task stop with
//! "ARM connection must be linked with resource group" (`synapse/TASKS.md`, corrections 4; the
//! task's own parameter code reads these fields).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::auth::{auth_fix, task_support, ArmAuth};
use super::model::{CheckId, PreflightCheck};
use crate::ado::{encode_segment as seg, AdoClient, AdoError, Area};
use crate::profiles::NamedRef;

/// The fields of `GET {project}/_apis/serviceendpoint/endpoints/{id}` the check reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointDto {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub is_ready: Option<bool>,
    #[serde(default)]
    pub authorization: Option<AuthorizationDto>,
    #[serde(default)]
    pub data: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuthorizationDto {
    #[serde(default)]
    pub scheme: String,
    #[serde(default)]
    pub parameters: BTreeMap<String, Value>,
}

fn text<'a>(map: &'a BTreeMap<String, Value>, key: &str) -> Option<&'a str> {
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// What a connection's scope does to the resource group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RgScope {
    /// Not scoped to a resource group: the task uses its `ResourceGroupName` input.
    Subscription,
    /// Scoped to this resource group: the task uses it whatever the input says.
    ResourceGroup(String),
    /// A `scope` without a resource group: the deployment task refuses the connection.
    Unlinked(String),
}

/// The resource-group scope of a connection, read as the deployment task reads it.
pub fn rg_scope(endpoint: &EndpointDto) -> RgScope {
    let subscription_level =
        text(&endpoint.data, "scopeLevel").is_some_and(|l| l.eq_ignore_ascii_case("Subscription"));
    let scope = endpoint
        .authorization
        .as_ref()
        .and_then(|a| text(&a.parameters, "scope"));
    match scope {
        Some(scope) if subscription_level => {
            match scope
                .split('/')
                .nth(4)
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                Some(rg) => RgScope::ResourceGroup(rg.to_owned()),
                None => RgScope::Unlinked(scope.to_owned()),
            }
        }
        _ => RgScope::Subscription,
    }
}

/// Reads the connection by id (`actionFilter=use`: only one the caller may use). `Ok(None)` when
/// the service does not know it (it answers an empty body, or 404).
pub async fn read_endpoint(
    client: &AdoClient,
    project: &str,
    id: &str,
) -> Result<Option<EndpointDto>, AdoError> {
    let path = format!(
        "{}/_apis/serviceendpoint/endpoints/{}",
        seg(project),
        seg(id)
    );
    match client
        .get::<Option<EndpointDto>>(Area::Core, &path, &[("actionFilter", "use".to_owned())])
        .await
    {
        Ok(found) => Ok(found),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The page of one service connection (or the list, without an id).
pub fn connection_page(org: &str, project: &str, id: Option<&str>) -> String {
    let base = format!(
        "{}/{}/_settings/adminservices",
        org.trim_end_matches('/'),
        seg(project)
    );
    match id {
        Some(id) => format!("{base}?resourceId={}", seg(id)),
        None => base,
    }
}

/// The check, and the effective resource group when it can be told.
pub fn judge_connection(
    wanted: &NamedRef,
    found: Option<&EndpointDto>,
    profile_rg: &str,
    org: &str,
    project: &str,
) -> (PreflightCheck, Option<String>) {
    let id = CheckId::ServiceConnection;
    let page = Some(connection_page(org, project, Some(&wanted.id)));
    let Some(ep) = found else {
        return (
            PreflightCheck::fail(
                id,
                format!(
                    "The service connection \"{}\" (id {}) was not found in project {project}, or \
                     your account may not use it.",
                    wanted.name, wanted.id
                ),
                "Pick the production service connection again in the profile, or ask a project \
                 administrator to grant you \"Use\" on it.",
                Some(connection_page(org, project, None)),
            ),
            None,
        );
    };
    let name = if ep.name.is_empty() {
        &wanted.name
    } else {
        &ep.name
    };
    if !ep.kind.eq_ignore_ascii_case("azurerm") {
        return (
            PreflightCheck::fail(
                id,
                format!(
                    "\"{name}\" is a \"{}\" connection; the Synapse tasks need an Azure Resource \
                     Manager (azurerm) connection.",
                    ep.kind
                ),
                "Pick an Azure Resource Manager service connection for production in the profile.",
                Some(connection_page(org, project, None)),
            ),
            None,
        );
    }
    if ep.is_ready == Some(false) {
        return (
            PreflightCheck::fail(
                id,
                format!(
                    "\"{name}\" exists but is not ready: its creation or last verification failed."
                ),
                "Open the connection, fix or verify its credentials until it shows as ready, then \
                 run the checks again.",
                page,
            ),
            None,
        );
    }
    let (scheme, auth_type) = ep
        .authorization
        .as_ref()
        .map(|a| (a.scheme.as_str(), text(&a.parameters, "authenticationType")))
        .unwrap_or(("", None));
    let auth = ArmAuth::of(scheme, auth_type);
    let support = task_support(&auth, text(&ep.data, "environment"));
    let subscription = match (
        text(&ep.data, "subscriptionName"),
        text(&ep.data, "subscriptionId"),
    ) {
        (Some(n), Some(i)) => format!("subscription {n} ({i})"),
        (None, Some(i)) => format!("subscription {i}"),
        (Some(n), None) => format!("subscription {n}"),
        (None, None) => "no subscription named".to_owned(),
    };
    let found = format!(
        "\"{name}\": Azure Resource Manager, {}, {subscription}",
        auth.describe()
    );
    let profile_rg = profile_rg.trim();
    let (effective, rg_problem) = match rg_scope(ep) {
        RgScope::Subscription => (Some(profile_rg.to_owned()).filter(|r| !r.is_empty()), None),
        RgScope::ResourceGroup(rg) => {
            let mismatch = !rg.eq_ignore_ascii_case(profile_rg);
            let problem = mismatch.then(|| {
                format!(
                    "The connection is scoped to resource group {rg}, which overrides the profile's \
                     {}: the tasks would deploy to {rg}.",
                    if profile_rg.is_empty() { "(empty) resource group".to_owned() } else { profile_rg.to_owned() }
                )
            });
            (Some(rg), problem)
        }
        RgScope::Unlinked(scope) => (
            None,
            Some(format!(
                "The connection's scope \"{scope}\" names no resource group; the deployment task \
                 stops with \"ARM connection must be linked with resource group\"."
            )),
        ),
    };
    let rg_text = match (&effective, rg_scope(ep)) {
        (Some(rg), RgScope::ResourceGroup(_)) => {
            format!("resource group {rg} (from the connection's scope)")
        }
        (Some(rg), _) => format!("resource group {rg} (from the profile)"),
        (None, _) => "no usable resource group".to_owned(),
    };
    let detail = format!("{found}; {rg_text}.");
    let mut problems: Vec<String> = support.reasons.clone();
    problems.extend(rg_problem.clone());
    if problems.is_empty() {
        return (PreflightCheck::pass(id, detail), effective);
    }
    let mut fixes = Vec::new();
    if !support.both() {
        fixes.push(auth_fix(&auth));
    }
    if let Some(rg) = effective.as_ref().filter(|_| rg_problem.is_some()) {
        fixes.push(format!(
            "Set the profile's production resource group to {rg} if that is where the production \
             workspace is, or use a connection scoped to the subscription or to the workspace's \
             resource group."
        ));
    } else if rg_problem.is_some() {
        fixes.push(
            "Edit the connection so its scope is the subscription or the production workspace's \
             resource group, or pick another connection in the profile."
                .to_owned(),
        );
    }
    (
        PreflightCheck::fail(
            id,
            format!("{detail} {}", problems.join(" ")),
            fixes.join(" "),
            page,
        ),
        effective,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ep(v: Value) -> EndpointDto {
        serde_json::from_value(v).unwrap()
    }

    fn wanted() -> NamedRef {
        NamedRef {
            id: "e1".into(),
            name: "prod".into(),
        }
    }

    const ORG: &str = "https://dev.azure.com/contoso";

    #[test]
    fn the_resource_group_scope_is_read_as_the_task_reads_it() {
        let scoped = ep(json!({"id": "e1", "data": {"scopeLevel": "Subscription"},
            "authorization": {"scheme": "ServicePrincipal",
                "parameters": {"scope": "/subscriptions/s1/resourcegroups/rg-other"}}}));
        assert_eq!(rg_scope(&scoped), RgScope::ResourceGroup("rg-other".into()));
        let unlinked = ep(json!({"id": "e1", "data": {"scopeLevel": "Subscription"},
            "authorization": {"scheme": "ServicePrincipal", "parameters": {"scope": "/subscriptions/s1"}}}));
        assert!(matches!(rg_scope(&unlinked), RgScope::Unlinked(_)));
        let plain = ep(json!({"id": "e1", "data": {"scopeLevel": "Subscription"},
            "authorization": {"scheme": "ServicePrincipal", "parameters": {}}}));
        assert_eq!(rg_scope(&plain), RgScope::Subscription);
        let mg = ep(
            json!({"id": "e1", "data": {"scopeLevel": "ManagementGroup"},
            "authorization": {"scheme": "ServicePrincipal", "parameters": {"scope": "/x/y/z/w/v"}}}),
        );
        assert_eq!(
            rg_scope(&mg),
            RgScope::Subscription,
            "only subscription-level scopes are read"
        );
    }

    #[test]
    fn a_matching_resource_group_scope_passes_and_a_different_one_is_flagged() {
        let scoped = ep(
            json!({"id": "e1", "name": "prod", "type": "azurerm", "isReady": true,
            "data": {"scopeLevel": "Subscription", "subscriptionId": "s1"},
            "authorization": {"scheme": "ServicePrincipal",
                "parameters": {"authenticationType": "spnKey", "scope": "/subscriptions/s1/resourceGroups/RG-Prod"}}}),
        );
        let (check, rg) = judge_connection(&wanted(), Some(&scoped), "rg-prod", ORG, "P");
        assert_eq!(
            check.outcome,
            super::super::model::CheckOutcome::Pass,
            "{check:?}"
        );
        assert_eq!(rg.as_deref(), Some("RG-Prod"));
        let (check, rg) = judge_connection(&wanted(), Some(&scoped), "rg-elsewhere", ORG, "P");
        assert_eq!(check.outcome, super::super::model::CheckOutcome::Fail);
        assert_eq!(rg.as_deref(), Some("RG-Prod"));
        assert!(
            check
                .detail
                .contains("overrides the profile's rg-elsewhere"),
            "{}",
            check.detail
        );
        assert!(check.fix.unwrap().contains("RG-Prod"));
        assert_eq!(
            check.link.as_deref(),
            Some("https://dev.azure.com/contoso/P/_settings/adminservices?resourceId=e1")
        );
    }

    #[test]
    fn missing_wrong_type_and_not_ready_connections_fail() {
        use super::super::model::CheckOutcome::Fail;
        let (missing, _) = judge_connection(&wanted(), None, "rg", ORG, "My Project");
        assert_eq!(missing.outcome, Fail);
        assert_eq!(
            missing.link.as_deref(),
            Some("https://dev.azure.com/contoso/My%20Project/_settings/adminservices")
        );
        let github = ep(json!({"id": "e1", "type": "github", "isReady": true}));
        let (wrong, _) = judge_connection(&wanted(), Some(&github), "rg", ORG, "P");
        assert_eq!(wrong.outcome, Fail);
        assert!(wrong.detail.contains("azurerm"));
        let broken = ep(json!({"id": "e1", "type": "azurerm", "isReady": false}));
        let (not_ready, _) = judge_connection(&wanted(), Some(&broken), "rg", ORG, "P");
        assert_eq!(not_ready.outcome, Fail);
        assert!(not_ready.detail.contains("not ready"));
    }
}
