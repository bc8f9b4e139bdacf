//! Sign-in commands: Microsoft Entra ID in the system browser (with cancel), sign out, the
//! signed-in account, and the Azure CLI's account. No command takes or returns a token.

use std::sync::Arc;

use hotfix_core::ado::AdoClient;
use hotfix_core::connection;
use hotfix_core::hotfix::HotfixService;
use hotfix_core::profiles::{Profile, SignInMethod};
use hotfix_core::secrets::KeychainStatus;
use hotfix_core::signin::azcli::AzureCli;
use hotfix_core::signin::session::SignInOptions;
use hotfix_core::signin::SignInAccount;
use hotfix_core::synapse::dataplane::SynapseAccess;
use hotfix_core::{AppError, AppResult};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::state::{blocking, AppState};

/// How a saved profile is signed in right now.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignInStatus {
    pub method: SignInMethod,
    /// Who is signed in with Microsoft Entra ID; absent when nobody is.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<SignInAccount>,
    /// A sign-in of this profile waits for the browser.
    pub pending: bool,
    pub keychain: KeychainStatus,
}

/// A client for a saved profile with its sign-in (PAT, Entra ID or Azure CLI).
pub async fn client_for(state: &AppState, profile: &Profile) -> AppResult<AdoClient> {
    if profile.sign_in.method == SignInMethod::Pat {
        let secrets = Arc::clone(&state.secrets);
        let p = profile.clone();
        return blocking(move || connection::client_for(&p, &secrets)).await;
    }
    connection::client_for_sign_in(
        profile,
        &state.secrets,
        &state.sign_in,
        &AzureCli::default(),
    )
    .await
}

/// How a session of `profile` may get a Synapse data-plane token: the app's Entra ID sign-ins,
/// the Azure CLI, and, while the demo runs, the simulator's own token (simulated profiles only).
pub async fn synapse_access(state: &AppState, profile: &Profile) -> SynapseAccess {
    let simulator_token = if profile.simulated {
        let slot = state.demo.lock().await;
        slot.as_ref()
            .map(|d| hotfix_core::secrets::Token::new(d.info().synapse_token.clone()))
    } else {
        None
    };
    SynapseAccess {
        sign_in: Some(Arc::clone(&state.sign_in)),
        azure_cli: Some(AzureCli::default()),
        simulator_token,
    }
}

/// Signs the saved profile in with Microsoft Entra ID: opens the sign-in page in the system
/// browser and waits (up to five minutes, or until `sign_in_cancel`) for it to come back.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn sign_in(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    profile_id: String,
) -> AppResult<SignInAccount> {
    let profile = state.profiles.get(&profile_id)?;
    if profile.sign_in.method != SignInMethod::Entra {
        return Err(AppError::invalid_input(
            "This profile does not sign in with Microsoft Entra ID. Choose it under Sign-in and \
             save the profile first.",
        ));
    }
    let simulator = profile
        .simulated
        .then(|| url::Url::parse(&profile.organization_url).ok())
        .flatten();
    let account = state
        .sign_in
        .sign_in(&profile, SignInOptions::default(), |url| {
            let checked = hotfix_core::open_url::check_sign_in(url.as_str(), simulator.as_ref())?;
            crate::browser::open(&checked)
        })
        .await?;
    hotfix.forget_session(&profile_id);
    Ok(account)
}

/// Stops a sign-in that waits for the browser. False when none was waiting.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn sign_in_cancel(state: State<'_, AppState>, profile_id: String) -> AppResult<bool> {
    Ok(state.sign_in.cancel(&profile_id))
}

/// Signs out: the refresh token leaves the keychain, the access tokens the memory.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub async fn sign_out(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    profile_id: String,
) -> AppResult<()> {
    hotfix.forget_session(&profile_id);
    state.sign_in.sign_out(&profile_id).await
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn sign_in_status(
    state: State<'_, AppState>,
    profile_id: String,
) -> AppResult<SignInStatus> {
    let profile = state.profiles.get(&profile_id)?;
    let account = if profile.sign_in.method == SignInMethod::Entra {
        state.sign_in.account(&profile).await?
    } else {
        None
    };
    let secrets = Arc::clone(&state.secrets);
    let keychain = blocking(move || Ok(secrets.status())).await?;
    Ok(SignInStatus {
        method: profile.sign_in.method,
        account,
        pending: state.sign_in.is_pending(&profile_id),
        keychain,
    })
}

/// The account `az login` signed in with, for the profile editor ("Azure CLI: signed in as …").
#[tauri::command]
#[tracing::instrument(err)]
pub async fn azure_cli_account() -> AppResult<SignInAccount> {
    AzureCli::default().account().await
}
