//! `{config}/profiles.json`: `{"version":2,"profiles":[...]}`, written atomically after every
//! change, guarded by one mutex so concurrent commands cannot lose each other's edits.
//!
//! Unreadable files are never dropped or overwritten:
//! * bad JSON, a missing/invalid `version`, or profiles that cannot be read → the file is moved
//!   aside (`profiles.json.corrupt-<time>`), the store starts empty, and a [`StoreWarning`] with the
//!   moved-aside path tells the user;
//! * a `version` newer than this app knows → the file is **left in place** (it belongs to a newer
//!   app version), the store opens read-only and empty, and a warning says so; every change is
//!   refused until the newer app is used (or the file is moved away by hand).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::check;
use super::model::Profile;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::fsutil::{move_aside, write_json_atomic};
use crate::validate::FieldIssue;

pub const PROFILES_FILE: &str = "profiles.json";
/// The schema version this app writes. Version 2 added the sign-in of each profile
/// ([`super::model::SignInSettings`]); version 1 files are still read, their profiles keep their
/// personal access token.
pub const FILE_VERSION: u32 = 2;
/// The oldest schema version this app still reads.
pub const MIN_FILE_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct ProfilesFile {
    version: u32,
    profiles: Vec<Profile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum StoreWarningKind {
    /// The file could not be read and was moved aside; `path` is where it went.
    MovedAside,
    /// The file was written by a newer app version; it was left alone and the store is read-only.
    NewerVersion,
}

/// Something the user must be told about the profiles file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StoreWarning {
    pub kind: StoreWarningKind,
    pub message: String,
    /// The moved-aside copy (MovedAside) or the untouched file (NewerVersion).
    pub path: String,
}

pub struct ProfileStore {
    path: PathBuf,
    state: Mutex<State>,
}

struct State {
    profiles: Vec<Profile>,
    warnings: Vec<StoreWarning>,
    /// Set when the file belongs to a newer version: nothing may be written.
    read_only: bool,
}

