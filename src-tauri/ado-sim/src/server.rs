//! Starting and stopping a simulator: options, the announced URLs ([`SimInfo`]), the router with
//! every area merged, and the middleware stack (journal, faults, auth, api-version, panics).

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::{Router, ServiceExt};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tower::Layer;

use crate::errors::ApiError;
use crate::state::{AppState, Sim, World, WORLD_FILE};

/// Which world to start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Seed {
    /// Organization, user, token and the `DataPlatform` project with an empty repository.
    Empty,
    /// The demo organization (see `seed::demo`).
    Demo,
    /// Demo plus 10,000 releases.
    Scale,
}

impl FromStr for Seed {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "empty" => Ok(Self::Empty),
            "demo" => Ok(Self::Demo),
            "scale" => Ok(Self::Scale),
            other => Err(format!("Unknown seed '{other}': use empty, demo or scale.")),
        }
    }
}

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub seed: Seed,
    /// 0 = any free port; always binds 127.0.0.1.
    pub port: u16,
    /// Bare repos + persisted `world.json` live here; `None` = temp dir (deleted on drop).
    pub state_dir: Option<PathBuf>,
    /// Simulated duration of one release task (demo ≈ 2500, tests ≈ 50).
    pub task_delay_ms: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            seed: Seed::Demo,
            port: 0,
            state_dir: None,
            task_delay_ms: 50,
        }
    }
}

/// The URLs and credentials of a running simulator; also the single JSON line the binary prints.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SimInfo {
    pub base_url: String,
    pub org_url: String,
    pub release_url: String,
    pub extmgmt_url: String,
    pub admin_url: String,
    pub pat: String,
    pub synapse_url_template: String,
    pub synapse_token: String,
    pub project: String,
    pub repository: String,
    /// The Entra-like authority: `{base}/_entra`; sign in at `{authority_url}/{tenant}/oauth2/v2.0/…`.
    pub authority_url: String,
    /// The tenant that backs the organization.
    pub tenant_id: String,
}

/// A running simulator; dropping it (or [`SimHandle::shutdown`]) stops the server.
#[derive(Debug)]
pub struct SimHandle {
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SimHandle {
    pub fn info(&self) -> &SimInfo {
        &self.state.info
    }

    pub fn state(&self) -> AppState {
        Arc::clone(&self.state)
    }

    /// Stops accepting connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.state.stop_persister();
        let sim = Arc::clone(&self.state);
        match tokio::task::spawn_blocking(move || sim.flush()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("could not write world.json on shutdown: {e}"),
            Err(e) => tracing::warn!("the final world.json write failed: {e}"),
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
        self.state.stop_persister();
        if let Err(e) = self.state.flush() {
            tracing::warn!("could not write world.json on drop: {e}");
        }
    }
}

/// Starts a simulator: loads `world.json` from `state_dir` when present (demo mode survives a
/// restart), otherwise seeds a new world; then serves on 127.0.0.1.
pub async fn start(opts: SimOptions) -> anyhow::Result<SimHandle> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", opts.port))
        .await
        .with_context(|| format!("could not bind 127.0.0.1:{}", opts.port))?;
    let port = listener.local_addr()?.port();
    let base_url = format!("http://127.0.0.1:{port}");

    let (state_dir, temp) = match &opts.state_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("could not create state dir {}", dir.display()))?;
            (dir.clone(), None)
        }
        None => {
            let t = tempfile::Builder::new().prefix("ado-sim-").tempdir()?;
            (t.path().to_path_buf(), Some(t))
        }
    };

    let seed = opts.seed;
    let dir = state_dir.clone();
    let base = base_url.clone();
    let (world, fresh) =
        tokio::task::spawn_blocking(move || load_or_seed(seed, &dir, &base)).await??;
    let info = info_for(&world, &base_url);
    let sim = Arc::new(Sim::new(world, info, opts, state_dir, temp));
    if !sim.ephemeral {
        tokio::spawn(Arc::clone(&sim).run_persister());
    }
    if fresh {
        sim.persist()?;
    } else {
        // Deployments a previous run left queued or running (the app was closed mid-deployment)
        // would otherwise stay inProgress forever.
        let restarted = crate::release::engine::resume_interrupted(&sim);
        if restarted > 0 {
            tracing::info!("restarted {restarted} deployment(s) interrupted by the last shutdown");
        }
    }
    let state = Arc::clone(&sim);
    let app = from_fn_with_state(Arc::clone(&sim), crate::routing::normalise)
        .layer(router(Arc::clone(&sim)));
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve =
            axum::serve(listener, app.into_make_service()).with_graceful_shutdown(async move {
                let _ = stop_rx.await;
            });
        if let Err(e) = serve.await {
            tracing::error!("the simulator's server stopped: {e}");
        }
    });
    tracing::info!(base_url = %sim.info.base_url, "ado-sim listening");
    Ok(SimHandle {
        state,
        stop: Some(stop_tx),
        task: Some(task),
    })
}

