//! Does the token carry the write scopes of steps 4–5? A PAT cannot list its own scopes (the PAT
//! lifecycle API takes only Entra tokens, AUTH-AND-ERRORS.md §1), and a missing scope shows only as
//! a 401 on a call that needs it (§2). So, like "Test connection" does for the read scopes, the
//! check makes a call that needs the scope — a PATCH of an object that cannot exist (id 0) with an
//! empty body, which changes nothing — and reads the answer: 401 = scope missing; 400 / 404 = the
//! call got past the scope check.
//!
//! `vso.release_manage` (approve) includes `vso.release_execute` (create definitions and releases,
//! deploy), so one call answers both when the wider scope is there.

use serde_json::{json, Value};

use super::model::{CheckId, PreflightCheck};
use crate::ado::{encode_segment as seg, tokens_page, AdoClient, AdoError, Area, Retry};
use crate::error::AppError;

/// What one probe said.
#[derive(Debug, Clone)]
pub enum ScopeProbe {
    Granted,
    Missing(AdoError),
    /// Signed in with the scope, but the account is refused (403).
    NoPermission(AdoError),
    /// The probe itself failed (5xx, dropped, throttled).
    Unknown(AdoError),
}

fn classify(result: Result<Value, AdoError>) -> ScopeProbe {
    match result {
        Ok(_) => ScopeProbe::Granted,
        Err(e) => match e.status() {
            Some(401) => ScopeProbe::Missing(e),
            Some(403) => ScopeProbe::NoPermission(e),
            Some(400 | 404 | 409 | 422) => ScopeProbe::Granted,
            _ => ScopeProbe::Unknown(e),
        },
    }
}

/// Probes `vso.release_manage`: PATCH an approval that does not exist.
pub async fn probe_manage(client: &AdoClient, project: &str) -> ScopeProbe {
    let path = format!("{}/_apis/release/approvals/0", seg(project));
    classify(
        client
            .send_json(
                reqwest::Method::PATCH,
                Area::Release,
                &path,
                &[],
                &json!({}),
                Retry::Safe,
            )
            .await,
    )
}

/// Probes `vso.release_execute`: PATCH a stage of a release that does not exist.
pub async fn probe_execute(client: &AdoClient, project: &str) -> ScopeProbe {
    let path = format!("{}/_apis/release/releases/0/environments/0", seg(project));
    classify(
        client
            .send_json(
                reqwest::Method::PATCH,
                Area::Release,
                &path,
                &[],
                &json!({}),
                Retry::Safe,
            )
            .await,
    )
}

const EXECUTE: (&str, &str) = ("vso.release_execute", "Release (Read, write & execute)");
const MANAGE: (&str, &str) = (
    "vso.release_manage",
    "Release (Read, write, execute & manage)",
);

fn judge(id: CheckId, probe: &ScopeProbe, org: &str) -> PreflightCheck {
    let ((scope, label), needed_for) = match id {
        CheckId::ApprovalScope => (MANAGE, "approve a pending deployment from the app"),
        _ => (
            EXECUTE,
            "create the hotfix pipeline, create releases and deploy them",
        ),
    };
    let tokens = tokens_page(org);
    match probe {
        ScopeProbe::Granted => PreflightCheck::pass(
            id,
            format!("The token carries {label} ({scope}), needed to {needed_for}."),
        ),
        ScopeProbe::Missing(_) => PreflightCheck::fail(
            id,
            format!(
                "The token lacks {label} ({scope}); Azure DevOps refused a call that needs it \
                 (HTTP 401). It is needed to {needed_for}."
            ),
            format!(
                "Create a token with the scope {label} at the tokens page and paste it in Profile → \
                 Credentials, then run the checks again."
            ),
            Some(tokens),
        ),
        ScopeProbe::NoPermission(e) => PreflightCheck::fail(
            id,
            format!(
                "Azure DevOps refused your account (HTTP 403) on a call that needs {scope}: {}",
                AppError::from(e.clone()).message
            ),
            "Ask a project administrator for the release permissions (Edit release pipeline, \
             Create releases, Manage deployments) on the release folder.",
            None,
        ),
        ScopeProbe::Unknown(e) => PreflightCheck::could_not_check(
            id,
            format!("The scope check failed: {}", AppError::from(e.clone()).message),
        ),
    }
}

/// Both scope checks: one request when the token carries `vso.release_manage`, two otherwise.
pub async fn scope_checks(client: &AdoClient, project: &str) -> (PreflightCheck, PreflightCheck) {
    let org = client.org_url_str().to_owned();
    let manage = probe_manage(client, project).await;
    let execute = match &manage {
        // The wider scope includes the narrower one.
        ScopeProbe::Granted => ScopeProbe::Granted,
        _ => probe_execute(client, project).await,
    };
    (
        judge(CheckId::ReleaseScope, &execute, &org),
        judge(CheckId::ApprovalScope, &manage, &org),
    )
}
