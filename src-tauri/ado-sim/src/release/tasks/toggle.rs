//! The `toggle-triggers-dev` task against the simulated workspaces, reading its inputs the way the
//! task does (TASKS.md "Corrections and additions" 10): `ToggleOn` is a required boolean that
//! defaults to `true` when the definition omits it and is true only for `true` (any case, no
//! trimming); `Triggers` is required, defaults to `*` (every trigger) and is split on `,` without
//! trimming, so `a, b` names a trigger " b" that does not exist.

use serde_json::Value;

use super::{check_connection, input, input_or_default, Outcome};
use crate::state::World;
use crate::synapse::{STARTED, STOPPED};

/// Runs the `toggle-triggers-dev` task.
pub fn toggle_triggers(world: &mut World, inputs: &Value) -> Outcome {
    let mut out = Outcome {
        ok: true,
        ..Outcome::default()
    };
    let conn_input = input(inputs, &["ServiceConnectionName", "azureSubscription"]);
    let rg = input(inputs, &["ResourceGroupName"]).to_owned();
    let name = input(inputs, &["WorkspaceName"]).to_owned();
    let Some(on) = input_or_default(inputs, "ToggleOn", "true", &mut out) else {
        return out;
    };
    // `getBoolInput`: true only for "true" in any case.
    let on = on.to_uppercase() == "TRUE";
    let Some(list) = input_or_default(inputs, "Triggers", "*", &mut out) else {
        return out;
    };
    let Some(conn) = check_connection(world, conn_input, &mut out) else {
        return out;
    };
    out.line(format!("Using service connection '{conn}'."));
    let Some(ws) = world.synapse.workspace_mut(&name) else {
        out.error(format!(
            "Workspace '{name}' was not found. Check WorkspaceName."
        ));
        return out;
    };
    if !rg.is_empty() && !ws.resource_group.eq_ignore_ascii_case(&rg) {
        out.error(format!(
            "Workspace '{name}' was not found in resource group '{rg}'. Check ResourceGroupName."
        ));
        return out;
    }
    let wanted: Vec<String> = if list == "*" {
        ws.triggers().map(|t| t.name.clone()).collect()
    } else {
        list.split(',').map(str::to_owned).collect()
    };
    out.line(format!(
        "{} {} trigger(s) of workspace '{}'.",
        if on { "Starting" } else { "Stopping" },
        wanted.len(),
        ws.name
    ));
    let target = if on { STARTED } else { STOPPED };
    for t in &wanted {
        match ws.trigger_state(t).map(str::to_owned) {
            None => out.error(format!(
                "Trigger '{t}' was not found in workspace '{}'.",
                ws.name
            )),
            Some(state) if state == target => out.line(format!(
                "Trigger '{t}' is already {}.",
                target.to_ascii_lowercase()
            )),
            Some(_) => {
                ws.set_trigger_state(t, target);
                out.line(format!(
                    "Trigger '{t}' {}.",
                    if on { "started" } else { "stopped" }
                ));
            }
        }
    }
    if out.ok {
        out.line(format!(
            "All requested triggers are {}.",
            target.to_ascii_lowercase()
        ));
    }
    out
}
