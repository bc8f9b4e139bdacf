//! What production really receives, as far as the overrides go: a custom
//! `template-parameters-definition.json` on the hotfix branch replacing the default parameter
//! template, the overrides read as the task reads them (YAML lines, a value containing " -",
//! pairs on separate lines), and the drift after deploying the fix (step 6's `drift_against`).

mod review_support;
mod support;

use std::time::{Duration, Instant};

use ado_sim::seed::demo_production::{PROD_OVERRIDES, STOPPED_ON_PURPOSE, UNCOVERED_PARAMETER};
use ado_sim::Seed;
use hotfix_core::hotfix::review::{drift_against, review_production, CheckOutcome, DriftChange};
use hotfix_core::hotfix::HotfixRun;
use hotfix_core::synapse::dataplane::DataPlane;
use reqwest::Method;
use review_support::{demo_session, run_ready, session_with, simulator_access, PROD};
use serde_json::{json, Value};
use support::{info, world, World, BRANCH, PROJECT};

fn ran<T: std::fmt::Debug>(c: &CheckOutcome<T>) -> &T {
    match c {
        CheckOutcome::Ran { result } => result,
        CheckOutcome::NotRun { reason, .. } => panic!("expected the check to run: {reason}"),
    }
}

/// Pushes `files` to the hotfix branch and reviews the changes again (step 3).
async fn push(w: &World, run: &HotfixRun, files: Value) -> HotfixRun {
    w.admin_post(
        "/git/push-files",
        &json!({"project": PROJECT, "repository": info(w).repository, "branch": BRANCH,
                "message": "Parameter template", "files": files}),
    )
    .await;
    w.svc.refresh_changes(&w.session, &run.id).await.unwrap();
    w.svc.complete_fix(&w.session, &run.id, true).await.unwrap()
}

#[tokio::test]
async fn a_custom_parameter_template_replaces_the_defaults() {
    let w = world(Seed::Demo).await;
    let run = run_ready(&w).await;
    // Only the key vault, under a name of its own: the trigger scope is no parameter any more.
    let run = push(
        &w,
        &run,
        json!({"template-parameters-definition.json": {
            "Microsoft.Synapse/workspaces/linkedServices": {
                "AzureKeyVault": {"properties": {"typeProperties": {"baseUrl": "=:-vaultUrl"}}}}}}),
    )
    .await;
    let r = review_production(&demo_session(&w), &run).await.unwrap();
    assert!(r.custom_parameter_template);
    let params = ran(&r.parameters);
    let seen: Vec<(&str, bool)> = params
        .iter()
        .map(|p| (p.parameter.as_str(), p.overridable))
        .collect();
    assert_eq!(
        seen,
        [("ls_keyvault_vaultUrl", true), (UNCOVERED_PARAMETER, false)],
        "{params:#?}"
    );
    assert!(
        params[1].why.contains("no override can change it"),
        "{}",
        params[1].why
    );
    assert!(
        r.override_notes.iter().any(|n| n.contains(
            "-ls_keyvault_properties_typeProperties_baseUrl matches no template parameter"
        )),
        "the profile's override names the default parameter: {:?}",
        r.override_notes
    );
    // The sales database's connection string is a secure string: parameterised anyway, and
    // covered by its override.
    assert!(!params
        .iter()
        .any(|p| p.parameter == "ls_sales_sql_connectionString"));
    let w_lines = r.warnings();
    assert!(
        w_lines
            .iter()
            .any(|l| l.contains("Parameterise it in template-parameters-definition.json")),
        "{w_lines:?}"
    );
}

#[tokio::test]
async fn yaml_overrides_cover_everything_and_a_new_production_value_shows_as_drift() {
    let w = world(Seed::Demo).await;
    let run = run_ready(&w).await;
    let yaml = "workspaceName: contoso-synapse-prod\n\
        ls_keyvault_properties_typeProperties_baseUrl: https://contoso-kv-prod.vault.azure.net/\n\
        ls_sales_sql_connectionString: \"Integrated Security=False;Encrypt=True;Connection Timeout=30;Data Source=contoso-sales-prod.database.windows.net;Initial Catalog=sales;User ID=etl_reader\"\n\
        tr_sales_file_arrival_properties_typeProperties_scope: /subscriptions/6b1f3c52-9d7e-4f1a-8c3e-2a5d0e9b7f41/resourceGroups/rg-contoso-data-prod/providers/Microsoft.Storage/storageAccounts/contosodatalakeprod\n";
    let s = session_with(&w, yaml, simulator_access(&w));
    let r = review_production(&s, &run).await.unwrap();
    assert!(ran(&r.parameters).is_empty(), "{:#?}", r.parameters);
    assert!(r.override_notes.is_empty(), "{:?}", r.override_notes);
    // Production still has the development scope (its release had no override for it): the
    // deployment would change it, and the drift check says so.
    let drift = ran(&r.drift);
    let names: Vec<&str> = drift.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        ["pl_ingest_customers", STOPPED_ON_PURPOSE],
        "{drift:#?}"
    );
    assert!(drift[1].diff.contains("-      \"scope\": \"/subscriptions/6b1f3c52-9d7e-4f1a-8c3e-2a5d0e9b7f41/resourceGroups/rg-contoso-data-prod"), "{}", drift[1].diff);
}

