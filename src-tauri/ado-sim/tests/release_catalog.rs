//! Catalogue (task definitions, extensions, service connections, queues, builds) and the Synapse
//! data plane of the demo world.

mod release_support;

use ado_sim::Seed;
use release_support::TestSim;
use reqwest::StatusCode;
use serde_json::Value;

async fn tasks(sim: &TestSim) -> Vec<Value> {
    let v = sim
        .get(&format!(
            "{}?api-version=7.1-preview.1",
            sim.org("_apis/distributedtask/tasks")
        ))
        .await;
    v["value"].as_array().unwrap().clone()
}

fn input<'a>(task: &'a Value, name: &str) -> &'a Value {
    task["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("input {name} of {}", task["name"]))
}

#[tokio::test]
async fn the_synapse_tasks_have_the_documented_inputs_and_random_ids_per_world() {
    let a = TestSim::start(Seed::Demo, 10).await;
    let b = TestSim::start(Seed::Demo, 10).await;
    let ta = tasks(&a).await;
    let deploy = ta
        .iter()
        .find(|t| t["name"] == "Synapse workspace deployment")
        .unwrap();
    let toggle = ta
        .iter()
        .find(|t| t["name"] == "toggle-triggers-dev")
        .unwrap();
    assert_eq!(deploy["version"]["major"], 2);
    assert_eq!(
        deploy["contributionIdentifier"],
        "AzureSynapseWorkspace.synapsecicd-deploy.synapse-deploy"
    );
    assert_eq!(
        toggle["contributionIdentifier"],
        "AzureSynapseWorkspace.synapsecicd-deploy.toggle-trigger"
    );
    for name in [
        "operation",
        "TemplateFile",
        "ParametersFile",
        "ArtifactsFolder",
        "AzureResourceManagerConnection",
        "ResourceGroupName",
        "TargetWorkspaceName",
        "DeleteArtifactsNotInTemplate",
        "DeployManagedPrivateEndpoints",
        "OverrideArmParameters",
        "FailOnMissingOverrides",
        "Environment",
        "npmpackage",
    ] {
        input(deploy, name);
    }
    assert_eq!(
        input(deploy, "AzureResourceManagerConnection")["aliases"][0],
        "azureSubscription"
    );
    assert_eq!(input(deploy, "operation")["defaultValue"], "deploy");
    assert!(input(deploy, "operation")["options"]["validateDeploy"].is_string());
    assert!(
        input(deploy, "operation")["options"]
            .get("validate")
            .is_none(),
        "the classic picklist has only deploy and validateDeploy"
    );
    assert_eq!(
        input(toggle, "ServiceConnectionName")["aliases"][0],
        "azureSubscription"
    );
    for name in ["ResourceGroupName", "WorkspaceName", "ToggleOn", "Triggers"] {
        input(toggle, name);
    }
    assert!(ta.len() > 2, "built-in tasks are listed too");
    // GUIDs are invented per world.
    let tb = tasks(&b).await;
    let deploy_b = tb
        .iter()
        .find(|t| t["name"] == "Synapse workspace deployment")
        .unwrap();
    assert_ne!(deploy["id"], deploy_b["id"]);
    // One task by id.
    let one = a
        .get(&format!(
            "{}?api-version=7.1-preview.1",
            a.org(&format!(
                "_apis/distributedtask/tasks/{}",
                deploy["id"].as_str().unwrap()
            ))
        ))
        .await;
    assert_eq!(one["value"][0]["name"], "Synapse workspace deployment");
}

