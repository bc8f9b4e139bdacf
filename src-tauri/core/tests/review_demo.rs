//! The review of production on the demo seed (issue 9 §2): the triggers as they are (read across
//! pages), the hand-changed pipeline found as drift with its diff while the values that differ by
//! design (the production overrides) are not, the one parameterised value without a production
//! override flagged, and the request budget of a whole review.

mod review_support;
mod support;

use ado_sim::seed::demo_production::{HAND_CHANGED, STOPPED_ON_PURPOSE, UNCOVERED_PARAMETER};
use ado_sim::Seed;
use hotfix_core::hotfix::review::{review_production, CheckOutcome, DriftChange};
use hotfix_core::synapse::dataplane::{DataPlane, TokenSource};
use hotfix_core::synapse::parameters::DefaultKept;
use review_support::{data_plane, demo_session, run_ready, PROD};
use support::{count, world};

#[tokio::test]
async fn the_demo_review_shows_the_stopped_trigger_the_hand_edit_and_the_dev_valued_parameter() {
    let w = world(Seed::Demo).await;
    let run = run_ready(&w).await;
    let s = demo_session(&w);
    let review = review_production(&s, &run).await.unwrap();

    assert_eq!(review.workspace, PROD);
    assert_eq!(review.token_source, Some(TokenSource::Simulator));
    assert_eq!(
        review.release_commit,
        run.steps.release.commit.as_ref().unwrap().commit_id
    );
    assert_eq!(Some(&review.fix_commit), run.steps.fix.head.as_ref());

    // Triggers: the one stopped on purpose is listed, and is not among those to restart.
    let CheckOutcome::Ran { result: triggers } = &review.triggers else {
        panic!("the trigger check ran: {:?}", review.triggers);
    };
    let stopped = triggers
        .iter()
        .find(|t| t.name == STOPPED_ON_PURPOSE)
        .unwrap();
    assert_eq!(stopped.runtime_state, "Stopped");
    assert_eq!(stopped.trigger_type, "BlobEventsTrigger");
    let started = review.started_triggers().unwrap();
    assert_eq!(started, ["tr_daily_0600"]);
    assert!(!started.iter().any(|n| n == "*" || n == STOPPED_ON_PURPOSE));

    // Drift: exactly the hand-changed pipeline; the key vault and the sales database differ from
    // development by design (overrides) and are not drift.
    let CheckOutcome::Ran { result: drift } = &review.drift else {
        panic!("the drift check ran: {:?}", review.drift);
    };
    assert_eq!(drift.len(), 1, "{drift:#?}");
    let d = &drift[0];
    assert_eq!((d.kind.as_str(), d.name.as_str()), HAND_CHANGED);
    assert_eq!(d.change, DriftChange::Changed);
    assert!(d.diff.contains("-          \"retry\": 2,"), "{}", d.diff);
    assert!(d.diff.contains("+          \"retry\": 5,"), "{}", d.diff);
    assert!(
        d.diff
            .contains("+    \"description\": \"Retries raised by hand"),
        "{}",
        d.diff
    );
    assert!(d.diff.starts_with("--- commit "), "{}", d.diff);

    // Parameters: the blob trigger's scope has no production override.
    let CheckOutcome::Ran { result: params } = &review.parameters else {
        panic!("the parameter check ran: {:?}", review.parameters);
    };
    assert_eq!(params.len(), 1, "{params:#?}");
    let p = &params[0];
    assert_eq!(p.parameter, UNCOVERED_PARAMETER);
    assert_eq!(
        (p.kind.as_str(), p.artifact.as_str()),
        ("trigger", STOPPED_ON_PURPOSE)
    );
    assert_eq!(p.path, "properties.typeProperties.scope");
    assert!(
        p.dev_value.contains("contosodatalakedev"),
        "{}",
        p.dev_value
    );
    assert_eq!(p.default_kept, DefaultKept::DevelopmentValue);
    assert!(p.why.contains("development storage account"), "{}", p.why);
    assert!(!review.custom_parameter_template);
    assert!(
        review.override_notes.is_empty(),
        "{:?}",
        review.override_notes
    );

    let warnings = review.warnings();
    assert!(
        warnings.iter().any(|l| l.contains("pl_ingest_customers")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|l| l.contains(UNCOVERED_PARAMETER)),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|l| l.contains(STOPPED_ON_PURPOSE)),
        "{warnings:?}"
    );
}

