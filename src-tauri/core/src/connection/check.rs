//! "Test connection": is the URL right, does the host answer, is the token a credential (not a
//! sign-in page), is it accepted, and does it carry each read scope the wizard needs? Write scopes
//! cannot be checked without changing something, so they are listed but not probed.

use futures::future::join_all;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ado::{tokens_page, AdoClient, AdoError, Area, VssList};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::secrets::Token;

/// A scope the app needs, with the label the PAT page shows and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ScopeInfo {
    pub scope: String,
    pub label: String,
    pub why: String,
}

/// The scopes to tick when creating the token (scope ids and labels from Azure DevOps' "Scopes"
/// documentation and the `security` blocks of the 7.1 REST specs).
pub const REQUIRED_SCOPES: [(&str, &str, &str); 7] = [
    ("vso.project", "Project and Team (Read)", "list projects"),
    (
        "vso.code_write",
        "Code (Read & write)",
        "read the repository, create hotfix branches and pull requests",
    ),
    (
        "vso.release_execute",
        "Release (Read, write & execute)",
        "read releases, create the hotfix pipeline and deploy",
    ),
    (
        "vso.build",
        "Build (Read)",
        "resolve Build artifacts to their commit",
    ),
    (
        "vso.serviceendpoint",
        "Service Connections (Read & query)",
        "check the production service connection",
    ),
    (
        "vso.agentpools",
        "Agent Pools (Read)",
        "find the agent queue and the Synapse tasks",
    ),
    (
        "vso.extension",
        "Extensions (Read)",
        "check that the Synapse deployment extension is installed",
    ),
];

/// The result of one read-scope probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ScopeCheck {
    /// The read scope probed, e.g. `vso.release`.
    pub scope: String,
    pub label: String,
    pub ok: bool,
    /// Why it failed (code `missingScope`, `noPermission`, …).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<AppError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionReport {
    /// The normalised organization URL.
    pub organization_url: String,
    /// Where Release Management lives for this organization (discovered).
    pub release_url: String,
    /// Who the token signs in as ("Jamal Hartnett (jamal@contoso.com)"), from
    /// `_apis/connectionData`; absent when the server does not say.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The account of an Entra ID or Azure CLI sign-in, e.g. "Jamal Hartnett
    /// (jamal@contoso.com)"; absent for a personal access token.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_in_as: Option<String>,
    /// True when every probe passed.
    pub ok: bool,
    pub checks: Vec<ScopeCheck>,
    /// Scopes that cannot be probed without changing something.
    pub unverified: Vec<ScopeInfo>,
    /// Every scope the token should have.
    pub required_scopes: Vec<ScopeInfo>,
    /// Where to create a token.
    pub tokens_url: String,
    /// One sentence for the UI.
    pub summary: String,
}

fn scope_infos(filter: impl Fn(&str) -> bool) -> Vec<ScopeInfo> {
    REQUIRED_SCOPES
        .iter()
        .filter(|(s, _, _)| filter(s))
        .map(|(scope, label, why)| ScopeInfo {
            scope: (*scope).into(),
            label: (*label).into(),
            why: (*why).into(),
        })
        .collect()
}

/// Tests the organization URL and token. A failure that makes every other call pointless (bad
/// URL, unreachable host, sign-in page, rejected token) is the `Err`; scope and permission
/// problems of single areas are reported per check in the `Ok` report. With `project`, the
/// project-level reads (code, release, build, service connections, agent queues) are probed too.
pub async fn test_connection(
    org_url: &str,
    token: Token,
    simulated: bool,
    project: Option<&str>,
) -> AppResult<ConnectionReport> {
    let client = super::client(org_url, token, simulated)?;
    test_connection_with(&client, project).await
}

