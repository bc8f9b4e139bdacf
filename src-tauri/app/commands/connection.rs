//! "Test connection" and the pickers of the profile form. Each takes the connection being edited
//! ([`ConnectionTarget`]): the organization URL, and either the token just typed (used for this
//! call only, never stored or returned here) or the id of a profile whose saved token to use.

use hotfix_core::ado::{tokens_page, AdoClient};
use hotfix_core::connection::{
    self, AgentQueueItem, ConnectionReport, ProjectItem, PublishBranchInfo, ReleaseDefinitionItem,
    RepositoryItem, ServiceConnectionItem,
};
use hotfix_core::profiles::{Profile, SignInMethod};
use hotfix_core::secrets::Token;
use hotfix_core::{AppError, AppResult, ErrorCode};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::state::{blocking, AppState};

/// The Azure DevOps connection the form is editing.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionTarget {
    pub organization_url: String,
    /// The saved profile whose token to use when `token` is empty.
    #[serde(default)]
    #[ts(optional)]
    pub profile_id: Option<String>,
    /// The token typed in the form, if any. Debug prints `***`.
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub token: Option<Token>,
    /// The demo profile: admits the simulator's `http://127.0.0.1` URL.
    #[serde(default)]
    pub simulated: bool,
    /// The sign-in chosen in the form; absent = personal access token.
    #[serde(default)]
    #[ts(optional)]
    pub method: Option<SignInMethod>,
}

impl ConnectionTarget {
    /// The token typed, else the saved one, else a `notSignedIn` error saying what to do.
    async fn token(self, state: &AppState) -> AppResult<(String, Token, bool)> {
        let Self {
            organization_url,
            profile_id,
            token,
            simulated,
            method: _,
        } = self;
        if let Some(token) = token.filter(|t| !t.is_empty()) {
            return Ok((organization_url, token, simulated));
        }
        let saved = match profile_id.filter(|id| !id.is_empty()) {
            Some(id) => {
                let secrets = state.secrets.clone();
                blocking(move || secrets.read(&id)).await?
            }
            None => None,
        };
        match saved {
            Some(token) => Ok((organization_url, token, simulated)),
            None => Err(AppError::new(
                ErrorCode::NotSignedIn,
                format!(
                    "Paste a personal access token first. Create one at {} (Azure DevOps → User \
                     settings → Personal access tokens).",
                    tokens_page(organization_url.trim())
                ),
            )),
        }
    }

    async fn client(self, state: &AppState) -> AppResult<AdoClient> {
        let simulated = self.simulated;
        let client = match self.method {
            Some(method @ (SignInMethod::Entra | SignInMethod::AzureCli)) => {
                // The saved profile's sign-in (tenant, client id) with the URL being edited.
                let saved = self
                    .profile_id
                    .as_deref()
                    .filter(|id| !id.is_empty())
                    .map(|id| state.profiles.get(id))
                    .transpose()?;
                let mut profile = match saved {
                    Some(p) => p,
                    None if method == SignInMethod::Entra => {
                        return Err(AppError::new(
                            ErrorCode::NotSignedIn,
                            "Save the profile and click Sign in (Microsoft Entra ID) first.",
                        ))
                    }
                    None => Profile::new_with_defaults(String::new()),
                };
                profile.organization_url = self.organization_url;
                profile.simulated = self.simulated;
                profile.sign_in.method = method;
                crate::commands::signin::client_for(state, &profile).await?
            }
            _ => {
                let (url, token, simulated) = self.token(state).await?;
                connection::client(&url, token, simulated)?
            }
        };
        Ok(state.prepare(client, simulated))
    }
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn test_connection(
    state: State<'_, AppState>,
    target: ConnectionTarget,
    project: Option<String>,
) -> AppResult<ConnectionReport> {
    let client = target.client(&state).await?;
    let report = connection::test_connection_with(&client, project.as_deref()).await?;
    tracing::info!(ok = report.ok, organization = %report.organization_url, "connection tested");
    Ok(report)
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn list_projects(
    state: State<'_, AppState>,
    target: ConnectionTarget,
) -> AppResult<Vec<ProjectItem>> {
    connection::list_projects(&target.client(&state).await?).await
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn list_repositories(
    state: State<'_, AppState>,
    target: ConnectionTarget,
    project: String,
) -> AppResult<Vec<RepositoryItem>> {
    connection::list_repositories(&target.client(&state).await?, &project).await
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn list_release_definitions(
    state: State<'_, AppState>,
    target: ConnectionTarget,
    project: String,
) -> AppResult<Vec<ReleaseDefinitionItem>> {
    connection::list_release_definitions(&target.client(&state).await?, &project).await
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn list_service_connections(
    state: State<'_, AppState>,
    target: ConnectionTarget,
    project: String,
) -> AppResult<Vec<ServiceConnectionItem>> {
    connection::list_service_connections(&target.client(&state).await?, &project).await
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn list_agent_queues(
    state: State<'_, AppState>,
    target: ConnectionTarget,
    project: String,
) -> AppResult<Vec<AgentQueueItem>> {
    connection::list_agent_queues(&target.client(&state).await?, &project).await
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn read_publish_branch(
    state: State<'_, AppState>,
    target: ConnectionTarget,
    project: String,
    repository: String,
    collaboration_branch: String,
) -> AppResult<PublishBranchInfo> {
    let client = target.client(&state).await?;
    connection::read_publish_branch(&client, &project, &repository, &collaboration_branch).await
}
