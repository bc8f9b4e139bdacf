//! The run history (DESIGN: "every run is recorded in a history … that can be exported"): one
//! [`HistoryEntry`] per run, finished or not, built from the saved runs and kept in
//! `{data}/history` so it survives a run file being deleted ([`store`]); filtered by profile and
//! status; exported as Markdown change records or JSON ([`export`]), written atomically.

pub mod entry;
pub mod export;
mod from_run;
mod service;
pub mod store;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use entry::HistoryEntry;
pub use export::{change_record, to_json, to_markdown};
pub use service::HistoryDocument;
pub use store::{HistoryStore, HISTORY_VERSION};

use crate::hotfix::run::RunStatus;

/// Which entries to show or export (`None` = any).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryFilter {
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RunStatus>,
}

impl HistoryFilter {
    pub fn accepts(&self, e: &HistoryEntry) -> bool {
        self.profile_id.as_ref().is_none_or(|p| *p == e.profile_id)
            && self.status.is_none_or(|s| s == e.status)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ExportFormat {
    Markdown,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Json => "json",
        }
    }
}
