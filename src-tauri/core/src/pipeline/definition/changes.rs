//! What differs between two versions of a definition, leaf by leaf, with readable paths (stages,
//! jobs and tasks by name): what an update will change, and what someone else changed when a
//! save was refused as stale.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// One difference between two versions of a definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FieldChange {
    /// Where, readable: `Production_Hotfix › Agent job › Synapse deployment › operation`.
    pub path: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// Fields the service rewrites on every save, left out of [`changes`].
const VOLATILE: [&str; 8] = [
    "revision",
    "modifiedOn",
    "modifiedBy",
    "createdOn",
    "url",
    "_links",
    "lastRelease",
    "badgeUrl",
];

fn label(v: &Value, index: usize) -> String {
    v["name"]
        .as_str()
        .or_else(|| v["alias"].as_str())
        .map_or_else(|| format!("#{}", index + 1), str::to_owned)
}

fn leaf(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn diff(path: &str, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<FieldChange>) {
    if a == b {
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path} › {k}")
        }
    };
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                if VOLATILE.contains(&k.as_str()) || k == "currentRelease" || k == "owner" {
                    continue;
                }
                diff(&join(k), x.get(k), y.get(k), out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y)))
            if x.iter().chain(y).all(Value::is_object) =>
        {
            // Items are matched by name (stages, jobs, tasks) or alias (artifacts), else position.
            let keyed = |list: &Vec<Value>| -> Vec<String> {
                list.iter().enumerate().map(|(i, v)| label(v, i)).collect()
            };
            let (kx, ky) = (keyed(x), keyed(y));
            for (i, k) in kx.iter().enumerate() {
                let other = ky.iter().position(|n| n == k).map(|j| &y[j]);
                diff(&join(k), Some(&x[i]), other, out);
            }
            for (j, k) in ky.iter().enumerate() {
                if !kx.contains(k) {
                    diff(&join(k), None, Some(&y[j]), out);
                }
            }
        }
        (Some(Value::Object(x)), None) if !x.is_empty() => {
            out.push(FieldChange {
                path: path.to_owned(),
                before: Some("(set)".into()),
                after: None,
            });
        }
        (None, Some(Value::Object(y))) if !y.is_empty() => {
            out.push(FieldChange {
                path: path.to_owned(),
                before: None,
                after: Some("(added)".into()),
            });
        }
        _ => out.push(FieldChange {
            path: path.to_owned(),
            before: a.map(leaf),
            after: b.map(leaf),
        }),
    }
}

/// Leaf differences from `before` to `after` (volatile service fields left out), at most 200.
pub fn changes(before: &Value, after: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    diff("", Some(before), Some(after), &mut out);
    out.truncate(200);
    out
}
