//! Sharing profiles as JSON files. An export is `{"kind":"synapse-hotfix.profiles","version":1,
//! "exportedAt":…,"profiles":[…]}`; profiles hold no secret, so neither does the file (tokens stay
//! in each user's keychain). Import validates every profile, gives a new id to any whose id is
//! already taken and a new name to any whose name is, never overwrites, and reports what it did.
//! A saved `profiles.json` (no `kind`, version 1) is accepted too, so a moved-aside file can be
//! repaired and brought back.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::check;
use super::model::Profile;
use super::store::{new_id, unique_name, ProfileStore, FILE_VERSION, MIN_FILE_VERSION};
use crate::error::{AppError, AppResult};
use crate::fsutil::write_atomic;

/// The `kind` marker of an export file.
pub const EXPORT_KIND: &str = "synapse-hotfix.profiles";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exported_at: Option<String>,
    profiles: Vec<serde_json::Value>,
}

/// One profile that was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportedProfile {
    pub id: String,
    pub name: String,
    /// True when the id in the file was already used and a new one was given.
    pub new_id: bool,
    /// The name in the file when it had to be changed to stay unique.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// One profile of the file that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SkippedProfile {
    /// The name in the file, or "profile #n" when it has none.
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportReport {
    pub imported: Vec<ImportedProfile>,
    pub skipped: Vec<SkippedProfile>,
    /// One sentence for the UI, e.g. "Imported 2 profiles; 1 was skipped."
    pub summary: String,
}

impl ProfileStore {
    /// The export document for the given ids (all profiles when `ids` is empty).
    pub fn export_json(&self, ids: &[String]) -> AppResult<String> {
        let all = self.snapshot();
        let chosen: Vec<&Profile> = if ids.is_empty() {
            all.iter().collect()
        } else {
            let missing: Vec<&String> = ids
                .iter()
                .filter(|id| !all.iter().any(|p| &p.id == *id))
                .collect();
            if !missing.is_empty() {
                return Err(AppError::new(
                    crate::ErrorCode::NotFound,
                    "Some of the chosen profiles no longer exist; refresh the list and export again.",
                )
                .with_detail(format!("{missing:?}")));
            }
            all.iter().filter(|p| ids.contains(&p.id)).collect()
        };
        let file = ExportFile {
            kind: Some(EXPORT_KIND.to_owned()),
            version: FILE_VERSION,
            exported_at: Some(chrono::Utc::now().to_rfc3339()),
            profiles: chosen
                .into_iter()
                .map(serde_json::to_value)
                .collect::<Result<_, _>>()
                .map_err(|e| {
                    AppError::internal("The profiles could not be encoded.")
                        .with_detail(e.to_string())
                })?,
        };
        serde_json::to_string_pretty(&file).map_err(|e| {
            AppError::internal("The profiles could not be encoded.").with_detail(e.to_string())
        })
    }

    /// Writes the export document to `path` (atomically) and returns how many profiles it holds.
    pub fn export_to_file(&self, ids: &[String], path: &Path) -> AppResult<usize> {
        let json = self.export_json(ids)?;
        let count = if ids.is_empty() {
            self.snapshot().len()
        } else {
            ids.len()
        };
        write_atomic(path, format!("{json}\n").as_bytes()).map_err(|e| {
            AppError::storage(
                format!("The export could not be written to {}.", path.display()),
                &e,
            )
        })?;
        Ok(count)
    }

    /// Imports the profiles of an export (or saved `profiles.json`) document.
    pub fn import_json(&self, json: &str) -> AppResult<ImportReport> {
        let file = parse_export(json)?;
        self.mutate(|profiles| {
            let mut imported = Vec::new();
            let mut skipped = Vec::new();
            for (index, raw) in file.profiles.into_iter().enumerate() {
                let label = raw
                    .get("name")
                    .and_then(serde_json::Value::as_str)
                    .filter(|n| !n.trim().is_empty())
                    .map_or_else(|| format!("profile #{}", index + 1), str::to_owned);
                let mut profile = match serde_json::from_value::<Profile>(raw) {
                    Ok(p) => check::normalize(&p),
                    Err(e) => {
                        skipped.push(SkippedProfile {
                            name: label,
                            reason: format!("it could not be read ({e})"),
                        });
                        continue;
                    }
                };
                let id_taken =
                    profile.id.trim().is_empty() || profiles.iter().any(|p| p.id == profile.id);
                if id_taken {
                    profile.id = new_id();
                }
                let original_name = profile.name.clone();
                if !original_name.is_empty()
                    && profiles
                        .iter()
                        .any(|p| p.name.eq_ignore_ascii_case(&original_name))
                {
                    profile.name = unique_name(&format!("{original_name} (imported)"), profiles);
                }
                let issues = check::issues(&profile, profiles);
                if !issues.is_empty() {
                    let reasons: Vec<String> = issues.into_iter().map(|i| i.message).collect();
                    skipped.push(SkippedProfile {
                        name: label,
                        reason: reasons.join(" "),
                    });
                    continue;
                }
                let renamed_from = (profile.name != original_name).then_some(original_name);
                imported.push(ImportedProfile {
                    id: profile.id.clone(),
                    name: profile.name.clone(),
                    new_id: id_taken,
                    renamed_from,
                });
                profiles.push(profile);
            }
            if imported.is_empty() && skipped.is_empty() {
                return Err(AppError::invalid_input("The file holds no profiles."));
            }
            let summary = summary(imported.len(), skipped.len());
            Ok(ImportReport {
                imported,
                skipped,
                summary,
            })
        })
    }

    /// Reads `path` and imports it.
    pub fn import_from_file(&self, path: &Path) -> AppResult<ImportReport> {
        let json = std::fs::read_to_string(path)
            .map_err(|e| AppError::storage(format!("{} could not be read.", path.display()), &e))?;
        self.import_json(&json)
    }
}

fn parse_export(json: &str) -> AppResult<ExportFile> {
    let not_export = || {
        AppError::invalid_input(
            "This file is not a Synapse Hotfix profile export. Choose a file made with Profiles → \
             Export (it starts with {\"kind\": \"synapse-hotfix.profiles\", …}).",
        )
    };
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| not_export().with_detail(e.to_string()))?;
    match value.get("kind").and_then(serde_json::Value::as_str) {
        Some(EXPORT_KIND) | None => {}
        Some(other) => return Err(not_export().with_detail(format!("kind = {other}"))),
    }
    let file: ExportFile =
        serde_json::from_value(value).map_err(|e| not_export().with_detail(e.to_string()))?;
    if file.version > FILE_VERSION {
        return Err(AppError::invalid_input(format!(
            "This export was made by a newer version of Synapse Hotfix (version {}; this app reads \
             version {FILE_VERSION}). Update the app to import it.",
            file.version
        )));
    }
    if file.version < MIN_FILE_VERSION {
        return Err(AppError::invalid_input(format!(
            "This export has an unknown version {}.",
            file.version
        )));
    }
    Ok(file)
}

fn summary(imported: usize, skipped: usize) -> String {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    match (imported, skipped) {
        (i, 0) => format!("Imported {}.", plural(i, "profile", "profiles")),
        (0, s) => format!(
            "Nothing was imported: {} could not be used.",
            plural(s, "profile", "profiles")
        ),
        (i, s) => format!(
            "Imported {}; {} could not be used.",
            plural(i, "profile", "profiles"),
            plural(s, "profile", "profiles")
        ),
    }
}
