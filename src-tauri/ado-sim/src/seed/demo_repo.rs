//! The demo repository `synapse-analytics`: a believable Synapse Git history with fixed dates.
//!
//! `main` (collaboration branch, Synapse root folder `/`) holds the workspace source as Synapse
//! Studio writes it (`pipeline/`, `dataset/`, `linkedService/`, `notebook/`, `trigger/`,
//! `sqlscript/`, `integrationRuntime/`, `publish_config.json`). Releases 1..3 were cut from `main`;
//! `main` then moved on with unfinished work. `workspace_publish` (its own history, as Synapse
//! Studio's Publish creates it) holds `contoso-synapse-dev/TemplateForWorkspace.json` and
//! `TemplateParametersForWorkspace.json` generated from the source at each release. Feature
//! branches `feature/*` and `demo/broken-artifact` (a pipeline referencing a dataset that does
//! not exist) complete the picture. Every reference resolves except the deliberate broken one.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::demo_artifacts::{
    blob_trigger, copy_activity, ds_csv, ds_parquet, ds_sql_table, execute_pipeline,
    integration_runtime, ls_key_vault, ls_sales_sql, ls_sql_dw, ls_storage, notebook,
    notebook_activity, pipeline, schedule_trigger, sql_script,
};
use super::demo_hotfixes;
pub use super::demo_repo_tree::artifact_references;
use super::demo_repo_tree::{branch_from, in_folder, publish, put, Artifacts, Builder};
use crate::git::write::{create_repo, synapse_json};
use crate::git::RepoInfo;

/// Source workspace the repository belongs to (the publish folder is named after it).
pub const DEV_WORKSPACE: &str = "contoso-synapse-dev";

/// What the release half of the seed needs to know about the demo repository.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoRepoFacts {
    pub project_id: uuid::Uuid,
    pub project: String,
    pub repository_id: uuid::Uuid,
    pub repository: String,
    /// Full SHAs on `main` deployed as Release-1, Release-2, Release-3.
    pub release_commits: Vec<String>,
    /// The `workspace_publish` commits matching each release.
    pub publish_commits: Vec<String>,
    /// When each release was cut (RFC 3339, UTC).
    pub release_dates: Vec<String>,
    /// `main` head (ahead of Release-3 with unfinished work).
    pub main_head: String,
    /// `workspace_publish` head (= the Release-3 publish commit).
    pub publish_head: String,
    /// `refs/heads/feature/...` → head SHA.
    pub feature_branches: BTreeMap<String, String>,
    /// `refs/heads/demo/broken-artifact`
    pub broken_branch: String,
    /// Head of the broken branch.
    pub broken_commit: String,
    /// Hotfix branches of earlier releases left behind (`refs/heads/Release1_Hotfixes` → head
    /// SHA): Release-2's was merged back into `main` (fast-forward), Release-1's never was and
    /// still has an active pull request ([`super::demo_hotfixes`]).
    #[serde(default)]
    pub hotfix_branches: BTreeMap<String, String>,
    /// Path of the pipeline whose reference does not resolve.
    pub broken_artifact: String,
    /// The dataset it references, which does not exist.
    pub broken_reference: String,
    /// Every artifact of `main` at Release-3, as `(folder, name)`, e.g. `("pipeline", "pl_ingest_sales")`.
    pub release3_artifacts: Vec<(String, String)>,
}

