//! Shared helpers of the release tests: start a simulator, call it with the seeded PAT.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use ado_sim::{Seed, SimHandle, SimInfo, SimOptions};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub struct TestSim {
    pub handle: SimHandle,
    pub info: SimInfo,
    pub http: reqwest::Client,
}

impl TestSim {
    pub async fn start(seed: Seed, task_delay_ms: u64) -> Self {
        Self::start_with(SimOptions {
            seed,
            port: 0,
            state_dir: None,
            task_delay_ms,
        })
        .await
    }

    /// A simulator started with these options (a state directory, for the restart tests).
    pub async fn start_with(opts: SimOptions) -> Self {
        let handle = ado_sim::start(opts).await.expect("the simulator starts");
        let info = handle.info().clone();
        Self {
            handle,
            info,
            http: reqwest::Client::new(),
        }
    }

    /// `{release_url}/{project}/_apis/release/{path}`.
    pub fn rm(&self, path: &str) -> String {
        format!(
            "{}/{}/_apis/release/{path}",
            self.info.release_url, self.info.project
        )
    }

    /// `{org_url}/{path}`.
    pub fn org(&self, path: &str) -> String {
        format!("{}/{path}", self.info.org_url)
    }

    fn with_version(url: &str) -> String {
        if url.contains("api-version=") {
            url.to_owned()
        } else if url.contains('?') {
            format!("{url}&api-version=7.1")
        } else {
            format!("{url}?api-version=7.1")
        }
    }

    pub async fn call(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let mut req = self
            .http
            .request(method, Self::with_version(url))
            .basic_auth("", Some(&self.info.pat));
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.expect("request reaches the simulator");
        let status = resp.status();
        let headers = resp.headers().clone();
        (status, headers, resp.text().await.unwrap_or_default())
    }

    pub async fn json(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let (status, _, text) = self.call(method, url, body).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// GET expecting 200 and JSON.
    pub async fn get(&self, url: &str) -> Value {
        let (status, v) = self.json(Method::GET, url, None).await;
        assert_eq!(status, StatusCode::OK, "GET {url} answered {status}: {v}");
        v
    }

    pub async fn text(&self, url: &str) -> String {
        let (status, _, text) = self.call(Method::GET, url, None).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "GET {url} answered {status}: {text}"
        );
        text
    }

    /// Task id of a task definition by name (GUIDs are random per world).
    pub async fn task_id(&self, name: &str) -> String {
        let tasks = self
            .get(&format!(
                "{}?api-version=7.1-preview.1",
                self.org("_apis/distributedtask/tasks")
            ))
            .await;
        tasks["value"]
            .as_array()
            .and_then(|a| a.iter().find(|t| t["name"] == name))
            .and_then(|t| t["id"].as_str())
            .unwrap_or_else(|| panic!("task {name} is in the catalogue"))
            .to_owned()
    }

    pub async fn endpoint_id(&self, name: &str) -> String {
        let eps = self
            .get(&self.org(&format!(
                "{}/_apis/serviceendpoint/endpoints?endpointNames={name}",
                self.info.project
            )))
            .await;
        eps["value"][0]["id"]
            .as_str()
            .expect("endpoint exists")
            .to_owned()
    }

    pub async fn repo(&self) -> Value {
        self.get(&self.org(&format!(
            "{}/_apis/git/repositories/{}",
            self.info.project, self.info.repository
        )))
        .await
    }

