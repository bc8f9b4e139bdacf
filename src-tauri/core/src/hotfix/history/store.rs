//! The history on disk: `{data}/history/{run id}.json`, one small file per run holding its
//! [`HistoryEntry`] (`{"version": 1, "entry": {…}}`), written atomically whenever the run is saved
//! ([`super::super::store::RunStore::save`]), so a run is remembered even after its own file is
//! deleted. The history the user sees is every saved run (fresh from its file) plus the entries
//! whose run file is gone. Files of a newer format are neither read nor overwritten; unreadable
//! ones are moved aside.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::entry::HistoryEntry;
use crate::error::{AppError, AppResult};
use crate::fsutil;
use crate::hotfix::run::HotfixRun;

/// Format of a history file. Version 1: `{version, entry}` with [`HistoryEntry`].
pub const HISTORY_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct HistoryFile {
    version: u32,
    entry: HistoryEntry,
}

/// Brings a history file of an earlier format to [`HISTORY_VERSION`] (there is none earlier yet:
/// a file without `version` is read as version 1, whose later fields are all optional).
pub fn migrate(mut value: Value) -> Result<Value, String> {
    let version = value.get("version").and_then(Value::as_u64).unwrap_or(1);
    if version > u64::from(HISTORY_VERSION) {
        return Err(format!(
            "format {version} is newer than this app's ({HISTORY_VERSION})"
        ));
    }
    if !value.get("entry").is_some_and(Value::is_object) {
        return Err("a history file holds one entry".into());
    }
    value["version"] = HISTORY_VERSION.into();
    Ok(value)
}

pub struct HistoryStore {
    dir: PathBuf,
}

/// What reading one history file gave.
enum Read {
    Missing,
    Entry(Box<HistoryEntry>),
    /// Written by a newer app: keep it as it is.
    Newer,
    Unreadable,
}

impl HistoryStore {
    /// The history below the app's data folder (`{data}/history`).
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("history"),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    fn read(&self, path: &Path) -> Read {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::Missing,
            Err(_) => return Read::Unreadable,
        };
        let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
            return Read::Unreadable;
        };
        if value
            .get("version")
            .and_then(Value::as_u64)
            .is_some_and(|v| v > u64::from(HISTORY_VERSION))
        {
            return Read::Newer;
        }
        migrate(value)
            .and_then(|v| serde_json::from_value::<HistoryFile>(v).map_err(|e| e.to_string()))
            .map_or(Read::Unreadable, |f| Read::Entry(Box::new(f.entry)))
    }

    /// Records the entry of `run` (only when it changed). A newer-format file is left alone; an
    /// unreadable one is moved aside first.
    pub fn record(&self, run: &HotfixRun) -> AppResult<()> {
        let entry = HistoryEntry::from_run(run);
        let path = self.path(&run.id);
        match self.read(&path) {
            Read::Entry(old) if *old == entry => return Ok(()),
            Read::Newer => return Ok(()),
            Read::Unreadable => {
                let _ = fsutil::move_aside(&path);
            }
            Read::Entry(_) | Read::Missing => {}
        }
        let file = HistoryFile {
            version: HISTORY_VERSION,
            entry,
        };
        fsutil::write_json_atomic(&path, &file).map_err(|e| {
            AppError::storage(
                format!(
                    "Could not write the history entry {}. Free some disk space or check the folder \
                     can be written to; the run itself is saved.",
                    path.display()
                ),
                &e,
            )
        })
    }

    /// Every readable entry on disk (unreadable files are moved aside, newer ones skipped).
    pub fn entries(&self) -> AppResult<Vec<HistoryEntry>> {
        let list = match std::fs::read_dir(&self.dir) {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(AppError::storage("Could not list the hotfix history.", &e)),
        };
        let mut out = Vec::new();
        for item in list.flatten() {
            let path = item.path();
            let is_entry = path.extension().is_some_and(|e| e == "json")
                && !path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if !is_entry {
                continue;
            }
            match self.read(&path) {
                Read::Entry(e) => out.push(*e),
                Read::Unreadable => {
                    let moved = fsutil::move_aside(&path);
                    tracing::warn!(path = %path.display(), moved = ?moved.ok(), "history file unreadable, kept aside");
                }
                Read::Newer => {
                    tracing::warn!(path = %path.display(), "history file from a newer app version, skipped");
                }
                Read::Missing => {}
            }
        }
        Ok(out)
    }
}
