//! Profiles across the back end: the store on disk under an app home, tokens in the secret store,
//! and sharing profiles between two machines (two app homes) without ever carrying a token.

use hotfix_core::profiles::{self, Profile, ProfileStore, StoreWarningKind};
use hotfix_core::secrets::{SecretStore, Token};
use hotfix_core::{AppPaths, ErrorCode};

fn draft(name: &str, url: &str) -> Profile {
    let mut p = Profile::new_with_defaults(String::new());
    p.name = name.to_owned();
    p.organization_url = url.to_owned();
    p
}

#[test]
fn a_profile_survives_a_restart_and_its_token_stays_out_of_every_file() {
    let home = tempfile::tempdir().unwrap();
    let paths = AppPaths::under(home.path());
    let secrets = SecretStore::in_memory();
    let store = ProfileStore::open(&paths.config).unwrap();
    let created = store
        .create(draft("Contoso sales", "https://dev.azure.com/contoso/"))
        .unwrap();
    secrets
        .store(&created.id, &Token::new("pat-that-must-not-leak"))
        .unwrap();
    let copy = profiles::duplicate_with_token(&store, &secrets, &created.id).unwrap();
    drop(store);

    let reopened = ProfileStore::open(&paths.config).unwrap();
    let names: Vec<String> = reopened.list().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Contoso sales", "Copy of Contoso sales"]);
    assert!(reopened.warnings().is_empty());
    assert_eq!(
        secrets.read(&copy.id).unwrap().unwrap().expose(),
        "pat-that-must-not-leak"
    );

    // No file anywhere under the app home holds the token.
    let export = reopened.export_json(&[]).unwrap();
    assert!(!export.contains("pat-that-must-not-leak"));
    for entry in walk(home.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("pat-that-must-not-leak"),
            "{} holds the token",
            entry.display()
        );
    }
}

#[test]
fn profiles_move_between_machines_without_tokens_and_without_overwriting() {
    let (home_a, home_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (
        ProfileStore::open(&AppPaths::under(home_a.path()).config).unwrap(),
        ProfileStore::open(&AppPaths::under(home_b.path()).config).unwrap(),
    );
    let (secrets_a, secrets_b) = (SecretStore::in_memory(), SecretStore::in_memory());
    let shared = a
        .create(draft("Sales", "https://contoso.visualstudio.com"))
        .unwrap();
    secrets_a
        .store(&shared.id, &Token::new("token-of-a"))
        .unwrap();
    b.create(draft("Sales", "https://dev.azure.com/other"))
        .unwrap();

    let file = home_a.path().join("sales.json");
    a.export_to_file(&[], &file).unwrap();
    let report = b.import_from_file(&file).unwrap();
    assert_eq!(report.imported.len(), 1);
    let imported = &report.imported[0];
    assert_eq!(imported.name, "Sales (imported)");
    assert_eq!(b.list().len(), 2);
    // The importer has to paste their own token.
    let err =
        hotfix_core::connection::client_for(&b.get(&imported.id).unwrap(), &secrets_b).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotSignedIn);
    assert!(
        err.message
            .contains("https://contoso.visualstudio.com/_usersSettings/tokens"),
        "{}",
        err.message
    );
}

#[test]
fn a_damaged_profiles_file_is_kept_and_reported_on_the_next_start() {
    let home = tempfile::tempdir().unwrap();
    let paths = AppPaths::under(home.path());
    std::fs::create_dir_all(&paths.config).unwrap();
    std::fs::write(paths.config.join("profiles.json"), "{ not json").unwrap();
    let store = ProfileStore::open(&paths.config).unwrap();
    let warning = &store.warnings()[0];
    assert_eq!(warning.kind, StoreWarningKind::MovedAside);
    assert_eq!(
        std::fs::read_to_string(&warning.path).unwrap(),
        "{ not json"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
