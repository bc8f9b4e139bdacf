//! Wizard step 4 — the hotfix release pipeline — against the simulator, through `HotfixService`
//! exactly as the Tauri commands call it, after steps 1–3 on the demo seed: pre-flight, preview and
//! create within the request budget (read from the simulator's journal), reuse, update with the
//! current and a stale revision, a value the catalogue refuses, a crash between the create request
//! and the save, a failing pre-flight. Faults on each route: `step4_faults.rs`.

mod support;

use ado_sim::Seed;
use hotfix_core::hotfix::service::crash_points;
use hotfix_core::hotfix::{StepId, StepState};
use hotfix_core::pipeline::definition::PreviewAction;
use hotfix_core::pipeline::preflight::{CheckId, CheckOutcome};
use hotfix_core::ErrorCode;
use serde_json::json;
use support::*;

#[tokio::test]
async fn step4_creates_the_pipeline_from_the_catalogue_within_the_request_budget() {
    let w = world(Seed::Demo).await;
    let run = w.run_at_step4().await;
    assert_eq!(run.current_step, StepId::Pipeline);
    // Warm-up excluded from the budget: the Resource Areas discovery of the Release host, which
    // steps 1–3 already made on this session's client (it is cached per client).
    w.clear_journal().await;

    let run = w.svc.pipeline_preflight(&w.session, &run.id).await.unwrap();
    let report = run.steps.pipeline.preflight.clone().unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(run.step_state(StepId::Pipeline), StepState::Active);
    assert_eq!(
        report.effective_resource_group.as_deref(),
        Some(PROD_RESOURCE_GROUP)
    );
    let preflight_calls = calls(&w.journal().await);

    let run = w.svc.pipeline_preview(&w.session, &run.id).await.unwrap();
    let preview = run.steps.pipeline.preview.clone().unwrap();
    assert_eq!(preview.action, PreviewAction::Create);
    assert_eq!(preview.name, DEFINITION);
    assert_eq!(preview.tasks.len(), 3);
    assert_eq!(preview.revision, None);
    let run = w
        .svc
        .pipeline_save(&w.session, &run.id, None)
        .await
        .unwrap();

    let all = calls(&w.journal().await);
    eprintln!(
        "step 4 on the demo seed: {} requests after discovery ({} pre-flight): {all:#?}",
        all.len(),
        preflight_calls.len()
    );
    assert!(all.len() <= 12, "budget: {all:#?}");
    assert!(
        all.iter().all(|c| !c.ends_with("/resourceAreas")),
        "no discovery again: {all:#?}"
    );
    assert_eq!(count(&w.journal().await, "POST", "/definitions"), 1);

    // Saved on the run, step 4 done, step 5 current.
    let state = &run.steps.pipeline;
    let saved = state.definition.clone().unwrap();
    assert_eq!(run.step_state(StepId::Pipeline), StepState::Done);
    assert_eq!(run.current_step, StepId::Deploy);
    assert!(state.intent.is_none() && state.plan.is_none() && state.stale.is_none());
    assert!(saved.stage_id.is_some() && saved.revision == 1 && !saved.recovered);
    let web = saved.web_url.clone().unwrap();
    assert!(web.contains(&format!("definitionId={}", saved.id)), "{web}");
    assert_eq!(
        state.preview.as_ref().unwrap().web_url.as_deref(),
        Some(web.as_str()),
        "the screen links the definition"
    );
    assert!(run
        .log
        .iter()
        .any(|e| e.step == StepId::Pipeline && e.message.contains("created")));

    // Built from the simulator's catalogue (it invents the ids).
    let (deploy, toggle) = {
        let state = w.sim.state();
        let world = state.world();
        (
            world
                .catalog
                .task_id_by_name("Synapse workspace deployment")
                .unwrap(),
            world
                .catalog
                .task_id_by_name("toggle-triggers-dev")
                .unwrap(),
        )
    };
    let defs = w.definitions_named(DEFINITION).await;
    assert_eq!(defs.len(), 1);
    let def = w
        .rest(
            reqwest::Method::GET,
            &w.rm_url(&format!("definitions/{}", saved.id)),
            None,
        )
        .await;
    let t = workflow(&def);
    assert_eq!(t[0]["taskId"], toggle.as_str());
    assert_eq!(t[1]["taskId"], deploy.as_str());
    assert_eq!(t[2]["taskId"], toggle.as_str());
    assert_eq!(t[1]["inputs"]["operation"], "validateDeploy");
    assert_eq!(
        t[0]["inputs"]["ServiceConnectionName"],
        w.profile.service_connection.as_ref().unwrap().id.as_str()
    );
    assert_eq!(t[1]["inputs"]["ResourceGroupName"], PROD_RESOURCE_GROUP);

    // The saved run reads back unchanged (PreflightReport and the plan survive the file).
    let reread = w.svc.get_run(&run.id).unwrap();
    assert_eq!(reread.steps.pipeline, run.steps.pipeline);
}

