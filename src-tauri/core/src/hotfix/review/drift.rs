//! Drift: the live artifacts of a workspace against a commit *as it was deployed* (overrides
//! applied, default artifacts skipped, references to them renamed, see
//! [`crate::synapse::deployed`]). Both sides are normalised so that only real edits show: key
//! order, `null` values, what the service adds (`runtimeState`, `encryptedCredential`, …) and
//! secure strings, which the service masks, are left out. Each difference comes with a unified
//! diff of the pretty JSON; values of secure parameters are shown with their secrets redacted.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};
use similar::TextDiff;

use super::commit::CommitArtifacts;
use super::{DriftChange, DriftItem};
use crate::synapse::dataplane::{is_listed, LiveArtifact};
use crate::synapse::deployed::{as_deployed, is_default_artifact};
use crate::synapse::diff::canonical_json;
use crate::synapse::overrides::Overrides;
use crate::synapse::parameters::{redact_secrets, value_at};
use crate::synapse::ArtifactKind;

/// Keys the service adds to what was deployed (left out where the other side lacks them).
const SERVER_ADDED: [&str; 2] = ["encryptedCredential", "provisioningState"];

/// The runtime state of a trigger is not part of its definition (the trigger check covers it).
fn without_state(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("runtimeState");
    }
    v
}
/// What the service shows for a secure string's value.
const MASK: &str = "**********";

fn kind_of(folder: &str) -> Option<ArtifactKind> {
    crate::synapse::dataplane::COLLECTIONS
        .iter()
        .map(|c| c.kind)
        .find(|k| k.folder().eq_ignore_ascii_case(folder))
}

/// `null`s dropped, secure strings masked, server-added keys dropped where the other side lacks them.
fn normalise(v: &Value, other: Option<&Value>) -> Value {
    match v {
        Value::Object(o) => {
            let secure = o.get("type").and_then(Value::as_str) == Some("SecureString");
            let other_obj = other.and_then(Value::as_object);
            Value::Object(
                o.iter()
                    .filter(|(_, x)| !x.is_null())
                    .filter(|(k, _)| {
                        !SERVER_ADDED.contains(&k.as_str())
                            || other_obj.is_some_and(|m| m.contains_key(k.as_str()))
                    })
                    .map(|(k, x)| {
                        if secure && k == "value" {
                            (k.clone(), json!(MASK))
                        } else {
                            (k.clone(), normalise(x, other_obj.and_then(|m| m.get(k))))
                        }
                    })
                    .collect(),
            )
        }
        Value::Array(a) => {
            let other_arr = other.and_then(Value::as_array);
            Value::Array(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| normalise(x, other_arr.and_then(|b| b.get(i))))
                    .collect(),
            )
        }
        other_v => other_v.clone(),
    }
}

fn redact_at(v: &mut Value, secure_paths: &[Vec<crate::synapse::parameters::PathSeg>]) {
    for path in secure_paths {
        if let Some(Value::String(s)) = value_at(v, path) {
            *s = redact_secrets(s);
        }
    }
}

fn pretty(name: &str, properties: &Value) -> String {
    canonical_json(&json!({"name": name, "properties": properties}))
}

fn unified(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_label, new_label)
        .to_string()
}

/// The drift of `live` against `commit` as deployed to `workspace` with `overrides`.
pub fn compare(
    commit: &CommitArtifacts,
    live: &[LiveArtifact],
    overrides: &Overrides,
    workspace: &str,
) -> Vec<DriftItem> {
    let rules = commit.definition.rules();
    let short = &commit.commit[..commit.commit.len().min(8)];
    let expected_label = format!("commit {short} as deployed");
    let live_label = format!("{workspace} (live)");
    // (kind, lowercase name) → (name, deployed properties, secure parameter paths)
    let mut expected = BTreeMap::new();
    for a in commit.artifacts.iter().filter(|a| is_listed(a.kind)) {
        if let Some(d) = as_deployed(
            a.kind,
            &a.name,
            a.properties(),
            &rules,
            overrides,
            workspace,
        ) {
            let secure: Vec<_> = d
                .parameters
                .iter()
                .filter(|p| p.is_secure())
                .map(|p| p.path.clone())
                .collect();
            expected.insert(
                (a.kind, a.name.to_ascii_lowercase()),
                (a.name.clone(), d.properties, secure),
            );
        }
    }
    let mut seen = BTreeSet::new();
    let mut items = Vec::new();
    for l in live {
        let Some(kind) = kind_of(&l.kind) else {
            continue;
        };
        let key = (kind, l.name.to_ascii_lowercase());
        match expected.get(&key) {
            Some((name, props, secure)) => {
                seen.insert(key.clone());
                let (props, live_props) = (without_state(props), without_state(&l.properties));
                let want = normalise(&props, Some(&live_props));
                let have = normalise(&live_props, Some(&props));
                if want == have {
                    continue;
                }
                let (mut shown_want, mut shown_have) = (want, have);
                redact_at(&mut shown_want, secure);
                redact_at(&mut shown_have, secure);
                let mut diff = unified(
                    &pretty(name, &shown_want),
                    &pretty(&l.name, &shown_have),
                    &expected_label,
                    &live_label,
                );
                if shown_want == shown_have {
                    diff = "A secret inside a secure value differs; it is not shown.\n".into();
                }
                items.push(DriftItem {
                    kind: kind.folder().to_owned(),
                    name: l.name.clone(),
                    change: DriftChange::Changed,
                    diff,
                });
            }
            // The workspace's own default artifacts are never deployed over.
            None if is_default_artifact(kind, &l.name, &l.properties) => {}
            None => items.push(DriftItem {
                kind: kind.folder().to_owned(),
                name: l.name.clone(),
                change: DriftChange::AddedInProduction,
                diff: unified(
                    "",
                    &pretty(&l.name, &normalise(&without_state(&l.properties), None)),
                    &expected_label,
                    &live_label,
                ),
            }),
        }
    }
    for (key, (name, props, secure)) in &expected {
        if seen.contains(key) {
            continue;
        }
        let mut shown = normalise(&without_state(props), None);
        redact_at(&mut shown, secure);
        items.push(DriftItem {
            kind: key.0.folder().to_owned(),
            name: name.clone(),
            change: DriftChange::MissingInProduction,
            diff: unified(&pretty(name, &shown), "", &expected_label, &live_label),
        });
    }
    items.sort_by(|a, b| {
        (&a.kind, a.name.to_ascii_lowercase()).cmp(&(&b.kind, b.name.to_ascii_lowercase()))
    });
    items
}