    /// Head commit of a branch (through the refs API).
    pub async fn branch_head(&self, branch: &str) -> String {
        let refs = self
            .get(&self.org(&format!(
                "{}/_apis/git/repositories/{}/refs?filter=heads/{branch}",
                self.info.project, self.info.repository
            )))
            .await;
        refs["value"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|r| r["name"] == format!("refs/heads/{branch}"))
            })
            .and_then(|r| r["objectId"].as_str())
            .unwrap_or_else(|| panic!("branch {branch} exists: {refs}"))
            .to_owned()
    }

    /// Polls the release until the stage is terminal; returns the release (with tasks).
    pub async fn wait_stage(&self, release_id: i64, env_id: i64) -> Value {
        let start = Instant::now();
        loop {
            let r = self
                .get(&self.rm(&format!("releases/{release_id}?$expand=tasks")))
                .await;
            let env = r["environments"]
                .as_array()
                .and_then(|e| e.iter().find(|e| e["id"] == env_id))
                .cloned()
                .expect("stage");
            let status = env["status"].as_str().unwrap_or("");
            if matches!(
                status,
                "succeeded" | "rejected" | "canceled" | "partiallySucceeded"
            ) {
                return r;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "stage {env_id} never finished: {env}"
            );
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }

    /// Definition body with one stage running `tasks` on the source artifact `_synapse-analytics`.
    pub async fn definition_body(
        &self,
        name: &str,
        tasks: Vec<Value>,
        pre_approvals: Value,
    ) -> Value {
        let repo = self.repo().await;
        json!({
            "name": name,
            "path": "\\Hotfixes",
            "releaseNameFormat": "Hotfix-$(rev:r)",
            "variables": {}, "variableGroups": [], "triggers": [], "tags": [],
            "artifacts": [{
                "alias": "_synapse-analytics", "type": "Git", "isPrimary": true,
                "sourceId": format!("{}:{}", repo["project"]["id"].as_str().unwrap(), repo["id"].as_str().unwrap()),
                "definitionReference": {
                    "project": {"id": repo["project"]["id"], "name": repo["project"]["name"]},
                    "definition": {"id": repo["id"], "name": repo["name"]},
                    "branches": {"id": "main", "name": "main"},
                    "defaultVersionType": {"id": "latestFromBranchType", "name": "Latest from the default branch"}
                }
            }],
            "environments": [{
                "name": "Production_Hotfix", "rank": 1, "conditions": [],
                "variables": {}, "variableGroups": [], "demands": [], "schedules": [], "environmentTriggers": [],
                "preDeployApprovals": pre_approvals,
                "postDeployApprovals": {"approvals": [{"rank": 1, "isAutomated": true, "isNotificationOn": false}]},
                "retentionPolicy": {"daysToKeep": 30, "releasesToKeep": 3, "retainBuild": true},
                "executionPolicy": {"concurrencyCount": 1, "queueDepthCount": 0},
                "deployPhases": [{
                    "name": "Agent job", "rank": 1, "phaseType": "agentBasedDeployment",
                    "deploymentInput": {"queueId": 9, "agentSpecification": {"identifier": "ubuntu-22.04"}, "skipArtifactsDownload": false,
                        "artifactsDownloadInput": {}, "demands": [], "enableAccessToken": false, "timeoutInMinutes": 0,
                        "jobCancelTimeoutInMinutes": 1, "condition": "succeeded()", "parallelExecution": {"parallelExecutionType": "none"}},
                    "workflowTasks": tasks
                }]
            }]
        })
    }

    /// The three Synapse tasks of a hotfix stage (validateDeploy of the source artifact to prod).
    pub async fn synapse_tasks(&self) -> Vec<Value> {
        let toggle = self.task_id("toggle-triggers-dev").await;
        let deploy = self.task_id("Synapse workspace deployment").await;
        let ep = self.endpoint_id("contoso-prod-arm").await;
        let t = |id: &str, name: &str, inputs: Value| {
            json!({"taskId": id, "version": "2.*", "name": name, "refName": "", "definitionType": "task", "enabled": true,
                   "alwaysRun": false, "continueOnError": false, "timeoutInMinutes": 0, "condition": "succeeded()",
                   "environment": {}, "overrideInputs": {}, "inputs": inputs})
        };
        vec![
            t(
                &toggle,
                "Stop Synapse triggers",
                json!({"ServiceConnectionName": ep, "ResourceGroupName": "rg-contoso-synapse-prod",
                "WorkspaceName": "contoso-synapse-prod", "ToggleOn": "false"}),
            ),
            t(
                &deploy,
                "Synapse deployment",
                json!({"operation": "validateDeploy",
                "ArtifactsFolder": "$(System.DefaultWorkingDirectory)/_synapse-analytics",
                "AzureResourceManagerConnection": ep, "ResourceGroupName": "rg-contoso-synapse-prod",
                "TargetWorkspaceName": "contoso-synapse-prod", "DeleteArtifactsNotInTemplate": "false",
                "DeployManagedPrivateEndpoints": "false", "OverrideArmParameters": "", "Environment": "prod"}),
            ),
            t(
                &toggle,
                "Start Synapse triggers",
                json!({"ServiceConnectionName": ep, "ResourceGroupName": "rg-contoso-synapse-prod",
                "WorkspaceName": "contoso-synapse-prod", "ToggleOn": "true"}),
            ),
        ]
    }

    /// Creates a definition; returns (definition id, definition environment id).
    /// Creates a definition `name` whose stage runs the three Synapse tasks with an automated
    /// approval; answers its id.
    pub async fn synapse_definition(&self, name: &str) -> i64 {
        let body = self
            .definition_body(name, self.synapse_tasks().await, automated())
            .await;
        self.create_definition(&body).await.0
    }

    pub async fn create_definition(&self, body: &Value) -> (i64, i64) {
        let (status, d) = self
            .json(Method::POST, &self.rm("definitions"), Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "definition created: {d}");
        (
            d["id"].as_i64().unwrap(),
            d["environments"][0]["id"].as_i64().unwrap(),
        )
    }

    /// Creates a release of `definition` at `commit` (alias `_synapse-analytics`); returns (release id, stage id).
    pub async fn create_release(&self, definition: i64, commit: &str, branch: &str) -> (i64, i64) {
        let body = json!({"definitionId": definition, "description": "test", "isDraft": false, "reason": "manual",
            "manualEnvironments": ["Production_Hotfix"],
            "artifacts": [{"alias": "_synapse-analytics", "instanceReference": {"id": commit, "name": commit, "sourceBranch": format!("refs/heads/{branch}")}}]});
        let (status, r) = self
            .json(Method::POST, &self.rm("releases"), Some(&body))
            .await;
        assert_eq!(status, StatusCode::OK, "release created: {r}");
        (
            r["id"].as_i64().unwrap(),
            r["environments"][0]["id"].as_i64().unwrap(),
        )
    }

    pub async fn deploy(&self, release: i64, env: i64) -> Value {
        let url = format!(
            "{}/{}/_apis/Release/releases/{release}/environments/{env}",
            self.info.release_url, self.info.project
        );
        let (status, v) = self.json(Method::PATCH, &url, Some(&json!({"status": "inProgress", "comment": "Hotfix deploy", "scheduledDeploymentTime": null, "variables": {}}))).await;
        assert_eq!(status, StatusCode::OK, "deploy accepted: {v}");
        v
    }

    /// The tasks of the last attempt of a stage in a release read with `$expand=tasks`.
    pub fn tasks_of(release: &Value, env_id: i64) -> (i64, Vec<Value>) {
        let env = release["environments"]
            .as_array()
            .and_then(|e| e.iter().find(|e| e["id"] == env_id))
            .expect("stage");
        let step = env["deploySteps"]
            .as_array()
            .and_then(|s| s.last())
            .expect("a deploy step");
        let phase = &step["releaseDeployPhases"][0];
        (
            phase["id"].as_i64().expect("phase id is an int"),
            phase["deploymentJobs"][0]["tasks"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        )
    }

    pub async fn task_log(&self, release: i64, env: i64, phase: i64, task: i64) -> String {
        self.text(&self.rm(&format!(
            "releases/{release}/environments/{env}/deployPhases/{phase}/tasks/{task}/logs"
        )))
        .await
    }

    /// Every trigger of a workspace (following `nextLink`) with its runtime state.
    pub async fn triggers(&self, workspace: &str) -> Vec<(String, String)> {
        let mut url = Some(format!(
            "{}/synapse/{workspace}/triggers?api-version=2020-12-01",
            self.info.base_url
        ));
        let mut out = Vec::new();
        while let Some(u) = url.take() {
            let v: Value = self
                .http
                .get(u)
                .bearer_auth(&self.info.synapse_token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            out.extend(v["value"].as_array().unwrap().iter().map(|t| {
                (
                    t["name"].as_str().unwrap().to_owned(),
                    t["properties"]["runtimeState"].as_str().unwrap().to_owned(),
                )
            }));
            url = v["nextLink"].as_str().map(str::to_owned);
        }
        out
    }
}

pub fn automated() -> Value {
    json!({"approvals": [{"rank": 1, "isAutomated": true, "isNotificationOn": false}]})
}
