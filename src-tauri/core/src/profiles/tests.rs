use super::*;
use crate::error::ErrorCode;
use crate::secrets::{SecretStore, Token};

fn draft(name: &str) -> Profile {
    let mut p = Profile::new_with_defaults(String::new());
    p.name = name.to_owned();
    p.organization_url = "https://dev.azure.com/contoso/".to_owned();
    p
}

fn store() -> (tempfile::TempDir, ProfileStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = ProfileStore::open(dir.path()).unwrap();
    (dir, store)
}

fn file_json(store: &ProfileStore) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(store.path()).unwrap()).unwrap()
}

#[test]
fn create_assigns_an_id_normalises_and_saves_a_versioned_file() {
    let (_dir, store) = store();
    let created = store.create(draft("  Contoso sales  ")).unwrap();
    assert_eq!(created.name, "Contoso sales");
    assert_eq!(created.organization_url, "https://dev.azure.com/contoso");
    assert!(uuid::Uuid::parse_str(&created.id).is_ok());
    let json = file_json(&store);
    assert_eq!(json["version"], FILE_VERSION);
    assert_eq!(
        json["profiles"][0]["organizationUrl"],
        "https://dev.azure.com/contoso"
    );
    // A second store over the same folder sees it.
    let reopened = ProfileStore::open(store.path().parent().unwrap()).unwrap();
    assert_eq!(reopened.list(), vec![created]);
}

#[test]
fn invalid_profiles_are_refused_with_every_problem_named() {
    let (_dir, store) = store();
    let mut bad = draft("");
    bad.organization_url = "https://dev.azure.com".into();
    bad.branch_template = "hotfix/{version}".into();
    let err = store.create(bad.clone()).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("3 problems"), "{}", err.message);
    assert!(err.message.contains("{version}"), "{}", err.message);
    let issues = store.check(&bad);
    let fields: Vec<&str> = issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["name", "organizationUrl", "branchTemplate"]);
    assert!(
        !store.path().exists(),
        "nothing may be written for a refused profile"
    );
}

#[test]
fn names_are_unique_ignoring_case() {
    let (_dir, store) = store();
    let first = store.create(draft("Sales")).unwrap();
    let err = store.create(draft("sales")).unwrap_err();
    assert!(err.message.contains("already called"), "{}", err.message);
    // Saving a profile under its own name is fine.
    let mut again = first;
    again.dev_workspace = "contoso-synapse-dev".into();
    assert_eq!(
        store.update(again).unwrap().dev_workspace,
        "contoso-synapse-dev"
    );
}

#[test]
fn simulated_profiles_may_use_the_local_simulator() {
    let (_dir, store) = store();
    let mut sim = draft("Demo");
    sim.organization_url = "http://127.0.0.1:4000/contoso".into();
    assert!(store
        .create(sim.clone())
        .unwrap_err()
        .message
        .contains("simulated"));
    sim.simulated = true;
    assert_eq!(
        store.create(sim).unwrap().organization_url,
        "http://127.0.0.1:4000/contoso"
    );
}

#[test]
fn update_and_delete_unknown_ids_say_not_found() {
    let (_dir, store) = store();
    let mut ghost = draft("Ghost");
    ghost.id = "nope".into();
    assert_eq!(store.update(ghost).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(store.delete("nope").unwrap_err().code, ErrorCode::NotFound);
}

#[test]
fn duplicate_gets_a_new_id_and_a_copy_of_name() {
    let (_dir, store) = store();
    let original = store.create(draft("Sales")).unwrap();
    let copy = store.duplicate(&original.id).unwrap();
    assert_ne!(copy.id, original.id);
    assert_eq!(copy.name, "Copy of Sales");
    assert_eq!(copy.organization_url, original.organization_url);
    let copy2 = store.duplicate(&original.id).unwrap();
    assert_eq!(copy2.name, "Copy of Sales (2)");
    assert_eq!(store.list().len(), 3);
}

#[test]
fn duplicate_and_delete_with_token_carry_the_secret_along() {
    let (_dir, store) = store();
    let secrets = SecretStore::in_memory();
    let original = store.create(draft("Sales")).unwrap();
    secrets.store(&original.id, &Token::new("pat-1")).unwrap();
    let copy = duplicate_with_token(&store, &secrets, &original.id).unwrap();
    assert_eq!(secrets.read(&copy.id).unwrap().unwrap().expose(), "pat-1");
    delete_with_token(&store, &secrets, &original.id).unwrap();
    assert!(secrets.read(&original.id).unwrap().is_none());
    assert!(secrets.read(&copy.id).unwrap().is_some());
    assert_eq!(store.list().len(), 1);
}

#[test]
fn a_corrupt_file_is_moved_aside_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(PROFILES_FILE);
    std::fs::write(&path, b"{\"version\":1,\"profiles\":[{\"id\":").unwrap();
    let store = ProfileStore::open(dir.path()).unwrap();
    assert!(store.list().is_empty());
    let warnings = store.warnings();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].kind, StoreWarningKind::MovedAside);
    let moved = std::path::PathBuf::from(&warnings[0].path);
    assert_eq!(
        std::fs::read(&moved).unwrap(),
        b"{\"version\":1,\"profiles\":[{\"id\":"
    );
    assert!(warnings[0].message.contains(&warnings[0].path));
    assert!(!path.exists());
    // The store works again and does not touch the moved copy.
    store.create(draft("Fresh")).unwrap();
    assert!(moved.exists());
    store.dismiss_warnings();
    assert!(store.warnings().is_empty());
}

