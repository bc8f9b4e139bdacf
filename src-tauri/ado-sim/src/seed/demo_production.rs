//! What the demo's workspaces hold, so that the review before a hotfix deployment has something
//! to show: each workspace owns its default linked services; Test and Production run Release-3
//! deployed the way the release pipeline deploys it (default artifacts skipped, references to them
//! pointed at the workspace's own, parameterised values given their overrides); in Production the
//! trigger `tr_sales_file_arrival` was stopped on purpose and the pipeline `pl_ingest_customers`
//! was changed by hand after the release (drift); and the production overrides cover every
//! parameterised value but one, the blob trigger's storage scope, which reached Production with
//! its development value.

use serde_json::{json, Value};

use super::demo_release::{PROD_WORKSPACE, SOURCE_ALIAS, TEST_WORKSPACE};
use super::demo_repo::{DemoRepoFacts, DEV_WORKSPACE};
use crate::release::tasks::parameters::{self, parse_overrides, DEFINITION_FILE};
use crate::release::tasks::{self, AgentArtifact, Outcome};
use crate::state::World;
use crate::synapse::{STARTED, STOPPED};

/// `OverrideArmParameters` of the Production stage, and of the demo profile's hotfix pipeline:
/// the production key vault and sales database. The blob trigger's `scope` has no override.
pub const PROD_OVERRIDES: &str = "-workspaceName contoso-synapse-prod \
     -ls_keyvault_properties_typeProperties_baseUrl https://contoso-kv-prod.vault.azure.net/ \
     -ls_sales_sql_connectionString \"Integrated Security=False;Encrypt=True;Connection Timeout=30;Data Source=contoso-sales-prod.database.windows.net;Initial Catalog=sales;User ID=etl_reader\"";
/// The parameterised value no production override covers.
pub const UNCOVERED_PARAMETER: &str = "tr_sales_file_arrival_properties_typeProperties_scope";
/// The production trigger someone stopped on purpose.
pub const STOPPED_ON_PURPOSE: &str = "tr_sales_file_arrival";
/// The production artifact changed by hand after Release-3 (`(kind, name)`).
pub const HAND_CHANGED: (&str, &str) = ("pipeline", "pl_ingest_customers");

/// `OverrideArmParameters` of a stage deploying to `workspace`.
pub fn overrides_for(workspace: &str) -> String {
    if workspace.eq_ignore_ascii_case(PROD_WORKSPACE) {
        PROD_OVERRIDES.to_owned()
    } else {
        format!("-workspaceName {workspace}")
    }
}

/// Each workspace's own default artifacts (the development ones are in Git).
pub fn add_workspace_defaults(world: &mut World) {
    for (ws, lake) in [
        (
            TEST_WORKSPACE,
            "https://contosodatalaketest.dfs.core.windows.net",
        ),
        (
            PROD_WORKSPACE,
            "https://contosodatalakeprod.dfs.core.windows.net",
        ),
    ] {
        if let Some(w) = world.synapse.workspace_mut(ws) {
            w.add_defaults(lake);
        }
    }
}

/// Deploys the source artifacts of `commit` (Synapse root folder `/`) into a workspace, as the
/// seed's history did (the Git-connected development workspace holds them as they are); then sets
/// the runtime state of every trigger.
pub fn deploy_source(
    world: &mut World,
    facts: &DemoRepoFacts,
    commit: &str,
    workspace: &str,
    stopped: &[&str],
) -> anyhow::Result<()> {
    let repo = world
        .git
        .repo(&facts.project, &facts.repository)
        .ok_or_else(|| anyhow::anyhow!("demo repository {} is missing", facts.repository))?;
    let a = AgentArtifact {
        alias: SOURCE_ALIAS.into(),
        kind: "Git".into(),
        repo_name: repo.name.clone(),
        repo_path: Some(repo.path.clone()),
        commit: commit.to_owned(),
        branch: "refs/heads/main".into(),
    };
    let mut out = Outcome::default();
    let mut arts = tasks::read_source(&a, "", &mut out).ok_or_else(|| {
        anyhow::anyhow!("demo source at {commit} is unreadable: {:?}", out.errors)
    })?;
    if !workspace.eq_ignore_ascii_case(DEV_WORKSPACE) {
        let definition = tasks::read_file(&a, DEFINITION_FILE)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .unwrap_or_else(parameters::default_definition);
        let overrides = parse_overrides(&overrides_for(workspace));
        for art in &mut arts {
            let params =
                parameters::parameters_of(&art.kind, &art.name, &art.properties, &definition);
            parameters::apply(&mut art.properties, &params, &overrides);
        }
        arts = tasks::for_target(arts, workspace, &mut out);
    }
    let ws = world
        .synapse
        .workspace_mut(workspace)
        .ok_or_else(|| anyhow::anyhow!("workspace {workspace} missing"))?;
    for art in arts {
        ws.upsert(&art.kind, &art.name, art.properties);
    }
    let names: Vec<String> = ws.triggers().map(|t| t.name.clone()).collect();
    for n in names {
        let state = if stopped.iter().any(|s| s.eq_ignore_ascii_case(&n)) {
            STOPPED
        } else {
            STARTED
        };
        ws.set_trigger_state(&n, state);
    }
    Ok(())
}

/// The hand edit in Production after Release-3: more retries and a shorter timeout on the
/// customers copy, during an incident.
pub fn change_by_hand(world: &mut World) {
    let Some(ws) = world.synapse.workspace_mut(PROD_WORKSPACE) else {
        return;
    };
    let (kind, name) = HAND_CHANGED;
    let Some(mut props) = ws.artifact(kind, name).map(|a| a.properties.clone()) else {
        return;
    };
    if let Some(policy) = props.pointer_mut("/activities/0/policy") {
        policy["retry"] = json!(5);
        policy["timeout"] = json!("0.02:00:00");
    }
    props["description"] = json!("Retries raised by hand during incident INC-4471 (2026-04-20).");
    ws.upsert(kind, name, props);
}