#[tokio::test]
async fn a_whole_review_costs_30_requests_on_the_demo() {
    let w = world(Seed::Demo).await;
    let run = run_ready(&w).await;
    let s = demo_session(&w);
    // The session's one-off discoveries are not part of the review's budget.
    s.warm_up().await.unwrap();
    w.clear_journal().await;
    review_production(&s, &run).await.unwrap();
    let journal = w.journal().await;
    let dp = data_plane(&journal);
    let git_items = count(&journal, "GET", "/items");
    // Git: one listing of the release commit and its 17 artifact files, the 2 files the fix
    // changed (the deleted dataset is not read). Data plane: one page of each of the ten
    // collections (the demo has at most five of any kind, the page size).
    assert_eq!(git_items, 1 + 17 + 2, "{:#?}", support::calls(&journal));
    assert_eq!(dp.len(), 10, "{:#?}", support::calls(&journal));
    assert_eq!(journal.len(), 30, "{:#?}", support::calls(&journal));
    assert!(
        journal.iter().all(|e| e["method"] == "GET"),
        "a review only reads"
    );
}

#[tokio::test]
async fn trigger_states_are_read_across_pages() {
    let w = world(Seed::Demo).await;
    {
        let state = w.sim.state();
        let mut world = state.world();
        let ws = world.synapse.workspace_mut(PROD).unwrap();
        for i in 0..12 {
            ws.upsert(
                "trigger",
                &format!("tr_bulk_{i:02}"),
                serde_json::json!({"type": "ScheduleTrigger", "pipelines": [], "typeProperties": {}}),
            );
            if i % 3 == 0 {
                ws.set_trigger_state(&format!("tr_bulk_{i:02}"), "Started");
            }
        }
    }
    let s = demo_session(&w);
    let dp = DataPlane::for_profile(&s, PROD).await.unwrap();
    w.clear_journal().await;
    let triggers = dp.triggers().await.unwrap();
    let pages = count(
        &w.journal().await,
        "GET",
        "/synapse/contoso-synapse-prod/triggers",
    );
    assert_eq!(triggers.len(), 14);
    assert_eq!(pages, 3, "14 triggers, 5 a page");
    let started: Vec<&str> = triggers
        .iter()
        .filter(|t| t.is_started())
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(
        started,
        [
            "tr_bulk_00",
            "tr_bulk_03",
            "tr_bulk_06",
            "tr_bulk_09",
            "tr_daily_0600"
        ]
    );
}

#[tokio::test]
async fn a_trigger_restore_is_confirmed_by_reading_it_back_and_is_safe_to_repeat() {
    let w = world(Seed::Demo).await;
    let s = demo_session(&w);
    let dp = DataPlane::for_profile(&s, PROD).await.unwrap();
    w.clear_journal().await;
    let t = dp
        .set_trigger_state(STOPPED_ON_PURPOSE, true)
        .await
        .unwrap();
    assert!(t.is_started());
    let journal = w.journal().await;
    let path = format!("/synapse/{PROD}/triggers/{STOPPED_ON_PURPOSE}");
    assert_eq!(count(&journal, "POST", &format!("{path}/start")), 1);
    assert_eq!(
        count(&journal, "GET", &path),
        2,
        "read before, read back after"
    );
    // Again: already started, so only the read.
    w.clear_journal().await;
    dp.set_trigger_state(STOPPED_ON_PURPOSE, true)
        .await
        .unwrap();
    let journal = w.journal().await;
    assert_eq!(support::calls(&journal), [format!("GET {path}")]);
    // And back to stopped, as it was on purpose.
    let t = dp
        .set_trigger_state(STOPPED_ON_PURPOSE, false)
        .await
        .unwrap();
    assert_eq!(t.runtime_state, "Stopped");
    let err = dp.trigger("tr_no_such").await.unwrap_err();
    assert_eq!(err.code, hotfix_core::ErrorCode::NotFound);
    assert!(err.message.contains("TriggerNotFound"), "{}", err.message);
}
