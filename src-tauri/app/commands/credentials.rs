//! Token commands. A token comes in only to be stored; no command ever returns one.

use hotfix_core::hotfix::HotfixService;
use hotfix_core::secrets::{KeychainStatus, Token, TokenSaved};
use hotfix_core::AppResult;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::state::{blocking, AppState};

/// Whether a token is saved for a profile, and where tokens are kept.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TokenStatus {
    pub stored: bool,
    pub keychain: KeychainStatus,
}

/// Stores the token; the hotfix run's cached Azure DevOps session of that profile is dropped so
/// the next call uses the new token.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix, token), err)]
pub async fn set_token(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    profile_id: String,
    token: Token,
) -> AppResult<TokenSaved> {
    hotfix.forget_session(&profile_id);
    let secrets = state.secrets.clone();
    let saved = blocking(move || secrets.store(&profile_id, &token)).await?;
    tracing::info!(persisted = saved.persisted, "token saved");
    Ok(saved)
}

#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn delete_token(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    profile_id: String,
) -> AppResult<()> {
    hotfix.forget_session(&profile_id);
    let secrets = state.secrets.clone();
    blocking(move || secrets.delete(&profile_id)).await
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn token_status(
    state: State<'_, AppState>,
    profile_id: String,
) -> AppResult<TokenStatus> {
    let secrets = state.secrets.clone();
    blocking(move || {
        let stored = secrets.has_token(&profile_id)?;
        Ok(TokenStatus {
            stored,
            keychain: secrets.status(),
        })
    })
    .await
}
