//! The simulated world and the shared state handed to every route.
//!
//! One `World` behind a mutex: requests are short, and one lock keeps cross-area invariants
//! (a release reads a commit, a deployment writes a workspace) simple. The lock is
//! poison-tolerant ([`Sim::world`]): a handler that panicked must not take the server down.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::auth::Identity;
use crate::server::{SimInfo, SimOptions};

/// Version of the persisted `world.json` layout.
pub const WORLD_VERSION: u32 = 1;

/// Everything the simulator knows. Serialisable so it can be dumped (admin API) and persisted
/// (demo mode keeps its state in the app's data directory).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct World {
    #[serde(default)]
    pub version: u32,
    #[serde(default)]
    pub core: CoreWorld,
    pub git: crate::git::GitWorld,
    pub release: crate::release::ReleaseWorld,
    pub synapse: crate::synapse::SynapseWorld,
    pub catalog: crate::catalog::CatalogWorld,
    /// The Entra-like authority (tenants, codes, tokens, test knobs).
    #[serde(default)]
    pub entra: crate::entra::EntraWorld,
}

/// Organization, projects, users and tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CoreWorld {
    pub organization: String,
    pub organization_id: uuid::Uuid,
    pub projects: Vec<Project>,
    /// Users; the first is the seeded user owning the full-scope PAT.
    pub users: Vec<Identity>,
    pub tokens: Vec<TokenGrant>,
    /// Bearer token accepted by the Synapse data plane.
    pub synapse_token: Secret,
}

impl Default for CoreWorld {
    fn default() -> Self {
        Self {
            organization: "contoso".into(),
            organization_id: uuid::Uuid::new_v4(),
            projects: Vec::new(),
            users: Vec::new(),
            tokens: Vec::new(),
            synapse_token: Secret(String::new()),
        }
    }
}

impl CoreWorld {
    /// A project by name (case-insensitive) or GUID.
    pub fn project(&self, name_or_id: &str) -> Option<&Project> {
        self.projects.iter().find(|p| {
            p.name.eq_ignore_ascii_case(name_or_id)
                || p.id.to_string().eq_ignore_ascii_case(name_or_id)
        })
    }

    /// The seeded user (owner of the seeded PAT).
    pub fn default_user(&self) -> Identity {
        self.users
            .first()
            .cloned()
            .unwrap_or_else(Identity::anonymous)
    }

    /// The user a token belongs to.
    pub fn user(&self, id: uuid::Uuid) -> Option<&Identity> {
        self.users.iter().find(|u| u.id == id)
    }
}

/// A team project.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Project {
    pub id: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub revision: u32,
    pub last_update_time: String,
}

/// A personal access token and its scopes.
#[derive(Clone, Serialize, Deserialize)]
pub struct TokenGrant {
    pub token: Secret,
    pub scopes: Vec<String>,
    pub user_id: uuid::Uuid,
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGrant")
            .field("token", &"***")
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// A secret string whose `Debug` prints `***` (it is still serialised into the simulator's own
/// world dump and `world.json`, which are test fixtures, not user secrets).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Shared state of a running simulator.
pub struct Sim {
    pub world: Mutex<World>,
    pub info: SimInfo,
    pub opts: SimOptions,
    /// Poked when deployments are paused/resumed/advanced.
    pub notify: tokio::sync::Notify,
    /// Root of the simulator's files: `world.json` and `repos/`.
    pub state_dir: PathBuf,
    /// Whether `state_dir` is a temporary directory (then nothing is persisted).
    pub ephemeral: bool,
    pub faults: Mutex<crate::faults::FaultTable>,
    pub journal: Mutex<crate::journal::Journal>,
    /// Serialises `world.json` writes.
    persist_lock: Mutex<()>,
    /// The world changed since the last write.
    dirty: std::sync::atomic::AtomicBool,
    /// Wakes the background writer ([`Sim::run_persister`]).
    persist_wake: tokio::sync::Notify,
    /// Tells the background writer to stop.
    persist_stop: std::sync::atomic::AtomicBool,
    /// Keeps a temporary state directory alive as long as the simulator.
    _temp: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("base_url", &self.info.base_url)
            .finish_non_exhaustive()
    }
}

