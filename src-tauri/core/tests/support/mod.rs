//! What the wizard's integration tests share: a simulator with the demo profile filled as demo mode
//! fills it ([`World`]), the journal and fault API of the simulator, REST calls outside the app,
//! an app restart, and a crash hook. Each test file uses part of it.
#![allow(dead_code)]

pub mod step7;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ado_sim::seed::demo_release::{AGENT_QUEUE, PROD_CONNECTION};
use ado_sim::{Seed, SimHandle, SimInfo, SimOptions};
use hotfix_core::connection;
use hotfix_core::hotfix::step1_release::DeployedRelease;
use hotfix_core::hotfix::{HotfixRun, HotfixService, Session};
use hotfix_core::profiles::Profile;
use hotfix_core::secrets::Token;
use hotfix_core::AppError;
use serde_json::{json, Value};

pub const PROJECT: &str = "DataPlatform";
/// The production workspace's resource group in the demo seed (what demo mode puts in the profile).
pub const PROD_RESOURCE_GROUP: &str = "rg-contoso-synapse-prod";
pub const BRANCH: &str = "Release3_Hotfixes";

pub struct World {
    pub sim: SimHandle,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    pub svc: HotfixService,
    pub profile: Profile,
    pub session: Arc<Session>,
    pub project_id: String,
}

pub fn info(w: &World) -> &SimInfo {
    w.sim.info()
}

