//! Lists the app's commands so tauri-build generates an `allow-<command>` permission for each;
//! `capabilities/main.json` grants exactly these to the main window. Keep this list in step with
//! `configure()` in `src-tauri/app/lib.rs`.

const COMMANDS: &[&str] = &[
    // profiles
    "list_profiles",
    "dismiss_profile_warnings",
    "get_profile",
    "new_profile",
    "validate_profile",
    "save_profile",
    "duplicate_profile",
    "delete_profile",
    "export_profile",
    "import_profiles",
    // credentials
    "set_token",
    "delete_token",
    "token_status",
    // sign-in (commands/signin.rs)
    "sign_in",
    "sign_in_cancel",
    "sign_out",
    "sign_in_status",
    "azure_cli_account",
    // connection and pickers
    "test_connection",
    "list_projects",
    "list_repositories",
    "list_release_definitions",
    "list_service_connections",
    "list_agent_queues",
    "read_publish_branch",
    // demo
    "demo_start",
    "demo_reset",
    "demo_status",
    // system
    "app_ready",
    "app_info",
    "open_url",
    // hotfix run (commands/hotfix.rs)
    "hotfix_list_runs",
    "hotfix_get_run",
    "hotfix_start_run",
    "hotfix_abandon_run",
    "hotfix_list_production_releases",
    "hotfix_select_release",
    "hotfix_choose_artifact",
    "hotfix_check_branch_name",
    "hotfix_create_branch",
    "hotfix_studio_url",
    "hotfix_open_studio",
    "hotfix_poll_branch",
    "hotfix_refresh_changes",
    "hotfix_complete_fix",
    "hotfix_demo_push_sample_fix",
    // step 4 (commands/pipeline.rs)
    "hotfix_pipeline_preflight",
    "hotfix_pipeline_preview",
    "hotfix_pipeline_save",
    // step 7 (commands/merge_back.rs)
    "hotfix_merge_back_list_targets",
    "hotfix_merge_back_preview",
    "hotfix_merge_back_open_prs",
    "hotfix_merge_back_refresh",
    "hotfix_merge_back_tag",
    "hotfix_watch_status",
    "hotfix_cancel_watch",
    // step 8 and the run's end (commands/cleanup.rs)
    "hotfix_cleanup_list",
    "hotfix_cleanup_delete",
    "hotfix_finish_run",
    // history (commands/history.rs)
    "history_list",
    "history_entry",
    "history_document",
    "history_export",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}