/// [`test_connection`] with a client that already has its credential (a PAT, or bearer tokens
/// of the Entra ID sign-in or the Azure CLI).
pub async fn test_connection_with(
    client: &AdoClient,
    project: Option<&str>,
) -> AppResult<ConnectionReport> {
    let client = client.clone();
    let bearer = client.credential().can_refresh();
    let account = client.credential().account();
    let org = client.org_url_str().to_owned();
    let tokens_url = tokens_page(&org);

    // The gate: one cheap call that needs only vso.project.
    let first: Result<VssList<serde_json::Value>, AdoError> = client
        .get(Area::Core, "_apis/projects", &[("$top", "1".to_owned())])
        .await;
    if let Err(e) = first {
        if bearer {
            return Err(bearer_gate_error(&e, &org, account.as_deref()));
        }
        let mut err = AppError::from(e);
        if err.code == ErrorCode::TokenRejected || err.code == ErrorCode::MissingScope {
            err.message
                .push_str(&format!(" The token needs these scopes: {}.", scope_list()));
        }
        return Err(err);
    }

    let release_url = match client.base(Area::Release).await {
        Ok(url) => url.as_str().trim_end_matches('/').to_owned(),
        Err(e) => return Err(AppError::from(e)),
    };

    let user = signed_in_user(&client).await.or_else(|| account.clone());
    let signed_in_as = account.clone();

    let mut probes: Vec<(&str, &str, Probe)> =
        vec![("vso.extension", "Extensions (Read)", Probe::Extensions)];
    if let Some(project) = project.map(str::trim).filter(|p| !p.is_empty()) {
        probes.extend([
            ("vso.code", "Code (Read)", Probe::Repos(project.to_owned())),
            (
                "vso.release",
                "Release (Read)",
                Probe::Release(project.to_owned()),
            ),
            (
                "vso.build",
                "Build (Read)",
                Probe::Build(project.to_owned()),
            ),
            (
                "vso.serviceendpoint",
                "Service Connections (Read & query)",
                Probe::Endpoints(project.to_owned()),
            ),
            (
                "vso.agentpools",
                "Agent Pools (Read)",
                Probe::Queues(project.to_owned()),
            ),
        ]);
    }
    let results = join_all(probes.iter().map(|(_, _, probe)| probe.run(&client))).await;
    let mut checks = vec![ScopeCheck {
        scope: "vso.project".into(),
        label: "Project and Team (Read)".into(),
        ok: true,
        error: None,
    }];
    for ((scope, label, _), result) in probes.iter().zip(results) {
        let error = result
            .err()
            .map(|e| scope_error(&e, scope, label, &tokens_url, bearer));
        checks.push(ScopeCheck {
            scope: (*scope).into(),
            label: (*label).into(),
            ok: error.is_none(),
            error,
        });
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    let summary = if failed == 0 {
        if project.is_some() {
            "Connected. The token can read everything the wizard needs; write access is checked when it is used.".to_owned()
        } else {
            "Connected. Pick a project to check the remaining permissions.".to_owned()
        }
    } else {
        format!("Connected, but {failed} check(s) failed; see below. Create a token with the listed scopes at {tokens_url}.")
    };
    Ok(ConnectionReport {
        organization_url: org,
        release_url,
        user,
        signed_in_as,
        ok: failed == 0,
        checks,
        unverified: scope_infos(|s| s == "vso.code_write" || s == "vso.release_execute"),
        required_scopes: scope_infos(|_| true),
        tokens_url,
        summary,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionData {
    #[serde(default)]
    authenticated_user: Option<IdentityDto>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdentityDto {
    #[serde(default)]
    provider_display_name: Option<String>,
    #[serde(default)]
    properties: Option<serde_json::Value>,
}

/// The display name (and account) the token signs in as. Informational: any failure is `None`.
pub(crate) async fn signed_in_user(client: &AdoClient) -> Option<String> {
    let query = [("api-version", "7.1-preview.1".to_owned())];
    let data: ConnectionData = match client.get(Area::Core, "_apis/connectionData", &query).await {
        Ok(d) => d,
        Err(e) => {
            tracing::debug!(error = %e, "connectionData unavailable");
            return None;
        }
    };
    let user = data.authenticated_user?;
    let name = user
        .provider_display_name
        .filter(|n| !n.trim().is_empty())?;
    let account = user
        .properties
        .as_ref()
        .and_then(|p| p.pointer("/Account/$value"))
        .and_then(serde_json::Value::as_str)
        .filter(|a| !a.is_empty() && *a != name);
    Some(match account {
        Some(a) => format!("{name} ({a})"),
        None => name,
    })
}

/// Why Azure DevOps refused a bearer token on the first call, after the client already refreshed
/// it once: the account is not in the organization, or signed in to a tenant that does not back
/// it (the 401 names the tenant). Other failures keep their own message.
fn bearer_gate_error(err: &AdoError, org: &str, account: Option<&str>) -> AppError {
    let base = AppError::from(err.clone());
    let refused = matches!(err.status(), Some(401 | 403)) || err.status() == Some(203);
    if !refused {
        return base;
    }
    let who = account.unwrap_or("your account");
    let said = err
        .vss()
        .map(|v| v.message.clone())
        .filter(|m| !m.is_empty())
        .map(|m| format!(" Azure DevOps said: \"{m}\""))
        .unwrap_or_default();
    let detail = err.to_string();
    if said.to_ascii_lowercase().contains("tenant") {
        return AppError::new(
            ErrorCode::WrongTenant,
            format!(
                "You signed in as {who}, but {org} is connected to another Microsoft Entra \
                 tenant than the one you signed in to.{said} Set the profile's Tenant to the \
                 directory that backs the organization (Azure DevOps → Organization settings → \
                 Microsoft Entra shows it), then sign in again."
            ),
        )
        .with_detail(detail);
    }
    AppError::new(
        ErrorCode::NoOrganizationAccess,
        format!(
            "You signed in as {who}, but Azure DevOps did not let that account into {org}.{said} \
             Ask an administrator of the organization to add you (Organization settings → \
             Users), or sign out and sign in with the account that has access."
        ),
    )
    .with_detail(detail)
}

fn scope_list() -> String {
    REQUIRED_SCOPES
        .iter()
        .map(|(_, label, _)| *label)
        .collect::<Vec<_>>()
        .join(", ")
}

/// After the gate call succeeded the token is valid, so a 401 on one area means a missing scope.
fn scope_error(
    err: &AdoError,
    scope: &str,
    label: &str,
    tokens_url: &str,
    bearer: bool,
) -> AppError {
    let base = AppError::from(err.clone());
    if err.status() == Some(401) && bearer {
        return AppError::new(
            ErrorCode::MissingScope,
            format!(
                "You are signed in, but your sign-in cannot use {label} ({scope}). The app \
                 registration may lack the Azure DevOps permission, or your account has no \
                 access to this area: ask an organization or project administrator."
            ),
        )
        .with_detail(err.to_string());
    }
    if err.status() == Some(401) {
        return AppError::new(
            ErrorCode::MissingScope,
            format!(
                "The token is valid but lacks the scope {label} ({scope}). Create a token that \
                 includes it at {tokens_url} and paste it in Profile → Credentials."
            ),
        )
        .with_detail(err.to_string());
    }
    base
}

enum Probe {
    Extensions,
    Repos(String),
    Release(String),
    Build(String),
    Endpoints(String),
    Queues(String),
}

impl Probe {
    async fn run(&self, client: &AdoClient) -> Result<(), AdoError> {
        use crate::ado::encode_segment as seg;
        let top = |n: &str| ("$top", n.to_owned());
        match self {
            Probe::Extensions => client
                .get::<serde_json::Value>(
                    Area::ExtensionManagement,
                    "_apis/extensionmanagement/installedextensions",
                    &[("api-version", "7.1-preview.1".to_owned())],
                )
                .await
                .map(drop),
            Probe::Repos(p) => client
                .get::<serde_json::Value>(
                    Area::Core,
                    &format!("{}/_apis/git/repositories", seg(p)),
                    &[],
                )
                .await
                .map(drop),
            Probe::Release(p) => client
                .get::<serde_json::Value>(
                    Area::Release,
                    &format!("{}/_apis/release/definitions", seg(p)),
                    &[top("1")],
                )
                .await
                .map(drop),
            Probe::Build(p) => client
                .get::<serde_json::Value>(
                    Area::Core,
                    &format!("{}/_apis/build/builds", seg(p)),
                    &[top("1")],
                )
                .await
                .map(drop),
            Probe::Endpoints(p) => client
                .get::<serde_json::Value>(
                    Area::Core,
                    &format!("{}/_apis/serviceendpoint/endpoints", seg(p)),
                    &[("type", "azurerm".to_owned())],
                )
                .await
                .map(drop),
            Probe::Queues(p) => client
                .get::<serde_json::Value>(
                    Area::Core,
                    &format!("{}/_apis/distributedtask/queues", seg(p)),
                    &[],
                )
                .await
                .map(drop),
        }
    }
}