#[tokio::test]
async fn running_the_step_again_finds_the_pipeline_and_sends_no_second_post() {
    let mut w = world(Seed::Demo).await;
    let (run_id, id) = Box::pin(created(&w)).await;

    w.clear_journal().await;
    let run = w.svc.pipeline_preview(&w.session, &run_id).await.unwrap();
    let preview = run.steps.pipeline.preview.clone().unwrap();
    assert_eq!(preview.action, PreviewAction::Reuse);
    assert_eq!(
        (preview.definition_id, preview.revision),
        (Some(id), Some(1))
    );
    let run = w
        .svc
        .pipeline_save(&w.session, &run_id, Some(1))
        .await
        .unwrap();
    assert_eq!(run.steps.pipeline.definition.as_ref().unwrap().id, id);
    assert_eq!(run.step_state(StepId::Pipeline), StepState::Done);
    assert!(writes(&w.journal().await).is_empty(), "nothing saved");

    // After a restart (nothing in memory: the catalogue is read again) it is found again.
    w.restart();
    w.clear_journal().await;
    let run = w.svc.pipeline_preview(&w.session, &run_id).await.unwrap();
    assert_eq!(
        run.steps.pipeline.preview.as_ref().unwrap().action,
        PreviewAction::Reuse
    );
    w.svc
        .pipeline_save(&w.session, &run_id, Some(1))
        .await
        .unwrap();
    let journal = w.journal().await;
    assert!(writes(&journal).is_empty(), "{:#?}", calls(&journal));
    assert_eq!(count(&journal, "GET", "/distributedtask/tasks"), 1);
    assert_eq!(w.definitions_named(DEFINITION).await.len(), 1);
}

#[tokio::test]
async fn a_profile_change_updates_with_the_current_revision_and_a_stale_one_is_shown_then_reconfirmed(
) {
    let w = world(Seed::Demo).await;
    let (run_id, id) = Box::pin(created(&w)).await;

    // The profile changes: the next preview is an update of revision 1.
    let mut profile = w.profile.clone();
    let mut settings = profile.pipeline_settings();
    settings.override_arm_parameters = "-workspaceName contoso-synapse-prod".into();
    profile.hotfix_pipeline = Some(settings);
    let session = w.session_for(&profile);
    let run = w.svc.pipeline_preview(&session, &run_id).await.unwrap();
    let preview = run.steps.pipeline.preview.clone().unwrap();
    assert_eq!(preview.action, PreviewAction::Update);
    assert_eq!(preview.revision, Some(1));
    assert!(!preview.changes.is_empty());

    // Someone saves it in between.
    let url = w.rm_url(&format!("definitions/{id}"));
    let mut theirs = w.rest(reqwest::Method::GET, &url, None).await;
    theirs["description"] = json!("edited by the release manager");
    w.rest(
        reqwest::Method::PUT,
        &w.rm_url("definitions"),
        Some(&theirs),
    )
    .await;

    w.clear_journal().await;
    let run = w
        .svc
        .pipeline_save(&session, &run_id, Some(1))
        .await
        .unwrap();
    let state = &run.steps.pipeline;
    let stale = state.stale.clone().expect("stale shown");
    assert_eq!((stale.read_revision, stale.current_revision), (1, 2));
    assert!(
        stale
            .their_changes
            .iter()
            .any(|c| c.path.contains("description")),
        "{:#?}",
        stale.their_changes
    );
    assert_eq!(state.preview.as_ref().unwrap().revision, Some(2));
    assert_eq!(run.step_state(StepId::Pipeline), StepState::Active);
    assert!(state.intent.is_none());
    assert_eq!(
        writes(&w.journal().await).len(),
        1,
        "one refused PUT, not repeated"
    );

    // Confirming the old revision again is refused without a request; the new one saves.
    w.clear_journal().await;
    let err = w
        .svc
        .pipeline_save(&session, &run_id, Some(1))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.contains("revision 2"), "{}", err.message);
    assert!(w.journal().await.is_empty());
    let run = w
        .svc
        .pipeline_save(&session, &run_id, Some(2))
        .await
        .unwrap();
    let saved = run.steps.pipeline.definition.clone().unwrap();
    assert_eq!((saved.id, saved.revision), (id, 3));
    assert!(run.steps.pipeline.stale.is_none());
    assert_eq!(run.step_state(StepId::Pipeline), StepState::Done);
    let now = w.rest(reqwest::Method::GET, &url, None).await;
    assert_eq!(
        now["description"], "edited by the release manager",
        "theirs kept"
    );
    assert_eq!(
        workflow(&now)[1]["inputs"]["OverrideArmParameters"],
        "-workspaceName contoso-synapse-prod"
    );
}

