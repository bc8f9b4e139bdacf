//! Step 4, the hotfix release definition, against the simulator (`ado_sim`, whose task catalogue
//! invents fresh GUIDs per world): created with the catalogue's ids, versions and input names;
//! found again and reused; updated with the current revision, keeping fields the app does not own;
//! a stale revision re-read and reported; a refused `operation` (no request); every service error
//! of this step mapped; 409 / 500 / dropped connection on the create POST never repeated. The
//! request counts come from the simulator's journal.

use ado_sim::{Seed, SimHandle, SimInfo, SimOptions};
use hotfix_core::ado::AdoClient;
use hotfix_core::connection;
use hotfix_core::pipeline::catalog::{load_synapse_tasks, SynapseTasks};
use hotfix_core::pipeline::definition::{
    apply, plan, ApplyOutcome, DefinitionFacts, DefinitionPlan, DefinitionSpec, PreviewAction,
};
use hotfix_core::profiles::{NamedRef, NumberedRef, Profile};
use hotfix_core::secrets::Token;
use hotfix_core::ErrorCode;
use serde_json::{json, Value};

const PROJECT: &str = "DataPlatform";
const BRANCH: &str = "Release3_Hotfixes";
const DEFINITIONS: &str = "_apis/release/definitions$";

struct World {
    sim: SimHandle,
    http: reqwest::Client,
    client: AdoClient,
    tasks: SynapseTasks,
    spec: DefinitionSpec,
}

fn info(w: &World) -> &SimInfo {
    w.sim.info()
}

async fn world() -> World {
    let sim = ado_sim::start(SimOptions {
        seed: Seed::Demo,
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts");
    let info = sim.info().clone();
    let client = connection::client(&info.org_url, Token::new(info.pat.clone()), true).unwrap();
    let project = connection::list_projects(&client)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == PROJECT)
        .unwrap();
    let repo = connection::list_repositories(&client, PROJECT)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == info.repository)
        .unwrap();
    let conn = connection::list_service_connections(&client, PROJECT)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "contoso-prod-arm")
        .unwrap();
    let queue = connection::list_agent_queues(&client, PROJECT)
        .await
        .unwrap()
        .into_iter()
        .find(|q| q.name == "Azure Pipelines")
        .unwrap();
    let mut profile = Profile::new_with_defaults("p-demo".into());
    profile.name = "Contoso demo".into();
    profile.organization_url = info.org_url.clone();
    profile.project = Some(project.into());
    profile.repository = Some(repo.into());
    profile.service_connection = Some(NamedRef {
        id: conn.id,
        name: conn.name,
    });
    profile.agent_queue = Some(NumberedRef {
        id: queue.id,
        name: queue.name,
    });
    profile.prod_workspace = "contoso-synapse-prod".into();
    profile.prod_resource_group = "rg-contoso-synapse-prod".into();
    profile.simulated = true;
    let mut settings = profile.pipeline_settings();
    settings.override_arm_parameters = "-ls_AzureDataLakeStorage_properties_typeProperties_url https://contosoprod.dfs.core.windows.net".into();
    profile.hotfix_pipeline = Some(settings);
    let spec = DefinitionSpec::from_profile(
        &profile,
        &DefinitionFacts {
            hotfix_branch: format!("refs/heads/{BRANCH}"),
            release_name: "Release-3".into(),
            effective_resource_group: None,
        },
    )
    .unwrap();
    let tasks = load_synapse_tasks(&client).await.expect("catalogue");
    World {
        sim,
        http: reqwest::Client::new(),
        client,
        tasks,
        spec,
    }
}

impl World {
    fn admin(&self, path: &str) -> String {
        format!("{}{path}", info(self).admin_url)
    }

    async fn admin_post(&self, path: &str, body: &Value) {
        let r = self
            .http
            .post(self.admin(path))
            .json(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "admin {path}: {}", r.status());
    }

