//! [`GitCache`]: one bare clone per profile under `{cache}/git/{profile id}`, kept up to date by
//! fetching every branch (`+refs/heads/*:refs/remotes/origin/*`, pruned) over HTTP(S) with the
//! profile's credential ([`GitAuth`]: never in the URL, never on disk).
//!
//! A clone that is missing is made in a temporary folder beside it and renamed into place when
//! complete, so the cache folder of a profile is either absent or a whole clone. A clone found
//! broken ([`super::health`]: not a repository, half-finished, a crash's lock file, objects
//! missing) is cloned again the same way and swapped in; the broken one is removed afterwards.
//! A cache folder that cannot be written gives an error saying what to do. One operation per
//! profile at a time; the work runs on a blocking thread with progress reported to a callback.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use git2::{AutotagOption, FetchOptions, FetchPrune, ProxyOptions, RemoteCallbacks, Repository};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::auth::{refused_error, GitAuth};
use super::errors::{fetch_error, not_writable, probe_writable};
use super::health::{self, Broken};
use crate::error::{AppError, AppResult, ErrorCode};

/// What the cache is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum CachePhase {
    /// First clone of the repository for this profile.
    Cloning,
    /// Bringing an existing clone up to date.
    Fetching,
    /// The clone was broken and is made again.
    Recloning,
}

/// One progress report of a clone or fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CacheProgress {
    pub phase: CachePhase,
    pub received_objects: u32,
    pub total_objects: u32,
    #[ts(type = "number")]
    pub received_bytes: u64,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    /// The clone's folder.
    pub path: PathBuf,
    /// Made from scratch (first use, or a broken clone replaced).
    pub cloned: bool,
    /// Why the previous clone was replaced, when it was.
    pub repaired: Option<String>,
    /// Remote branches and their heads after the sync (`main` → commit id).
    pub heads: Vec<(String, String)>,
}

/// Told about progress (from the blocking thread).
pub type ProgressFn = Arc<dyn Fn(CacheProgress) + Send + Sync>;

/// The cached clones, one per key (the profile id).
pub struct GitCache {
    root: PathBuf,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// How often progress is reported at most (the last report always goes out).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

fn check_key(key: &str) -> AppResult<()> {
    let ok = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(AppError::internal(format!(
            "\"{key}\" cannot name a cache folder."
        )))
    }
}

/// Fetches every branch of `url` into `repo` with `auth`, reporting progress.
fn fetch(
    repo: &Repository,
    url: &str,
    auth: &GitAuth,
    phase: CachePhase,
    progress: &ProgressFn,
) -> AppResult<()> {
    let refused = Arc::new(AtomicBool::new(false));
    let mut callbacks = RemoteCallbacks::new();
    auth.install(&mut callbacks, Arc::clone(&refused));
    let mut last: Option<Instant> = None;
    let mut said_done = false;
    let report = Arc::clone(progress);
    callbacks.transfer_progress(move |p| {
        let done = p.total_objects() > 0 && p.received_objects() == p.total_objects();
        let due = last.is_none_or(|l| l.elapsed() >= PROGRESS_EVERY);
        if (done && !said_done) || (!done && due) {
            said_done = done;
            last = Some(Instant::now());
            report(CacheProgress {
                phase,
                received_objects: u32::try_from(p.received_objects()).unwrap_or(u32::MAX),
                total_objects: u32::try_from(p.total_objects()).unwrap_or(u32::MAX),
                received_bytes: u64::try_from(p.received_bytes()).unwrap_or(u64::MAX),
            });
        }
        true
    });
    let mut proxy = ProxyOptions::new();
    proxy.auto();
    let mut options = FetchOptions::new();
    options
        .remote_callbacks(callbacks)
        .proxy_options(proxy)
        .prune(FetchPrune::On)
        .download_tags(AutotagOption::None);
    auth.apply_headers(&mut options);
    let mut remote = repo
        .find_remote("origin")
        .map_err(|e| fetch_error(&e, url, repo.path()))?;
    let refspec = format!("+refs/heads/*:{}*", health::REMOTE_PREFIX);
    let result = remote.fetch(&[refspec.as_str()], Some(&mut options), None);
    match result {
        Ok(()) => Ok(()),
        Err(_) if refused.load(Ordering::SeqCst) => Err(refused_error(auth.is_bearer())),
        Err(e) if e.code() == git2::ErrorCode::Auth => Err(refused_error(auth.is_bearer())),
        Err(e) => Err(fetch_error(&e, url, repo.path())),
    }
}

fn remove_quietly(path: &Path) {
    if path.exists() {
        if let Err(e) = std::fs::remove_dir_all(path) {
            tracing::warn!(path = %path.display(), error = %e, "could not remove an old cache folder");
        }
    }
}

