//! The `toggle-triggers-dev` task against the simulated workspaces.

use serde_json::Value;

use super::{check_connection, input, truthy, Outcome};
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
    let on = truthy(input(inputs, &["ToggleOn"]), true);
    let list = input(inputs, &["Triggers"]).trim().to_owned();
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
    let wanted: Vec<String> = if list.is_empty() || list == "*" {
        ws.triggers().map(|t| t.name.clone()).collect()
    } else {
        list.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
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
