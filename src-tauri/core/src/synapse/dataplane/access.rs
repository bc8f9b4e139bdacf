//! Which token the data plane gets: the profile's Microsoft Entra ID sign-in (one refresh token
//! covers `https://dev.azuresynapse.net`), else the Azure CLI (`az account get-access-token
//! --resource https://dev.azuresynapse.net`), else, for the demo, the simulator's own token. Each
//! candidate is asked for a token once before it is chosen, so a sign-in that cannot give one
//! falls through to the next; when none can, [`DataPlaneUnavailable`] says why and what to do.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::TokenSource;
use crate::ado::BearerSource;
use crate::error::{AppError, ErrorCode};
use crate::profiles::Profile;
use crate::secrets::Token;
use crate::signin::azcli::AzureCli;
use crate::signin::{Resource, SignInSessions};

/// What a session may use to get a data-plane token. The app sets it on every session
/// ([`crate::hotfix::Session::set_synapse_access`]); an unset one tries nothing.
#[derive(Clone, Default)]
pub struct SynapseAccess {
    /// The app's Entra ID sign-ins; the profile's session is looked up in it.
    pub sign_in: Option<Arc<SignInSessions>>,
    /// The Azure CLI to ask when there is no Entra ID token (real profiles only).
    pub azure_cli: Option<AzureCli>,
    /// The simulator's data-plane token (the demo; simulated profiles only).
    pub simulator_token: Option<Token>,
}

impl std::fmt::Debug for SynapseAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SynapseAccess")
            .field("sign_in", &self.sign_in.is_some())
            .field("azure_cli", &self.azure_cli.is_some())
            .field("simulator_token", &self.simulator_token.is_some())
            .finish()
    }
}

/// No data-plane token could be had: why, and what the user can do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
#[error("{reason}")]
pub struct DataPlaneUnavailable {
    pub reason: String,
    pub what_to_do: String,
}

impl From<DataPlaneUnavailable> for AppError {
    fn from(u: DataPlaneUnavailable) -> Self {
        AppError::new(
            ErrorCode::NotSignedIn,
            format!("{} {}", u.reason, u.what_to_do),
        )
    }
}

/// A fixed token (the simulator's).
struct FixedToken(Token);

impl BearerSource for FixedToken {
    fn access_token(&self, _force_refresh: bool) -> BoxFuture<'_, Result<Token, AppError>> {
        let t = self.0.clone();
        Box::pin(async move { Ok(t) })
    }

    fn account(&self) -> Option<String> {
        Some("the demo user".into())
    }
}

type Picked = (TokenSource, Arc<dyn BearerSource>, Option<String>);

/// The first token source that gives a token, in the documented order.
pub(super) async fn pick(
    access: &SynapseAccess,
    profile: &Profile,
    workspace: &str,
) -> Result<Picked, DataPlaneUnavailable> {
    let mut tried: Vec<String> = Vec::new();
    if let Some(sessions) = &access.sign_in {
        match sessions.session(profile).await {
            Ok(session) => {
                let bearer = session.bearer(Resource::Synapse);
                match bearer.access_token(false).await {
                    Ok(_) => {
                        let account = bearer.account();
                        return Ok((TokenSource::EntraSignIn, bearer, account));
                    }
                    Err(e) => tried.push(format!(
                        "the Entra ID sign-in gave no token ({})",
                        e.message
                    )),
                }
            }
            Err(e) if e.code == ErrorCode::NotSignedIn => {
                tried.push("the profile is not signed in with Microsoft Entra ID".into());
            }
            Err(e) => tried.push(format!(
                "the Entra ID sign-in could not be read ({})",
                e.message
            )),
        }
    }
    if !profile.simulated {
        if let Some(cli) = &access.azure_cli {
            match cli.account().await {
                Ok(account) => {
                    let bearer = cli.bearer(Resource::Synapse, Some(account.display()));
                    match bearer.access_token(false).await {
                        Ok(_) => {
                            return Ok((TokenSource::AzureCli, bearer, Some(account.display())))
                        }
                        Err(e) => {
                            tried.push(format!("the Azure CLI gave no token ({})", e.message));
                        }
                    }
                }
                Err(e) => tried.push(format!("the Azure CLI is not usable ({})", e.message)),
            }
        }
    } else if let Some(token) = &access.simulator_token {
        return Ok((
            TokenSource::Simulator,
            Arc::new(FixedToken(token.clone())),
            Some("the demo user".into()),
        ));
    }
    if tried.is_empty() {
        tried.push("no sign-in is available to this session".into());
    }
    let what_to_do = if profile.simulated {
        "Sign the demo profile in (Profile → Sign in), or start the demo again (About → Reset \
         the demo), then run the review again."
    } else {
        "Sign in with Microsoft Entra ID in the profile (the same sign-in covers the Synapse data \
         plane), or run 'az login' in a terminal so that 'az account get-access-token --resource \
         https://dev.azuresynapse.net' works, then run the review again."
    };
    Err(DataPlaneUnavailable {
        reason: format!(
            "No token for the Synapse data plane of workspace '{workspace}': {}.",
            tried.join("; ")
        ),
        what_to_do: what_to_do.into(),
    })
}