#[tokio::test]
async fn a_value_the_catalogue_refuses_stops_the_preview_before_any_request() {
    let w = world(Seed::Demo).await;
    let run = w.run_at_step4().await;
    // The organization's deploy task offers no `validateDeploy` (an older extension, say).
    {
        let state = w.sim.state();
        let mut world = state.world();
        let task = world
            .catalog
            .tasks
            .iter_mut()
            .find(|t| t["name"] == "Synapse workspace deployment")
            .unwrap();
        let op = task["inputs"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|i| i["name"] == "operation")
            .unwrap();
        op["options"]
            .as_object_mut()
            .unwrap()
            .remove("validateDeploy");
    }
    w.svc.pipeline_preflight(&w.session, &run.id).await.unwrap();
    w.clear_journal().await;
    let err = w
        .svc
        .pipeline_preview(&w.session, &run.id)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("'validateDeploy'"), "{}", err.message);
    assert!(w.journal().await.is_empty(), "nothing sent");
    let run = w.svc.get_run(&run.id).unwrap();
    assert_eq!(run.step_state(StepId::Pipeline), StepState::Active);
    assert!(run.steps.pipeline.preview.is_none());
    let err = w
        .svc
        .pipeline_save(&w.session, &run.id, None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition, "nothing to save");
    assert!(w.journal().await.is_empty());
}

