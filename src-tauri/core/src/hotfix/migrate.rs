//! Run files saved by older versions, brought to the current shape ([`RUN_VERSION`]) before they
//! are read. Each migration is a pure function on the JSON, so a run survives any number of app
//! updates; a file from a newer app is refused by the store, never rewritten.
//!
//! - Version 1 → 2: steps were 1-based numbers (`currentStep`, `steps[].number`, `log[].step`)
//!   and each step's results sat flat on the run; now steps are [`super::StepId`] names, the rail
//!   is `progress` (titles come from the catalogue, not the file) and each step's results are in
//!   `steps.{release,branch,fix}`.

use serde_json::{json, Map, Value};

use super::run::RUN_VERSION;
use super::steps::StepId;

/// Brings `value` (a run of any earlier version) to [`RUN_VERSION`]. Returns why it cannot.
pub fn migrate(mut value: Value) -> Result<Value, String> {
    let mut version = value.get("version").and_then(Value::as_u64).unwrap_or(1);
    while version < u64::from(RUN_VERSION) {
        value = match version {
            1 => v1_to_v2(value)?,
            v => return Err(format!("no migration from format {v}")),
        };
        version += 1;
        value["version"] = json!(version);
    }
    Ok(value)
}

fn step_id(number: &Value) -> Result<Value, String> {
    let n = number
        .as_u64()
        .and_then(|n| u8::try_from(n).ok())
        .and_then(StepId::from_number)
        .ok_or_else(|| format!("{number} is not a step number"))?;
    Ok(json!(n))
}

fn v1_to_v2(value: Value) -> Result<Value, String> {
    let Value::Object(mut run) = value else {
        return Err("a run is a JSON object".into());
    };
    let current = run.remove("currentStep").unwrap_or(json!(1));
    run.insert("currentStep".into(), step_id(&current)?);
    let rail = match run.remove("steps") {
        Some(Value::Array(steps)) => steps,
        _ => Vec::new(),
    };
    let mut progress = Vec::new();
    for mut s in rail {
        let id = step_id(s.get("number").unwrap_or(&Value::Null))?;
        let mut info = Map::new();
        info.insert("id".into(), id);
        info.insert("state".into(), s["state"].take());
        if let Some(note) = s.get_mut("note").map(Value::take) {
            info.insert("note".into(), note);
        }
        progress.push(Value::Object(info));
    }
    run.insert("progress".into(), Value::Array(progress));
    if let Some(Value::Array(log)) = run.get_mut("log") {
        for event in log {
            let id = step_id(&event["step"])?;
            event["step"] = id;
        }
    }
    let mut take = |key: &str| run.remove(key).filter(|v| !v.is_null());
    let mut release = Map::new();
    for (from, to) in [
        ("currentProductionReleaseId", "currentProductionReleaseId"),
        ("release", "release"),
        ("artifact", "artifact"),
        ("artifactChoice", "artifactChoice"),
        ("commit", "commit"),
    ] {
        if let Some(v) = take(from) {
            release.insert(to.into(), v);
        }
    }
    let mut branch = Map::new();
    if let Some(v) = take("branchIntent") {
        branch.insert("intent".into(), v);
    }
    if let Some(v) = take("branch") {
        branch.insert("branch".into(), v);
    }
    let fix = take("fix").unwrap_or_else(|| json!({}));
    run.insert(
        "steps".into(),
        json!({ "release": release, "branch": branch, "fix": fix }),
    );
    Ok(Value::Object(run))
}