#[test]
fn a_file_without_a_version_or_with_bad_profiles_is_moved_aside_too() {
    for content in [
        r#"{"profiles":[]}"#,
        r#"{"version":1,"profiles":[{"name":3}]}"#,
        "[]",
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(PROFILES_FILE), content).unwrap();
        let store = ProfileStore::open(dir.path()).unwrap();
        assert_eq!(
            store.warnings()[0].kind,
            StoreWarningKind::MovedAside,
            "{content}"
        );
    }
}

#[test]
fn a_newer_version_is_left_alone_and_the_store_is_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(PROFILES_FILE);
    let newer = br#"{"version":99,"profiles":[{"whatever":"v2 shape"}]}"#;
    std::fs::write(&path, newer).unwrap();
    let store = ProfileStore::open(dir.path()).unwrap();
    assert!(store.is_read_only());
    let w = store.warnings();
    assert_eq!(w[0].kind, StoreWarningKind::NewerVersion);
    assert!(w[0].message.contains("newer version"), "{}", w[0].message);
    let err = store.create(draft("New")).unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        newer,
        "the newer file must stay untouched"
    );
    store.dismiss_warnings();
    assert_eq!(store.warnings().len(), 1, "the read-only warning stays");
}

#[test]
fn export_holds_no_secret_and_round_trips() {
    let (_dir, store) = store();
    let secrets = SecretStore::in_memory();
    let a = store.create(draft("Sales")).unwrap();
    store.create(draft("Finance")).unwrap();
    secrets.store(&a.id, &Token::new("the-secret-pat")).unwrap();
    let json = store.export_json(&[]).unwrap();
    assert!(!json.contains("the-secret-pat"));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["kind"], EXPORT_KIND);
    assert_eq!(value["version"], FILE_VERSION);
    assert_eq!(value["profiles"].as_array().unwrap().len(), 2);
    let only_a = store.export_json(std::slice::from_ref(&a.id)).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&only_a).unwrap()["profiles"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Into an empty store: ids and names kept.
    let (_dir2, other) = self::store();
    let report = other.import_json(&json).unwrap();
    assert_eq!(report.imported.len(), 2);
    assert!(report
        .imported
        .iter()
        .all(|i| !i.new_id && i.renamed_from.is_none()));
    assert!(other.list().iter().any(|p| p.id == a.id));
    assert_eq!(report.summary, "Imported 2 profiles.");
}

#[test]
fn import_never_overwrites_clashing_ids_or_names() {
    let (_dir, store) = store();
    let a = store.create(draft("Sales")).unwrap();
    let json = store.export_json(&[]).unwrap();
    let report = store.import_json(&json).unwrap();
    let imported = &report.imported[0];
    assert!(imported.new_id);
    assert_ne!(imported.id, a.id);
    assert_eq!(imported.renamed_from.as_deref(), Some("Sales"));
    assert_eq!(imported.name, "Sales (imported)");
    assert_eq!(
        store.get(&a.id).unwrap(),
        a,
        "the existing profile is unchanged"
    );
    assert_eq!(store.list().len(), 2);
}

