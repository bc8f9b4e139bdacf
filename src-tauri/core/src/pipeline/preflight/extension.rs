//! The Synapse Workspace Deployment extension: installed, enabled, which version. Read from the
//! installed-extensions list (`vso.extension`; the by-name call needs `vso.extension_manage`,
//! `API.md` Step 0) on the Extension Management host found through discovery.

use serde::Deserialize;

use super::model::{CheckId, PreflightCheck};
use crate::ado::{AdoClient, AdoError, Area, VssList};
use crate::error::AppError;
use crate::pipeline::catalog::{SYNAPSE_EXTENSION, SYNAPSE_PUBLISHER};

/// The extension-management api-version (preview in every version).
pub const EXTENSIONS_API_VERSION: &str = "7.1-preview.1";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledExtensionDto {
    #[serde(default)]
    pub publisher_id: String,
    #[serde(default)]
    pub extension_id: String,
    #[serde(default)]
    pub extension_name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub install_state: Option<InstallStateDto>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InstallStateDto {
    /// Comma-separated `ExtensionStateFlags`: `none`, `disabled`, `error`, `needsReauthorization`, …
    #[serde(default)]
    pub flags: String,
}

impl InstalledExtensionDto {
    fn has_flag(&self, flag: &str) -> bool {
        self.install_state.as_ref().is_some_and(|s| {
            s.flags
                .split(',')
                .any(|f| f.trim().eq_ignore_ascii_case(flag))
        })
    }
}

/// The installed Synapse extension, `Ok(None)` when it is not installed.
pub async fn read_extension(client: &AdoClient) -> Result<Option<InstalledExtensionDto>, AdoError> {
    let list: VssList<InstalledExtensionDto> = client
        .get(
            Area::ExtensionManagement,
            "_apis/extensionmanagement/installedextensions",
            &[
                ("includeDisabledExtensions", "true".to_owned()),
                ("api-version", EXTENSIONS_API_VERSION.to_owned()),
            ],
        )
        .await?;
    Ok(list.value.into_iter().find(|e| {
        e.publisher_id.eq_ignore_ascii_case(SYNAPSE_PUBLISHER)
            && e.extension_id.eq_ignore_ascii_case(SYNAPSE_EXTENSION)
    }))
}

/// The extension's Marketplace page (to install it).
pub fn marketplace_page() -> String {
    format!("https://marketplace.visualstudio.com/items?itemName={SYNAPSE_PUBLISHER}.{SYNAPSE_EXTENSION}")
}

/// The organization's extension settings (to enable or update it).
pub fn extensions_page(org: &str) -> String {
    format!("{}/_settings/extensions", org.trim_end_matches('/'))
}

/// The check and the installed version.
pub fn judge_extension(
    read: Result<Option<InstalledExtensionDto>, AdoError>,
    org: &str,
) -> (PreflightCheck, Option<String>) {
    let id = CheckId::Extension;
    let full = format!("{SYNAPSE_PUBLISHER}.{SYNAPSE_EXTENSION}");
    match read {
        Err(e) => (
            PreflightCheck::could_not_check(
                id,
                format!(
                    "The installed extensions could not be read: {}",
                    AppError::from(e).message
                ),
            ),
            None,
        ),
        Ok(None) => (
            PreflightCheck::fail(
                id,
                format!("The Synapse Workspace Deployment extension ({full}) is not installed in the organization."),
                "Install it from the Visual Studio Marketplace (an organization administrator may \
                 have to approve the request), then run the checks again.",
                Some(marketplace_page()),
            ),
            None,
        ),
        Ok(Some(ext)) => {
            let version = Some(ext.version.clone()).filter(|v| !v.is_empty());
            let what = format!(
                "{} {}",
                if ext.extension_name.is_empty() { full.as_str() } else { ext.extension_name.as_str() },
                version.as_deref().unwrap_or("(version unknown)")
            );
            let check = if ext.has_flag("disabled") {
                PreflightCheck::fail(
                    id,
                    format!("{what} is installed but disabled, so its tasks cannot run."),
                    "Enable the extension in Organization settings → Extensions, then run the \
                     checks again.",
                    Some(extensions_page(org)),
                )
            } else if ext.has_flag("error") || ext.has_flag("needsReauthorization") {
                PreflightCheck::fail(
                    id,
                    format!(
                        "{what} is installed but in an error state ({}).",
                        ext.install_state.as_ref().map(|s| s.flags.as_str()).unwrap_or_default()
                    ),
                    "Open Organization settings → Extensions and repair or re-authorize the \
                     extension, then run the checks again.",
                    Some(extensions_page(org)),
                )
            } else {
                PreflightCheck::pass(id, format!("{what} is installed and enabled."))
            };
            (check, version)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::preflight::CheckOutcome;
    use serde_json::json;

    fn ext(flags: &str) -> InstalledExtensionDto {
        serde_json::from_value(
            json!({"publisherId": "AzureSynapseWorkspace", "extensionId": "synapsecicd-deploy",
            "extensionName": "Synapse workspace deployment", "version": "2.4.0",
            "installState": {"flags": flags}}),
        )
        .unwrap()
    }

    #[test]
    fn installed_disabled_and_missing() {
        let org = "https://dev.azure.com/contoso";
        let (ok, v) = judge_extension(Ok(Some(ext("none"))), org);
        assert_eq!(ok.outcome, CheckOutcome::Pass);
        assert!(ok.detail.contains("2.4.0"));
        assert_eq!(v.as_deref(), Some("2.4.0"));
        let (off, v) = judge_extension(Ok(Some(ext("disabled, multiVersion"))), org);
        assert_eq!(off.outcome, CheckOutcome::Fail);
        assert_eq!(
            off.link.as_deref(),
            Some("https://dev.azure.com/contoso/_settings/extensions")
        );
        assert_eq!(
            v.as_deref(),
            Some("2.4.0"),
            "the version is shown even when disabled"
        );
        let (gone, v) = judge_extension(Ok(None), org);
        assert_eq!(gone.outcome, CheckOutcome::Fail);
        assert!(gone
            .link
            .unwrap()
            .starts_with("https://marketplace.visualstudio.com/"));
        assert!(v.is_none());
    }
}