impl GitCache {
    /// Clones live in `{root}/git`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            locks: Mutex::new(HashMap::new()),
        }
    }

    fn dir(&self) -> PathBuf {
        self.root.join("git")
    }

    /// The folder of `key`'s clone.
    pub fn repo_dir(&self, key: &str) -> PathBuf {
        self.dir().join(key)
    }

    fn lock(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        Arc::clone(
            self.locks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .entry(key.to_owned())
                .or_default(),
        )
    }

    /// Brings `key`'s clone of `url` up to date (cloning or repairing it first when needed).
    /// A refused bearer token is refreshed once and the fetch repeated.
    pub async fn sync(
        &self,
        key: &str,
        url: &str,
        auth: GitAuth,
        progress: ProgressFn,
    ) -> AppResult<SyncOutcome> {
        check_key(key)?;
        let lock = self.lock(key);
        let _guard = lock.lock().await;
        let mut auth = auth;
        let mut refreshed = false;
        loop {
            let (dir, key2, url2, auth2, p2) = (
                self.dir(),
                key.to_owned(),
                url.to_owned(),
                auth.clone(),
                Arc::clone(&progress),
            );
            let result =
                tokio::task::spawn_blocking(move || sync_blocking(&dir, &key2, &url2, &auth2, &p2))
                    .await
                    .map_err(|e| {
                        AppError::internal("The git task stopped unexpectedly.")
                            .with_detail(e.to_string())
                    })?;
            match result {
                Err(e) if e.code == ErrorCode::TokenRejected && !refreshed => {
                    match auth.refreshed().await? {
                        Some(next) => {
                            auth = next;
                            refreshed = true;
                        }
                        None => return Err(e),
                    }
                }
                other => return other,
            }
        }
    }

    /// Runs `work` on `key`'s clone on a blocking thread (under the clone's lock). `NotFound` when
    /// there is no usable clone yet: call [`Self::sync`] first.
    pub async fn with_repo<T: Send + 'static>(
        &self,
        key: &str,
        work: impl FnOnce(&Repository) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        check_key(key)?;
        let lock = self.lock(key);
        let _guard = lock.lock().await;
        let dir = self.repo_dir(key);
        tokio::task::spawn_blocking(move || {
            let repo = Repository::open_bare(&dir).map_err(|e| {
                AppError::new(
                    ErrorCode::NotFound,
                    "The app has no copy of the repository yet; list the targets again.",
                )
                .with_detail(e.message().to_owned())
            })?;
            work(&repo)
        })
        .await
        .map_err(|e| {
            AppError::internal("The git task stopped unexpectedly.").with_detail(e.to_string())
        })?
    }
}

/// Leftovers of earlier attempts for `key` (temporary and replaced clones) are removed.
fn clean_leftovers(dir: &Path, key: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefixes = [format!(".{key}.tmp-"), format!(".{key}.old-")];
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| name.starts_with(p.as_str())) {
            remove_quietly(&e.path());
        }
    }
}

/// Clones `url` into a temporary folder beside `target` and swaps it in.
fn clone_into_place(
    dir: &Path,
    key: &str,
    url: &str,
    auth: &GitAuth,
    phase: CachePhase,
    progress: &ProgressFn,
) -> AppResult<Repository> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let tmp = dir.join(format!(".{key}.tmp-{id}"));
    let target = dir.join(key);
    let made = (|| {
        let repo = Repository::init_bare(&tmp).map_err(|e| fetch_error(&e, url, &tmp))?;
        repo.remote("origin", url)
            .map_err(|e| fetch_error(&e, url, &tmp))?;
        fetch(&repo, url, auth, phase, progress)?;
        health::check(&tmp, url).map_err(|why| {
            AppError::new(
                ErrorCode::Git,
                format!("The fresh copy of the repository is not usable: {why}. Try again."),
            )
        })?;
        Ok::<_, AppError>(())
    })();
    if let Err(e) = made {
        remove_quietly(&tmp);
        return Err(e);
    }
    let old = dir.join(format!(".{key}.old-{id}"));
    if target.exists() {
        std::fs::rename(&target, &old).map_err(|e| not_writable(dir, &e))?;
    }
    std::fs::rename(&tmp, &target).map_err(|e| not_writable(dir, &e))?;
    remove_quietly(&old);
    Repository::open_bare(&target).map_err(|e| fetch_error(&e, url, &target))
}

fn sync_blocking(
    dir: &Path,
    key: &str,
    url: &str,
    auth: &GitAuth,
    progress: &ProgressFn,
) -> AppResult<SyncOutcome> {
    probe_writable(dir)?;
    clean_leftovers(dir, key);
    let target = dir.join(key);
    let existing: Option<Result<Repository, Broken>> =
        target.exists().then(|| health::check(&target, url));
    let (repo, cloned, repaired) = match existing {
        None => (
            clone_into_place(dir, key, url, auth, CachePhase::Cloning, progress)?,
            true,
            None,
        ),
        Some(Err(why)) => {
            tracing::warn!(cache = %target.display(), %why, "the cached clone is broken; cloning it again");
            let repo = clone_into_place(dir, key, url, auth, CachePhase::Recloning, progress)?;
            (repo, true, Some(why))
        }
        Some(Ok(repo)) => {
            probe_writable(&target)?;
            fetch(&repo, url, auth, CachePhase::Fetching, progress)?;
            match health::check(&target, url) {
                Ok(repo) => (repo, false, None),
                Err(why) => {
                    drop(repo);
                    let repo =
                        clone_into_place(dir, key, url, auth, CachePhase::Recloning, progress)?;
                    (repo, true, Some(why))
                }
            }
        }
    };
    let heads = health::heads(&repo)
        .map_err(|e| fetch_error(&e, url, &target))?
        .into_iter()
        .map(|(n, o)| (n, o.to_string()))
        .collect();
    Ok(SyncOutcome {
        path: target,
        cloned,
        repaired,
        heads,
    })
}
