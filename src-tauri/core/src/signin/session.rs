//! One profile's Entra ID sign-in after the browser step: the refresh token in the keychain
//! (user `{profile id}:entra`, JSON with the account it belongs to), access tokens per
//! [`Resource`] in memory only, refreshed before they expire and when a service refused one.
//!
//! [`SignInSessions`] is the app-wide registry: it runs sign-ins (with cancel), hands out
//! sessions, and signs out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use url::Url;

use super::flow::{self, SignedIn};
use super::{keychain_user, Authority, Resource, SignInAccount};
use crate::ado::BearerSource;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::profiles::Profile;
use crate::secrets::{SecretStore, Token};

/// Refresh an access token this long before it expires (or at half its life, if shorter).
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// What the keychain keeps for a signed-in profile.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedSignIn {
    refresh_token: String,
    account: SignInAccount,
    /// The tenant and client id it was obtained with: when the profile's change, sign in again.
    tenant: String,
    client_id: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        AppError::internal("A background task stopped unexpectedly.").with_detail(e.to_string())
    })?
}

struct Cached {
    token: Token,
    expires_at: Instant,
    lifetime: Duration,
}

impl Cached {
    fn fresh(&self, now: Instant) -> bool {
        let margin = REFRESH_MARGIN.min(self.lifetime / 2);
        self.expires_at.saturating_duration_since(now) > margin
    }
}

/// The signed-in state of one profile.
pub struct EntraSession {
    profile_id: String,
    authority: Authority,
    account: SignInAccount,
    secrets: Arc<SecretStore>,
    http: reqwest::Client,
    refresh_token: Mutex<Token>,
    cache: Mutex<HashMap<Resource, Cached>>,
    refreshing: tokio::sync::Mutex<()>,
    signed_out: AtomicBool,
    refreshes: AtomicU64,
}

impl std::fmt::Debug for EntraSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntraSession")
            .field("profile_id", &self.profile_id)
            .field("account", &self.account.username)
            .finish_non_exhaustive()
    }
}

impl EntraSession {
    fn new(
        profile_id: &str,
        authority: Authority,
        account: SignInAccount,
        refresh_token: Token,
        secrets: Arc<SecretStore>,
    ) -> AppResult<Self> {
        Ok(Self {
            profile_id: profile_id.to_owned(),
            authority,
            account,
            secrets,
            http: flow::http_client()?,
            refresh_token: Mutex::new(refresh_token),
            cache: Mutex::default(),
            refreshing: tokio::sync::Mutex::new(()),
            signed_out: AtomicBool::new(false),
            refreshes: AtomicU64::new(0),
        })
    }

    pub fn account(&self) -> &SignInAccount {
        &self.account
    }

    /// How many tokens were obtained with the refresh token so far (tests, diagnostics).
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    fn cached(&self, resource: Resource) -> Option<Token> {
        let now = Instant::now();
        lock(&self.cache)
            .get(&resource)
            .filter(|c| c.fresh(now))
            .map(|c| c.token.clone())
    }

    fn remember(&self, resource: Resource, token: &Token, lifetime: Duration) {
        lock(&self.cache).insert(
            resource,
            Cached {
                token: token.clone(),
                expires_at: Instant::now() + lifetime,
                lifetime,
            },
        );
    }

    /// A valid access token for `resource`: the cached one while it is fresh, else one obtained
    /// with the refresh token. `force_refresh` after a service refused the cached one.
    pub async fn access_token(&self, resource: Resource, force_refresh: bool) -> AppResult<Token> {
        if self.signed_out.load(Ordering::SeqCst) {
            return Err(signed_out());
        }
        if !force_refresh {
            if let Some(token) = self.cached(resource) {
                return Ok(token);
            }
        }
        let _one_at_a_time = self.refreshing.lock().await;
        if !force_refresh {
            // Someone else refreshed while this call waited.
            if let Some(token) = self.cached(resource) {
                return Ok(token);
            }
        }
        let refresh_token = lock(&self.refresh_token).clone();
        let got = flow::refresh(&self.authority, &self.http, &refresh_token, resource).await?;
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        tracing::info!(resource = ?resource, expires_in_s = got.expires_in.as_secs(), "access token obtained with the refresh token");
        if let Some(rotated) = got
            .refresh_token
            .filter(|r| r.expose() != refresh_token.expose())
        {
            *lock(&self.refresh_token) = rotated.clone();
            if !self.signed_out.load(Ordering::SeqCst) {
                let saved = saved_entry(&self.account, &rotated, &self.authority);
                let (secrets, user) = (Arc::clone(&self.secrets), keychain_user(&self.profile_id));
                blocking(move || secrets.store(&user, &saved?).map(drop)).await?;
            }
        }
        self.remember(resource, &got.token, got.expires_in);
        Ok(got.token)
    }

