//! Step 7 (merge back) helpers: a run whose fix is deployed and confirmed, pushes and branch
//! deletions through the simulator, and the pull requests as Azure DevOps lists them.

use hotfix_core::hotfix::{HotfixRun, StepId};
use serde_json::{json, Value};

use super::{created, info, World, BRANCH, PROJECT};

/// The two feature branches of the demo seed (the profile's default pattern `feature/*`).
pub const FEATURES: [&str; 2] = ["feature/customer-churn", "feature/sql-pool-views"];

/// Steps 1–4 through the wizard, then steps 5 and 6 marked done on the saved run.
///
/// A shortcut for the tests of step 7 alone: it only needs the run to say steps 5–6 are done
/// (its precondition) and the fix commit of step 3, so the run skips the deployment (a few
/// seconds each). `tests/history_deployed.rs` walks steps 5–6 for real.
pub async fn run_at_step7(w: &World) -> HotfixRun {
    let (id, _) = Box::pin(created(w)).await;
    confirm_through_store(w, &id)
}

/// Marks steps 5 and 6 done on the saved run `id` (see [`run_at_step7`]).
pub fn confirm_through_store(w: &World, id: &str) -> HotfixRun {
    let mut run = w.svc.store().get(id).unwrap();
    run.complete_step(StepId::Deploy);
    run.complete_step(StepId::Confirm);
    w.svc.store().save(&mut run).unwrap();
    assert_eq!(run.current_step, StepId::MergeBack);
    run
}

impl World {
    /// Commits `files` (path → JSON, or null to delete) on `branch` through the admin API, as
    /// Synapse Studio or a colleague would; returns the new commit id.
    pub async fn push_files(&self, branch: &str, files: Value, message: &str) -> String {
        let body = json!({
            "project": PROJECT,
            "repository": info(self).repository,
            "branch": branch,
            "message": message,
            "author": {"name": "Feature Dev", "email": "feature.dev@contoso.com"},
            "files": files,
        });
        self.admin_post("/git/push-files", &body).await["commitId"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The JSON of `path` on `branch`.
    pub async fn file_json(&self, path: &str, branch: &str) -> Value {
        let url = self.git_url(&format!(
            "items?path={path}&versionDescriptor.version={branch}&versionDescriptor.versionType=branch&includeContent=true&$format=json"
        ));
        let item = self.rest(reqwest::Method::GET, &url, None).await;
        serde_json::from_str(item["content"].as_str().unwrap()).unwrap()
    }

    /// Deletes `branch` through the refs API (outside the app).
    pub async fn delete_branch(&self, branch: &str) {
        let r = &self.branches_named(branch).await[0];
        let body = json!([{"name": format!("refs/heads/{branch}"), "oldObjectId": r["objectId"], "newObjectId": "0000000000000000000000000000000000000000"}]);
        let answer = self
            .rest(reqwest::Method::POST, &self.git_url("refs"), Some(&body))
            .await;
        assert_eq!(answer["value"][0]["updateStatus"], "succeeded", "{answer}");
    }

    /// Every pull request from the run's hotfix branch (any status), newest first. (The demo
    /// seed has pull requests of older hotfix branches too.)
    pub async fn pull_requests(&self) -> Vec<Value> {
        let v = self
            .rest(
                reqwest::Method::GET,
                &self.git_url(&format!(
                    "pullrequests?searchCriteria.status=all&searchCriteria.sourceRefName=refs/heads/{BRANCH}"
                )),
                None,
            )
            .await;
        v["value"].as_array().unwrap().clone()
    }

    /// The pull requests into `target` (short name), any status.
    pub async fn pull_requests_into(&self, target: &str) -> Vec<Value> {
        let full = format!("refs/heads/{target}");
        self.pull_requests()
            .await
            .into_iter()
            .filter(|p| p["targetRefName"] == full.as_str())
            .collect()
    }

    /// One pull request as Azure DevOps shows it (its `mergeStatus` computed by the service).
    pub async fn pull_request(&self, id: i64) -> Value {
        self.rest(
            reqwest::Method::GET,
            &self.git_url(&format!("pullrequests/{id}")),
            None,
        )
        .await
    }
}

/// The repository path of the pipeline the demo's sample fix edits.
pub fn edited_pipeline(run: &HotfixRun) -> String {
    run.steps
        .fix
        .changes
        .as_ref()
        .unwrap()
        .artifacts
        .iter()
        .find(|a| {
            a.artifact.kind == hotfix_core::synapse::ArtifactKind::Pipeline
                && a.change == hotfix_core::synapse::ChangeKind::Edited
        })
        .map(|a| a.path.clone())
        .expect("the sample fix edits a pipeline")
}
