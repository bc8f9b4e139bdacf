use serde_json::{json, Value};

use super::commit::{CommitArtifacts, Definition, GitArtifact};
use super::*;
use crate::synapse::overrides::parse;

#[allow(clippy::needless_pass_by_value)]
fn art(kind: ArtifactKind, name: &str, properties: Value) -> GitArtifact {
    GitArtifact {
        kind,
        name: name.into(),
        path: format!("/{}/{name}.json", kind.folder()),
        json: json!({"name": name, "properties": properties}),
    }
}

fn live(kind: ArtifactKind, name: &str, properties: Value) -> LiveArtifact {
    LiveArtifact {
        kind: kind.folder().into(),
        name: name.into(),
        properties,
    }
}

fn commit(artifacts: Vec<GitArtifact>) -> CommitArtifacts {
    CommitArtifacts {
        commit: "0123456789abcdef0123456789abcdef01234567".into(),
        artifacts,
        definition: Definition::Default,
        unreadable: Vec::new(),
    }
}

fn kv(url: &str) -> Value {
    json!({"type": "AzureKeyVault", "typeProperties": {"baseUrl": url}})
}

#[test]
fn values_that_differ_by_design_are_not_drift_but_a_hand_edit_is() {
    let c = commit(vec![
        art(ArtifactKind::LinkedService, "ls_kv", kv("https://kv-dev/")),
        art(
            ArtifactKind::Pipeline,
            "pl",
            json!({"activities": [{"name": "Copy", "policy": {"retry": 2}}], "annotations": []}),
        ),
        art(
            ArtifactKind::Trigger,
            "tr",
            json!({"type": "ScheduleTrigger", "runtimeState": "Started", "typeProperties": {}}),
        ),
    ]);
    let overrides = parse("-ls_kv_properties_typeProperties_baseUrl https://kv-prod/");
    let live_side = vec![
        live(ArtifactKind::LinkedService, "ls_kv", kv("https://kv-prod/")),
        live(
            ArtifactKind::Pipeline,
            "pl",
            json!({"annotations": [], "activities": [{"policy": {"retry": 5}, "name": "Copy"}]}),
        ),
        // Stopped on purpose: the runtime state is not drift.
        live(
            ArtifactKind::Trigger,
            "tr",
            json!({"type": "ScheduleTrigger", "runtimeState": "Stopped", "typeProperties": {}}),
        ),
    ];
    let items = drift::compare(&c, &live_side, &overrides, "prod");
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(
        (items[0].kind.as_str(), items[0].name.as_str()),
        ("pipeline", "pl")
    );
    assert_eq!(items[0].change, DriftChange::Changed);
    let diff = &items[0].diff;
    assert!(diff.contains("--- commit 01234567 as deployed"), "{diff}");
    assert!(diff.contains("+++ prod (live)"), "{diff}");
    assert!(diff.contains("-          \"retry\": 2"), "{diff}");
    assert!(diff.contains("+          \"retry\": 5"), "{diff}");
    // Without the override, the key vault URL is drift (the deployment would put dev back).
    let items = drift::compare(&c, &live_side, &parse(""), "prod");
    assert!(items.iter().any(|i| i.name == "ls_kv"), "{items:#?}");
}

#[test]
fn added_missing_defaults_and_masked_secrets() {
    let c = commit(vec![
        art(
            ArtifactKind::LinkedService,
            "dev-WorkspaceDefaultStorage",
            json!({"type": "AzureBlobFS", "typeProperties": {"url": "https://dev"}}),
        ),
        art(ArtifactKind::Notebook, "nb_gone", json!({"cells": []})),
        art(
            ArtifactKind::LinkedService,
            "ls_blob",
            json!({"type": "AzureBlobStorage", "typeProperties": {
                "sasUri": {"type": "SecureString", "value": "https://x?sig=dev"}}}),
        ),
        // Not a kind the data plane lists: never compared.
        art(ArtifactKind::ManagedVirtualNetwork, "default", json!({})),
    ]);
    let live_side = vec![
        live(
            ArtifactKind::LinkedService,
            "prod-WorkspaceDefaultStorage",
            json!({"type": "AzureBlobFS", "typeProperties": {"url": "https://prod"}}),
        ),
        live(
            ArtifactKind::LinkedService,
            "ls_blob",
            json!({"type": "AzureBlobStorage", "encryptedCredential": "xyz", "typeProperties": {
                "sasUri": {"type": "SecureString", "value": "**********"}}}),
        ),
        live(
            ArtifactKind::SqlScript,
            "sq_by_hand",
            json!({"content": {"query": "select 1"}}),
        ),
    ];
    let overrides = parse("-ls_blob_sasUri https://prod?sig=p");
    let items = drift::compare(&c, &live_side, &overrides, "prod");
    let seen: Vec<(&str, DriftChange)> =
        items.iter().map(|i| (i.name.as_str(), i.change)).collect();
    assert_eq!(
        seen,
        [
            ("nb_gone", DriftChange::MissingInProduction),
            ("sq_by_hand", DriftChange::AddedInProduction)
        ],
        "{items:#?}"
    );
}