/// People committing to the demo repository (name, email).
pub const PEOPLE: &[(&str, &str)] = &[
    ("Maya Lopez", "maya.lopez@contoso.com"),
    ("Daniel Okafor", "daniel.okafor@contoso.com"),
    ("Priya Raman", "priya.raman@contoso.com"),
];
/// Builds the repository under `repos_dir` and returns its metadata and the facts.
pub fn build(
    repos_dir: &Path,
    project_id: uuid::Uuid,
    project: &str,
) -> anyhow::Result<(RepoInfo, DemoRepoFacts)> {
    let repo = create_repo(repos_dir, project_id, project, "synapse-analytics", "main")?;
    let git = repo.open().map_err(|e| anyhow::anyhow!(e.message))?;
    let mut b = Builder {
        git: &git,
        artifacts: Artifacts::new(),
        head: None,
    };

    // --- Release 1: sales ingestion ---
    let mut files = vec![
        ("publish_config.json".to_owned(), Some(synapse_json(&json!({"publishBranch": "workspace_publish"})))),
        ("README.md".to_owned(), Some(b"# synapse-analytics\n\nSource of the `contoso-synapse-dev` Synapse workspace (Git integration, root folder `/`).\nCollaboration branch: `main`. Publish branch: `workspace_publish` (ARM templates).\nReleases are deployed to `contoso-synapse-prod` by the classic release pipeline `Synapse-Release`.\n".to_vec())),
    ];
    files.push(put(
        &mut b.artifacts,
        "integrationRuntime",
        integration_runtime(),
    ));
    files.push(put(&mut b.artifacts, "linkedService", ls_storage()));
    files.push(put(&mut b.artifacts, "linkedService", ls_sql_dw()));
    b.commit(
        0,
        "2026-03-02T09:14:00Z",
        "Connect contoso-synapse-dev to Git: default linked services",
        &files,
    )?;
    let files = vec![
        put(&mut b.artifacts, "linkedService", ls_key_vault()),
        put(&mut b.artifacts, "linkedService", ls_sales_sql(false)),
        put(
            &mut b.artifacts,
            "dataset",
            ds_sql_table("ds_sql_sales_orders", "SalesOrderLines"),
        ),
        put(
            &mut b.artifacts,
            "dataset",
            ds_csv("ds_raw_sales_csv", "sales/orders"),
        ),
        put(
            &mut b.artifacts,
            "dataset",
            ds_parquet("ds_curated_sales_parquet", "sales/orders"),
        ),
    ];
    b.commit(
        1,
        "2026-03-04T13:40:00Z",
        "Add sales source and lake datasets",
        &files,
    )?;
    let files = vec![
        put(&mut b.artifacts, "notebook", notebook("nb_clean_sales", "Cleans raw sales order lines into the curated zone", &[
            "df = spark.read.option('header', True).csv('abfss://raw@contosodatalakedev.dfs.core.windows.net/sales/orders/')",
            "clean = df.dropna(subset=['OrderId', 'LineNumber']).withColumnRenamed('Qty', 'Quantity')",
            "clean.write.mode('overwrite').parquet('abfss://curated@contosodatalakedev.dfs.core.windows.net/sales/orders/')",
        ])),
        put(&mut b.artifacts, "pipeline", pipeline("pl_ingest_sales", vec![
            copy_activity("Copy sales orders to raw", "ds_sql_sales_orders", "ds_raw_sales_csv", &[]),
            notebook_activity("Clean sales", "nb_clean_sales", &["Copy sales orders to raw"]),
        ])),
    ];
    b.commit(
        1,
        "2026-03-06T16:05:00Z",
        "Add pl_ingest_sales with the nb_clean_sales notebook",
        &files,
    )?;
    let files = vec![put(
        &mut b.artifacts,
        "trigger",
        schedule_trigger("tr_daily_0600", "pl_ingest_sales", 6),
    )];
    let r1 = b.commit(
        0,
        "2026-03-09T08:30:00Z",
        "Schedule sales ingestion daily at 06:00",
        &files,
    )?;
    let p1 = publish(
        &git,
        None,
        &b.artifacts,
        "2026-03-09T09:00:00Z",
        "Release-1",
    )?;
    let release1 = b.artifacts.clone();

    // --- Release 2: customers + orchestration ---
    let files = vec![
        put(
            &mut b.artifacts,
            "dataset",
            ds_sql_table("ds_sql_customers", "Customers"),
        ),
        put(
            &mut b.artifacts,
            "dataset",
            ds_csv("ds_raw_customers_csv", "crm/customers"),
        ),
        put(
            &mut b.artifacts,
            "pipeline",
            pipeline(
                "pl_ingest_customers",
                vec![copy_activity(
                    "Copy customers to raw",
                    "ds_sql_customers",
                    "ds_raw_customers_csv",
                    &[],
                )],
            ),
        ),
    ];
    b.commit(
        2,
        "2026-03-23T10:12:00Z",
        "Ingest customers from the sales database",
        &files,
    )?;
    let files = vec![put(&mut b.artifacts, "sqlscript", sql_script("sq_sales_summary_view", "CREATE OR ALTER VIEW reporting.SalesSummary AS\nSELECT CAST(OrderDate AS date) AS OrderDay, SUM(Quantity * UnitPrice) AS Revenue\nFROM OPENROWSET(BULK 'https://contosodatalakedev.dfs.core.windows.net/curated/sales/orders/*.parquet', FORMAT = 'PARQUET') AS o\nGROUP BY CAST(OrderDate AS date);\n"))];
    b.commit(
        2,
        "2026-03-25T15:47:00Z",
        "Add reporting.SalesSummary serverless view",
        &files,
    )?;
    let files = vec![
        put(
            &mut b.artifacts,
            "pipeline",
            pipeline(
                "pl_daily_load",
                vec![
                    execute_pipeline("Run sales ingestion", "pl_ingest_sales", &[]),
                    execute_pipeline("Run customer ingestion", "pl_ingest_customers", &[]),
                ],
            ),
        ),
        put(
            &mut b.artifacts,
            "trigger",
            schedule_trigger("tr_daily_0600", "pl_daily_load", 6),
        ),
    ];
    let r2 = b.commit(
        1,
        "2026-03-27T11:20:00Z",
        "Orchestrate the daily load with pl_daily_load",
        &files,
    )?;
    let p2 = publish(
        &git,
        Some(p1),
        &b.artifacts,
        "2026-03-27T12:00:00Z",
        "Release-2",
    )?;

    // --- a hotfix of Release-2, merged back into main by fast-forward; its branch stayed ---
    let files = vec![put(
        &mut b.artifacts,
        "dataset",
        demo_hotfixes::semicolon_csv("ds_raw_customers_csv", "crm/customers"),
    )];
    let hotfix2 = b.commit(
        2,
        "2026-04-02T08:55:00Z",
        "Hotfix: ds_raw_customers_csv reads the ';'-separated CRM export",
        &files,
    )?;
    git.reference(
        demo_hotfixes::RELEASE2_BRANCH,
        hotfix2,
        false,
        "Release-2 hotfix branch",
    )?;

    // --- Release 3: notebook fix + file-arrival trigger ---
    let files = vec![put(&mut b.artifacts, "notebook", notebook("nb_clean_sales", "Cleans raw sales order lines into the curated zone", &[
        "df = spark.read.option('header', True).csv('abfss://raw@contosodatalakedev.dfs.core.windows.net/sales/orders/')",
        "clean = (df.dropna(subset=['OrderId', 'LineNumber'])\n    .dropDuplicates(['OrderId', 'LineNumber'])\n    .withColumnRenamed('Qty', 'Quantity'))",
        "clean.write.mode('overwrite').parquet('abfss://curated@contosodatalakedev.dfs.core.windows.net/sales/orders/')",
    ]))];
    b.commit(
        1,
        "2026-04-13T09:02:00Z",
        "nb_clean_sales: drop duplicate order lines",
        &files,
    )?;
    let files = vec![put(
        &mut b.artifacts,
        "trigger",
        blob_trigger("tr_sales_file_arrival", "pl_ingest_sales"),
    )];
    let r3 = b.commit(
        0,
        "2026-04-15T14:26:00Z",
        "Start sales ingestion when a drop file arrives",
        &files,
    )?;
    let p3 = publish(
        &git,
        Some(p2),
        &b.artifacts,
        "2026-04-15T15:00:00Z",
        "Release-3",
    )?;
    let release3 = b.artifacts.clone();

    // --- main moves on: unfinished work not ready for production ---
    let files = vec![
        put(&mut b.artifacts, "notebook", notebook("nb_forecast_sales", "WIP: weekly revenue forecast (Prophet)", &[
            "from prophet import Prophet  # not installed on the prod pool yet",
            "sales = spark.read.parquet('abfss://curated@contosodatalakedev.dfs.core.windows.net/sales/orders/').toPandas()",
        ])),
        put(&mut b.artifacts, "pipeline", pipeline("pl_forecast_sales", vec![notebook_activity("Forecast revenue", "nb_forecast_sales", &[])])),
    ];
    b.commit(
        2,
        "2026-04-27T10:41:00Z",
        "WIP: revenue forecast pipeline",
        &files,
    )?;
    let files = vec![put(&mut b.artifacts, "linkedService", ls_sales_sql(true))];
    let main_head = b.commit(
        1,
        "2026-04-29T17:03:00Z",
        "Switch ls_sales_sql to managed identity (pending DBA grant in prod)",
        &files,
    )?;

    // --- feature branches ---
    let mut feature_branches = BTreeMap::new();
    let churn = branch_from(&git, "feature/customer-churn", r3, &release3, vec![
        (2, "2026-04-20T09:30:00Z", "Churn features notebook", vec![in_folder("notebook", notebook("nb_churn_features", "Customer churn features", &[
            "customers = spark.read.option('header', True).csv('abfss://raw@contosodatalakedev.dfs.core.windows.net/crm/customers/')",
            "features = customers.groupBy('CustomerId').count()",
        ]))]),
        (2, "2026-04-22T16:10:00Z", "pl_churn runs the churn features notebook", vec![in_folder("pipeline", pipeline("pl_churn", vec![notebook_activity("Churn features", "nb_churn_features", &[])]))]),
    ])?;
    feature_branches.insert(
        "refs/heads/feature/customer-churn".to_owned(),
        churn.to_string(),
    );
    let views = branch_from(&git, "feature/sql-pool-views", main_head, &b.artifacts, vec![
        (0, "2026-05-04T11:00:00Z", "Customer revenue view for Power BI", vec![in_folder("sqlscript", sql_script("sq_customer_revenue_view", "CREATE OR ALTER VIEW reporting.CustomerRevenue AS\nSELECT CustomerId, SUM(Quantity * UnitPrice) AS Revenue\nFROM OPENROWSET(BULK 'https://contosodatalakedev.dfs.core.windows.net/curated/sales/orders/*.parquet', FORMAT = 'PARQUET') AS o\nGROUP BY CustomerId;\n"))]),
    ])?;
    feature_branches.insert(
        "refs/heads/feature/sql-pool-views".to_owned(),
        views.to_string(),
    );

    // --- a branch whose pipeline references a dataset that does not exist ---
    let broken = branch_from(
        &git,
        "demo/broken-artifact",
        r3,
        &release3,
        vec![(
            1,
            "2026-04-24T13:37:00Z",
            "Add returns ingestion pipeline",
            vec![in_folder(
                "pipeline",
                pipeline(
                    "pl_ingest_returns",
                    vec![copy_activity(
                        "Copy returns to raw",
                        "ds_sql_sales_orders",
                        "ds_raw_returns_csv",
                        &[],
                    )],
                ),
            )],
        )],
    )?;

    // --- a hotfix of Release-1 that never came back into main ---
    let hotfix1 = branch_from(
        &git,
        demo_hotfixes::RELEASE1_SHORT,
        r1,
        &release1,
        vec![(
            0,
            "2026-03-11T07:40:00Z",
            "Hotfix: pl_ingest_sales retries the copy 5 times (sales DB failovers at night)",
            vec![in_folder(
                "pipeline",
                demo_hotfixes::ingest_sales_with_retries(),
            )],
        )],
    )?;
    let mut hotfix_branches = BTreeMap::new();
    hotfix_branches.insert(
        demo_hotfixes::RELEASE1_BRANCH.to_owned(),
        hotfix1.to_string(),
    );
    hotfix_branches.insert(
        demo_hotfixes::RELEASE2_BRANCH.to_owned(),
        hotfix2.to_string(),
    );

    let facts = DemoRepoFacts {
        project_id,
        project: project.to_owned(),
        repository_id: repo.id,
        repository: repo.name.clone(),
        release_commits: vec![r1.to_string(), r2.to_string(), r3.to_string()],
        publish_commits: vec![p1.to_string(), p2.to_string(), p3.to_string()],
        release_dates: vec![
            "2026-03-09T09:30:00Z".into(),
            "2026-03-27T12:30:00Z".into(),
            "2026-04-15T15:30:00Z".into(),
        ],
        main_head: main_head.to_string(),
        publish_head: p3.to_string(),
        feature_branches,
        broken_branch: "refs/heads/demo/broken-artifact".into(),
        broken_commit: broken.to_string(),
        broken_artifact: "pipeline/pl_ingest_returns.json".into(),
        broken_reference: "ds_raw_returns_csv".into(),
        hotfix_branches,
        release3_artifacts: release3.keys().cloned().collect(),
    };
    Ok((repo, facts))
}
#[cfg(test)]
#[path = "demo_repo_tests.rs"]
mod tests;
