//! Shared by the `review_*` tests: the demo world at step 4 with the demo profile's production
//! overrides, a session that gets the simulator's data-plane token, and CloudError faults.
#![allow(dead_code)]

use std::sync::Arc;

use ado_sim::seed::demo_production::PROD_OVERRIDES;
use hotfix_core::hotfix::{HotfixRun, Session};
use hotfix_core::profiles::HotfixPipelineSettings;
use hotfix_core::secrets::Token;
use hotfix_core::synapse::dataplane::SynapseAccess;
use serde_json::{json, Value};

use crate::support::{info, World};

pub const PROD: &str = "contoso-synapse-prod";

/// The demo profile with `overrides` as its hotfix pipeline's `OverrideArmParameters`, in a
/// session that has `access`.
pub fn session_with(w: &World, overrides: &str, access: SynapseAccess) -> Arc<Session> {
    let mut profile = w.profile.clone();
    profile.hotfix_pipeline = Some(HotfixPipelineSettings {
        override_arm_parameters: overrides.to_owned(),
        ..HotfixPipelineSettings::default()
    });
    let s = w.session_for(&profile);
    s.set_synapse_access(access);
    s
}

/// Access with the simulator's own data-plane token (the demo without an Entra ID sign-in).
pub fn simulator_access(w: &World) -> SynapseAccess {
    SynapseAccess {
        simulator_token: Some(Token::new(info(w).synapse_token.clone())),
        ..SynapseAccess::default()
    }
}

/// The demo profile as demo mode fills it, with the simulator's data-plane token.
pub fn demo_session(w: &World) -> Arc<Session> {
    session_with(w, PROD_OVERRIDES, simulator_access(w))
}

/// Steps 1–3 done on the demo (the sample fix pushed and reviewed).
pub async fn run_ready(w: &World) -> HotfixRun {
    w.run_at_step4().await
}

/// A fault with a CloudError body on a data-plane path (regex), `times` times.
pub async fn cloud_fault(w: &World, method: &str, path: &str, status: u16, times: u32) {
    let mut headers = json!({});
    if status == 429 {
        headers = json!({"Retry-After": "1"});
    }
    w.admin_post(
        "/faults",
        &json!({"method": method, "path": path, "status": status, "times": times, "headers": headers,
                "body": {"error": {"code": "InjectedFault", "message": format!("Injected HTTP {status}")}}}),
    )
    .await;
}

/// A dropped connection on `path`, `times` times.
pub async fn drop_fault(w: &World, method: &str, path: &str, times: u32) {
    w.admin_post(
        "/faults",
        &json!({"method": method, "path": path, "drop": true, "times": times}),
    )
    .await;
}

/// Data-plane requests of the journal (`/synapse/...`).
pub fn data_plane(journal: &[Value]) -> Vec<&Value> {
    journal
        .iter()
        .filter(|e| e["path"].as_str().unwrap_or("").starts_with("/synapse/"))
        .collect()
}