#[tokio::test]
async fn a_value_containing_space_dash_is_cut_where_the_task_cuts_it() {
    let w = world(Seed::Demo).await;
    let run = run_ready(&w).await;
    let broken = PROD_OVERRIDES.replace("Connection Timeout=30;", "Application Name=etl -nightly;");
    let s = session_with(&w, &broken, simulator_access(&w));
    let r = review_production(&s, &run).await.unwrap();
    assert!(
        r.override_notes
            .iter()
            .any(|n| n.starts_with("The override -nightly;Data matches no template parameter")),
        "{:?}",
        r.override_notes
    );
    // The connection string production would get is the cut one: drift on the linked service.
    let drift = ran(&r.drift);
    assert!(
        drift
            .iter()
            .any(|d| d.name == "ls_sales_sql" && d.change == DriftChange::Changed),
        "{drift:#?}"
    );
    let sql = drift.iter().find(|d| d.name == "ls_sales_sql").unwrap();
    assert!(
        sql.diff
            .contains("\\\"Integrated Security=False;Encrypt=True;Application Name=etl"),
        "{}",
        sql.diff
    );

    let lines = "-ls_keyvault_properties_typeProperties_baseUrl https://contoso-kv-prod.vault.azure.net/\n-workspaceName contoso-synapse-prod";
    let s = session_with(&w, lines, simulator_access(&w));
    let r = review_production(&s, &run).await.unwrap();
    assert!(
        r.override_notes.iter().any(|n| n.contains("line break")),
        "{:?}",
        r.override_notes
    );
}

/// Deploys the run's fix with the step 4 pipeline, starting again only `started`.
async fn deploy_fix(w: &World, run: &HotfixRun, started: &[String]) {
    let def = run.steps.pipeline.definition.as_ref().unwrap().id;
    let fix = run.steps.fix.head.clone().unwrap();
    let list = started.join(",");
    let body = json!({"definitionId": def, "description": "hotfix", "isDraft": false, "reason": "manual",
        "variables": {"TriggersToStop": {"value": list}, "TriggersToStart": {"value": list}},
        "artifacts": [{"alias": "_hotfix", "instanceReference": {"id": fix, "name": &fix[..8], "sourceBranch": format!("refs/heads/{BRANCH}")}}]});
    let release = w
        .rest(Method::POST, &w.rm_url("releases"), Some(&body))
        .await;
    let (rid, eid) = (
        release["id"].as_i64().unwrap(),
        release["environments"][0]["id"].as_i64().unwrap(),
    );
    w.rest(
        Method::PATCH,
        &w.rm_url(&format!("releases/{rid}/environments/{eid}")),
        Some(&json!({"status": "inProgress", "comment": "hotfix"})),
    )
    .await;
    let started_at = Instant::now();
    loop {
        let r = w
            .rest(Method::GET, &w.rm_url(&format!("releases/{rid}")), None)
            .await;
        let status = r["environments"][0]["status"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        if status == "succeeded" {
            return;
        }
        assert!(
            !matches!(
                status.as_str(),
                "rejected" | "canceled" | "partiallySucceeded"
            ),
            "{r}"
        );
        assert!(started_at.elapsed() < Duration::from_secs(60), "{r}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn after_the_deployment_production_holds_the_fix_as_deployed() {
    let w = world(Seed::Demo).await;
    let run = run_ready(&w).await;
    let s = demo_session(&w);
    w.svc.pipeline_preview(&s, &run.id).await.unwrap();
    let run = w.svc.pipeline_save(&s, &run.id, None).await.unwrap();
    let review = review_production(&s, &run).await.unwrap();
    let started = review.started_triggers().unwrap();
    deploy_fix(&w, &run, &started).await;

    let dp = DataPlane::for_profile(&s, PROD).await.unwrap();
    let fix = run.steps.fix.head.clone().unwrap();
    let drift = drift_against(&s, &dp, &run, &fix).await.unwrap();
    // The hand edit is overwritten; the dataset the fix deleted stays in production, as
    // DeleteArtifactsNotInTemplate is off.
    let seen: Vec<(&str, &str, DriftChange)> = drift
        .iter()
        .map(|d| (d.kind.as_str(), d.name.as_str(), d.change))
        .collect();
    assert_eq!(
        seen,
        [(
            "dataset",
            "ds_curated_sales_parquet",
            DriftChange::AddedInProduction
        )],
        "{drift:#?}"
    );
    assert_eq!(
        dp.trigger(STOPPED_ON_PURPOSE).await.unwrap().runtime_state,
        "Stopped"
    );
    assert!(dp.trigger("tr_daily_0600").await.unwrap().is_started());
    // Against the release commit, production now differs where the fix changed it.
    let release = run.steps.release.commit.as_ref().unwrap().commit_id.clone();
    let before = drift_against(&s, &dp, &run, &release).await.unwrap();
    assert!(
        before.iter().any(|d| d.name == "pl_daily_load"),
        "{before:#?}"
    );
    assert!(before
        .iter()
        .any(|d| d.name == "Hotfix_CleanNulls" && d.change == DriftChange::AddedInProduction));
}