    /// A token source for one resource, for an [`crate::ado::AdoClient`] or the data plane.
    pub fn bearer(self: &Arc<Self>, resource: Resource) -> Arc<dyn BearerSource> {
        Arc::new(ResourceSource {
            session: Arc::clone(self),
            resource,
        })
    }
}

struct ResourceSource {
    session: Arc<EntraSession>,
    resource: Resource,
}

impl BearerSource for ResourceSource {
    fn access_token(&self, force_refresh: bool) -> BoxFuture<'_, Result<Token, AppError>> {
        Box::pin(self.session.access_token(self.resource, force_refresh))
    }

    fn account(&self) -> Option<String> {
        Some(self.session.account.display())
    }
}

fn signed_out() -> AppError {
    AppError::new(
        ErrorCode::NotSignedIn,
        "You signed out of this profile. Click Sign in in the profile to sign in with Microsoft \
         Entra ID again.",
    )
}

fn not_signed_in(profile: &Profile) -> AppError {
    AppError::new(
        ErrorCode::NotSignedIn,
        format!(
            "The profile \"{}\" is not signed in. Open it and click Sign in (Microsoft Entra ID).",
            profile.name
        ),
    )
}

fn saved_entry(
    account: &SignInAccount,
    refresh_token: &Token,
    authority: &Authority,
) -> AppResult<Token> {
    let saved = SavedSignIn {
        refresh_token: refresh_token.expose().to_owned(),
        account: account.clone(),
        tenant: authority.tenant.clone(),
        client_id: authority.client_id.clone(),
    };
    serde_json::to_string(&saved).map(Token::new).map_err(|e| {
        AppError::internal("The sign-in could not be prepared for the keychain.")
            .with_detail(e.to_string())
    })
}

/// Every profile's sign-in, and the sign-ins waiting for the browser.
pub struct SignInSessions {
    secrets: Arc<SecretStore>,
    sessions: Mutex<HashMap<String, Arc<EntraSession>>>,
    pending: Mutex<HashMap<String, (u64, oneshot::Sender<()>)>>,
    next_id: AtomicU64,
}

impl std::fmt::Debug for SignInSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInSessions").finish_non_exhaustive()
    }
}

/// How a sign-in runs (the app's defaults; tests shorten the timeout or pick a port).
#[derive(Debug, Clone, Copy)]
pub struct SignInOptions {
    /// 0 = any free port.
    pub port: u16,
    pub timeout: Duration,
}

impl Default for SignInOptions {
    fn default() -> Self {
        Self {
            port: 0,
            timeout: super::DEFAULT_SIGN_IN_TIMEOUT,
        }
    }
}

impl SignInSessions {
    pub fn new(secrets: Arc<SecretStore>) -> Self {
        Self {
            secrets,
            sessions: Mutex::default(),
            pending: Mutex::default(),
            next_id: AtomicU64::new(1),
        }
    }

