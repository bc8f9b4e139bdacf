//! Personal access tokens, one per profile, in the OS keychain (service [`SERVICE`], user = profile
//! id). Three operations — [`SecretStore::store`], [`SecretStore::read`], [`SecretStore::delete`] —
//! over a swappable [`SecretBackend`].
//!
//! When no keychain can be used (no Secret Service, locked, access refused) the store says so through
//! [`KeychainStatus`] and keeps the token in memory for this session only; nothing is ever written
//! to a file. Calls block on D-Bus / Keychain Services: use `spawn_blocking` from async code.

mod backend;
mod token;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use ts_rs::TS;

pub use backend::{BackendError, KeyringBackend, MemoryBackend, SecretBackend};
pub use token::Token;

use crate::error::{AppError, AppResult, ErrorCode};

/// Keychain service name under which every token is stored.
pub const SERVICE: &str = "synapse-hotfix";

/// Whether tokens survive a restart, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KeychainStatus {
    /// True when the OS keychain answered the last time it was asked.
    pub available: bool,
    /// "OS keychain" or "memory".
    pub backend: String,
    /// What the user should know, e.g. why tokens are kept for this session only.
    pub message: String,
}

/// The answer to saving a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TokenSaved {
    /// False when the token is only kept in memory until the app closes.
    pub persisted: bool,
    pub keychain: KeychainStatus,
}