#[tokio::test]
async fn a_crash_between_the_create_request_and_the_save_resumes_with_one_pipeline() {
    let mut w = world(Seed::Demo).await;
    let run = w.run_at_step4().await;
    w.svc.pipeline_preview(&w.session, &run.id).await.unwrap();
    let (hook, fired) = crash_once_at(crash_points::STEP4_AFTER_REMOTE);
    w.svc.set_crash_hook(Some(hook));
    w.svc
        .pipeline_save(&w.session, &run.id, None)
        .await
        .unwrap_err();
    assert!(fired.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(
        w.definitions_named(DEFINITION).await.len(),
        1,
        "it was created"
    );

    // The app restarts: the run knows a create was sent, not what came of it.
    w.restart();
    let saved = w.svc.get_run(&run.id).unwrap();
    assert!(saved.steps.pipeline.definition.is_none());
    let intent = saved.steps.pipeline.intent.clone().expect("intent saved");
    assert_eq!(intent.action, PreviewAction::Create);
    w.clear_journal().await;
    let run = w
        .svc
        .pipeline_save(&w.session, &run.id, None)
        .await
        .unwrap();
    let journal = w.journal().await;
    assert!(
        writes(&journal).is_empty(),
        "no second POST: {:#?}",
        calls(&journal)
    );
    let d = run.steps.pipeline.definition.clone().unwrap();
    assert!(d.recovered && d.stage_id.is_some());
    assert_eq!(run.step_state(StepId::Pipeline), StepState::Done);
    assert!(run.steps.pipeline.intent.is_none());
    assert_eq!(w.definitions_named(DEFINITION).await.len(), 1);
}

#[tokio::test]
async fn a_failing_preflight_check_surfaces_through_the_step_and_nothing_is_created() {
    let w = world(Seed::Demo).await;
    let run = w.run_at_step4().await;
    let mut profile = w.profile.clone();
    let wif = w
        .sim
        .state()
        .world()
        .catalog
        .endpoint(ado_sim::seed::demo_connections::PROD_WIF_CONNECTION)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    profile.service_connection = Some(hotfix_core::profiles::NamedRef {
        id: wif,
        name: ado_sim::seed::demo_connections::PROD_WIF_CONNECTION.into(),
    });
    let session = w.session_for(&profile);
    // The preview runs the checks itself (none ran yet) and refuses.
    let err = w.svc.pipeline_preview(&session, &run.id).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition);
    assert!(
        err.message.contains("Production service connection"),
        "{}",
        err.message
    );
    let run = w.svc.get_run(&run.id).unwrap();
    let report = run.steps.pipeline.preflight.clone().expect("report kept");
    assert!(!report.ok);
    let c = report.check(CheckId::ServiceConnection).unwrap();
    assert_eq!(c.outcome, CheckOutcome::Fail);
    assert!(c.fix.is_some());
    assert_eq!(run.step_state(StepId::Pipeline), StepState::Active);
    assert!(run.steps.pipeline.preview.is_none());
    assert!(w.definitions_named(DEFINITION).await.is_empty());

    // Fixed in the profile: the checks run again (the profile changed) and pass.
    let run = w.svc.pipeline_preview(&w.session, &run.id).await.unwrap();
    assert!(run.steps.pipeline.preflight.as_ref().unwrap().ok);
    assert_eq!(
        run.steps.pipeline.preview.as_ref().unwrap().action,
        PreviewAction::Create
    );
}

#[tokio::test]
async fn a_resumed_save_that_finds_the_pipeline_changed_shows_it_again_instead_of_saving() {
    let mut w = world(Seed::Demo).await;
    let run = w.run_at_step4().await;
    w.svc.pipeline_preview(&w.session, &run.id).await.unwrap();
    let (hook, _) = crash_once_at(crash_points::STEP4_AFTER_REMOTE);
    w.svc.set_crash_hook(Some(hook));
    w.svc
        .pipeline_save(&w.session, &run.id, None)
        .await
        .unwrap_err();
    // While the app was down someone changed a field the app owns.
    let id = w.definitions_named(DEFINITION).await[0]["id"]
        .as_i64()
        .unwrap();
    let url = w.rm_url(&format!("definitions/{id}"));
    let mut def = w.rest(reqwest::Method::GET, &url, None).await;
    def["environments"][0]["deployPhases"][0]["workflowTasks"][1]["inputs"]["operation"] =
        json!("deploy");
    w.rest(reqwest::Method::PUT, &w.rm_url("definitions"), Some(&def))
        .await;

    w.restart();
    w.clear_journal().await;
    let run = w
        .svc
        .pipeline_save(&w.session, &run.id, None)
        .await
        .unwrap();
    assert!(
        writes(&w.journal().await).is_empty(),
        "nothing saved blindly"
    );
    let state = &run.steps.pipeline;
    assert!(state.definition.is_none() && state.intent.is_none());
    let preview = state.preview.clone().unwrap();
    assert_eq!(preview.action, PreviewAction::Update);
    assert_eq!(preview.revision, Some(2));
    assert_eq!(run.step_state(StepId::Pipeline), StepState::Active);
    assert!(run.progress.iter().any(|s| s
        .note
        .as_deref()
        .is_some_and(|n| n.contains("review the new preview"))));
    // Confirmed: saved with the revision shown, the operation back to validateDeploy.
    let run = w
        .svc
        .pipeline_save(&w.session, &run.id, Some(2))
        .await
        .unwrap();
    assert_eq!(run.steps.pipeline.definition.unwrap().revision, 3);
    let now = w.rest(reqwest::Method::GET, &url, None).await;
    assert_eq!(workflow(&now)[1]["inputs"]["operation"], "validateDeploy");
    assert_eq!(w.definitions_named(DEFINITION).await.len(), 1);
}