impl Sim {
    pub(crate) fn new(
        world: World,
        info: SimInfo,
        opts: SimOptions,
        state_dir: PathBuf,
        temp: Option<tempfile::TempDir>,
    ) -> Self {
        Self {
            world: Mutex::new(world),
            info,
            opts,
            notify: tokio::sync::Notify::new(),
            state_dir,
            ephemeral: temp.is_some(),
            faults: Mutex::new(crate::faults::FaultTable::default()),
            journal: Mutex::new(crate::journal::Journal::default()),
            persist_lock: Mutex::new(()),
            dirty: std::sync::atomic::AtomicBool::new(false),
            persist_wake: tokio::sync::Notify::new(),
            persist_stop: std::sync::atomic::AtomicBool::new(false),
            _temp: temp,
        }
    }

    /// Locks the world. A poisoned lock (a handler panicked while holding it) is recovered: the
    /// world stays usable and the server keeps serving.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where the bare repositories live.
    pub fn repos_dir(&self) -> PathBuf {
        repos_dir(&self.state_dir)
    }

    /// Schedules a write of `world.json` (no-op for a temporary state dir). Writes are
    /// coalesced and done by a background task, so a large world (the scale seed is ~60 MB of
    /// JSON) never slows a request down; [`Sim::persist_now`] writes synchronously.
    pub fn persist(&self) -> anyhow::Result<()> {
        if self.ephemeral {
            return Ok(());
        }
        self.dirty.store(true, std::sync::atomic::Ordering::SeqCst);
        self.persist_wake.notify_one();
        Ok(())
    }

    /// Writes `world.json` atomically now (clone under the lock, serialise outside it).
    pub fn persist_now(&self) -> anyhow::Result<()> {
        if self.ephemeral {
            return Ok(());
        }
        let _guard = self
            .persist_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.write_locked()
    }

    /// Writes the world; the caller holds `persist_lock`.
    fn write_locked(&self) -> anyhow::Result<()> {
        self.dirty.store(false, std::sync::atomic::Ordering::SeqCst);
        let snapshot = self.world().clone();
        let json = serde_json::to_vec(&snapshot)?;
        write_atomic(&self.state_dir.join(WORLD_FILE), &json)
    }

    /// The background writer's write: skipped once the writer was stopped, decided under the write
    /// lock, so no write lands after a shutdown's final flush (a reset deletes the folder next).
    fn write_unless_stopped(&self) -> anyhow::Result<()> {
        let _guard = self
            .persist_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.persist_stop.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(());
        }
        self.write_locked()
    }

    /// Writes `world.json` if a write is pending.
    pub fn flush(&self) -> anyhow::Result<()> {
        if self.dirty.load(std::sync::atomic::Ordering::SeqCst) {
            self.persist_now()?;
        }
        Ok(())
    }

    /// Background writer: waits for [`Sim::persist`] requests, coalesces them and writes.
    pub(crate) async fn run_persister(self: std::sync::Arc<Self>) {
        use std::sync::atomic::Ordering;
        loop {
            self.persist_wake.notified().await;
            if self.persist_stop.load(Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            if self.persist_stop.load(Ordering::SeqCst) {
                return;
            }
            if self.dirty.load(Ordering::SeqCst) {
                let sim = std::sync::Arc::clone(&self);
                match tokio::task::spawn_blocking(move || sim.write_unless_stopped()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::warn!("could not write world.json: {e}"),
                    Err(e) => tracing::warn!("the world.json writer failed: {e}"),
                }
            }
        }
    }

    /// Stops the background writer (pending writes are left to [`Sim::flush`]).
    pub(crate) fn stop_persister(&self) {
        self.persist_stop
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.persist_wake.notify_one();
    }
}

/// Name of the persisted world inside the state directory.
pub const WORLD_FILE: &str = "world.json";

/// `{state_dir}/repos`.
pub fn repos_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("repos")
}

/// Writes a file atomically: temp file in the same folder, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path)?;
    Ok(())
}

pub type AppState = Arc<Sim>;