/// Tokens per profile. Cheap to share behind an `Arc`; the locks are held only for map updates.
pub struct SecretStore {
    backend: Arc<dyn SecretBackend>,
    service: String,
    /// Tokens kept for this session because the keychain could not take them.
    session: Mutex<HashMap<String, Token>>,
    status: Mutex<Option<KeychainStatus>>,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretStore")
            .field("backend", &self.backend.name())
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl SecretStore {
    /// The OS keychain (what the app uses).
    pub fn os_keychain() -> Self {
        Self::with_backend(Arc::new(KeyringBackend))
    }

    /// A store that keeps everything in memory (tests, demo mode).
    pub fn in_memory() -> Self {
        Self::with_backend(Arc::new(MemoryBackend::new()))
    }

    pub fn with_backend(backend: Arc<dyn SecretBackend>) -> Self {
        Self {
            backend,
            service: SERVICE.to_owned(),
            session: Mutex::default(),
            status: Mutex::default(),
        }
    }

    /// Uses another keychain service name (tests that touch a real keychain).
    #[must_use]
    pub fn with_service(mut self, service: impl Into<String>) -> Self {
        self.service = service.into();
        self
    }

    /// Whether the keychain works, asking it once if it has not been used yet.
    pub fn status(&self) -> KeychainStatus {
        if let Some(status) = self.lock_status().clone() {
            return status;
        }
        // A read of a key that never exists tells us whether the keychain answers at all.
        match self.backend.get(&self.service, "__synapse-hotfix-probe__") {
            Ok(_) => self.mark_available(),
            Err(BackendError::Unavailable(reason)) => self.mark_unavailable(&reason),
            Err(BackendError::Failed(reason)) => {
                // The keychain answered, with an error about the probe key; it is usable.
                tracing::debug!(%reason, "keychain probe returned an error; treating it as available");
                self.mark_available()
            }
        }
    }

    /// Saves the token of `profile_id`. Falls back to memory (and says so) without a keychain.
    pub fn store(&self, profile_id: &str, token: &Token) -> AppResult<TokenSaved> {
        check_profile_id(profile_id)?;
        if token.is_empty() {
            return Err(AppError::invalid_input(
                "The personal access token is empty. Paste the token you created in Azure DevOps \
                 (User settings → Personal access tokens).",
            ));
        }
        match self.backend.set(&self.service, profile_id, token) {
            Ok(()) => {
                self.lock_session().remove(profile_id);
                Ok(TokenSaved {
                    persisted: true,
                    keychain: self.mark_available(),
                })
            }
            Err(BackendError::Unavailable(reason)) => {
                self.lock_session()
                    .insert(profile_id.to_owned(), token.clone());
                Ok(TokenSaved {
                    persisted: false,
                    keychain: self.mark_unavailable(&reason),
                })
            }
            Err(BackendError::Failed(reason)) => Err(AppError::new(
                ErrorCode::KeychainUnavailable,
                "The token could not be saved in the OS keychain. Try again; if it keeps \
                 failing, check the keychain application of your system.",
            )
            .with_detail(reason)),
        }
    }

    /// The token of `profile_id`, if one was saved (this session or earlier).
    pub fn read(&self, profile_id: &str) -> AppResult<Option<Token>> {
        check_profile_id(profile_id)?;
        if let Some(token) = self.lock_session().get(profile_id) {
            return Ok(Some(token.clone()));
        }
        match self.backend.get(&self.service, profile_id) {
            Ok(found) => {
                self.mark_available();
                Ok(found)
            }
            Err(BackendError::Unavailable(reason)) => {
                // Nothing can be read: the UI asks for the token and shows the status.
                self.mark_unavailable(&reason);
                Ok(None)
            }
            Err(BackendError::Failed(reason)) => Err(AppError::new(
                ErrorCode::KeychainUnavailable,
                "The saved token could not be read from the OS keychain. Paste the token again \
                 in Profile → Credentials.",
            )
            .with_detail(reason)),
        }
    }

    /// Forgets the token of `profile_id` (session copy and keychain entry).
    pub fn delete(&self, profile_id: &str) -> AppResult<()> {
        check_profile_id(profile_id)?;
        let had_session_copy = self.lock_session().remove(profile_id).is_some();
        match self.backend.delete(&self.service, profile_id) {
            Ok(()) => {
                self.mark_available();
                Ok(())
            }
            Err(BackendError::Unavailable(reason)) => {
                self.mark_unavailable(&reason);
                if had_session_copy {
                    // It only ever lived in memory, and that copy is gone.
                    Ok(())
                } else {
                    Err(AppError::new(
                        ErrorCode::KeychainUnavailable,
                        "The OS keychain is not available, so a token saved there earlier could \
                         not be deleted. Unlock the keychain and delete it again, or remove the \
                         'synapse-hotfix' entry in your keychain application.",
                    )
                    .with_detail(reason))
                }
            }
            Err(BackendError::Failed(reason)) => Err(AppError::new(
                ErrorCode::KeychainUnavailable,
                "The token could not be deleted from the OS keychain. Remove the \
                 'synapse-hotfix' entry in your keychain application.",
            )
            .with_detail(reason)),
        }
    }

    /// True when a token is saved for `profile_id` (without handing it out).
    pub fn has_token(&self, profile_id: &str) -> AppResult<bool> {
        Ok(self.read(profile_id)?.is_some())
    }

    fn mark_available(&self) -> KeychainStatus {
        let status = KeychainStatus {
            available: true,
            backend: self.backend.name().to_owned(),
            message: if self.backend.name() == "memory" {
                "Tokens are kept in memory for this session (demo or test mode).".to_owned()
            } else {
                format!("Tokens are kept in the {}.", self.backend.name())
            },
        };
        *self.lock_status() = Some(status.clone());
        status
    }

    fn mark_unavailable(&self, reason: &str) -> KeychainStatus {
        let status = KeychainStatus {
            available: false,
            backend: "memory".to_owned(),
            message: format!(
                "No OS keychain is available: {reason}. Tokens are kept in memory for this \
                 session only and must be pasted again after the app restarts."
            ),
        };
        *self.lock_status() = Some(status.clone());
        status
    }

    fn lock_session(&self) -> std::sync::MutexGuard<'_, HashMap<String, Token>> {
        self.session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lock_status(&self) -> std::sync::MutexGuard<'_, Option<KeychainStatus>> {
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn check_profile_id(profile_id: &str) -> AppResult<()> {
    if profile_id.trim().is_empty() {
        return Err(AppError::internal(
            "A token was requested without a profile id.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
