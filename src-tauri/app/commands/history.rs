//! The run history: list (filtered by profile and status), one entry, a document (Markdown or
//! JSON, for the closing summary's copy), and its export to the exports folder — the same folder
//! profile exports go to ([`crate::exports`]), a free file name, written atomically.

use std::path::{Path, PathBuf};

use hotfix_core::hotfix::history::{ExportFormat, HistoryDocument, HistoryEntry, HistoryFilter};
use hotfix_core::hotfix::HotfixService;
use hotfix_core::AppResult;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::state::AppState;

/// Where an export was written.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryExported {
    pub path: String,
    pub runs: u32,
}

#[tauri::command]
#[tracing::instrument(skip(hotfix), err)]
pub fn history_list(
    hotfix: State<'_, HotfixService>,
    filter: HistoryFilter,
) -> AppResult<Vec<HistoryEntry>> {
    hotfix.history_list(&filter)
}

#[tauri::command]
#[tracing::instrument(skip(hotfix), err)]
pub fn history_entry(hotfix: State<'_, HotfixService>, run_id: String) -> AppResult<HistoryEntry> {
    hotfix.history_entry(&run_id)
}

/// One run (`run_id`) or every run `filter` accepts, as text.
#[tauri::command]
#[tracing::instrument(skip(hotfix), err)]
pub fn history_document(
    hotfix: State<'_, HotfixService>,
    run_id: Option<String>,
    filter: HistoryFilter,
    format: ExportFormat,
) -> AppResult<HistoryDocument> {
    hotfix.history_document(run_id.as_deref(), &filter, format)
}

/// Writes one run or the filtered history to the exports folder; never overwrites a file.
#[tauri::command]
#[tracing::instrument(skip(state, hotfix), err)]
pub fn history_export(
    state: State<'_, AppState>,
    hotfix: State<'_, HotfixService>,
    run_id: Option<String>,
    filter: HistoryFilter,
    format: ExportFormat,
) -> AppResult<HistoryExported> {
    let doc = hotfix.history_document(run_id.as_deref(), &filter, format)?;
    let path = free_path(&state.exports, &doc.file_name);
    hotfix.history_write(&doc, &path)?;
    tracing::info!(path = %path.display(), runs = doc.runs, "history exported");
    Ok(HistoryExported {
        path: path.display().to_string(),
        runs: doc.runs,
    })
}

/// `dir/name`, or `dir/stem (2).ext`, … when taken.
fn free_path(dir: &Path, name: &str) -> PathBuf {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, "txt"));
    (1..10_000u32)
        .map(|n| {
            if n == 1 {
                dir.join(name)
            } else {
                dir.join(format!("{stem} ({n}).{ext}"))
            }
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            dir.join(format!("{stem} ({nanos}).{ext}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_path_never_reuses_an_existing_export() {
        let dir = tempfile::tempdir().unwrap();
        let first = free_path(dir.path(), "hotfix-Release-3.md");
        assert_eq!(first.file_name().unwrap(), "hotfix-Release-3.md");
        std::fs::write(&first, "x").unwrap();
        let second = free_path(dir.path(), "hotfix-Release-3.md");
        assert_eq!(second.file_name().unwrap(), "hotfix-Release-3 (2).md");
    }
}
