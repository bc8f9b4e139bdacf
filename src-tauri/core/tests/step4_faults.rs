//! Wizard step 4 under bad input, as a new user would meet it: 409 / 500 / 429 / a dropped
//! connection injected with the simulator's fault API on each route the step uses. Reads are
//! retried automatically (the journal shows the second request), a 409 is shown, the create POST
//! and the update PUT are never repeated, no second definition appears, and the run resumes once
//! the fault clears.

mod support;

use ado_sim::Seed;
use hotfix_core::hotfix::{StepId, StepState};
use hotfix_core::pipeline::definition::PreviewAction;
use hotfix_core::pipeline::preflight::CheckOutcome;
use hotfix_core::ErrorCode;
use serde_json::{json, Value};
use support::*;

// ---- bad input on each call of the step ----------------------------------------------------

/// The routes step 4 reads, as `(method, path regex, journal path part)`.
const PREFLIGHT_READS: [(&str, &str, &str); 4] = [
    (
        "GET",
        "/_apis/extensionmanagement/installedextensions$",
        "/installedextensions",
    ),
    (
        "GET",
        "/_apis/distributedtask/tasks$",
        "/distributedtask/tasks",
    ),
    (
        "GET",
        "/_apis/serviceendpoint/endpoints/",
        "/serviceendpoint/endpoints/",
    ),
    (
        "GET",
        "/_apis/distributedtask/queues/",
        "/distributedtask/queues/",
    ),
];
const LIST_DEFINITIONS: (&str, &str, &str) =
    ("GET", "/_apis/release/definitions$", "/release/definitions");

impl World {
    async fn drop_next(&self, method: &str, path: &str) {
        self.admin_post(
            "/faults",
            &json!({"method": method, "path": path, "drop": true, "times": 1}),
        )
        .await;
    }

    /// One 500, 429 or dropped connection (`status` 0) on the next matching request.
    async fn fault_once(&self, method: &str, path: &str, status: u16) {
        if status == 0 {
            self.drop_next(method, path).await;
        } else {
            self.fault(method, path, status, 1).await;
        }
    }
}

/// Requests with `method` on the route `part` (a prefix when it ends with `/`, else the end).
fn exact(journal: &[Value], method: &str, part: &str) -> usize {
    journal
        .iter()
        .filter(|e| {
            let path = e["path"].as_str().unwrap_or("");
            e["method"] == method
                && if part.ends_with('/') {
                    path.contains(part)
                } else {
                    path.ends_with(part)
                }
        })
        .count()
}

#[tokio::test]
async fn a_500_429_or_dropped_read_is_retried_and_the_step_goes_on() {
    let w = world(Seed::Demo).await;
    let run = w.run_at_step4().await;
    for (method, path, part) in PREFLIGHT_READS {
        for status in [500, 429, 0] {
            w.clear_journal().await;
            w.fault_once(method, path, status).await;
            let run = w.svc.pipeline_preflight(&w.session, &run.id).await.unwrap();
            let report = run.steps.pipeline.preflight.unwrap();
            assert!(report.ok, "{part} {status}: {report:#?}");
            assert_eq!(
                exact(&w.journal().await, method, part),
                2,
                "{part} {status}: the read was retried once"
            );
        }
    }
    // The scope probe changes nothing (approval 0 does not exist), so it is marked safe to repeat.
    for status in [500, 429, 0] {
        w.clear_journal().await;
        w.fault_once("PATCH", "/_apis/release/approvals/0$", status)
            .await;
        let run = w.svc.pipeline_preflight(&w.session, &run.id).await.unwrap();
        assert!(run.steps.pipeline.preflight.unwrap().ok, "probe {status}");
        assert_eq!(
            exact(&w.journal().await, "PATCH", "/release/approvals/0"),
            2,
            "probe {status}"
        );
    }
    let (method, path, part) = LIST_DEFINITIONS;
    for status in [500, 429, 0] {
        w.clear_journal().await;
        w.fault_once(method, path, status).await;
        let run = w.svc.pipeline_preview(&w.session, &run.id).await.unwrap();
        assert_eq!(
            run.steps.pipeline.preview.unwrap().action,
            PreviewAction::Create
        );
        assert_eq!(exact(&w.journal().await, method, part), 2, "{status}");
    }
    w.svc
        .pipeline_save(&w.session, &run.id, None)
        .await
        .unwrap();
    assert_eq!(w.definitions_named(DEFINITION).await.len(), 1);
}

