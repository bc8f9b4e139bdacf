//! Hotfix branches of earlier releases that the demo's step 8 (clean up) finds, and their pull
//! requests. `Release2_Hotfixes` holds one fix of Release-2 that came back into `main` by
//! fast-forward before Release-3 was cut, and nobody deleted the branch: safe to delete.
//! `Release1_Hotfixes` holds a fix of Release-1 whose pull request into `main` is still active and
//! was never completed, so `main` (and every release since) lacks it: not safe to delete.
//! The hotfix branch of the current release (`Release3_Hotfixes`) is the one the demo creates.

use serde_json::{json, Value};

use super::demo_artifacts::{copy_activity, ds_csv, notebook_activity, pipeline};
use super::demo_repo::{DemoRepoFacts, PEOPLE};
use crate::git::pulls::PullRequest;
use crate::git::RepoInfo;
use crate::state::World;

pub const RELEASE1_SHORT: &str = "Release1_Hotfixes";
pub const RELEASE1_BRANCH: &str = "refs/heads/Release1_Hotfixes";
pub const RELEASE2_SHORT: &str = "Release2_Hotfixes";
pub const RELEASE2_BRANCH: &str = "refs/heads/Release2_Hotfixes";

/// Title of the still-active pull request of `Release1_Hotfixes` into `main`.
pub const RELEASE1_PR_TITLE: &str = "Release-1 hotfix: pl_ingest_sales retries the copy 5 times";
/// Title of the completed pull request of `Release2_Hotfixes` into `main`.
pub const RELEASE2_PR_TITLE: &str = "Release-2 hotfix: ds_raw_customers_csv reads ';'";

/// The CRM export dataset after Release-2's hotfix: the export is `;`-separated.
pub fn semicolon_csv(name: &str, folder: &str) -> Value {
    let mut v = ds_csv(name, folder);
    v["properties"]["typeProperties"]["columnDelimiter"] = json!(";");
    v
}

/// `pl_ingest_sales` as Release-1's hotfix left it: the copy retries 5 times, 5 minutes apart.
pub fn ingest_sales_with_retries() -> Value {
    let mut copy = copy_activity(
        "Copy sales orders to raw",
        "ds_sql_sales_orders",
        "ds_raw_sales_csv",
        &[],
    );
    copy["policy"]["retry"] = json!(5);
    copy["policy"]["retryIntervalInSeconds"] = json!(300);
    pipeline(
        "pl_ingest_sales",
        vec![
            copy,
            notebook_activity(
                "Clean sales",
                "nb_clean_sales",
                &["Copy sales orders to raw"],
            ),
        ],
    )
}

/// The two pull requests of the hotfix branches: Release-1's active (never completed), Release-2's
/// completed when its fix was fast-forwarded into `main`.
pub fn seed_pull_requests(
    world: &mut World,
    repo: &RepoInfo,
    facts: &DemoRepoFacts,
) -> anyhow::Result<()> {
    let person = |i: usize| {
        let email = PEOPLE[i % PEOPLE.len()].1;
        world
            .core
            .users
            .iter()
            .find(|u| u.unique_name.eq_ignore_ascii_case(email))
            .cloned()
            .unwrap_or_else(|| world.core.default_user())
    };
    let (maya, priya, daniel) = (person(0), person(2), person(1));
    let head = |name: &str| facts.hotfix_branches.get(name).cloned();
    let git = repo.open().map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let main = facts.main_head.clone();
    let mut active = PullRequest {
        id: 1,
        repository_id: repo.id,
        title: RELEASE1_PR_TITLE.into(),
        description: "Copies from the sales database fail when it fails over at night. Found and fixed on Release-1 in production.".into(),
        source_ref_name: RELEASE1_BRANCH.into(),
        target_ref_name: "refs/heads/main".into(),
        status: "active".into(),
        is_draft: false,
        created_by: maya.clone(),
        creation_date: "2026-03-11T08:02:00.0000000Z".into(),
        closed_date: None,
        closed_by: None,
        merge_id: uuid::Uuid::new_v4(),
        merge_status: "queued".into(),
        last_merge_source_commit: None,
        last_merge_target_commit: None,
        last_merge_commit: None,
        conflicts: Vec::new(),
        reviewers: vec![daniel.clone()],
        completion_options: None,
        auto_complete_set_by: None,
        work_item_ids: Vec::new(),
    };
    crate::git::merge::refresh(&git, &mut active, &maya)
        .map_err(|e| anyhow::anyhow!("merge status of the seeded pull request: {e:?}"))?;
    let hotfix2 = head(RELEASE2_BRANCH).unwrap_or_default();
    let completed = PullRequest {
        id: 2,
        repository_id: repo.id,
        title: RELEASE2_PR_TITLE.into(),
        description: "The CRM export switched to ';'. Fixed on Release-2 in production; merged back into main.".into(),
        source_ref_name: RELEASE2_BRANCH.into(),
        target_ref_name: "refs/heads/main".into(),
        status: "completed".into(),
        is_draft: false,
        created_by: priya,
        creation_date: "2026-04-02T09:10:00.0000000Z".into(),
        closed_date: Some("2026-04-02T11:30:00.0000000Z".into()),
        closed_by: Some(daniel.clone()),
        merge_id: uuid::Uuid::new_v4(),
        merge_status: "succeeded".into(),
        last_merge_source_commit: Some(hotfix2.clone()),
        last_merge_target_commit: Some(main),
        last_merge_commit: Some(hotfix2),
        conflicts: Vec::new(),
        reviewers: vec![daniel],
        completion_options: Some(json!({"mergeStrategy": "rebase", "deleteSourceBranch": false})),
        auto_complete_set_by: None,
        work_item_ids: Vec::new(),
    };
    world.git.pull_requests.push(active);
    world.git.pull_requests.push(completed);
    world.git.next_pull_request_id = world.git.next_pull_request_id.max(2);
    Ok(())
}