    /// Requests the app made (admin calls excluded), oldest first.
    async fn journal(&self) -> Vec<Value> {
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

    async fn clear_journal(&self) {
        self.http
            .delete(self.admin("/journal"))
            .send()
            .await
            .unwrap();
    }

    async fn posts(&self) -> usize {
        self.journal()
            .await
            .iter()
            .filter(|e| {
                e["method"] == "POST" && e["path"].as_str().unwrap().ends_with("/definitions")
            })
            .count()
    }

    /// Answers the next `method` on the definitions collection with `status` and a VSS body.
    async fn fault(&self, method: &str, status: u16, message: &str) {
        self.admin_post(
            "/faults",
            &json!({"method": method, "path": DEFINITIONS, "status": status, "times": 1,
                    "body": {"$id":"1","innerException":null,"message": message,
                             "typeName":"Microsoft.VisualStudio.Services.ReleaseManagement.Data.Exceptions.InvalidRequestException, Microsoft.VisualStudio.Services.ReleaseManagement2.Data",
                             "typeKey":"InvalidRequestException","errorCode":0,"eventId":3000}}),
        )
        .await;
    }

    async fn drop_next(&self, method: &str) {
        self.admin_post(
            "/faults",
            &json!({"method": method, "path": DEFINITIONS, "drop": true, "times": 1}),
        )
        .await;
    }

    /// A REST call with the seeded PAT, outside the app.
    async fn rest(&self, method: reqwest::Method, rest: &str, body: Option<&Value>) -> Value {
        let sep = if rest.contains('?') { '&' } else { '?' };
        let url = format!(
            "{}/{PROJECT}/_apis/release/{rest}{sep}api-version=7.1",
            info(self).release_url
        );
        let mut req = self
            .http
            .request(method, &url)
            .basic_auth("", Some(&info(self).pat));
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{url}: {status} {v}");
        v
    }

    async fn definitions_for_branch(&self) -> Vec<Value> {
        let list = self
            .rest(reqwest::Method::GET, "definitions?$expand=artifacts", None)
            .await;
        list["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["artifacts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a["definitionReference"]["branches"]["id"] == BRANCH)
            })
            .cloned()
            .collect()
    }

    async fn plan(&self) -> DefinitionPlan {
        plan(&self.client, &self.spec, &self.tasks).await.unwrap()
    }

    async fn create(&self) -> i32 {
        let p = self.plan().await;
        assert_eq!(p.preview.action, PreviewAction::Create);
        match apply(&self.client, &self.tasks, &p).await.unwrap() {
            ApplyOutcome::Created(s) => s.id,
            other => panic!("created expected, got {other:?}"),
        }
    }
}

