use std::sync::Arc;

use super::*;

#[test]
fn store_read_delete_round_trip_in_memory() {
    let store = SecretStore::in_memory();
    assert!(store.read("p1").unwrap().is_none());
    let saved = store.store("p1", &Token::new("pat-one")).unwrap();
    assert!(saved.persisted);
    assert!(saved.keychain.available);
    store.store("p2", &Token::new("pat-two")).unwrap();
    assert_eq!(store.read("p1").unwrap().unwrap().expose(), "pat-one");
    assert_eq!(store.read("p2").unwrap().unwrap().expose(), "pat-two");
    store.delete("p1").unwrap();
    assert!(store.read("p1").unwrap().is_none());
    assert!(store.has_token("p2").unwrap());
    // Deleting again is fine.
    store.delete("p1").unwrap();
}

#[test]
fn empty_token_is_refused() {
    let store = SecretStore::in_memory();
    let err = store.store("p1", &Token::new("   ")).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(store.read("p1").unwrap().is_none());
}

#[test]
fn without_keychain_the_token_lives_in_memory_and_the_status_says_so() {
    let backend = Arc::new(MemoryBackend::unavailable(
        "no Secret Service on the session bus",
    ));
    let store = SecretStore::with_backend(backend);
    let status = store.status();
    assert!(!status.available);
    assert!(
        status.message.contains("no Secret Service"),
        "{}",
        status.message
    );
    assert!(
        status.message.contains("this session only"),
        "{}",
        status.message
    );

    let saved = store.store("p1", &Token::new("pat")).unwrap();
    assert!(!saved.persisted);
    assert!(!saved.keychain.available);
    assert_eq!(store.read("p1").unwrap().unwrap().expose(), "pat");
    // The session copy can be deleted even though the keychain is missing.
    store.delete("p1").unwrap();
    assert!(store.read("p1").unwrap().is_none());
    // A token that might sit in the (locked) keychain cannot be deleted: say so.
    let err = store.delete("p9").unwrap_err();
    assert_eq!(err.code, ErrorCode::KeychainUnavailable);
}

#[test]
fn the_store_debug_output_holds_no_token() {
    let store = SecretStore::in_memory();
    store.store("p1", &Token::new("very-secret-pat")).unwrap();
    let shown = format!("{store:?}");
    assert!(!shown.contains("very-secret-pat"), "{shown}");
}

/// Runs against the real Secret Service when `SYNAPSE_HOTFIX_REAL_KEYRING=1` (set by the test
/// script, which starts `gnome-keyring-daemon` under `dbus-run-session`). With the variable set,
/// any failure of the round trip fails the test; without it there is no keychain to talk to.
#[test]
fn keyring_real_secret_service_round_trip() {
    if std::env::var("SYNAPSE_HOTFIX_REAL_KEYRING").as_deref() != Ok("1") {
        eprintln!("keyring_real_secret_service_round_trip: SYNAPSE_HOTFIX_REAL_KEYRING is not 1");
        return;
    }
    let store = SecretStore::os_keychain().with_service("synapse-hotfix-test");
    let status = store.status();
    assert!(
        status.available,
        "the real keychain is not available: {}",
        status.message
    );
    let id = format!("test-{}", uuid::Uuid::new_v4());
    let saved = store.store(&id, &Token::new("real-keyring-pat")).unwrap();
    assert!(
        saved.persisted,
        "token was not persisted: {}",
        saved.keychain.message
    );
    // A second store reads from the keychain, not from any session copy of the first.
    let other = SecretStore::os_keychain().with_service("synapse-hotfix-test");
    assert_eq!(
        other
            .read(&id)
            .unwrap()
            .expect("token not found in keychain")
            .expose(),
        "real-keyring-pat"
    );
    other.delete(&id).unwrap();
    assert!(
        store.read(&id).unwrap().is_none(),
        "token still in the keychain after delete"
    );
}
