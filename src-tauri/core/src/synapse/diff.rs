//! A readable diff of one artifact: both sides pretty-printed as JSON with sorted keys (so a key
//! that merely moved is not a change), then a line diff grouped into hunks with 3 lines of context.
//! Content that is not JSON is diffed as text.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use similar::{ChangeTag, TextDiff};
use ts_rs::TS;

const CONTEXT_LINES: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum DiffLineKind {
    Context,
    Added,
    Removed,
}

/// One line of a hunk, with its 1-based line numbers on each side (absent on the side it is not on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DiffLine {
    pub kind: DiffLineKind,
    #[ts(type = "number | null")]
    pub old_line: Option<u32>,
    #[ts(type = "number | null")]
    pub new_line: Option<u32>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DiffHunk {
    pub lines: Vec<DiffLine>,
}

/// The diff of one artifact file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ArtifactDiff {
    pub added: u32,
    pub removed: u32,
    pub hunks: Vec<DiffHunk>,
    /// False when a side was not valid JSON and was compared as plain text.
    pub json: bool,
}

/// Pretty JSON with every object's keys sorted, independent of serde_json's map feature flags.
pub fn canonical_json(value: &Value) -> String {
    fn sort(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sort(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    let mut text = serde_json::to_string_pretty(&sort(value)).unwrap_or_default();
    text.push('\n');
    text
}

fn side(content: Option<&str>) -> (String, bool) {
    match content {
        None => (String::new(), true),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(value) => (canonical_json(&value), true),
            Err(_) => {
                let mut t = text.replace("\r\n", "\n");
                if !t.ends_with('\n') {
                    t.push('\n');
                }
                (t, false)
            }
        },
    }
}

/// Diffs two versions of an artifact file (`None` = the file does not exist on that side).
pub fn json_diff(old: Option<&str>, new: Option<&str>) -> ArtifactDiff {
    let (old_text, old_json) = side(old);
    let (new_text, new_json) = side(new);
    let diff = TextDiff::from_lines(&old_text, &new_text);
    let (mut added, mut removed) = (0u32, 0u32);
    let mut hunks = Vec::new();
    for group in diff.grouped_ops(CONTEXT_LINES) {
        let mut lines = Vec::new();
        for op in &group {
            for change in diff.iter_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => DiffLineKind::Context,
                    ChangeTag::Insert => {
                        added += 1;
                        DiffLineKind::Added
                    }
                    ChangeTag::Delete => {
                        removed += 1;
                        DiffLineKind::Removed
                    }
                };
                let number = |i: Option<usize>| i.and_then(|i| u32::try_from(i + 1).ok());
                lines.push(DiffLine {
                    kind,
                    old_line: number(change.old_index()),
                    new_line: number(change.new_index()),
                    text: change.value().trim_end_matches('\n').to_owned(),
                });
            }
        }
        hunks.push(DiffHunk { lines });
    }
    ArtifactDiff {
        added,
        removed,
        hunks,
        json: old_json && new_json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_alone_is_not_a_change() {
        let d = json_diff(
            Some(r#"{"b":1,"a":{"y":2,"x":1}}"#),
            Some(r#"{"a":{"x":1,"y":2},"b":1}"#),
        );
        assert_eq!((d.added, d.removed), (0, 0));
        assert!(d.hunks.is_empty());
        assert!(d.json);
    }

    #[test]
    fn a_changed_value_shows_as_one_removed_and_one_added_line_with_context() {
        let old = r#"{"name":"LoadSales","properties":{"activities":[{"name":"Copy","timeout":"0.12:00:00"}],"folder":"x"}}"#;
        let new = r#"{"name":"LoadSales","properties":{"activities":[{"name":"Copy","timeout":"0.01:00:00"}],"folder":"x"}}"#;
        let d = json_diff(Some(old), Some(new));
        assert_eq!((d.added, d.removed), (1, 1));
        assert_eq!(d.hunks.len(), 1);
        let lines = &d.hunks[0].lines;
        let removed = lines
            .iter()
            .find(|l| l.kind == DiffLineKind::Removed)
            .unwrap();
        let added = lines
            .iter()
            .find(|l| l.kind == DiffLineKind::Added)
            .unwrap();
        assert!(removed.text.contains("0.12:00:00"), "{removed:?}");
        assert!(added.text.contains("0.01:00:00"), "{added:?}");
        assert_eq!(removed.new_line, None);
        assert_eq!(added.old_line, None);
        assert!(lines.iter().any(|l| l.kind == DiffLineKind::Context));
    }

    #[test]
    fn added_and_deleted_files_are_all_additions_or_removals() {
        let created = json_diff(None, Some(r#"{"name":"Clean","properties":{}}"#));
        assert_eq!(created.removed, 0);
        assert!(created.added >= 3);
        let deleted = json_diff(Some(r#"{"name":"Old"}"#), None);
        assert_eq!(deleted.added, 0);
        assert_eq!(deleted.removed, 3);
    }

    #[test]
    fn text_that_is_not_json_is_diffed_as_text() {
        let d = json_diff(Some("a\nb\n"), Some("a\nc"));
        assert!(!d.json);
        assert_eq!((d.added, d.removed), (1, 1));
    }
}
