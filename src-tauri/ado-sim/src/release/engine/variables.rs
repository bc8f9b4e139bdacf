//! Variables as the agent expands them into task inputs: `$(Name)` (case-insensitive) becomes the
//! value of a stage variable, else a release variable (the definition's, with the values the
//! release was created with for `allowOverride` ones), else one of a few predefined `Release.*`
//! variables. A reference to an unknown variable stays as written, like the agent leaves it.
//! Secret values are masked as `***` in the task log.

use serde_json::Value;

use crate::state::World;

/// One variable the agent knows for a task.
#[derive(Debug, Clone)]
pub(super) struct Var {
    name: String,
    value: String,
    secret: bool,
}

fn from_map(map: Option<&serde_json::Map<String, Value>>) -> Vec<Var> {
    map.into_iter()
        .flatten()
        .map(|(name, v)| Var {
            name: name.clone(),
            value: match &v["value"] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            },
            secret: v["isSecret"].as_bool().unwrap_or(false),
        })
        .collect()
}

/// The variables of stage `eid` of release `rid`, most specific first (stage, release, predefined).
pub(super) fn for_stage(w: &World, rid: i32, eid: i32, snap_env: &Value) -> Vec<Var> {
    let mut vars = from_map(snap_env["variables"].as_object());
    vars.extend(from_map(w.release.variables.get(&rid)));
    if let Some(r) = w.release.releases.get(&rid) {
        let stage = r.environments.iter().find(|e| e.id == eid);
        let predefined = [
            ("Release.ReleaseId", r.id.to_string()),
            ("Release.ReleaseName", r.name.clone()),
            (
                "Release.EnvironmentName",
                stage.map(|e| e.name.clone()).unwrap_or_default(),
            ),
        ];
        vars.extend(predefined.into_iter().map(|(name, value)| Var {
            name: name.to_owned(),
            value,
            secret: false,
        }));
    }
    vars
}

/// Expands `$(Name)` references in one string.
fn expand_str(s: &str, vars: &[Var]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("$(") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find(')') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match vars.iter().find(|v| v.name.eq_ignore_ascii_case(name)) {
            Some(v) => out.push_str(&v.value),
            None => out.push_str(&rest[start..start + 2 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The task's inputs with every string input expanded.
pub(super) fn expand_inputs(inputs: &Value, vars: &[Var]) -> Value {
    match inputs {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => Value::String(expand_str(s, vars)),
                        other => other.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A log line with every secret value replaced by `***`.
pub(super) fn mask(line: &str, vars: &[Var]) -> String {
    vars.iter()
        .filter(|v| v.secret && !v.value.is_empty())
        .fold(line.to_owned(), |l, v| l.replace(&v.value, "***"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, value: &str, secret: bool) -> Var {
        Var {
            name: name.into(),
            value: value.into(),
            secret,
        }
    }

    #[test]
    fn expands_known_variables_case_insensitively_and_keeps_unknown_ones() {
        let vars = [var("Triggers", "tr_a,tr_b", false)];
        assert_eq!(
            expand_str("$(triggers) $(System.DefaultWorkingDirectory)/x $(", &vars),
            "tr_a,tr_b $(System.DefaultWorkingDirectory)/x $("
        );
    }

    #[test]
    fn the_most_specific_variable_wins_and_secrets_are_masked() {
        let vars = [var("Key", "stage", true), var("Key", "release", false)];
        assert_eq!(expand_str("-k $(Key)", &vars), "-k stage");
        assert_eq!(mask("-k stage", &vars), "-k ***");
    }
}