#[test]
fn import_skips_invalid_profiles_and_refuses_foreign_files() {
    let (_dir, store) = store();
    let mut bad_url = serde_json::to_value(draft("Bad URL")).unwrap();
    bad_url["organizationUrl"] = "ftp://x".into();
    let json = serde_json::json!({
        "kind": EXPORT_KIND, "version": 1,
        "profiles": [serde_json::to_value(draft("Good")).unwrap(), { "name": "Half" }, bad_url]
    });
    let report = store.import_json(&json.to_string()).unwrap();
    assert_eq!(report.imported.len(), 1);
    assert_eq!(report.skipped.len(), 2);
    assert_eq!(report.skipped[0].name, "Half");
    assert!(
        report.skipped[1].reason.contains("not supported"),
        "{}",
        report.skipped[1].reason
    );
    assert!(
        report.summary.contains("2 profiles could not be used"),
        "{}",
        report.summary
    );

    let foreign = store
        .import_json(r#"{"kind":"something-else","version":1,"profiles":[]}"#)
        .unwrap_err();
    assert!(foreign
        .message
        .contains("not a Synapse Hotfix profile export"));
    let newer = store
        .import_json(&format!(
            r#"{{"kind":"{EXPORT_KIND}","version":9,"profiles":[]}}"#
        ))
        .unwrap_err();
    assert!(newer.message.contains("newer version"));
    assert!(store.import_json("not json").is_err());
}

#[test]
fn export_and_import_through_files() {
    let (dir, store) = store();
    store.create(draft("Sales")).unwrap();
    let file = dir.path().join("out").join("profiles-export.json");
    assert_eq!(store.export_to_file(&[], &file).unwrap(), 1);
    let (_d2, other) = self::store();
    assert_eq!(other.import_from_file(&file).unwrap().imported.len(), 1);
}

#[test]
fn saving_leaves_no_temporary_files_and_a_failed_save_changes_nothing() {
    let (dir, store) = store();
    let a = store.create(draft("A")).unwrap();
    store.create(draft("B")).unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [PROFILES_FILE]);

    // Make the save fail: a folder now sits where the file goes, so the rename cannot replace it.
    std::fs::remove_file(store.path()).unwrap();
    std::fs::create_dir(store.path()).unwrap();
    let err = store.create(draft("C")).unwrap_err();
    assert_eq!(err.code, ErrorCode::Storage);
    assert!(
        err.message.contains("could not be saved"),
        "{}",
        err.message
    );
    assert_eq!(store.list().len(), 2, "the failed profile must not appear");
    assert_eq!(store.get(&a.id).unwrap().name, "A");
}

#[test]
fn a_file_written_before_the_development_location_fields_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    let old = serde_json::json!({"version": 1, "profiles": [{
        "id": "p-old", "name": "Old", "organizationUrl": "https://dev.azure.com/contoso",
        "project": null, "repository": null, "rootFolder": "/", "collaborationBranch": "main",
        "publishBranch": null, "releaseDefinition": null, "productionStage": null,
        "devWorkspace": "ws-dev", "prodWorkspace": "ws-prod",
        "prodSubscriptionId": "00000000-0000-0000-0000-000000000001", "prodResourceGroup": "rg-prod",
        "serviceConnection": null, "agentQueue": null, "branchTemplate": "Release{release}_Hotfixes",
        "featureBranchPatterns": ["feature/*"]
    }]});
    std::fs::write(dir.path().join(PROFILES_FILE), old.to_string()).unwrap();
    let store = ProfileStore::open(dir.path()).unwrap();
    let p = store.get("p-old").unwrap();
    assert_eq!(
        (
            p.dev_subscription_id.as_str(),
            p.dev_resource_group.as_str()
        ),
        ("", "")
    );
    let dev = p.dev_location();
    assert_eq!(dev.subscription_id, "00000000-0000-0000-0000-000000000001");
    assert_eq!(dev.resource_group, "rg-prod");
    assert!(dev.assumed_subscription && dev.assumed_resource_group);
}

