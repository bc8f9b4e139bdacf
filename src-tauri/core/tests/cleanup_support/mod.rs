//! What the step-8 and history tests share: a demo run brought to step 8, picks, and the demo
//! seed's old hotfix branches.
#![allow(dead_code)]

use ado_sim::seed::demo_hotfixes::{RELEASE1_SHORT, RELEASE2_SHORT};
use hotfix_core::hotfix::run::StepState;
use hotfix_core::hotfix::step8_cleanup::CleanupBranch;
use hotfix_core::hotfix::step8_delete::BranchPick;
use hotfix_core::hotfix::{HotfixRun, StepId};
use serde_json::{json, Value};

use super::support::{info, World, PROJECT};

pub const SAFE: &str = RELEASE2_SHORT;
pub const UNSAFE: &str = RELEASE1_SHORT;

/// A demo run whose steps 1–7 are done, step 8 active. Steps 1–2 run for real (the run's own
/// hotfix branch `Release3_Hotfixes` exists); steps 3–7 are marked done through the store:
/// steps 5–7 are being built in parallel and step 8 does not read what they record, so moving
/// the run past them like this is what a run that deployed, confirmed and merged back looks like
/// to step 8.
pub async fn run_at_step8(w: &World) -> String {
    let run = w.run_at_step3().await;
    let mut run = w.svc.store().get(&run.id).unwrap();
    for s in [
        StepId::Fix,
        StepId::Pipeline,
        StepId::Deploy,
        StepId::Confirm,
        StepId::MergeBack,
    ] {
        run.complete_step(s);
    }
    assert_eq!(run.step_state(StepId::Cleanup), StepState::Active);
    w.svc.store().save(&mut run).unwrap();
    run.id
}

/// Steps 1–4 for real (branch, sample fix, plan, hotfix pipeline), steps 5–7 marked done as in
/// [`run_at_step8`], then step 8: listed, the safe branch deleted, finished.
pub async fn finished_run(w: &World) -> HotfixRun {
    let (id, _) = Box::pin(super::support::created(w)).await;
    let mut run = w.svc.store().get(&id).unwrap();
    for s in [StepId::Deploy, StepId::Confirm, StepId::MergeBack] {
        run.complete_step(s);
    }
    w.svc.store().save(&mut run).unwrap();
    let run = listed(w, &id).await;
    w.svc
        .cleanup_delete(&w.session, &id, vec![pick(&run, SAFE)])
        .await
        .unwrap();
    w.svc.finish_run(&w.session, &id).await.unwrap()
}

/// Lists the old hotfix branches (must succeed).
pub async fn listed(w: &World, id: &str) -> HotfixRun {
    w.svc.cleanup_list(&w.session, id).await.unwrap()
}

pub fn row<'a>(run: &'a HotfixRun, name: &str) -> &'a CleanupBranch {
    run.steps
        .cleanup
        .branches
        .iter()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("{name} is not listed"))
}

pub fn pick(run: &HotfixRun, name: &str) -> BranchPick {
    BranchPick {
        name: name.to_owned(),
        object_id: row(run, name).object_id.clone(),
    }
}

/// Commits one file to `branch` through the simulator's admin API (someone pushing meanwhile).
pub async fn push_to(w: &World, branch: &str, message: &str) -> String {
    let v = w
        .admin_post(
            "/git/push-files",
            &json!({"project": PROJECT, "repository": info(w).repository, "branch": branch,
                    "message": message, "files": {"README.md": format!("# {message}\n")}}),
        )
        .await;
    v["commitId"].as_str().unwrap().to_owned()
}

/// The refs POSTs in `journal`, with their bodies.
pub fn ref_posts(journal: &[Value]) -> Vec<Value> {
    journal
        .iter()
        .filter(|e| e["method"] == "POST" && e["path"].as_str().unwrap_or("").ends_with("/refs"))
        .map(|e| e["body"].clone())
        .collect()
}