/// Loads the persisted world, or seeds a new one (returns whether it was seeded).
fn load_or_seed(
    seed: Seed,
    dir: &std::path::Path,
    base_url: &str,
) -> anyhow::Result<(World, bool)> {
    let file = dir.join(WORLD_FILE);
    if file.exists() {
        let bytes = std::fs::read(&file)?;
        match serde_json::from_slice::<World>(&bytes) {
            Ok(world) => return Ok((world, false)),
            Err(e) => {
                tracing::warn!(
                    "{} is unreadable ({e}); seeding a new world",
                    file.display()
                );
                let aside = dir.join(format!(
                    "world.json.unreadable-{}",
                    chrono::Utc::now().timestamp()
                ));
                std::fs::rename(&file, aside)?;
            }
        }
    }
    let mut world = World::default();
    crate::seed::seed(seed, &mut world, dir, base_url)?;
    Ok((world, true))
}

/// Builds the announced URLs and credentials from a world.
fn info_for(world: &World, base_url: &str) -> SimInfo {
    let org = world.core.organization.clone();
    let pat = world
        .core
        .tokens
        .iter()
        .find(|t| t.scopes.iter().any(|s| s == crate::auth::FULL_ACCESS))
        .map(|t| t.token.0.clone())
        .unwrap_or_default();
    let project = world
        .core
        .projects
        .first()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let repository = world
        .git
        .repos
        .iter()
        .find(|r| r.project_name == project)
        .map(|r| r.name.clone())
        .unwrap_or_default();
    SimInfo {
        base_url: base_url.to_owned(),
        org_url: format!("{base_url}/{org}"),
        release_url: format!("{base_url}/vsrm/{org}"),
        extmgmt_url: format!("{base_url}/extmgmt/{org}"),
        admin_url: format!("{base_url}/_admin"),
        pat,
        synapse_url_template: format!("{base_url}/synapse/{{workspaceName}}"),
        synapse_token: world.core.synapse_token.0.clone(),
        project,
        repository,
        authority_url: format!("{base_url}/_entra"),
        tenant_id: world.entra.tenant_id.clone(),
    }
}

/// Every area merged, with the middleware stack (innermost first): api-version check, auth,
/// persistence after mutations, fault injection, journal, panic → 500.
pub fn router(sim: AppState) -> Router {
    Router::new()
        .merge(crate::location::routes())
        .merge(crate::core_api::routes())
        .merge(crate::git::routes())
        .merge(crate::release::routes())
        .merge(crate::synapse::routes())
        .merge(crate::catalog::routes())
        .merge(crate::studio::routes())
        .merge(crate::entra::routes())
        .nest(
            "/_admin",
            crate::admin::routes().merge(crate::entra::admin_routes()),
        )
        .fallback(crate::routing::not_found)
        .method_not_allowed_fallback(crate::routing::method_not_allowed)
        .layer(from_fn(crate::routing::require_api_version))
        .layer(from_fn_with_state(
            Arc::clone(&sim),
            crate::auth::authenticate,
        ))
        .layer(from_fn_with_state(Arc::clone(&sim), persist_after_mutation))
        .layer(from_fn_with_state(Arc::clone(&sim), crate::faults::inject))
        .layer(from_fn_with_state(Arc::clone(&sim), crate::journal::record))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .with_state(sim)
}

/// Persists the world after a successful mutating request (when a state dir was given).
async fn persist_after_mutation(State(sim): State<AppState>, req: Request, next: Next) -> Response {
    let mutating = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let resp = next.run(req).await;
    if mutating && resp.status().is_success() {
        if let Err(e) = sim.persist() {
            tracing::warn!("could not persist the world: {e}");
        }
    }
    resp
}

fn panic_response(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let mut resp =
        ApiError::internal("The simulator hit a bug while handling this request.").into_response();
    *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    resp
}