#[tokio::test]
async fn a_409_on_a_read_is_a_clear_message_and_the_step_resumes() {
    let w = world(Seed::Demo).await;
    let run = w.run_at_step4().await;
    for (method, path, part) in PREFLIGHT_READS {
        w.clear_journal().await;
        w.fault_once(method, path, 409).await;
        let run = w.svc.pipeline_preflight(&w.session, &run.id).await.unwrap();
        let report = run.steps.pipeline.preflight.unwrap();
        assert!(!report.ok, "{part}");
        let bad: Vec<_> = report.problems().collect();
        assert!(
            !bad.is_empty()
                && bad.iter().all(|c| c.outcome == CheckOutcome::CouldNotCheck
                    && c.detail.contains("HTTP 409")
                    && c.fix.is_some()),
            "{part}: {bad:#?}"
        );
        assert_eq!(
            exact(&w.journal().await, method, part),
            1,
            "{part}: not retried"
        );
        assert!(run.log.last().unwrap().message.contains("need attention"));
    }
    // The checks pass again once the service is well, and the preview refuses a failed report.
    let (method, path, _) = LIST_DEFINITIONS;
    w.svc.pipeline_preflight(&w.session, &run.id).await.unwrap();
    w.fault_once(method, path, 409).await;
    let err = w
        .svc
        .pipeline_preview(&w.session, &run.id)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.contains("HTTP 409"), "{}", err.message);
    let run = w.svc.pipeline_preview(&w.session, &run.id).await.unwrap();
    assert!(run.steps.pipeline.preview.is_some());
    w.svc
        .pipeline_save(&w.session, &run.id, None)
        .await
        .unwrap();
    assert_eq!(w.definitions_named(DEFINITION).await.len(), 1);
}

#[tokio::test]
async fn a_failing_create_post_is_never_repeated_and_the_next_save_creates_exactly_one() {
    let w = world(Seed::Demo).await;
    let run = w.run_at_step4().await;
    w.svc.pipeline_preview(&w.session, &run.id).await.unwrap();
    let post = "/_apis/release/definitions$";
    let cases = [
        (409, ErrorCode::Conflict),
        (500, ErrorCode::ServerError),
        (429, ErrorCode::RateLimited),
        (0, ErrorCode::Unreachable),
    ];
    for (status, code) in cases {
        w.clear_journal().await;
        w.fault_once("POST", post, status).await;
        let err = w
            .svc
            .pipeline_save(&w.session, &run.id, None)
            .await
            .unwrap_err();
        eprintln!("POST {status}: {err:?}");
        assert_eq!(err.code, code, "{status}: {err:?}");
        let journal = w.journal().await;
        assert_eq!(
            writes(&journal).len(),
            1,
            "{status}: one POST, not repeated: {:#?}",
            calls(&journal)
        );
        assert!(w.definitions_named(DEFINITION).await.is_empty());
        let saved = w.svc.get_run(&run.id).unwrap();
        assert!(saved.steps.pipeline.definition.is_none());
        assert_eq!(
            saved.steps.pipeline.intent.as_ref().map(|i| i.action),
            Some(PreviewAction::Create),
            "the intent stays for the resume"
        );
        assert_ne!(saved.step_state(StepId::Pipeline), StepState::Done);
    }
    // The fault cleared: the resumed save looks first, finds nothing, and creates one.
    w.clear_journal().await;
    let run = w
        .svc
        .pipeline_save(&w.session, &run.id, None)
        .await
        .unwrap();
    assert_eq!(run.step_state(StepId::Pipeline), StepState::Done);
    assert_eq!(writes(&w.journal().await).len(), 1);
    assert_eq!(w.definitions_named(DEFINITION).await.len(), 1);
}

#[tokio::test]
async fn a_failing_update_put_is_never_repeated_and_the_resumed_save_updates_once() {
    let w = world(Seed::Demo).await;
    let (run_id, id) = Box::pin(created(&w)).await;
    let mut profile = w.profile.clone();
    let mut settings = profile.pipeline_settings();
    settings.override_arm_parameters = "-workspaceName contoso-synapse-prod".into();
    profile.hotfix_pipeline = Some(settings);
    let session = w.session_for(&profile);
    // The read of the existing definition is retried too.
    let get = format!("/_apis/release/definitions/{id}$");
    for status in [500, 429, 0] {
        w.clear_journal().await;
        w.fault_once("GET", &get, status).await;
        let run = w.svc.pipeline_preview(&session, &run_id).await.unwrap();
        assert_eq!(
            run.steps.pipeline.preview.unwrap().action,
            PreviewAction::Update
        );
        let part = format!("/release/definitions/{id}");
        assert_eq!(exact(&w.journal().await, "GET", &part), 2, "{status}");
    }
    let put = "/_apis/release/definitions$";
    let cases = [
        (409, ErrorCode::Conflict),
        (500, ErrorCode::ServerError),
        (429, ErrorCode::RateLimited),
        (0, ErrorCode::Unreachable),
    ];
    for (status, code) in cases {
        w.clear_journal().await;
        w.fault_once("PUT", put, status).await;
        let err = w
            .svc
            .pipeline_save(&session, &run_id, Some(1))
            .await
            .unwrap_err();
        assert_eq!(err.code, code, "{status}: {err:?}");
        assert!(!err.message.is_empty());
        let journal = w.journal().await;
        assert_eq!(
            writes(&journal).len(),
            1,
            "{status}: {:#?}",
            calls(&journal)
        );
        let url = w.rm_url(&format!("definitions/{id}"));
        let now = w.rest(reqwest::Method::GET, &url, None).await;
        assert_eq!(now["revision"], 1, "{status}: not saved");
    }
    let run = w
        .svc
        .pipeline_save(&session, &run_id, Some(1))
        .await
        .unwrap();
    let saved = run.steps.pipeline.definition.unwrap();
    assert_eq!((saved.id, saved.revision), (id, 2));
    assert_eq!(w.definitions_named(DEFINITION).await.len(), 1);
}
