//! The test knobs under `/_admin/entra`.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::now;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct KnobsPatch {
    token_lifetime_secs: Option<i64>,
    refuse_consent: Option<bool>,
    require_interaction: Option<bool>,
    other_tenant: Option<bool>,
    member: Option<bool>,
    /// Expire every access token issued so far.
    #[serde(default)]
    expire_tokens: bool,
}

pub(super) async fn get_knobs(State(sim): State<AppState>) -> Json<Value> {
    let world = sim.world();
    Json(json!({
        "knobs": world.entra.knobs,
        "tenantId": world.entra.tenant_id,
        "otherTenantId": world.entra.other_tenant_id,
        "accessTokens": world.entra.access_tokens.len(),
        "refreshTokens": world.entra.refresh_tokens.len(),
    }))
}

pub(super) async fn set_knobs(
    State(sim): State<AppState>,
    Json(patch): Json<KnobsPatch>,
) -> Json<Value> {
    {
        let mut world = sim.world();
        let k = &mut world.entra.knobs;
        if let Some(v) = patch.token_lifetime_secs {
            k.token_lifetime_secs = v;
        }
        if let Some(v) = patch.refuse_consent {
            k.refuse_consent = v;
        }
        if let Some(v) = patch.require_interaction {
            k.require_interaction = v;
        }
        if let Some(v) = patch.other_tenant {
            k.other_tenant = v;
        }
        if let Some(v) = patch.member {
            k.member = v;
        }
        if patch.expire_tokens {
            for t in &mut world.entra.access_tokens {
                t.expires_at = now() - 1;
            }
        }
    }
    let _ = sim.persist();
    get_knobs(State(sim)).await
}
