//! The app's managed state: paths resolved once, the profile store, the token store and the
//! optional in-process demo simulator. Few, coarse pieces; commands borrow them through
//! `tauri::State<AppState>`.

use std::path::PathBuf;
use std::sync::Arc;

use hotfix_core::ado::{AdoClient, WaitObserver};
use hotfix_core::profiles::ProfileStore;
use hotfix_core::secrets::SecretStore;
use hotfix_core::signin::SignInSessions;
use hotfix_core::{AppPaths, AppResult};

use crate::demo::DemoSim;

/// `SYNAPSE_HOTFIX_KEYCHAIN=memory` keeps tokens in memory (tests, e2e on machines without a
/// Secret Service); anything else, or unset, uses the OS keychain.
pub const KEYCHAIN_ENV: &str = "SYNAPSE_HOTFIX_KEYCHAIN";
/// `SYNAPSE_HOTFIX_DEMO=1` (or the `--demo` flag) starts the app in demo mode.
pub const DEMO_ENV: &str = "SYNAPSE_HOTFIX_DEMO";
/// `SYNAPSE_HOTFIX_DEMO_SIGN_IN=auto`: the demo profile is signed in at start-up without a
/// browser (the app clicks the simulator's sign-in page itself). For the e2e harness, whose specs
/// use the demo profile; people click Sign in like with a real tenant.
pub const DEMO_SIGN_IN_ENV: &str = "SYNAPSE_HOTFIX_DEMO_SIGN_IN";

pub struct AppState {
    pub paths: AppPaths,
    pub profiles: Arc<ProfileStore>,
    /// Shared with blocking tasks: keychain calls go through `spawn_blocking`.
    pub secrets: Arc<SecretStore>,
    /// Microsoft Entra ID sign-ins: refresh tokens in `secrets`, access tokens in memory.
    pub sign_in: Arc<SignInSessions>,
    /// The demo simulator, when running. A tokio mutex: starting it awaits while holding the slot,
    /// so two clicks on "Try the demo" start one simulator.
    pub demo: tokio::sync::Mutex<Option<DemoSim>>,
    /// Demo mode was asked for on the command line or in the environment.
    pub demo_requested: bool,
    /// Sign the demo profile in without the browser step ([`DEMO_SIGN_IN_ENV`]).
    pub demo_auto_sign_in: bool,
    /// Where profile exports are written (see `exports.rs`).
    pub exports: PathBuf,
    /// Forwards the Azure DevOps client's waits to the window (set once the app handle exists).
    pub ado_waits: std::sync::OnceLock<WaitObserver>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("paths", &self.paths)
            .field("demo_requested", &self.demo_requested)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens the stores under `paths` (creating the folders). Exports go to `{data}/exports`
    /// and demo mode is off; [`AppState::from_env`] sets both from the environment.
    pub fn open(paths: AppPaths, secrets: SecretStore) -> AppResult<Self> {
        paths.create_all().map_err(|e| {
            hotfix_core::AppError::storage(
                format!(
                    "The app folders under {} could not be created. Check that the disk is writable.",
                    paths.data.display()
                ),
                &e,
            )
        })?;
        let profiles = ProfileStore::open(&paths.config)?;
        let secrets = Arc::new(secrets);
        Ok(Self {
            profiles: Arc::new(profiles),
            sign_in: Arc::new(SignInSessions::new(Arc::clone(&secrets))),
            secrets,
            demo: tokio::sync::Mutex::new(None),
            demo_requested: false,
            demo_auto_sign_in: false,
            exports: crate::exports::default_dir(&paths),
            paths,
            ado_waits: std::sync::OnceLock::new(),
        })
    }

    /// What the process was started with: `SYNAPSE_HOTFIX_HOME`, `SYNAPSE_HOTFIX_KEYCHAIN`,
    /// `SYNAPSE_HOTFIX_DEMO` / `--demo`.
    pub fn from_env() -> AppResult<Self> {
        let secrets = match std::env::var(KEYCHAIN_ENV).as_deref() {
            Ok("memory") => SecretStore::in_memory(),
            _ => SecretStore::os_keychain(),
        };
        let mut state = Self::open(AppPaths::resolve(), secrets)?;
        state.demo_requested = demo_requested();
        state.demo_auto_sign_in =
            std::env::var(DEMO_SIGN_IN_ENV).is_ok_and(|v| v.trim().eq_ignore_ascii_case("auto"));
        state.exports = crate::exports::export_dir(&state.paths);
        Ok(state)
    }
}

impl AppState {
    /// Readies a client for the window: its waits (429 Retry-After, back-off) are reported there,
    /// and for the demo (`simulated`) a refused token says "Reset the demo" — the simulator has no
    /// tokens page.
    pub fn prepare(&self, client: AdoClient, simulated: bool) -> AdoClient {
        if let Some(observer) = self.ado_waits.get() {
            client.observe_waits(Arc::clone(observer));
        }
        if simulated {
            client.set_token_advice(crate::demo::TOKEN_ADVICE);
        }
        client
    }
}

fn demo_requested() -> bool {
    let env = std::env::var(DEMO_ENV).is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"));
    env || std::env::args().skip(1).any(|a| a == "--demo")
}

/// Runs a blocking keychain or disk call off the async runtime.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|e| {
        hotfix_core::AppError::internal("A background task stopped unexpectedly.")
            .with_detail(e.to_string())
    })?
}