fn workflow(def: &Value) -> Vec<Value> {
    def["environments"][0]["deployPhases"][0]["workflowTasks"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn the_definition_is_created_with_the_catalogue_ids_versions_and_input_names() {
    let w = world().await;
    // The catalogue as the simulator invented it, read outside the app.
    let catalogue: Value = w
        .http
        .get(format!(
            "{}/_apis/distributedtask/tasks?api-version=7.1-preview.1",
            info(&w).org_url
        ))
        .basic_auth("", Some(&info(&w).pat))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_of = |name: &str| {
        catalogue["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let (deploy, toggle) = (
        id_of("Synapse workspace deployment"),
        id_of("toggle-triggers-dev"),
    );

    w.clear_journal().await;
    let p = w.plan().await;
    assert_eq!(p.preview.tasks.len(), 3);
    assert!(p.preview.json.contains(&deploy));
    let saved = match apply(&w.client, &w.tasks, &p).await.unwrap() {
        ApplyOutcome::Created(s) => s,
        other => panic!("{other:?}"),
    };
    let journal = w.journal().await;
    // Host discovery (resourceAreas, once per client) is not part of the step's budget.
    let calls: Vec<String> = journal
        .iter()
        .filter(|e| !e["path"].as_str().unwrap().ends_with("/resourceAreas"))
        .map(|e| {
            format!(
                "{} {}",
                e["method"].as_str().unwrap(),
                e["path"].as_str().unwrap()
            )
        })
        .collect();
    eprintln!(
        "step-4 find + create on the demo seed: {} requests after discovery: {calls:#?}",
        calls.len()
    );
    assert_eq!(calls.len(), 2, "one list, one POST: {calls:#?}");

    assert!(saved.id > 0 && saved.revision == 1 && saved.stage_id.is_some());
    assert!(saved
        .web_url
        .as_deref()
        .unwrap()
        .contains(&format!("definitionId={}", saved.id)));
    let def = w
        .rest(
            reqwest::Method::GET,
            &format!("definitions/{}", saved.id),
            None,
        )
        .await;
    assert_eq!(def["name"], "Synapse-Hotfix-Release3_Hotfixes");
    assert_eq!(def["path"], "\\Hotfixes");
    let t = workflow(&def);
    assert_eq!(t[0]["taskId"], toggle.as_str());
    assert_eq!(t[1]["taskId"], deploy.as_str());
    assert_eq!(t[2]["taskId"], toggle.as_str());
    assert!(t.iter().all(|x| x["version"] == "2.*"));
    assert_eq!(
        t[0]["inputs"]["ServiceConnectionName"],
        w.spec.service_connection.id.as_str()
    );
    assert_eq!(t[0]["inputs"]["ToggleOn"], "false");
    assert_eq!(t[2]["inputs"]["ToggleOn"], "true");
    assert_eq!(t[0]["inputs"]["Triggers"], "$(TriggersToStop)");
    assert_eq!(
        t[1]["inputs"]["AzureResourceManagerConnection"],
        w.spec.service_connection.id.as_str()
    );
    assert_eq!(t[1]["inputs"]["operation"], "validateDeploy");
    assert_eq!(
        t[1]["inputs"]["ArtifactsFolder"],
        "$(System.DefaultWorkingDirectory)/_hotfix"
    );
    assert_eq!(
        def["artifacts"][0]["definitionReference"]["branches"]["id"],
        BRANCH
    );
    assert_eq!(def["environments"][0]["conditions"], json!([]));
    assert_eq!(def["variables"]["TriggersToStart"]["allowOverride"], true);
}

#[tokio::test]
async fn a_second_plan_finds_the_definition_and_reuses_it_without_a_request_to_save() {
    let w = world().await;
    let id = w.create().await;
    w.clear_journal().await;
    let again = w.plan().await;
    assert_eq!(
        again.preview.action,
        PreviewAction::Reuse,
        "{:?}",
        again.preview.changes
    );
    assert_eq!(again.preview.definition_id, Some(id));
    match apply(&w.client, &w.tasks, &again).await.unwrap() {
        ApplyOutcome::Reused(s) => assert_eq!(s.id, id),
        other => panic!("{other:?}"),
    }
    let journal = w.journal().await;
    assert_eq!(
        journal.len(),
        2,
        "list + GET of the one found: {journal:#?}"
    );
    assert!(journal.iter().all(|e| e["method"] == "GET"));
    assert_eq!(w.definitions_for_branch().await.len(), 1);
}

#[tokio::test]
async fn an_update_sends_the_current_revision_and_keeps_what_the_app_does_not_own() {
    let w = world().await;
    let id = w.create().await;
    // Someone edits it in Azure DevOps: a wrong operation, a custom variable, an agent spec, a task.
    let mut def = w
        .rest(reqwest::Method::GET, &format!("definitions/{id}"), None)
        .await;
    def["variables"]["Custom"] = json!({"value": "keep", "allowOverride": false});
    let phase = &mut def["environments"][0]["deployPhases"][0];
    phase["deploymentInput"]["agentSpecification"] = json!({"identifier": "windows-2022"});
    phase["workflowTasks"][1]["inputs"]["operation"] = json!("deploy");
    phase["workflowTasks"][1]["inputs"]["FailOnMissingOverrides"] = json!("true");
    let edited = w
        .rest(reqwest::Method::PUT, "definitions", Some(&def))
        .await;
    assert_eq!(edited["revision"], 2);

    let p = w.plan().await;
    assert_eq!(p.preview.action, PreviewAction::Update);
    assert_eq!(p.preview.revision, Some(2));
    let op = p
        .preview
        .changes
        .iter()
        .find(|c| c.path.ends_with("operation"))
        .unwrap();
    assert_eq!(
        (op.before.as_deref(), op.after.as_deref()),
        (Some("deploy"), Some("validateDeploy"))
    );
    assert_eq!(p.body["revision"], 2);
    let saved = match apply(&w.client, &w.tasks, &p).await.unwrap() {
        ApplyOutcome::Updated(s) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(saved.revision, 3);
    let after = w
        .rest(reqwest::Method::GET, &format!("definitions/{id}"), None)
        .await;
    let t = workflow(&after);
    assert_eq!(t[1]["inputs"]["operation"], "validateDeploy");
    assert_eq!(
        t[1]["inputs"]["FailOnMissingOverrides"], "true",
        "input not owned: kept"
    );
    assert_eq!(after["variables"]["Custom"]["value"], "keep");
    assert_eq!(
        after["environments"][0]["deployPhases"][0]["deploymentInput"]["agentSpecification"]
            ["identifier"],
        "windows-2022"
    );
    assert_eq!(w.definitions_for_branch().await.len(), 1);
}

#[tokio::test]
async fn a_stale_revision_is_re_read_and_reported_not_overwritten() {
    let w = world().await;
    let id = w.create().await;
    let mut def = w
        .rest(reqwest::Method::GET, &format!("definitions/{id}"), None)
        .await;
    def["environments"][0]["deployPhases"][0]["workflowTasks"][1]["inputs"]["operation"] =
        json!("deploy");
    w.rest(reqwest::Method::PUT, "definitions", Some(&def))
        .await;
    let p = w.plan().await;
    assert_eq!(p.preview.action, PreviewAction::Update);
    // Another client saves between the preview and the save.
    let mut theirs = w
        .rest(reqwest::Method::GET, &format!("definitions/{id}"), None)
        .await;
    theirs["description"] = json!("edited by the release manager");
    w.rest(reqwest::Method::PUT, "definitions", Some(&theirs))
        .await;

    w.clear_journal().await;
    let outcome = apply(&w.client, &w.tasks, &p).await.unwrap();
    let ApplyOutcome::Stale { report, plan: next } = outcome else {
        panic!("stale expected, got {outcome:?}");
    };
    assert_eq!((report.read_revision, report.current_revision), (2, 3));
    assert!(report.modified_by.is_some());
    assert!(
        report.their_changes.iter().any(|c| c.path == "description"
            && c.after.as_deref() == Some("edited by the release manager")),
        "{:?}",
        report.their_changes
    );
    let methods: Vec<String> = w
        .journal()
        .await
        .iter()
        .map(|e| e["method"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        methods,
        ["PUT", "GET"],
        "one refused PUT, one re-read, no second PUT"
    );
    let now = w
        .rest(reqwest::Method::GET, &format!("definitions/{id}"), None)
        .await;
    assert_eq!(now["revision"], 3, "not overwritten");
    assert_eq!(workflow(&now)[1]["inputs"]["operation"], "deploy");

    // After the user saw it, the new plan saves on top of their change.
    assert_eq!(next.preview.revision, Some(3));
    match apply(&w.client, &w.tasks, &next).await.unwrap() {
        ApplyOutcome::Updated(s) => assert_eq!(s.revision, 4),
        other => panic!("{other:?}"),
    }
    let now = w
        .rest(reqwest::Method::GET, &format!("definitions/{id}"), None)
        .await;
    assert_eq!(now["description"], "edited by the release manager");
    assert_eq!(workflow(&now)[1]["inputs"]["operation"], "validateDeploy");
}

#[tokio::test]
async fn a_refused_operation_value_sends_no_request() {
    let mut w = world().await;
    let op = w
        .tasks
        .deploy
        .inputs
        .iter_mut()
        .find(|i| i.name == "operation")
        .unwrap();
    op.allowed_values.retain(|v| v != "validateDeploy");
    w.clear_journal().await;
    let err = plan(&w.client, &w.spec, &w.tasks).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        err.message.contains("'validateDeploy'") && err.message.contains("reports success"),
        "{}",
        err.message
    );
    assert!(w.journal().await.is_empty(), "nothing sent");
}

#[tokio::test]
async fn the_services_refusals_are_mapped_to_what_to_fix() {
    let w = world().await;
    let cases: [(&str, ErrorCode, &str); 5] = [
        ("VS402877: Pre-approvals or post-approvals in stage 'Production_Hotfix' are empty.", ErrorCode::InvalidInput, "approvals"),
        ("VS402982: Retention policy is not defined for the stage 'Production_Hotfix'.", ErrorCode::InvalidInput, "retention policy"),
        ("VS402862: Artifact source should have source information. Specify a valid source and try again.", ErrorCode::InvalidInput, "Pick the project and repository again"),
        ("VS402913: The release definition cannot be saved because the environment 'Production_Hotfix' references a service endpoint that cannot be found, or that you do not have permission to access.", ErrorCode::NoPermission, "contoso-prod-arm"),
        ("VS402904: Access denied: User Maya Lopez does not have edit release pipeline permission. Contact your release manager.", ErrorCode::NoPermission, "Edit release pipeline"),
    ];
    let p = w.plan().await;
    for (message, code, fix) in cases {
        w.fault("POST", 400, message).await;
        let err = apply(&w.client, &w.tasks, &p).await.unwrap_err();
        assert_eq!(err.code, code, "{message}: {err:?}");
        assert!(err.message.contains(fix), "{message}: {}", err.message);
    }
    // 401 without the scope, 403.
    w.admin_post(
        "/faults",
        &json!({"method": "POST", "path": DEFINITIONS, "status": 401, "times": 1,
                "body": {"message": "The requested operation requires the scope vso.release_execute.", "typeKey": "UnauthorizedRequestException"}}),
    )
    .await;
    let err = apply(&w.client, &w.tasks, &p).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::MissingScope);
    assert!(
        err.message.contains("vso.release_execute"),
        "{}",
        err.message
    );
    w.fault(
        "POST",
        403,
        "TF400813: The user is not authorized to access this resource.",
    )
    .await;
    let err = apply(&w.client, &w.tasks, &p).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NoPermission);
    assert_eq!(w.posts().await, 7, "each refused POST sent once");
    assert!(w.definitions_for_branch().await.is_empty());
}

#[tokio::test]
async fn the_simulator_refuses_an_unusable_service_connection_itself() {
    let w = world().await;
    let mut spec = w.spec.clone();
    spec.service_connection.id = "0b0b0b0b-0000-4000-8000-000000000000".into();
    let p = plan(&w.client, &spec, &w.tasks).await.unwrap();
    let err = apply(&w.client, &w.tasks, &p).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NoPermission);
    assert!(
        err.message.contains("VS402913") && err.message.contains("0b0b0b0b"),
        "{}",
        err.message
    );
    let mut spec = w.spec.clone();
    spec.agent_queue.id = 4242;
    let p = plan(&w.client, &spec, &w.tasks).await.unwrap();
    let err = apply(&w.client, &w.tasks, &p).await.unwrap_err();
    assert!(
        err.message.contains("agent queue") && err.message.contains("4242"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_failed_create_post_is_not_repeated_and_says_what_happened() {
    let w = world().await;
    let p = w.plan().await;
    // 500 and a dropped connection: not repeated, read back, nothing there.
    w.fault("POST", 500, "TF400898: An Internal Error Occurred.")
        .await;
    let err = apply(&w.client, &w.tasks, &p).await.unwrap_err();
    assert!(
        err.message.contains("not repeated") && err.message.contains("nothing was saved"),
        "{}",
        err.message
    );
    w.drop_next("POST").await;
    let err = apply(&w.client, &w.tasks, &p).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Unreachable);
    assert!(err.message.contains("connection broke"), "{}", err.message);
    // 409: a name clash.
    w.fault(
        "POST",
        409,
        "A release pipeline with this name already exists.",
    )
    .await;
    let err = apply(&w.client, &w.tasks, &p).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.contains("name template"), "{}", err.message);
    assert_eq!(w.posts().await, 3, "one POST per attempt, none repeated");
    assert!(w.definitions_for_branch().await.is_empty());
    // The next attempt creates exactly one.
    match apply(&w.client, &w.tasks, &p).await.unwrap() {
        ApplyOutcome::Created(_) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(w.definitions_for_branch().await.len(), 1);
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_after_saving_is_found_not_made_twice() {
    let w = world().await;
    let p = w.plan().await;
    // The lost request did save: the definition is there (made here with the app's own body),
    // and the app's POST gets a 500.
    w.rest(reqwest::Method::POST, "definitions", Some(&p.body))
        .await;
    w.fault("POST", 500, "TF400898: An Internal Error Occurred.")
        .await;
    match apply(&w.client, &w.tasks, &p).await.unwrap() {
        ApplyOutcome::Created(s) => assert!(s.recovered),
        other => panic!("{other:?}"),
    }
    assert_eq!(w.definitions_for_branch().await.len(), 1);
}

#[tokio::test]
async fn a_failed_update_put_is_not_repeated_and_is_checked_by_reading_back() {
    let w = world().await;
    let id = w.create().await;
    let mut def = w
        .rest(reqwest::Method::GET, &format!("definitions/{id}"), None)
        .await;
    def["environments"][0]["deployPhases"][0]["workflowTasks"][1]["inputs"]["operation"] =
        json!("deploy");
    w.rest(reqwest::Method::PUT, "definitions", Some(&def))
        .await;
    let p = w.plan().await;
    assert_eq!(p.preview.action, PreviewAction::Update);
    for fault in ["drop", "500"] {
        if fault == "drop" {
            w.drop_next("PUT").await;
        } else {
            w.fault("PUT", 500, "TF400898: An Internal Error Occurred.")
                .await;
        }
        w.clear_journal().await;
        let err = apply(&w.client, &w.tasks, &p).await.unwrap_err();
        assert!(
            err.message.contains("not repeated") && err.message.contains("nothing was saved"),
            "{fault}: {}",
            err.message
        );
        let methods: Vec<String> = w
            .journal()
            .await
            .iter()
            .map(|e| e["method"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(methods, ["PUT", "GET"], "{fault}: one PUT, one read back");
    }
    // The same plan still saves once the service answers.
    match apply(&w.client, &w.tasks, &p).await.unwrap() {
        ApplyOutcome::Updated(s) => assert_eq!(s.revision, 3),
        other => panic!("{other:?}"),
    }
}