#[tokio::test]
async fn extensions_endpoints_and_queues_filter_like_the_service() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let ext = sim
        .get(&format!(
            "{}/_apis/extensionmanagement/installedextensions?api-version=7.1-preview.1",
            sim.info.extmgmt_url
        ))
        .await;
    assert!(ext["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["publisherId"] == "AzureSynapseWorkspace"
            && e["extensionId"] == "synapsecicd-deploy"));
    let one = sim
        .get(&format!(
            "{}/_apis/extensionmanagement/installedextensionsbyname/AzureSynapseWorkspace/synapsecicd-deploy?api-version=7.1-preview.1",
            sim.info.extmgmt_url
        ))
        .await;
    assert_eq!(one["installState"]["flags"], "none");

    let eps = sim.org(&format!(
        "{}/_apis/serviceendpoint/endpoints",
        sim.info.project
    ));
    let ready = sim
        .get(&format!("{eps}?type=azurerm&actionFilter=use"))
        .await;
    let names: Vec<&str> = ready["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"contoso-prod-arm") && !names.contains(&"contoso-sandbox-arm"),
        "failed endpoints are hidden: {names:?}"
    );
    let all = sim
        .get(&format!("{eps}?type=azurerm&includeFailed=true"))
        .await;
    assert_eq!(
        all["count"].as_u64().unwrap(),
        ready["count"].as_u64().unwrap() + 1
    );
    let prod = sim
        .get(&format!("{eps}?endpointNames=contoso-prod-arm"))
        .await;
    assert_eq!(prod["count"], 1);
    assert_eq!(
        prod["value"][0]["authorization"]["scheme"],
        "ServicePrincipal"
    );
    assert_eq!(prod["value"][0]["isReady"], true);
    assert!(ready["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["authorization"]["scheme"] == "WorkloadIdentityFederation"));
    let none = sim.get(&format!("{eps}?type=github")).await;
    assert_eq!(none["count"], 0);

    let q = sim
        .get(&sim.org(&format!(
            "{}/_apis/distributedtask/queues?queueName=Azure%20Pipelines",
            sim.info.project
        )))
        .await;
    assert_eq!(q["count"], 1);
    assert_eq!(q["value"][0]["pool"]["isHosted"], true);
    let all_q = sim
        .get(&sim.org(&format!(
            "{}/_apis/distributedtask/queues",
            sim.info.project
        )))
        .await;
    assert!(all_q["count"].as_u64().unwrap() >= 2);
}

#[tokio::test]
async fn builds_created_through_the_hook_are_served_with_their_source_version() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let head = sim.branch_head("main").await;
    let state = sim.handle.state();
    let req: ado_sim::catalog::BuildRequest = serde_json::from_value(serde_json::json!({
        "project": "DataPlatform", "repository": "synapse-analytics", "sourceVersion": head,
        "sourceBranch": "refs/heads/main", "definitionName": "synapse-ci"}))
    .unwrap();
    let created = {
        let mut world = state.world();
        ado_sim::catalog::create_build(&mut world, &sim.info.base_url, "contoso", &req).unwrap()
    };
    let id = created["id"].as_i64().unwrap();
    let b = sim
        .get(&sim.org(&format!("{}/_apis/build/builds/{id}", sim.info.project)))
        .await;
    assert_eq!(b["sourceVersion"], head);
    assert_eq!(b["sourceBranch"], "refs/heads/main");
    assert_eq!(b["repository"]["type"], "TfsGit");
    assert_eq!(b["repository"]["name"], "synapse-analytics");
    let bad: ado_sim::catalog::BuildRequest = serde_json::from_value(serde_json::json!({
        "project": "DataPlatform", "repository": "synapse-analytics", "sourceVersion": "deadbeef"}))
    .unwrap();
    assert!(ado_sim::catalog::create_build(
        &mut state.world(),
        &sim.info.base_url,
        "contoso",
        &bad
    )
    .is_err());
    let (status, _) = sim
        .json(
            reqwest::Method::GET,
            &sim.org(&format!("{}/_apis/build/builds/4242", sim.info.project)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_builds_list_filters_like_succeeded_runs_on_a_branch_and_pages() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let list_url =
        |query: &str| sim.org(&format!("{}/_apis/build/builds?{query}", sim.info.project));
    // The demo world has no CI build: the Build (Read) probe of "Test connection" gets an empty list.
    let empty = sim.get(&list_url("$top=1")).await;
    assert_eq!(empty["count"], 0);
    assert_eq!(empty["value"], serde_json::json!([]));

    let main = sim.branch_head("main").await;
    let churn = sim.branch_head("feature/customer-churn").await;
    let state = sim.handle.state();
    let make = |commit: &str, branch: &str, definition: &str| {
        let req: ado_sim::catalog::BuildRequest = serde_json::from_value(serde_json::json!({
            "project": "DataPlatform", "repository": "synapse-analytics", "sourceVersion": commit,
            "sourceBranch": branch, "definitionName": definition}))
        .unwrap();
        let mut world = state.world();
        let b = ado_sim::catalog::create_build(&mut world, &sim.info.base_url, "contoso", &req)
            .unwrap();
        (
            b["id"].as_i64().unwrap(),
            b["definition"]["id"].as_i64().unwrap(),
        )
    };
    let (b1, ci) = make(&main, "refs/heads/main", "synapse-ci");
    let (b2, _) = make(&churn, "refs/heads/feature/customer-churn", "synapse-ci");
    let (b3, ci_again) = make(&main, "refs/heads/main", "synapse-ci");
    let (b4, other) = make(&main, "refs/heads/main", "nightly");
    assert_eq!(ci, ci_again);
    assert_ne!(ci, other);

    let ids = |v: &Value| -> Vec<i64> {
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_i64().unwrap())
            .collect()
    };
    // The succeeded runs of a pipeline on a branch, newest first.
    let succeeded = sim
        .get(&list_url(&format!(
            "definitions={ci}&branchName=refs/heads/main&statusFilter=completed&resultFilter=succeeded&queryOrder=finishTimeDescending"
        )))
        .await;
    assert_eq!(ids(&succeeded), [b3, b1], "{succeeded}");
    assert_eq!(succeeded["count"], 2);
    assert_eq!(succeeded["value"][0]["sourceVersion"], main);
    assert_eq!(
        ids(&sim.get(&list_url("queryOrder=queueTimeAscending")).await),
        [b1, b2, b3, b4]
    );
    assert_eq!(
        ids(&sim
            .get(&list_url(&format!(
                "definitions={ci},{other}&branchName=refs/heads/feature/customer-churn"
            )))
            .await),
        [b2]
    );
    assert_eq!(
        ids(&sim.get(&list_url("resultFilter=failed")).await),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&sim.get(&list_url("statusFilter=inProgress")).await),
        Vec::<i64>::new()
    );
    let repo_id = sim.repo().await["id"].as_str().unwrap().to_owned();
    assert_eq!(
        ids(&sim
            .get(&list_url(&format!(
                "repositoryId={repo_id}&repositoryType=TfsGit&buildIds={b2},{b4}"
            )))
            .await),
        [b4, b2]
    );
    assert_eq!(
        ids(&sim.get(&list_url("repositoryType=GitHub")).await),
        Vec::<i64>::new()
    );

    // $top + continuationToken walk every build exactly once.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let query = match &token {
            Some(t) => format!("$top=3&queryOrder=queueTimeAscending&continuationToken={t}"),
            None => "$top=3&queryOrder=queueTimeAscending".to_owned(),
        };
        let (status, headers, body) = sim
            .call(reqwest::Method::GET, &list_url(&query), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        seen.extend(ids(&v));
        token = headers
            .get("x-ms-continuationtoken")
            .map(|h| h.to_str().unwrap().to_owned());
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, [b1, b2, b3, b4]);

    let (status, body) = sim
        .json(
            reqwest::Method::GET,
            &list_url("statusFilter=finished"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("statusFilter"));
    let (status, _) = sim
        .json(reqwest::Method::GET, &list_url("definitions=ci"), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_synapse_trigger_list_pages_with_next_link() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let ws = "contoso-synapse-dev";
    let seeded = sim.triggers(ws).await.len();
    {
        let state = sim.handle.state();
        let mut world = state.world();
        let w = world.synapse.workspace_mut(ws).unwrap();
        for i in 0..60 {
            w.upsert(
                "trigger",
                &format!("tr_bulk_{i:02}"),
                serde_json::json!({"type": "ScheduleTrigger", "runtimeState": "Stopped", "pipelines": []}),
            );
        }
    }
    let total = seeded + 60;
    let mut url = Some(format!(
        "{}/synapse/{ws}/triggers?api-version=2020-12-01",
        sim.info.base_url
    ));
    let mut names = Vec::new();
    let mut pages = Vec::new();
    while let Some(u) = url.take() {
        let resp = sim
            .http
            .get(&u)
            .bearer_auth(&sim.info.synapse_token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{u}");
        let v: Value = resp.json().await.unwrap();
        let page = v["value"].as_array().unwrap();
        pages.push(page.len());
        names.extend(page.iter().map(|t| t["name"].as_str().unwrap().to_owned()));
        url = v["nextLink"].as_str().map(str::to_owned);
        assert!(
            pages.len() <= total / ado_sim::synapse::TRIGGER_PAGE_SIZE + 2,
            "nextLink loops: {u}"
        );
    }
    assert_eq!(pages[0], ado_sim::synapse::TRIGGER_PAGE_SIZE, "{pages:?}");
    assert!(pages.len() >= 2, "{pages:?}");
    assert_eq!(names.len(), total);
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), total, "no trigger twice");
    assert!(names.contains(&"tr_bulk_59".to_owned()));

    let bad = sim
        .http
        .get(format!(
            "{}/synapse/{ws}/triggers?api-version=2020-12-01&continuationToken=abc",
            sim.info.base_url
        ))
        .bearer_auth(&sim.info.synapse_token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidContinuationToken");
}

#[tokio::test]
async fn the_synapse_data_plane_stops_and_starts_triggers_with_a_bearer_token() {
    let sim = TestSim::start(Seed::Demo, 10).await;
    let before = sim.triggers("contoso-synapse-prod").await;
    assert!(
        before
            .iter()
            .any(|(n, s)| n == "tr_sales_file_arrival" && s == "Stopped"),
        "one prod trigger is stopped: {before:?}"
    );
    assert!(before.iter().any(|(_, s)| s == "Started"));
    let base = format!(
        "{}/synapse/contoso-synapse-prod/triggers",
        sim.info.base_url
    );
    let post = |path: String| {
        sim.http
            .post(path)
            .bearer_auth(&sim.info.synapse_token)
            .send()
    };
    assert_eq!(
        post(format!(
            "{base}/TR_SALES_FILE_ARRIVAL/start?api-version=2020-12-01"
        ))
        .await
        .unwrap()
        .status(),
        StatusCode::OK
    );
    let after = sim.triggers("contoso-synapse-prod").await;
    assert!(after.iter().all(|(_, s)| s == "Started"), "{after:?}");
    assert_eq!(
        post(format!("{base}/tr_daily_0600/stop?api-version=2020-12-01"))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let one: Value = sim
        .http
        .get(format!("{base}/tr_daily_0600?api-version=2020-12-01"))
        .bearer_auth(&sim.info.synapse_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["properties"]["runtimeState"], "Stopped");
    assert_eq!(one["type"], "Microsoft.Synapse/workspaces/triggers");

    let missing = post(format!("{base}/nope/start?api-version=2020-12-01"))
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let body: Value = missing.json().await.unwrap();
    assert!(
        body["error"]["code"].is_string()
            && body["error"]["message"].as_str().unwrap().contains("nope")
    );
    let no_version = sim
        .http
        .get(base.clone())
        .bearer_auth(&sim.info.synapse_token)
        .send()
        .await
        .unwrap();
    assert_eq!(no_version.status(), StatusCode::BAD_REQUEST);
    let no_token = sim
        .http
        .get(format!("{base}?api-version=2020-12-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
}
