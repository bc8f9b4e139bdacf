//! Saved workspace profiles: the model, validation, the versioned store on disk, import and
//! export, and the two operations that also touch the profile's token (duplicate, delete).

mod check;
mod exchange;
pub mod model;
pub mod pipeline;
mod store;

pub use check::{issues as profile_issues, normalize as normalize_profile, MAX_NAME_LEN};
pub use exchange::{ImportReport, ImportedProfile, SkippedProfile, EXPORT_KIND};
pub use model::{NamedRef, NumberedRef, Profile, SignInMethod, SignInSettings};
pub use pipeline::HotfixPipelineSettings;
pub use store::{
    ProfileStore, StoreWarning, StoreWarningKind, FILE_VERSION, MIN_FILE_VERSION, PROFILES_FILE,
};

use crate::error::AppResult;
use crate::secrets::SecretStore;

/// Duplicates a profile and copies its token (if one is saved) to the copy.
pub fn duplicate_with_token(
    store: &ProfileStore,
    secrets: &SecretStore,
    id: &str,
) -> AppResult<Profile> {
    let copy = store.duplicate(id)?;
    if let Some(token) = secrets.read(id)? {
        secrets.store(&copy.id, &token)?;
    }
    Ok(copy)
}

/// Deletes a profile, then its token. When the keychain is unavailable the profile is still
/// deleted and the returned error says the token could not be removed.
pub fn delete_with_token(
    store: &ProfileStore,
    secrets: &SecretStore,
    id: &str,
) -> AppResult<Profile> {
    let deleted = store.delete(id)?;
    secrets.delete(id)?;
    // The Entra ID sign-in (refresh token) of the profile, if it had one.
    secrets.delete(&crate::signin::keychain_user(id))?;
    Ok(deleted)
}

#[cfg(test)]
mod tests;
