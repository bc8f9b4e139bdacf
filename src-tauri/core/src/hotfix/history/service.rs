//! The history operations of [`HotfixService`]: list (filtered), one entry, a document of one or
//! all entries, and its atomic export to a file.

use std::path::Path;

use chrono::Utc;
use serde::Serialize;
use ts_rs::TS;

use super::entry::HistoryEntry;
use super::{export, ExportFormat, HistoryFilter};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::fsutil;
use crate::hotfix::service::HotfixService;

/// An export's text and a file name to offer for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryDocument {
    pub file_name: String,
    pub content: String,
    /// How many runs it holds.
    pub runs: u32,
}

impl HotfixService {
    /// Every run the history knows, newest first, that `filter` accepts: the saved runs as they
    /// are now, and the entries whose run file is gone (`runAvailable: false`).
    pub fn history_list(&self, filter: &HistoryFilter) -> AppResult<Vec<HistoryEntry>> {
        let runs = self.store().list()?;
        let mut entries: Vec<HistoryEntry> = runs.iter().map(HistoryEntry::from_run).collect();
        let known: std::collections::HashSet<String> = runs.iter().map(|r| r.id.clone()).collect();
        // The run files are the record while they exist: a history folder that cannot be read
        // only loses the entries of deleted runs, and says so in the log.
        let kept = self.store().history().entries().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "the history folder could not be read");
            Vec::new()
        });
        for mut e in kept {
            if !known.contains(&e.run_id) {
                e.run_available = false;
                entries.push(e);
            }
        }
        entries.retain(|e| filter.accepts(e));
        entries.sort_by(|a, b| {
            b.started_at
                .cmp(&a.started_at)
                .then_with(|| a.run_id.cmp(&b.run_id))
        });
        Ok(entries)
    }

    /// The entry of one run (from its file, else from the history).
    pub fn history_entry(&self, run_id: &str) -> AppResult<HistoryEntry> {
        self.history_list(&HistoryFilter::default())?
            .into_iter()
            .find(|e| e.run_id == run_id)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    format!("The history has no hotfix run {run_id}."),
                )
            })
    }

    /// The document of one run (`run_id`) or of every run `filter` accepts.
    pub fn history_document(
        &self,
        run_id: Option<&str>,
        filter: &HistoryFilter,
        format: ExportFormat,
    ) -> AppResult<HistoryDocument> {
        let entries = match run_id {
            Some(id) => vec![self.history_entry(id)?],
            None => self.history_list(filter)?,
        };
        if entries.is_empty() {
            return Err(AppError::new(
                ErrorCode::Precondition,
                "No hotfix run matches the filter, so there is nothing to export. Change the filter.",
            ));
        }
        let now = Utc::now();
        let content = match format {
            ExportFormat::Markdown => export::to_markdown(&entries, now),
            ExportFormat::Json => export::to_json(&entries, now),
        };
        let stem = match (run_id, entries.first()) {
            (Some(_), Some(e)) => format!(
                "hotfix-{}-{}",
                e.release.as_ref().map_or("run", |r| r.name.as_str()),
                e.started_at.format("%Y%m%d-%H%M")
            ),
            _ => format!("hotfix-history-{}", now.format("%Y%m%d-%H%M")),
        };
        let stem: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Ok(HistoryDocument {
            file_name: format!("{stem}.{}", format.extension()),
            content,
            runs: u32::try_from(entries.len()).unwrap_or(u32::MAX),
        })
    }

    /// Writes `doc` to `path` atomically (a temp file, then a rename): a failed export leaves no
    /// half file and changes nothing in the history.
    pub fn history_write(&self, doc: &HistoryDocument, path: &Path) -> AppResult<()> {
        fsutil::write_atomic(path, doc.content.as_bytes()).map_err(|e| {
            AppError::storage(
                format!(
                    "Could not write the export to {}. Check that the folder exists and can be \
                     written to, then export again; the history itself is unchanged.",
                    path.display()
                ),
                &e,
            )
        })
    }
}
