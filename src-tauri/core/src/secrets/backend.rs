//! Where tokens are kept: the OS keychain through `keyring` ([`KeyringBackend`]) or, for tests, a
//! map in memory ([`MemoryBackend`]). Both implement [`SecretBackend`], so the store above them does
//! not care which one it talks to.

use std::collections::HashMap;
use std::sync::Mutex;

use super::Token;

/// Why a backend call failed. The message never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// No usable keychain: Secret Service missing or locked, no D-Bus session, access denied.
    #[error("{0}")]
    Unavailable(String),
    /// The keychain is there but the call failed for another reason.
    #[error("{0}")]
    Failed(String),
}

/// Three operations over `(service, user)` keys. Implementations block (D-Bus, Keychain Services):
/// call them from `spawn_blocking` in async code.
pub trait SecretBackend: Send + Sync {
    /// A short name for messages ("OS keychain", "memory").
    fn name(&self) -> &'static str;
    fn set(&self, service: &str, user: &str, token: &Token) -> Result<(), BackendError>;
    /// `Ok(None)` when nothing is stored under that key.
    fn get(&self, service: &str, user: &str) -> Result<Option<Token>, BackendError>;
    /// Deleting a key that does not exist is not an error.
    fn delete(&self, service: &str, user: &str) -> Result<(), BackendError>;
}

/// The OS keychain: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyringBackend;

fn map_keyring(err: keyring::Error) -> BackendError {
    match err {
        keyring::Error::PlatformFailure(e) => BackendError::Unavailable(format!(
            "the OS keychain could not be used ({e}). On Linux this usually means no Secret \
             Service (GNOME Keyring, KWallet) is running or it is locked"
        )),
        keyring::Error::NoStorageAccess(e) => BackendError::Unavailable(format!(
            "the OS keychain refused access ({e}); it may be locked"
        )),
        // Never echo the stored bytes of a BadEncoding error: they are the secret.
        keyring::Error::BadEncoding(_) => {
            BackendError::Failed("the keychain entry is not valid UTF-8 text".into())
        }
        other => BackendError::Failed(format!("keychain error: {other}")),
    }
}

impl SecretBackend for KeyringBackend {
    fn name(&self) -> &'static str {
        "OS keychain"
    }

    fn set(&self, service: &str, user: &str, token: &Token) -> Result<(), BackendError> {
        let entry = keyring::Entry::new(service, user).map_err(map_keyring)?;
        entry.set_password(token.expose()).map_err(map_keyring)
    }

    fn get(&self, service: &str, user: &str) -> Result<Option<Token>, BackendError> {
        let entry = keyring::Entry::new(service, user).map_err(map_keyring)?;
        match entry.get_password() {
            Ok(value) => Ok(Some(Token::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring(e)),
        }
    }

    fn delete(&self, service: &str, user: &str) -> Result<(), BackendError> {
        let entry = keyring::Entry::new(service, user).map_err(map_keyring)?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring(e)),
        }
    }
}

/// Tokens in a map: unit tests, and the session fallback when no keychain is available.
#[derive(Default)]
pub struct MemoryBackend {
    map: Mutex<HashMap<(String, String), Token>>,
    unavailable: Option<String>,
}

impl MemoryBackend {
    pub fn new() -> Self {
        Self::default()
    }

    /// A backend that behaves like a missing keychain: every call fails with
    /// [`BackendError::Unavailable`] carrying `message`. For tests of the fallback path.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self {
            map: Mutex::default(),
            unavailable: Some(message.into()),
        }
    }

    fn check(&self) -> Result<(), BackendError> {
        match &self.unavailable {
            Some(message) => Err(BackendError::Unavailable(message.clone())),
            None => Ok(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Token>> {
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl std::fmt::Debug for MemoryBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryBackend")
            .field("entries", &self.lock().len())
            .finish()
    }
}

impl SecretBackend for MemoryBackend {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn set(&self, service: &str, user: &str, token: &Token) -> Result<(), BackendError> {
        self.check()?;
        self.lock()
            .insert((service.to_owned(), user.to_owned()), token.clone());
        Ok(())
    }

    fn get(&self, service: &str, user: &str) -> Result<Option<Token>, BackendError> {
        self.check()?;
        Ok(self
            .lock()
            .get(&(service.to_owned(), user.to_owned()))
            .cloned())
    }

    fn delete(&self, service: &str, user: &str) -> Result<(), BackendError> {
        self.check()?;
        self.lock().remove(&(service.to_owned(), user.to_owned()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_locked_keychains_count_as_unavailable_and_never_echo_secrets() {
        let platform = keyring::Error::PlatformFailure("no dbus".into());
        assert!(
            matches!(map_keyring(platform), BackendError::Unavailable(m) if m.contains("no dbus"))
        );
        let locked = keyring::Error::NoStorageAccess("locked".into());
        assert!(matches!(map_keyring(locked), BackendError::Unavailable(_)));
        let bad = keyring::Error::BadEncoding(b"secret-bytes".to_vec());
        let BackendError::Failed(message) = map_keyring(bad) else {
            panic!("expected Failed")
        };
        assert!(!message.contains("secret"), "{message}");
    }
}