#[test]
fn development_subscription_and_resource_group_are_trimmed_checked_and_used() {
    let (_dir, store) = store();
    let mut p = draft("Dev location");
    p.prod_subscription_id = "00000000-0000-0000-0000-000000000001".into();
    p.prod_resource_group = "rg-prod".into();
    p.dev_subscription_id = "not-a-guid".into();
    p.dev_resource_group = "bad rg!".into();
    let fields: Vec<String> = store.check(&p).into_iter().map(|i| i.field).collect();
    assert_eq!(fields, ["devSubscriptionId", "devResourceGroup"]);
    p.dev_subscription_id = " 00000000-0000-0000-0000-0000000000d2 ".into();
    p.dev_resource_group = " rg-dev ".into();
    let saved = store.create(p).unwrap();
    assert_eq!(saved.dev_resource_group, "rg-dev");
    let dev = saved.dev_location();
    assert_eq!(dev.subscription_id, "00000000-0000-0000-0000-0000000000d2");
    assert_eq!(dev.resource_group, "rg-dev");
    assert!(!dev.assumed_subscription && !dev.assumed_resource_group);
}

#[test]
fn a_version_1_file_loads_its_profiles_as_pat_profiles_and_is_rewritten_as_version_2() {
    use crate::profiles::model::{SignInMethod, DEFAULT_CLIENT_ID, DEFAULT_TENANT};
    let dir = tempfile::tempdir().unwrap();
    // What version 1 wrote: no signIn field.
    let mut v1 = serde_json::to_value(Profile::new_with_defaults("old-1".into())).unwrap();
    v1["name"] = "Saved before sign-in".into();
    v1["organizationUrl"] = "https://dev.azure.com/contoso".into();
    v1.as_object_mut().unwrap().remove("signIn");
    let file = serde_json::json!({"version": 1, "profiles": [v1]});
    std::fs::write(dir.path().join(PROFILES_FILE), file.to_string()).unwrap();

    let store = ProfileStore::open(dir.path()).unwrap();
    assert!(store.warnings().is_empty());
    let old = store.get("old-1").unwrap();
    assert_eq!(old.sign_in.method, SignInMethod::Pat, "it keeps its PAT");
    assert_eq!(old.sign_in.tenant, DEFAULT_TENANT);
    assert_eq!(old.sign_in.client_id, DEFAULT_CLIENT_ID);

    // The next save writes version 2 and keeps the method.
    store.create(draft("New one")).unwrap();
    let json = file_json(&store);
    assert_eq!(json["version"], 2);
    let saved: Vec<Profile> = serde_json::from_value(json["profiles"].clone()).unwrap();
    let by_name = |n: &str| saved.iter().find(|p| p.name == n).unwrap().sign_in.method;
    assert_eq!(by_name("Saved before sign-in"), SignInMethod::Pat);
    assert_eq!(
        by_name("New one"),
        SignInMethod::Entra,
        "new profiles default to Entra ID"
    );
}

#[test]
fn an_entra_profile_needs_a_tenant_and_a_client_id_guid_a_pat_profile_does_not() {
    use crate::profiles::model::SignInMethod;
    let (_dir, store) = store();
    let mut p = draft("Entra");
    for tenant in [
        "organizations",
        "common",
        "contoso.onmicrosoft.com",
        "72f988bf-86f1-41af-91ab-2d7cd011db47",
    ] {
        p.sign_in.tenant = tenant.into();
        assert!(store.check(&p).is_empty(), "{tenant}");
    }
    p.sign_in.tenant = "not a tenant".into();
    p.sign_in.client_id = "my-app".into();
    let fields: Vec<String> = store.check(&p).into_iter().map(|i| i.field).collect();
    assert_eq!(fields, ["signInTenant", "signInClientId"]);
    p.sign_in.method = SignInMethod::Pat;
    assert!(store.check(&p).is_empty());
    // Blank settings fall back to the defaults when saved.
    let mut blank = draft("Blank");
    blank.sign_in.tenant = "  ".into();
    blank.sign_in.client_id = String::new();
    let saved = store.create(blank).unwrap();
    assert_eq!(saved.sign_in.tenant, "organizations");
    assert!(!saved.sign_in.client_id.is_empty());
}

#[test]
fn deleting_a_profile_also_removes_its_entra_sign_in() {
    let (_dir, store) = store();
    let secrets = SecretStore::in_memory();
    let p = store.create(draft("Signed in")).unwrap();
    let entra = crate::signin::keychain_user(&p.id);
    secrets
        .store(&entra, &Token::new("{\"refreshToken\":\"rt\"}"))
        .unwrap();
    delete_with_token(&store, &secrets, &p.id).unwrap();
    assert!(secrets.read(&entra).unwrap().is_none());
}
