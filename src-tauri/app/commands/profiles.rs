//! Profile commands: list, read, validate, save, duplicate, delete, export, import.

use hotfix_core::profiles::{self, ImportReport, Profile, StoreWarning};
use hotfix_core::validate::FieldIssue;
use hotfix_core::AppResult;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::state::{blocking, AppState};

/// The Profiles screen in one answer: every profile (sorted by name) and what the user must be
/// told about the profiles file (moved aside as unreadable, or written by a newer version).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileList {
    pub profiles: Vec<Profile>,
    pub warnings: Vec<StoreWarning>,
    /// True when the file belongs to a newer app version: nothing can be saved.
    pub read_only: bool,
}

/// Where an export was written.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileExported {
    pub path: String,
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn list_profiles(state: State<'_, AppState>) -> AppResult<ProfileList> {
    let store = &state.profiles;
    Ok(ProfileList {
        profiles: store.list(),
        warnings: store.warnings(),
        read_only: store.is_read_only(),
    })
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn dismiss_profile_warnings(state: State<'_, AppState>) {
    state.profiles.dismiss_warnings();
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn get_profile(state: State<'_, AppState>, profile_id: String) -> AppResult<Profile> {
    state.profiles.get(&profile_id)
}

/// A new, unsaved profile with the documented defaults (its id is replaced when it is saved).
#[tauri::command]
pub fn new_profile() -> Profile {
    Profile::new_with_defaults(String::new())
}

/// What would stop `profile` from being saved, per field. Sends nothing anywhere.
#[tauri::command]
#[tracing::instrument(skip_all)]
pub fn validate_profile(state: State<'_, AppState>, profile: Profile) -> Vec<FieldIssue> {
    state.profiles.check(&profile)
}

/// Creates the profile when its id is new or empty, else updates it. An invalid profile is
/// refused with `invalidInput` whose detail is the JSON list of [`FieldIssue`]s.
#[tauri::command]
#[tracing::instrument(skip_all, fields(profile_id = %profile.id), err)]
pub fn save_profile(state: State<'_, AppState>, profile: Profile) -> AppResult<Profile> {
    let exists = !profile.id.is_empty() && state.profiles.get(&profile.id).is_ok();
    let saved = if exists {
        state.profiles.update(profile)?
    } else {
        state.profiles.create(profile)?
    };
    tracing::info!(profile_id = %saved.id, created = !exists, "profile saved");
    Ok(saved)
}

/// Copies the profile (and its token, when one is saved) under "Copy of …".
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn duplicate_profile(
    state: State<'_, AppState>,
    profile_id: String,
) -> AppResult<Profile> {
    let (store, secrets) = (state.profiles.clone(), state.secrets.clone());
    blocking(move || profiles::duplicate_with_token(&store, &secrets, &profile_id)).await
}

/// Deletes the profile and its token.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn delete_profile(state: State<'_, AppState>, profile_id: String) -> AppResult<()> {
    // Its Entra ID access tokens leave memory; the refresh token leaves the keychain below.
    state.sign_in.forget(&profile_id);
    let (store, secrets) = (state.profiles.clone(), state.secrets.clone());
    blocking(move || profiles::delete_with_token(&store, &secrets, &profile_id).map(drop)).await
}

/// Writes the profile as an export document (no token) to the exports folder.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn export_profile(
    state: State<'_, AppState>,
    profile_id: String,
) -> AppResult<ProfileExported> {
    let profile = state.profiles.get(&profile_id)?;
    let path = crate::exports::export_path(&state.exports, &profile.name);
    state.profiles.export_to_file(&[profile_id], &path)?;
    tracing::info!(path = %path.display(), "profile exported");
    Ok(ProfileExported {
        path: path.display().to_string(),
    })
}

/// Imports the profiles of an export document (the text of the file the user picked).
#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub fn import_profiles(state: State<'_, AppState>, json: String) -> AppResult<ImportReport> {
    let report = state.profiles.import_json(&json)?;
    tracing::info!(
        imported = report.imported.len(),
        skipped = report.skipped.len(),
        "profiles imported"
    );
    Ok(report)
}
