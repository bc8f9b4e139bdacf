//! The Tauri shell: wires state, logging and commands to `hotfix-core`. No business rules here.

/// Registers every command and plugin on `builder`. The app and the command tests both build
/// through this, so they can never disagree on what is registered.
pub fn configure<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
}

/// Starts the app.
pub fn run() {
    configure(tauri::Builder::default())
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| panic!("Synapse Hotfix failed to start: {e}"));
}
