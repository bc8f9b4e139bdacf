//! The allowlist in front of the system browser: the app only ever hands `https` URLs on Azure
//! Synapse and Azure DevOps hosts to `open` — plus, in demo mode, the built-in simulator's loopback
//! address. Anything else is refused with an error that says why.

use url::Url;

use crate::error::{AppError, AppResult};

/// Hosts accepted exactly.
const EXACT_HOSTS: [&str; 4] = [
    "web.azuresynapse.net",
    "dev.azure.com",
    "web.azuresynapse.azure.cn",
    "web.azuresynapse.usgovcloudapi.net",
];

/// Hosts accepted with any sub-domain (`{workspace}.dev.azuresynapse.net`, `{org}.visualstudio.com`).
const HOST_SUFFIXES: [&str; 5] = [
    ".azuresynapse.net",
    ".visualstudio.com",
    ".dev.azure.com",
    ".azuresynapse.azure.cn",
    ".azuresynapse.usgovcloudapi.net",
];

/// Checks `raw` against the allowlist. `demo_base` is the simulator's base URL when the active
/// profile is the demo one: URLs below it (same scheme, loopback host and port) are accepted too.
pub fn check(raw: &str, demo_base: Option<&Url>) -> AppResult<Url> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        AppError::invalid_input(format!(
            "Cannot open \"{raw}\": it is not a valid web address ({e}). Nothing was opened."
        ))
    })?;
    if let Some(base) = demo_base {
        let loopback = matches!(base.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if loopback
            && url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default()
        {
            return Ok(url);
        }
    }
    let refused = |why: &str| {
        AppError::invalid_input(format!(
            "Refused to open {url}: {why}. The app only opens https addresses of Azure Synapse \
             (*.azuresynapse.net) and Azure DevOps (dev.azure.com, *.visualstudio.com). Check the \
             organization URL and workspace names in the profile."
        ))
    };
    if url.scheme() != "https" {
        return Err(refused("it is not an https address"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused("it carries credentials"));
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let allowed = EXACT_HOSTS.contains(&host.as_str())
        || HOST_SUFFIXES
            .iter()
            .any(|s| host.ends_with(s) && host.len() > s.len());
    if !allowed {
        return Err(refused(
            "its host is not an Azure Synapse or Azure DevOps host",
        ));
    }
    Ok(url)
}

/// The sign-in pages the app opens: `https://login.microsoftonline.com/…`, or for a simulated
/// profile the authority of its own simulator (`simulator` = the organization URL's loopback
/// origin). Nothing else.
pub fn check_sign_in(raw: &str, simulator: Option<&Url>) -> AppResult<Url> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        AppError::invalid_input(format!(
            "Cannot open the sign-in page \"{raw}\": it is not a valid web address ({e})."
        ))
    })?;
    if let Some(base) = simulator {
        if crate::ado::auth::is_loopback(base)
            && url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default()
            && url.path().starts_with("/_entra/")
        {
            return Ok(url);
        }
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if url.scheme() == "https"
        && url.username().is_empty()
        && url.password().is_none()
        && host == "login.microsoftonline.com"
    {
        return Ok(url);
    }
    Err(AppError::invalid_input(format!(
        "Refused to open {url}: the app only opens the Microsoft Entra ID sign-in page \
         (https://login.microsoftonline.com) for signing in."
    )))
}

/// Synapse Studio for a workspace, e.g.
/// `https://web.azuresynapse.net/en/home?workspace=%2Fsubscriptions%2F…%2Fworkspaces%2Fdev-ws`.
pub fn synapse_studio_url(subscription_id: &str, resource_group: &str, workspace: &str) -> Url {
    let resource = format!(
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/Microsoft.Synapse/workspaces/{workspace}"
    );
    let mut url =
        Url::parse("https://web.azuresynapse.net/en/home").unwrap_or_else(|_| unreachable!());
    url.query_pairs_mut().append_pair("workspace", &resource);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_azure_synapse_and_devops_https_urls() {
        for ok in [
            "https://web.azuresynapse.net/en/home?workspace=x",
            "https://contoso-dev.dev.azuresynapse.net/triggers",
            "https://dev.azure.com/contoso/DataPlatform/_git/repo",
            "https://contoso.visualstudio.com/DataPlatform",
            "https://web.azuresynapse.azure.cn/",
        ] {
            assert!(check(ok, None).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_other_schemes_hosts_lookalikes_and_credentials() {
        for bad in [
            "http://web.azuresynapse.net/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "https://evil.example.com/",
            "https://azuresynapse.net.evil.com/",
            "https://evilvisualstudio.com/",
            "https://user:pw@dev.azure.com/contoso",
            "https://127.0.0.1:8080/x",
            "not a url",
        ] {
            let err = check(bad, None).unwrap_err();
            assert_eq!(err.code, crate::error::ErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn demo_mode_accepts_only_the_simulator_loopback_address() {
        let base = Url::parse("http://127.0.0.1:4711").unwrap();
        assert!(check(
            "http://127.0.0.1:4711/contoso/DataPlatform/_git/r?version=GBx",
            Some(&base)
        )
        .is_ok());
        assert!(check("http://127.0.0.1:4712/", Some(&base)).is_err());
        assert!(check("http://localhost:4711/", Some(&base)).is_err());
        let not_loopback = Url::parse("http://example.com:80").unwrap();
        assert!(check("http://example.com/x", Some(&not_loopback)).is_err());
    }

    #[test]
    fn sign_in_opens_only_the_entra_authority_or_the_profiles_own_simulator() {
        let ok =
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=x";
        assert!(check_sign_in(ok, None).is_ok());
        for bad in [
            "http://login.microsoftonline.com/organizations/oauth2/v2.0/authorize",
            "https://login.microsoftonline.com.evil.com/x",
            "https://dev.azure.com/contoso",
            "https://u:p@login.microsoftonline.com/x",
            "http://127.0.0.1:4711/_entra/organizations/oauth2/v2.0/authorize",
        ] {
            assert!(check_sign_in(bad, None).is_err(), "{bad}");
        }
        let sim = Url::parse("http://127.0.0.1:4711").unwrap();
        assert!(check_sign_in(
            "http://127.0.0.1:4711/_entra/organizations/oauth2/v2.0/authorize?x=1",
            Some(&sim)
        )
        .is_ok());
        assert!(check_sign_in("http://127.0.0.1:4711/contoso/_apis", Some(&sim)).is_err());
        assert!(check_sign_in("http://127.0.0.1:4712/_entra/x", Some(&sim)).is_err());
    }

    #[test]
    fn studio_url_encodes_the_workspace_resource_id() {
        let url = synapse_studio_url("sub-1", "rg-data", "contoso-synapse-dev");
        assert_eq!(
            url.as_str(),
            "https://web.azuresynapse.net/en/home?workspace=%2Fsubscriptions%2Fsub-1%2FresourceGroups%2Frg-data%2Fproviders%2FMicrosoft.Synapse%2Fworkspaces%2Fcontoso-synapse-dev"
        );
        assert!(check(url.as_str(), None).is_ok());
    }
}
