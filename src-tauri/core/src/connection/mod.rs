//! Connecting a profile to Azure DevOps: a client from a profile and its saved token, the
//! "Test connection" check (sign-in, token, scopes, hosts), and the pickers that fill the profile
//! form from the real API (projects, repositories, release definitions and stages, service
//! connections, agent queues, the publish branch).

mod check;
mod pickers;

pub(crate) use check::signed_in_user;
pub use check::{
    test_connection, test_connection_with, ConnectionReport, ScopeCheck, ScopeInfo, REQUIRED_SCOPES,
};
pub use pickers::{
    list_agent_queues, list_projects, list_release_definitions, list_repositories,
    list_service_connections, read_publish_branch, AgentQueueItem, ProjectItem, PublishBranchInfo,
    ReleaseDefinitionItem, RepositoryItem, ServiceConnectionItem,
};

use std::sync::Arc;

use crate::ado::{tokens_page, AdoClient, BearerSource, ClientOptions, Credential};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::profiles::{Profile, SignInMethod};
use crate::secrets::{SecretStore, Token};
use crate::signin::azcli::AzureCli;
use crate::signin::{Resource, SignInSessions};
use crate::validate::normalize_org_url;

/// A client for `org_url` that signs in with bearer tokens from `source` (Entra ID, Azure CLI).
pub fn bearer_client(
    org_url: &str,
    simulated: bool,
    source: Arc<dyn BearerSource>,
) -> AppResult<AdoClient> {
    let normalized = normalize_org_url(org_url, simulated).map_err(AppError::invalid_input)?;
    AdoClient::with_credential(
        &normalized,
        Credential::Bearer(source),
        ClientOptions::default(),
    )
    .map_err(AppError::from)
}

/// A client for a saved profile with its sign-in: the PAT from the keychain, the Entra ID
/// session (refresh token in the keychain), or the Azure CLI's account.
pub async fn client_for_sign_in(
    profile: &Profile,
    secrets: &SecretStore,
    sessions: &SignInSessions,
    cli: &AzureCli,
) -> AppResult<AdoClient> {
    match profile.sign_in.method {
        SignInMethod::Pat => client_for(profile, secrets),
        SignInMethod::Entra => {
            let session = sessions.session(profile).await?;
            bearer_client(
                &profile.organization_url,
                profile.simulated,
                session.bearer(Resource::DevOps),
            )
        }
        SignInMethod::AzureCli => {
            let account = cli.account().await?;
            bearer_client(
                &profile.organization_url,
                profile.simulated,
                cli.bearer(Resource::DevOps, Some(account.display())),
            )
        }
    }
}

/// A client for `org_url` and `token`, with the URL checked by the same rules as the profile form
/// (`simulated` admits `http://127.0.0.1`).
pub fn client(org_url: &str, token: Token, simulated: bool) -> AppResult<AdoClient> {
    let normalized = normalize_org_url(org_url, simulated).map_err(AppError::invalid_input)?;
    if token.is_empty() {
        return Err(AppError::invalid_input(format!(
            "Paste a personal access token. Create one at {} with the scopes listed under the field.",
            tokens_page(&normalized)
        )));
    }
    AdoClient::new(&normalized, token).map_err(AppError::from)
}

/// A client for a saved profile, with the token from the keychain (or this session).
pub fn client_for(profile: &Profile, secrets: &SecretStore) -> AppResult<AdoClient> {
    let Some(token) = secrets.read(&profile.id)? else {
        let normalized = normalize_org_url(&profile.organization_url, profile.simulated)
            .unwrap_or_else(|_| profile.organization_url.clone());
        return Err(AppError::new(
            ErrorCode::NotSignedIn,
            format!(
                "No personal access token is saved for the profile \"{}\". Create one at {} and \
                 paste it in Profile → Credentials.",
                profile.name,
                tokens_page(&normalized)
            ),
        ));
    };
    client(&profile.organization_url, token, profile.simulated)
}
