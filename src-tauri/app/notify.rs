//! The desktop notification at the end of a deployment (issue 9 §3): when a deployment or rollback
//! the app followed ends while the main window is not focused (hidden, minimised or behind another
//! window), the desktop says how it ended and what to do next. With the window in front the screen
//! already shows it, so nothing pops up.

use hotfix_core::hotfix::steps::step5_watch::DeploymentEnded;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

/// The window whose focus decides.
pub const MAIN_WINDOW: &str = "main";

/// Whether to notify: only when the user is not looking at the app (no main window counts as
/// not looking).
pub fn should_notify(focused: Option<bool>) -> bool {
    focused != Some(true)
}

/// Notifies the desktop of `ended` unless the main window is focused. A notification that cannot
/// be shown (no notification service) is logged: the run and the screen have the result anyway.
pub fn deployment_ended<R: Runtime>(app: &AppHandle<R>, ended: &DeploymentEnded) {
    let focused = app
        .get_webview_window(MAIN_WINDOW)
        .and_then(|w| w.is_focused().ok());
    if !should_notify(focused) {
        return;
    }
    let (title, body) = ended.text();
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, run = %ended.run_id, "could not show the notification");
    }
}

#[cfg(test)]
mod tests {
    use hotfix_core::hotfix::steps::step5_deploy::AttemptKind;
    use hotfix_core::hotfix::steps::step5_status::DeployResult;

    use super::*;

    #[test]
    fn only_an_unfocused_or_missing_window_is_notified() {
        assert!(!should_notify(Some(true)));
        assert!(should_notify(Some(false)));
        assert!(should_notify(None));
    }

    #[test]
    fn the_text_says_how_it_ended_and_what_to_do() {
        let mut e = DeploymentEnded {
            run_id: "r1".into(),
            kind: AttemptKind::Deploy,
            release_name: "Synapse-Hotfix-Release3_Hotfixes-1".into(),
            stage_name: "Production_Hotfix".into(),
            result: DeployResult::Succeeded,
        };
        let (title, body) = e.text();
        assert_eq!(title, "Deployment succeeded");
        assert!(body.contains("Production_Hotfix") && body.contains("confirm"));
        e.kind = AttemptKind::Rollback;
        e.result = DeployResult::Failed;
        let (title, body) = e.text();
        assert_eq!(title, "Rollback failed");
        assert!(body.contains("what went wrong"), "{body}");
    }
}