fn review_with(
    triggers: Vec<LiveTrigger>,
    drift: Vec<DriftItem>,
    params: Vec<DevValuedParameter>,
) -> ProductionReview {
    ProductionReview {
        checked_at: Utc::now(),
        workspace: "prod".into(),
        release_commit: "a".repeat(40),
        fix_commit: "b".repeat(40),
        token_source: Some(TokenSource::Simulator),
        triggers: CheckOutcome::Ran { result: triggers },
        drift: CheckOutcome::Ran { result: drift },
        parameters: CheckOutcome::Ran { result: params },
        custom_parameter_template: false,
        override_notes: vec!["The override -x matches no template parameter.".into()],
    }
}

fn trigger(name: &str, state: &str) -> LiveTrigger {
    LiveTrigger {
        name: name.into(),
        runtime_state: state.into(),
        trigger_type: "ScheduleTrigger".into(),
    }
}

#[test]
fn only_started_triggers_are_restarted_and_never_a_wildcard() {
    let r = review_with(
        vec![
            trigger("tr_b", "Started"),
            trigger("tr_stopped", "Stopped"),
            trigger("tr_a", "Started"),
            trigger("tr_off", "Disabled"),
        ],
        Vec::new(),
        Vec::new(),
    );
    assert_eq!(r.started_triggers().unwrap(), ["tr_a", "tr_b"]);
    let w = r.warnings();
    assert!(w.iter().any(|l| l.contains("tr_stopped, tr_off")), "{w:?}");
    let mut not_run = r;
    not_run.triggers = CheckOutcome::NotRun {
        reason: "no token".into(),
        what_to_do: "sign in".into(),
    };
    assert_eq!(not_run.started_triggers(), None);
    assert!(not_run.warnings()[0].starts_with("The trigger check did not run. no token sign in"));
}

#[test]
fn warnings_name_every_drift_item_and_dev_valued_parameter() {
    let drift_item = DriftItem {
        kind: "linkedService".into(),
        name: "ls_kv".into(),
        change: DriftChange::Changed,
        diff: String::new(),
    };
    let param = DevValuedParameter {
        parameter: "tr_properties_typeProperties_scope".into(),
        artifact: "tr".into(),
        kind: "trigger".into(),
        path: "properties.typeProperties.scope".into(),
        dev_value: "/subscriptions/dev".into(),
        why: "No override: trigger `tr` would listen to the development storage account.".into(),
        secure: false,
        default_kept: DefaultKept::DevelopmentValue,
        overridable: true,
    };
    let w = review_with(Vec::new(), vec![drift_item], vec![param]).warnings();
    assert!(
        w.iter()
            .any(|l| l.starts_with("Linked service `ls_kv` was changed in production")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|l| l.contains("-tr_properties_typeProperties_scope <production value>")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|l| l.contains("matches no template parameter")),
        "{w:?}"
    );
}

#[test]
fn the_parameter_check_lists_uncovered_values_and_unknown_overrides() {
    let c = commit(vec![
        art(ArtifactKind::LinkedService, "ls_kv", kv("https://kv-dev/")),
        art(
            ArtifactKind::LinkedService,
            "ls_sql",
            json!({"type": "AzureSqlDatabase", "typeProperties": {"connectionString": "Data Source=dev;Password=hunter2"}}),
        ),
        art(
            ArtifactKind::LinkedService,
            "dev-WorkspaceDefaultStorage",
            json!({"type": "AzureBlobFS", "typeProperties": {"url": "https://dev"}}),
        ),
    ]);
    let (outcome, notes) = dev_values::check(
        &c,
        &parse("-ls_kv_properties_typeProperties_baseUrl https://kv-prod/ -ls_kvv_typo x"),
    );
    let params = outcome.result().unwrap();
    assert_eq!(params.len(), 1, "{params:#?}");
    let p = &params[0];
    assert_eq!(p.parameter, "ls_sql_connectionString");
    assert!(p.secure);
    assert_eq!(p.default_kept, DefaultKept::Nothing);
    assert!(!p.dev_value.contains("hunter2"), "{}", p.dev_value);
    assert!(p.why.contains("empty"), "{}", p.why);
    assert!(
        notes.iter().any(|n| n.contains("-ls_kvv_typo")),
        "{notes:?}"
    );
    let mut bad = c;
    bad.definition = Definition::Invalid("expected value at line 1".into());
    let (outcome, _) = dev_values::check(&bad, &parse(""));
    assert!(matches!(outcome, CheckOutcome::NotRun { .. }));
}

#[test]
fn the_check_outcome_serialises_with_a_status_tag() {
    let ran: CheckOutcome<Vec<u8>> = CheckOutcome::Ran { result: vec![1] };
    assert_eq!(
        serde_json::to_value(&ran).unwrap(),
        json!({"status": "ran", "result": [1]})
    );
    let not: CheckOutcome<Vec<u8>> = CheckOutcome::NotRun {
        reason: "r".into(),
        what_to_do: "w".into(),
    };
    assert_eq!(
        serde_json::to_value(&not).unwrap(),
        json!({"status": "notRun", "reason": "r", "whatToDo": "w"})
    );
}