impl std::fmt::Debug for ProfileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl ProfileStore {
    /// Opens `{config_dir}/profiles.json` (a missing file is an empty store). Fails only when the
    /// file exists but cannot be read or moved aside at all (permissions, I/O).
    pub fn open(config_dir: &Path) -> AppResult<Self> {
        let path = config_dir.join(PROFILES_FILE);
        let state = load(&path)?;
        for w in &state.warnings {
            tracing::warn!(path = %w.path, "{}", w.message);
        }
        Ok(Self {
            path,
            state: Mutex::new(state),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Warnings from opening the file, to show until dismissed.
    pub fn warnings(&self) -> Vec<StoreWarning> {
        self.lock().warnings.clone()
    }

    /// The user has read the warnings. (A read-only store stays read-only.)
    pub fn dismiss_warnings(&self) {
        let mut state = self.lock();
        state
            .warnings
            .retain(|w| w.kind == StoreWarningKind::NewerVersion);
    }

    /// True when the file belongs to a newer app version and nothing may be saved.
    pub fn is_read_only(&self) -> bool {
        self.lock().read_only
    }

    /// All profiles, sorted by name.
    pub fn list(&self) -> Vec<Profile> {
        let mut all = self.lock().profiles.clone();
        all.sort_by_key(|p| p.name.to_lowercase());
        all
    }

    pub fn get(&self, id: &str) -> AppResult<Profile> {
        self.lock()
            .profiles
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .ok_or_else(|| not_found(id))
    }

    /// What is wrong with `profile` if it were saved now (for live form validation).
    pub fn check(&self, profile: &Profile) -> Vec<FieldIssue> {
        check::issues(&check::normalize(profile), &self.lock().profiles)
    }

    /// Saves a new profile under a fresh id (any id in `draft` is ignored).
    pub fn create(&self, draft: Profile) -> AppResult<Profile> {
        let mut profile = check::normalize_owned(draft);
        profile.id = new_id();
        self.mutate(|profiles| {
            let issues = check::issues(&profile, profiles);
            if !issues.is_empty() {
                return Err(check::to_error(&issues));
            }
            profiles.push(profile.clone());
            Ok(profile.clone())
        })
    }

    /// Replaces the saved profile with the same id.
    pub fn update(&self, profile: Profile) -> AppResult<Profile> {
        let profile = check::normalize_owned(profile);
        self.mutate(|profiles| {
            let index = profiles
                .iter()
                .position(|p| p.id == profile.id)
                .ok_or_else(|| not_found(&profile.id))?;
            let issues = check::issues(&profile, profiles);
            if !issues.is_empty() {
                return Err(check::to_error(&issues));
            }
            profiles[index] = profile.clone();
            Ok(profile.clone())
        })
    }

    /// A copy named "Copy of …" (made unique) with a new id. The token is not copied here; see
    /// [`super::duplicate_with_token`].
    pub fn duplicate(&self, id: &str) -> AppResult<Profile> {
        self.mutate(|profiles| {
            let source = profiles
                .iter()
                .find(|p| p.id == id)
                .cloned()
                .ok_or_else(|| not_found(id))?;
            let mut copy = source.clone();
            copy.id = new_id();
            copy.name = unique_name(&format!("Copy of {}", source.name), profiles);
            profiles.push(copy.clone());
            Ok(copy)
        })
    }

    /// Deletes a profile and returns what was deleted. The token is not touched here; see
    /// [`super::delete_with_token`].
    pub fn delete(&self, id: &str) -> AppResult<Profile> {
        self.mutate(|profiles| {
            let index = profiles
                .iter()
                .position(|p| p.id == id)
                .ok_or_else(|| not_found(id))?;
            Ok(profiles.remove(index))
        })
    }

    /// Applies `change` to a copy of the profiles and saves it; the in-memory state changes only
    /// when the file was written.
    pub(super) fn mutate<T>(
        &self,
        change: impl FnOnce(&mut Vec<Profile>) -> AppResult<T>,
    ) -> AppResult<T> {
        let mut state = self.lock();
        if state.read_only {
            return Err(AppError::new(
                ErrorCode::Precondition,
                format!(
                    "Profiles can't be changed: {} was written by a newer version of Synapse \
                     Hotfix and this version will not overwrite it. Use the newer version, or \
                     move the file away to start over.",
                    self.path.display()
                ),
            ));
        }
        let mut next = state.profiles.clone();
        let out = change(&mut next)?;
        let file = ProfilesFile {
            version: FILE_VERSION,
            profiles: next,
        };
        write_json_atomic(&self.path, &file).map_err(|e| {
            AppError::storage(
                format!("The profiles could not be saved to {}. Check that the folder is writable and the disk is not full.", self.path.display()),
                &e,
            )
        })?;
        state.profiles = file.profiles;
        Ok(out)
    }

    pub(super) fn snapshot(&self) -> Vec<Profile> {
        self.lock().profiles.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub(super) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `base`, or `base (2)`, `base (3)` … — whichever no profile uses yet (case-insensitive).
pub(super) fn unique_name(base: &str, profiles: &[Profile]) -> String {
    let taken = |n: &str| profiles.iter().any(|p| p.name.eq_ignore_ascii_case(n));
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|i| format!("{base} ({i})"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_owned())
}

fn not_found(id: &str) -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "That profile no longer exists; it may have been deleted in another window.",
    )
    .with_detail(format!("profile id {id}"))
}

fn load(path: &Path) -> AppResult<State> {
    let empty = |warnings, read_only| State {
        profiles: Vec::new(),
        warnings,
        read_only,
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(empty(Vec::new(), false)),
        Err(e) => {
            return Err(AppError::storage(
                format!("The profiles file {} could not be read.", path.display()),
                &e,
            ));
        }
    };
    let problem = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Err(e) => format!("it is not valid JSON ({e})"),
        Ok(value) => match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v > u64::from(FILE_VERSION) => {
                let warning = StoreWarning {
                    kind: StoreWarningKind::NewerVersion,
                    message: format!(
                        "Your profiles file was written by a newer version of Synapse Hotfix \
                         (file version {v}, this app reads version {FILE_VERSION}). It was left \
                         untouched and no profiles are shown; changes are disabled so it is not \
                         overwritten. Update the app to use these profiles."
                    ),
                    path: path.display().to_string(),
                };
                return Ok(empty(vec![warning], true));
            }
            Some(v) if (u64::from(MIN_FILE_VERSION)..=u64::from(FILE_VERSION)).contains(&v) => {
                match serde_json::from_value::<ProfilesFile>(value) {
                    Ok(file) => {
                        return Ok(State {
                            profiles: file.profiles,
                            warnings: Vec::new(),
                            read_only: false,
                        });
                    }
                    Err(e) => format!("its profiles could not be read ({e})"),
                }
            }
            Some(v) => format!("it has an unknown version {v}"),
            None => "it has no version number".to_owned(),
        },
    };
    let moved = move_aside(path).map_err(|e| {
        AppError::new(
            ErrorCode::CorruptFile,
            format!("The profiles file {} is unreadable ({problem}) and could not be moved aside. Move or delete it by hand, then restart.", path.display()),
        )
        .with_detail(e.to_string())
    })?;
    let warning = StoreWarning {
        kind: StoreWarningKind::MovedAside,
        message: format!(
            "Your profiles file could not be read: {problem}. It was moved to {} so nothing is \
             lost, and the app started with no profiles. You can repair that file and import it \
             (Profiles → Import) or recreate the profiles.",
            moved.display()
        ),
        path: moved.display().to_string(),
    };
    Ok(empty(vec![warning], false))
}
