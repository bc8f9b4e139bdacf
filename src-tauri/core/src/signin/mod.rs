//! Signing in without a personal access token.
//!
//! * [`flow`]: Microsoft Entra ID authorization code + PKCE (S256) in the system browser, with a
//!   [`loopback`] listener on `127.0.0.1` that lives only for one sign-in (`oauth2` crate for the
//!   protocol);
//! * [`session`]: one refresh token per profile in the keychain, three access tokens from it
//!   (Azure DevOps, Synapse data plane, ARM) kept in memory and refreshed before they expire or
//!   after a 401;
//! * [`azcli`]: the Azure CLI fallback (`az account get-access-token`).
//!
//! No token is ever logged, written to a file or returned to the UI: they stay in [`Token`]s.

pub mod azcli;
mod errors;
pub mod flow;
pub mod loopback;
pub mod session;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use crate::error::{AppError, AppResult};
use crate::profiles::Profile;
pub use crate::secrets::Token;

pub use flow::{begin, PendingSignIn, SignedIn};
pub use session::{EntraSession, SignInSessions};

/// The public Microsoft Entra ID authority.
pub const ENTRA_AUTHORITY: &str = "https://login.microsoftonline.com";
/// Path of the simulator's Entra-like authority below its base URL (`ado-sim`).
pub const SIMULATED_AUTHORITY_PATH: &str = "_entra";
/// How long a sign-in waits for the browser before giving up.
pub const DEFAULT_SIGN_IN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// A resource the app needs a token for. One refresh token obtains all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Resource {
    /// Azure DevOps REST and git over HTTPS.
    DevOps,
    /// The Synapse data plane (triggers, artifacts).
    Synapse,
    /// Azure Resource Manager.
    Arm,
}

impl Resource {
    pub const ALL: [Resource; 3] = [Resource::DevOps, Resource::Synapse, Resource::Arm];

    /// The `.default` scope asked for at the token endpoint (AUTH-AND-ERRORS.md §6a).
    pub fn scope(self) -> &'static str {
        match self {
            Resource::DevOps => "499b84ac-1321-427f-aa17-267ca6975798/.default",
            Resource::Synapse => "https://dev.azuresynapse.net/.default",
            Resource::Arm => "https://management.azure.com/.default",
        }
    }

    /// The `--resource` of `az account get-access-token`.
    pub fn cli_resource(self) -> &'static str {
        match self {
            Resource::DevOps => "499b84ac-1321-427f-aa17-267ca6975798",
            Resource::Synapse => "https://dev.azuresynapse.net",
            Resource::Arm => "https://management.azure.com",
        }
    }

    /// For messages.
    pub fn label(self) -> &'static str {
        match self {
            Resource::DevOps => "Azure DevOps",
            Resource::Synapse => "the Synapse data plane",
            Resource::Arm => "Azure Resource Manager",
        }
    }
}

/// Who is signed in (never a secret; shown in the profile and in Test connection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignInAccount {
    /// The sign-in name, e.g. `jamal@contoso.com`.
    pub username: String,
    /// The display name, e.g. `Jamal Hartnett`; may be empty.
    pub name: String,
    /// The directory (tenant) id the account signed in to; may be empty when unknown.
    pub tenant_id: String,
}

impl SignInAccount {
    /// `Jamal Hartnett (jamal@contoso.com)`, or just the user name.
    pub fn display(&self) -> String {
        if self.name.trim().is_empty() || self.name == self.username {
            self.username.clone()
        } else {
            format!("{} ({})", self.name, self.username)
        }
    }
}

/// Where a profile signs in: the authority base URL, tenant and client id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    /// `https://login.microsoftonline.com`, or the simulator's `{base}/_entra`.
    pub base: Url,
    pub tenant: String,
    pub client_id: String,
}

impl Authority {
    pub fn new(base: &str, tenant: &str, client_id: &str) -> AppResult<Self> {
        let base = Url::parse(base.trim_end_matches('/')).map_err(|e| {
            AppError::invalid_input(format!(
                "The sign-in authority '{base}' is not a URL ({e})."
            ))
        })?;
        Ok(Self {
            base,
            tenant: tenant.trim().to_owned(),
            client_id: client_id.trim().to_owned(),
        })
    }

    /// The authority of a profile: the public one, or for a simulated profile the simulator that
    /// serves its organization (same loopback origin, path `/_entra`).
    pub fn for_profile(profile: &Profile) -> AppResult<Self> {
        let base = if profile.simulated {
            let org = Url::parse(profile.organization_url.trim()).map_err(|e| {
                AppError::invalid_input(format!(
                    "The organization URL '{}' is not a URL ({e}).",
                    profile.organization_url
                ))
            })?;
            format!(
                "{}/{SIMULATED_AUTHORITY_PATH}",
                org.origin().ascii_serialization()
            )
        } else {
            ENTRA_AUTHORITY.to_owned()
        };
        Self::new(&base, &profile.sign_in.tenant, &profile.sign_in.client_id)
    }

    fn endpoint(&self, last: &str) -> AppResult<Url> {
        let raw = format!(
            "{}/{}/oauth2/v2.0/{last}",
            self.base.as_str().trim_end_matches('/'),
            self.tenant
        );
        Url::parse(&raw).map_err(|e| {
            AppError::invalid_input(format!(
                "The tenant '{}' does not make a valid sign-in address ({e}).",
                self.tenant
            ))
        })
    }

    pub fn authorize_url(&self) -> AppResult<Url> {
        self.endpoint("authorize")
    }

    pub fn token_url(&self) -> AppResult<Url> {
        self.endpoint("token")
    }

    /// The tenant's OpenID Connect discovery document.
    pub fn discovery_url(&self) -> AppResult<Url> {
        let raw = format!(
            "{}/{}/v2.0/.well-known/openid-configuration",
            self.base.as_str().trim_end_matches('/'),
            self.tenant
        );
        Url::parse(&raw).map_err(|e| {
            AppError::invalid_input(format!(
                "The tenant '{}' does not make a valid sign-in address ({e}).",
                self.tenant
            ))
        })
    }

    /// `host[:port]` for messages.
    pub fn host(&self) -> String {
        match (self.base.host_str(), self.base.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => self.base.to_string(),
        }
    }
}

/// The keychain user name of a profile's Entra ID sign-in (beside the PAT under the plain id).
pub fn keychain_user(profile_id: &str) -> String {
    format!("{profile_id}:entra")
}

#[cfg(test)]
mod tests;
