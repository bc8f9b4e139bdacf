//! What the deployment tests (steps 5 and 6) share: the production triggers as the simulator holds
//! them, a review's basis recorded from them, waiting for the deployment's end, the releases of a
//! definition, and journal helpers for status reads.

use std::time::{Duration, Instant};

use chrono::Utc;
use hotfix_core::hotfix::steps::step5_deploy::{ReviewBasis, TriggerBefore};
use hotfix_core::hotfix::HotfixRun;
use serde_json::Value;

use super::{created, info, World};
use ado_sim::seed::demo_production::PROD_OVERRIDES;
use hotfix_core::profiles::HotfixPipelineSettings;
use hotfix_core::secrets::Token;
use hotfix_core::synapse::dataplane::SynapseAccess;

/// The world's profile as demo mode fills it: the production overrides of the demo seed in its
/// hotfix pipeline settings, and a session with the simulator's data-plane token.
pub fn as_demo(w: &mut World) {
    w.profile.hotfix_pipeline = Some(HotfixPipelineSettings {
        override_arm_parameters: PROD_OVERRIDES.to_owned(),
        ..w.profile.pipeline_settings()
    });
    w.session = w.session_for(&w.profile);
    w.session.set_synapse_access(simulator_access(w));
}

/// Data-plane access with the simulator's own token (demo mode without an Entra ID sign-in).
pub fn simulator_access(w: &World) -> SynapseAccess {
    SynapseAccess {
        simulator_token: Some(Token::new(info(w).synapse_token.clone())),
        ..SynapseAccess::default()
    }
}

/// Steps 1–4 done and production reviewed (the basis recorded from the simulator's state).
pub async fn reviewed(w: &World) -> (String, i32) {
    let (id, def) = Box::pin(created(w)).await;
    w.review_now(&id).await;
    (id, def)
}

/// The production workspace of the demo seed and its trigger stopped on purpose.
pub const PROD: &str = "contoso-synapse-prod";
pub const STOPPED_ON_PURPOSE: &str = "tr_sales_file_arrival";

impl World {
    pub async fn state(&self) -> Value {
        self.http
            .get(self.admin("/state"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The production triggers as the simulator holds them.
    pub async fn prod_triggers(&self) -> Vec<TriggerBefore> {
        let state = self.state().await;
        let ws = state["synapse"]["workspaces"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["name"] == PROD)
            .unwrap()
            .clone();
        ws["artifacts"]
            .as_object()
            .unwrap()
            .values()
            .filter(|a| a["kind"] == "trigger")
            .map(|a| TriggerBefore {
                name: a["name"].as_str().unwrap().to_owned(),
                runtime_state: a["properties"]["runtimeState"].as_str().unwrap().to_owned(),
            })
            .collect()
    }

    pub async fn trigger_state(&self, name: &str) -> String {
        self.prod_triggers()
            .await
            .into_iter()
            .find(|t| t.name == name)
            .unwrap()
            .runtime_state
    }

    /// Records a review of production now, as the review action does (commit, time, triggers).
    pub async fn review_now(&self, id: &str) {
        let triggers = self.prod_triggers().await;
        let mut run = self.svc.get_run(id).unwrap();
        run.steps.deploy.basis = Some(ReviewBasis {
            checked_at: Utc::now(),
            fix_commit: run.steps.fix.head.clone().unwrap(),
            definition_id: run.steps.pipeline.definition.as_ref().unwrap().id,
            triggers: Some(triggers),
        });
        self.svc.store().save(&mut run).unwrap();
    }

    /// Waits until the run's latest deployment has ended (the watcher recorded its result).
    pub async fn until_deployed(&self, id: &str) -> HotfixRun {
        self.until_deployed_within(id, Duration::from_secs(60))
            .await
    }

    pub async fn until_deployed_within(&self, id: &str, limit: Duration) -> HotfixRun {
        let start = Instant::now();
        loop {
            let run = self.svc.get_run(id).unwrap();
            if run
                .steps
                .deploy
                .current()
                .is_some_and(|a| a.result.is_some())
                && self.svc.watch_status(id).is_none()
            {
                return run;
            }
            assert!(
                start.elapsed() < limit,
                "the deployment never ended: {:?}",
                run.steps.deploy.live
            );
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }

    /// Waits until the watcher of run `id` stopped (ended or gave up).
    pub async fn until_not_watching(&self, id: &str, limit: Duration) {
        let start = Instant::now();
        while self.svc.watch_status(id).is_some() {
            assert!(start.elapsed() < limit, "the watcher still runs");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn releases_of(&self, id: i32) -> Vec<Value> {
        let v = self
            .rest(
                reqwest::Method::GET,
                &self.rm_url(&format!("releases?definitionId={id}&$expand=artifacts")),
                None,
            )
            .await;
        v["value"].as_array().unwrap().clone()
    }
}

/// Status reads of one release in `journal` (`GET …/release/releases/{id}`), with their times.
pub fn status_reads(journal: &[Value], release_id: i32) -> Vec<i64> {
    let tail = format!("/release/releases/{release_id}");
    journal
        .iter()
        .filter(|e| {
            e["method"] == "GET"
                && e["path"]
                    .as_str()
                    .unwrap_or("")
                    .to_ascii_lowercase()
                    .ends_with(&tail)
        })
        .map(|e| e["at_ms"].as_i64().unwrap())
        .collect()
}