    /// Signs `profile` in: opens the authorize URL with `open` (the system browser), waits for
    /// the browser to come back, redeems the code, and keeps the refresh token in the keychain.
    /// On any failure nothing is saved and an earlier sign-in of the profile stays as it was.
    pub async fn sign_in(
        &self,
        profile: &Profile,
        options: SignInOptions,
        open: impl FnOnce(&Url) -> AppResult<()>,
    ) -> AppResult<SignInAccount> {
        if profile.id.trim().is_empty() {
            return Err(AppError::invalid_input(
                "Save the profile first, then sign in.",
            ));
        }
        let authority = Authority::for_profile(profile)?;
        let pending = flow::begin(&authority, options.port).await?;
        let (tx, rx) = oneshot::channel();
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        if let Some((_, earlier)) = lock(&self.pending).insert(profile.id.clone(), (id, tx)) {
            // A second click on Sign in replaces the first attempt.
            let _ = earlier.send(());
        }
        tracing::info!(port = pending.port(), authority = %authority.host(), "sign-in started; waiting for the browser");
        let outcome = match open(pending.authorize_url()) {
            Ok(()) => {
                pending
                    .finish(options.timeout, async move {
                        let _ = rx.await;
                    })
                    .await
            }
            Err(e) => Err(e),
        };
        {
            let mut waiting = lock(&self.pending);
            if waiting.get(&profile.id).is_some_and(|(i, _)| *i == id) {
                waiting.remove(&profile.id);
            }
        }
        let SignedIn {
            account,
            refresh_token,
            access,
        } = outcome?;
        let saved = saved_entry(&account, &refresh_token, &authority)?;
        let (secrets, user) = (Arc::clone(&self.secrets), keychain_user(&profile.id));
        blocking(move || secrets.store(&user, &saved).map(drop)).await?;
        let session = EntraSession::new(
            &profile.id,
            authority,
            account.clone(),
            refresh_token,
            Arc::clone(&self.secrets),
        )?;
        session.remember(Resource::DevOps, &access.token, access.expires_in);
        if let Some(old) = lock(&self.sessions).insert(profile.id.clone(), Arc::new(session)) {
            old.signed_out.store(true, Ordering::SeqCst);
        }
        tracing::info!(profile_id = %profile.id, "signed in with Microsoft Entra ID");
        Ok(account)
    }

    /// Stops the sign-in of `profile_id` that waits for the browser. False when none waits.
    pub fn cancel(&self, profile_id: &str) -> bool {
        match lock(&self.pending).remove(profile_id) {
            Some((_, tx)) => tx.send(()).is_ok(),
            None => false,
        }
    }

    /// True while a sign-in of `profile_id` waits for the browser.
    pub fn is_pending(&self, profile_id: &str) -> bool {
        lock(&self.pending).contains_key(profile_id)
    }

    /// The session of a signed-in profile (from memory, or the keychain after a restart).
    pub async fn session(&self, profile: &Profile) -> AppResult<Arc<EntraSession>> {
        let authority = Authority::for_profile(profile)?;
        if let Some(s) = lock(&self.sessions).get(&profile.id) {
            if s.authority == authority {
                return Ok(Arc::clone(s));
            }
        }
        let (secrets, user) = (Arc::clone(&self.secrets), keychain_user(&profile.id));
        let Some(entry) = blocking(move || secrets.read(&user)).await? else {
            return Err(not_signed_in(profile));
        };
        let saved: SavedSignIn = serde_json::from_str(entry.expose()).map_err(|_| {
            AppError::new(
                ErrorCode::NotSignedIn,
                format!(
                    "The saved sign-in of \"{}\" could not be read. Sign in again in the profile.",
                    profile.name
                ),
            )
        })?;
        if saved.tenant != authority.tenant || saved.client_id != authority.client_id {
            return Err(AppError::new(
                ErrorCode::NotSignedIn,
                format!(
                    "The tenant or client id of \"{}\" changed since you signed in as {}. Click \
                     Sign in to sign in with the new settings.",
                    profile.name,
                    saved.account.display()
                ),
            ));
        }
        let session = Arc::new(EntraSession::new(
            &profile.id,
            authority,
            saved.account,
            Token::new(saved.refresh_token),
            Arc::clone(&self.secrets),
        )?);
        lock(&self.sessions).insert(profile.id.clone(), Arc::clone(&session));
        Ok(session)
    }

    /// Who is signed in to `profile`, if anyone (no network call).
    pub async fn account(&self, profile: &Profile) -> AppResult<Option<SignInAccount>> {
        match self.session(profile).await {
            Ok(s) => Ok(Some(s.account.clone())),
            Err(e) if e.code == ErrorCode::NotSignedIn => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Forgets the profile's sign-in in memory (a waiting sign-in, the access tokens); the
    /// keychain entry is left to the caller (a deleted profile's goes with it).
    pub fn forget(&self, profile_id: &str) {
        self.cancel(profile_id);
        if let Some(s) = lock(&self.sessions).remove(profile_id) {
            s.signed_out.store(true, Ordering::SeqCst);
            lock(&s.cache).clear();
        }
    }

    /// Signs out: forgets the access tokens and removes the refresh token from the keychain.
    pub async fn sign_out(&self, profile_id: &str) -> AppResult<()> {
        self.forget(profile_id);
        let (secrets, user) = (Arc::clone(&self.secrets), keychain_user(profile_id));
        blocking(move || secrets.delete(&user)).await?;
        tracing::info!(profile_id = %profile_id, "signed out");
        Ok(())
    }
}