pub async fn world(seed: Seed) -> World {
    let sim = ado_sim::start(SimOptions {
        seed,
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts");
    let info = sim.info().clone();
    let client = connection::client(&info.org_url, Token::new(info.pat.clone()), true).unwrap();
    let projects = connection::list_projects(&client).await.unwrap();
    let project = projects
        .iter()
        .find(|p| p.name == PROJECT)
        .expect("demo project");
    let repos = connection::list_repositories(&client, PROJECT)
        .await
        .unwrap();
    let repo = repos
        .iter()
        .find(|r| r.name == info.repository)
        .expect("demo repository");
    let defs = connection::list_release_definitions(&client, PROJECT)
        .await
        .unwrap();
    let def = defs
        .iter()
        .find(|d| d.name == "Synapse-Release")
        .expect("release definition");
    let stage = def
        .stages
        .iter()
        .find(|s| s.name == "Production")
        .expect("Production stage")
        .clone();
    let endpoints = connection::list_service_connections(&client, PROJECT)
        .await
        .unwrap();
    let endpoint = endpoints
        .iter()
        .find(|c| c.name == PROD_CONNECTION)
        .expect("production service connection");
    let queues = connection::list_agent_queues(&client, PROJECT)
        .await
        .unwrap();
    let queue = queues
        .iter()
        .find(|q| q.name == AGENT_QUEUE)
        .expect("agent queue");
    let mut profile = Profile::new_with_defaults("p-demo".into());
    profile.name = "Contoso demo".into();
    profile.organization_url = info.org_url.clone();
    profile.project = Some(project.clone().into());
    profile.repository = Some(repo.clone().into());
    profile.release_definition = Some(def.clone().into());
    profile.production_stage = Some(stage);
    profile.dev_workspace = "contoso-synapse-dev".into();
    profile.prod_workspace = "contoso-synapse-prod".into();
    profile.prod_subscription_id = "00000000-0000-0000-0000-000000000001".into();
    profile.prod_resource_group = PROD_RESOURCE_GROUP.into();
    profile.service_connection = Some(endpoint.clone().into());
    profile.agent_queue = Some(queue.clone().into());
    profile.simulated = true;
    let dir = tempfile::tempdir().unwrap();
    let svc = HotfixService::new(dir.path());
    let session = svc.session(&profile, || Ok(client)).unwrap();
    World {
        sim,
        http: reqwest::Client::new(),
        dir,
        svc,
        profile,
        session,
        project_id: project.id.clone(),
    }
}

impl World {
    pub fn admin(&self, path: &str) -> String {
        format!("{}{path}", info(self).admin_url)
    }

    pub async fn admin_post(&self, path: &str, body: &Value) -> Value {
        let r = self
            .http
            .post(self.admin(path))
            .json(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "admin {path}: {}", r.status());
        r.json().await.unwrap_or(Value::Null)
    }

    /// Requests the app made (admin calls excluded), oldest first.
    pub async fn journal(&self) -> Vec<Value> {
        let all: Vec<Value> = self
            .http
            .get(self.admin("/journal"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        all.into_iter()
            .filter(|e| !e["path"].as_str().unwrap_or("").starts_with("/_admin"))
            .collect()
    }

    pub async fn clear_journal(&self) {
        self.http
            .delete(self.admin("/journal"))
            .send()
            .await
            .unwrap();
    }

    pub async fn fault(&self, method: &str, path: &str, status: u16, times: u32) {
        let mut headers = json!({});
        if status == 429 {
            headers = json!({"Retry-After": "1"});
        }
        self.admin_post(
            "/faults",
            &json!({"method": method, "path": path, "status": status, "times": times, "headers": headers,
                    "body": {"$id":"1","innerException":null,"message":"Injected fault","typeName":"X","typeKey":"X","errorCode":0,"eventId":3000}}),
        )
        .await;
    }

    pub async fn clear_faults(&self) {
        self.http
            .delete(self.admin("/faults"))
            .send()
            .await
            .unwrap();
    }

    /// A REST call with the seeded PAT, outside the app (to build fixtures and check results).
    pub async fn rest(&self, method: reqwest::Method, url: &str, body: Option<&Value>) -> Value {
        let mut req = self
            .http
            .request(method, url)
            .basic_auth("", Some(&info(self).pat))
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{url}: {status} {v}");
        v
    }

    pub fn git_url(&self, rest: &str) -> String {
        let sep = if rest.contains('?') { '&' } else { '?' };
        format!(
            "{}/{PROJECT}/_apis/git/repositories/{}/{rest}{sep}api-version=7.1",
            info(self).org_url,
            info(self).repository
        )
    }

    pub fn rm_url(&self, rest: &str) -> String {
        let sep = if rest.contains('?') { '&' } else { '?' };
        format!(
            "{}/{PROJECT}/_apis/release/{rest}{sep}api-version=7.1",
            info(self).release_url
        )
    }

    /// Branches named exactly `name` (0 or 1).
    pub async fn branches_named(&self, name: &str) -> Vec<Value> {
        let v = self
            .rest(
                reqwest::Method::GET,
                &self.git_url(&format!("refs?filter=heads/{name}")),
                None,
            )
            .await;
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["name"] == format!("refs/heads/{name}"))
            .cloned()
            .collect()
    }

    pub fn new_run(&self) -> HotfixRun {
        self.svc.start_run(&self.profile).unwrap()
    }

    /// The release deployed to production now, from the first `top` of step 1's list.
    pub async fn current_release(&self, run_id: &str, top: u32) -> DeployedRelease {
        self.svc
            .list_production_releases(&self.session, run_id, top)
            .await
            .unwrap()
            .current
            .unwrap()
    }

    /// Step 1: selects `release_id` for the run (must succeed).
    pub async fn select(&self, run_id: &str, release_id: i32) -> HotfixRun {
        self.svc
            .select_release(&self.session, run_id, release_id)
            .await
            .unwrap()
    }

    /// Steps 1 and 2 on the current production release.
    pub async fn run_at_step3(&self) -> HotfixRun {
        let run = self.new_run();
        let current = self.current_release(&run.id, 10).await;
        self.select(&run.id, current.release_id).await;
        self.svc
            .create_branch(&self.session, &run.id, BRANCH)
            .await
            .unwrap()
    }

    /// Creates a release definition with `artifacts` and one release of it; returns the release id.
    pub async fn release_with(&self, name: &str, artifacts: Value, instances: Value) -> i32 {
        let def = json!({
            "name": name, "path": "\\Tests", "releaseNameFormat": format!("{name}-$(rev:r)"),
            "artifacts": artifacts,
            "environments": [{"name": "Production", "rank": 1, "conditions": [],
                "preDeployApprovals": {"approvals": [{"rank": 1, "isAutomated": true, "isNotificationOn": false}]},
                "postDeployApprovals": {"approvals": [{"rank": 1, "isAutomated": true, "isNotificationOn": false}]},
                "retentionPolicy": {"daysToKeep": 30, "releasesToKeep": 3, "retainBuild": true},
                "deployPhases": []}],
        });
        let created = self
            .rest(
                reqwest::Method::POST,
                &self.rm_url("definitions"),
                Some(&def),
            )
            .await;
        let mut body = json!({"definitionId": created["id"], "description": "test", "isDraft": false, "reason": "manual"});
        if !instances.is_null() {
            body["artifacts"] = instances;
        }
        let release = self
            .rest(reqwest::Method::POST, &self.rm_url("releases"), Some(&body))
            .await;
        i32::try_from(release["id"].as_i64().unwrap()).unwrap()
    }

    pub fn git_artifact(&self, alias: &str, branch: &str) -> Value {
        let repo = self.profile.repository.as_ref().unwrap();
        json!({"alias": alias, "type": "Git", "isPrimary": false,
               "definitionReference": {
                   "project": {"id": self.project_id, "name": PROJECT},
                   "definition": {"id": repo.id, "name": repo.name},
                   "branches": {"id": branch, "name": branch},
                   "defaultVersionType": {"id": "latestFromBranchType", "name": "Latest from the default branch"}}})
    }

    /// The version id the release recorded for an artifact alias.
    pub async fn release_artifact_version(&self, release_id: i32, alias: &str) -> String {
        let r = self
            .rest(
                reqwest::Method::GET,
                &self.rm_url(&format!("releases/{release_id}")),
                None,
            )
            .await;
        let a = r["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["alias"] == alias)
            .unwrap()
            .clone();
        a["definitionReference"]["version"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Pushes the sample fix (pipeline edited, notebook added, dataset deleted) like Synapse Studio.
    pub async fn push_fix(&self, run_id: &str) -> String {
        self.svc
            .demo_push_sample_fix(&self.session, run_id, &info(self).admin_url)
            .await
            .unwrap()
    }

    /// Simulates an app restart: a new service (nothing in memory) over the same data folder.
    pub fn restart(&mut self) {
        self.svc = HotfixService::new(self.dir.path());
        let client = connection::client(
            &info(self).org_url,
            Token::new(info(self).pat.clone()),
            true,
        )
        .unwrap();
        self.session = self.svc.session(&self.profile, || Ok(client)).unwrap();
    }
}

pub fn count(journal: &[Value], method: &str, path_part: &str) -> usize {
    journal
        .iter()
        .filter(|e| {
            e["method"] == method
                && e["path"]
                    .as_str()
                    .unwrap_or("")
                    .to_ascii_lowercase()
                    .contains(path_part)
        })
        .count()
}

pub fn is_full_sha(s: &str) -> bool {
    s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit())
}

pub fn crash_once_at(
    point: &'static str,
) -> (hotfix_core::hotfix::service::CrashHook, Arc<AtomicBool>) {
    let fired = Arc::new(AtomicBool::new(false));
    let f = Arc::clone(&fired);
    let hook: hotfix_core::hotfix::service::CrashHook = Arc::new(move |p: &str| {
        if p == point && !f.swap(true, Ordering::SeqCst) {
            Err(AppError::internal("simulated crash"))
        } else {
            Ok(())
        }
    });
    (hook, fired)
}

impl World {
    /// Steps 1–3 on the current production release: branch created, the sample fix pushed,
    /// reviewed and completed (its plan acknowledged).
    pub async fn run_at_step4(&self) -> HotfixRun {
        // Each step boxed: callers' futures stay small (clippy large_futures).
        let run = Box::pin(self.run_at_step3()).await;
        Box::pin(self.push_fix(&run.id)).await;
        Box::pin(self.svc.refresh_changes(&self.session, &run.id))
            .await
            .unwrap();
        Box::pin(self.svc.complete_fix(&self.session, &run.id, true))
            .await
            .unwrap()
    }

    /// Release definitions named `name`, as Azure DevOps lists them.
    pub async fn definitions_named(&self, name: &str) -> Vec<Value> {
        let v = self
            .rest(reqwest::Method::GET, &self.rm_url("definitions"), None)
            .await;
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["name"] == name)
            .cloned()
            .collect()
    }

    /// A session for `profile` (e.g. the profile after an edit), with a new client.
    pub fn session_for(&self, profile: &Profile) -> Arc<Session> {
        let client = connection::client(
            &info(self).org_url,
            Token::new(info(self).pat.clone()),
            true,
        )
        .unwrap();
        self.svc.session(profile, || Ok(client)).unwrap()
    }
}

/// `METHOD path` of each journal entry.
pub fn calls(journal: &[Value]) -> Vec<String> {
    journal
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["method"].as_str().unwrap_or(""),
                e["path"].as_str().unwrap_or("")
            )
        })
        .collect()
}

// ---- step 4 ----------------------------------------------------------------------------------

/// The name of the demo run's hotfix pipeline (the profile's default template).
pub const DEFINITION: &str = "Synapse-Hotfix-Release3_Hotfixes";

pub fn workflow(def: &Value) -> &Vec<Value> {
    def["environments"][0]["deployPhases"][0]["workflowTasks"]
        .as_array()
        .unwrap()
}

/// Steps 1–4: the hotfix pipeline created (returns the run and the definition id).
pub async fn created(w: &World) -> (String, i32) {
    let run = w.run_at_step4().await;
    w.svc.pipeline_preview(&w.session, &run.id).await.unwrap();
    let run = w
        .svc
        .pipeline_save(&w.session, &run.id, None)
        .await
        .unwrap();
    (run.id, run.steps.pipeline.definition.unwrap().id)
}

/// The definition saves (POST / PUT of the definitions collection) in `journal`.
pub fn writes(journal: &[Value]) -> Vec<String> {
    calls(journal)
        .into_iter()
        .filter(|c| {
            (c.starts_with("POST ") || c.starts_with("PUT ")) && c.ends_with("/definitions")
        })
        .collect()
}
