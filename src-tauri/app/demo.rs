//! Demo mode: the `ado-sim` simulator running inside the app on 127.0.0.1 with the demo seed, and
//! a profile "Contoso demo (simulated)" that points at it. The simulator keeps its world in
//! `{data}/demo-sim`, so a demo hotfix survives a restart; `reset` deletes that folder and starts
//! over. The demo profile signs in with Microsoft Entra ID against the simulator's authority: the
//! user clicks Sign in and the simulated sign-in page, like with a real tenant (the refresh token
//! goes through the same keychain as real ones). With `SYNAPSE_HOTFIX_DEMO_SIGN_IN=auto` (e2e)
//! the app does that click itself.

use std::path::PathBuf;

use ado_sim::seed::demo_production::PROD_OVERRIDES;
use ado_sim::seed::demo_release::{
    AGENT_QUEUE, DEFINITION, PROD_CONNECTION, PROD_STAGE, PROD_WORKSPACE,
};
use ado_sim::seed::demo_repo::DEV_WORKSPACE;
use ado_sim::{Seed, SimHandle, SimInfo, SimOptions};
use hotfix_core::connection;
use hotfix_core::profiles::{Profile, SignInMethod};
use hotfix_core::secrets::Token;
use hotfix_core::signin::session::SignInOptions;
use hotfix_core::{AppError, AppResult, ErrorCode};
use url::Url;

use crate::commands::demo::DemoStatus;
use crate::state::{blocking, AppState};

/// Name of the demo profile.
pub const DEMO_PROFILE_NAME: &str = "Contoso demo (simulated)";
/// Folder under `{data}` holding the simulator's world and repositories.
pub const DEMO_DIR: &str = "demo-sim";
/// How long one simulated release task takes: long enough to watch, short enough to wait for.
pub const DEMO_TASK_DELAY_MS: u64 = 2500;

/// The running simulator.
pub struct DemoSim {
    handle: SimHandle,
}

impl DemoSim {
    pub fn info(&self) -> &SimInfo {
        self.handle.info()
    }
}

fn state_dir(state: &AppState) -> PathBuf {
    state.paths.data.join(DEMO_DIR)
}

/// Starts the simulator unless it runs already, then creates or refreshes the demo profile
/// (the simulator's port changes at every start) and stores its token. Idempotent.
pub async fn start(state: &AppState) -> AppResult<Profile> {
    let mut slot = state.demo.lock().await;
    if slot.is_none() {
        let dir = state_dir(state);
        let handle = ado_sim::start(SimOptions {
            seed: Seed::Demo,
            port: 0,
            state_dir: Some(dir.clone()),
            task_delay_ms: DEMO_TASK_DELAY_MS,
        })
        .await
        .map_err(|e| {
            AppError::internal(format!(
                "The demo organization could not be started. If this keeps happening, use \
                 About → Reset the demo, or delete {} and try again.",
                dir.display()
            ))
            .with_detail(format!("{e:#}"))
        })?;
        tracing::info!(org_url = %handle.info().org_url, "demo simulator started");
        *slot = Some(DemoSim { handle });
    }
    let Some(sim) = slot.as_ref() else {
        return Err(AppError::internal(
            "The demo simulator vanished while starting.",
        ));
    };
    let info = sim.info().clone();
    let (dev, prod) = workspaces(&sim.handle);
    let profile = ensure_profile(state, &info, dev, prod).await?;
    drop(slot);
    Ok(profile)
}

/// Stops the simulator, deletes its saved world and starts a fresh one.
pub async fn reset(state: &AppState) -> AppResult<Profile> {
    {
        let mut slot = state.demo.lock().await;
        if let Some(sim) = slot.take() {
            sim.handle.shutdown().await;
            tracing::info!("demo simulator stopped for a reset");
        }
        let dir = state_dir(state);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(AppError::storage(
                    format!(
                        "The demo state in {} could not be deleted. Close other programs using it \
                         and try again.",
                        dir.display()
                    ),
                    &e,
                ))
            }
        }
    }
    start(state).await
}

/// Whether the simulator runs (or is starting), and the demo profile.
pub fn status(state: &AppState) -> DemoStatus {
    let profile_id = state
        .profiles
        .list()
        .into_iter()
        .find(|p| p.simulated)
        .map(|p| p.id);
    let state_dir = state_dir(state).display().to_string();
    match state.demo.try_lock() {
        Ok(slot) => DemoStatus {
            running: slot.is_some(),
            starting: false,
            profile_id,
            organization_url: slot.as_ref().map(|s| s.info().org_url.clone()),
            state_dir,
        },
        // Someone holds the slot: the simulator is being started or reset right now.
        Err(_) => DemoStatus {
            running: false,
            starting: true,
            profile_id,
            organization_url: None,
            state_dir,
        },
    }
}

/// The simulator's base URL while it runs (the browser allowlist accepts addresses below it).
pub async fn base_url(state: &AppState) -> Option<Url> {
    let slot = state.demo.lock().await;
    slot.as_ref()
        .and_then(|s| Url::parse(&s.info().base_url).ok())
}

/// What a refused or missing token of the demo profile tells the user: the simulator has no tokens
/// page, and resetting the demo gives the profile a fresh token.
pub const TOKEN_ADVICE: &str = "This is the demo organization, whose token the app made for \
     you: use About → Reset the demo to start it again with a fresh token.";

/// `err` with [`TOKEN_ADVICE`] in place of "create a token at …" when it is a token problem of a
/// demo profile that uses a PAT; any other error unchanged (a demo profile that signs in with
/// Entra ID keeps its own advice: sign in again).
pub fn advise_on_token(profile: &Profile, err: AppError) -> AppError {
    let token_problem = matches!(
        err.code,
        ErrorCode::NotSignedIn | ErrorCode::TokenRejected | ErrorCode::MissingScope
    );
    let pat_demo = profile.simulated && profile.sign_in.method == SignInMethod::Pat;
    if !pat_demo || !token_problem {
        return err;
    }
    let what = if err.code == ErrorCode::NotSignedIn {
        "No token is saved for the demo profile."
    } else {
        "The demo organization refused the saved token."
    };
    let detail = err.detail.clone().unwrap_or_else(|| err.message.clone());
    AppError::new(err.code, format!("{what} {TOKEN_ADVICE}")).with_detail(detail)
}

/// The simulated dev and prod workspaces: `(name, resource group, subscription)`.
type WorkspaceFacts = (String, String, String);

fn workspaces(handle: &SimHandle) -> (Option<WorkspaceFacts>, Option<WorkspaceFacts>) {
    let sim = handle.state();
    let world = sim.world();
    let find = |name: &str| {
        world
            .synapse
            .workspaces
            .iter()
            .find(|w| w.name == name)
            .map(|w| {
                (
                    w.name.clone(),
                    w.resource_group.clone(),
                    w.subscription_id.clone(),
                )
            })
    };
    (find(DEV_WORKSPACE), find(PROD_WORKSPACE))
}

async fn ensure_profile(
    state: &AppState,
    info: &SimInfo,
    dev: Option<WorkspaceFacts>,
    prod: Option<WorkspaceFacts>,
) -> AppResult<Profile> {
    let existing = state.profiles.list().into_iter().find(|p| p.simulated);
    let mut profile = existing
        .clone()
        .unwrap_or_else(|| Profile::new_with_defaults(String::new()));
    profile.name = DEMO_PROFILE_NAME.to_owned();
    profile.organization_url = info.org_url.clone();
    profile.simulated = true;
    // The simulated tenant backs the simulated organization.
    profile.sign_in.method = SignInMethod::Entra;
    profile.sign_in.tenant = info.tenant_id.clone();
    if let Some((name, rg, sub)) = dev {
        profile.dev_workspace = name;
        profile.dev_resource_group = rg;
        profile.dev_subscription_id = sub;
    }
    if let Some((name, rg, sub)) = prod {
        profile.prod_workspace = name;
        profile.prod_resource_group = rg;
        profile.prod_subscription_id = sub;
    }

    // Step 4's settings as the profile editor shows them (the defaults with the demo's production
    // overrides, which leave one parameterised value uncovered for the review to show; kept when
    // edited).
    let settings = profile.hotfix_pipeline.get_or_insert_with(Default::default);
    if settings.override_arm_parameters.trim().is_empty() {
        settings.override_arm_parameters = PROD_OVERRIDES.to_owned();
    }

    // The simulator's own PAT fills the pickers; the profile itself signs in with Entra ID.
    let token = Token::new(info.pat.clone());
    fill_from_api(&mut profile, info, token).await?;

    let saved = match existing {
        Some(_) => state.profiles.update(profile)?,
        None => state.profiles.create(profile)?,
    };
    // A PAT stored by an older version of the demo is not used any more.
    let (secrets, id) = (state.secrets.clone(), saved.id.clone());
    blocking(move || secrets.delete(&id)).await?;
    if state.demo_auto_sign_in && state.sign_in.account(&saved).await?.is_none() {
        auto_sign_in(state, &saved).await?;
    }
    tracing::info!(profile_id = %saved.id, "demo profile ready");
    Ok(saved)
}

/// Signs the demo profile in through the simulator's authority, clicking its sign-in page the way
/// the user would (the same code + PKCE exchange; only the browser is played by the app).
async fn auto_sign_in(state: &AppState, profile: &Profile) -> AppResult<()> {
    let (tx, rx) = tokio::sync::oneshot::channel::<Url>();
    let (sessions, id) = (std::sync::Arc::clone(&state.sign_in), profile.id.clone());
    let browser = tokio::spawn(async move {
        let Ok(authorize) = rx.await else {
            return Ok(());
        };
        let clicked = click_accept(authorize).await;
        if clicked.is_err() {
            // Do not leave the sign-in waiting for a browser that will not come.
            sessions.cancel(&id);
        }
        clicked
    });
    state
        .sign_in
        .sign_in(profile, SignInOptions::default(), move |url| {
            let _ = tx.send(url.clone());
            Ok(())
        })
        .await?;
    match browser.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(
            AppError::internal("The demo sign-in page could not be clicked.")
                .with_detail(e.to_string()),
        ),
        Err(e) => Err(AppError::internal("The demo sign-in stopped.").with_detail(e.to_string())),
    }
}

async fn click_accept(authorize: Url) -> Result<(), reqwest::Error> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut accept = authorize.clone();
    accept.set_path(&format!("{}/accept", authorize.path()));
    let answer = http.get(accept).send().await?;
    let back = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| Url::parse(l).ok());
    if let Some(mut back) = back {
        // The redirect URI says localhost; the listener is on 127.0.0.1.
        let _ = back.set_host(Some("127.0.0.1"));
        http.get(back).send().await?;
    }
    Ok(())
}

fn missing(what: &str, name: &str) -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        format!(
            "The demo organization has no {what} \"{name}\". Its saved state may be from another \
             version: use About → Reset the demo."
        ),
    )
}

/// Fills project, repository, release pipeline and stage, service connection and agent queue
/// through the same pickers the profile form uses, picking the names the demo seed
/// (`ado_sim::seed::demo_release`) gives them.
async fn fill_from_api(profile: &mut Profile, info: &SimInfo, token: Token) -> AppResult<()> {
    let client = connection::client(&info.org_url, token, true)?;
    let projects = connection::list_projects(&client).await?;
    let project = projects
        .into_iter()
        .find(|p| p.name.eq_ignore_ascii_case(&info.project))
        .ok_or_else(|| missing("project", &info.project))?;
    let repos = connection::list_repositories(&client, &project.name).await?;
    let repo = repos
        .into_iter()
        .find(|r| r.name.eq_ignore_ascii_case(&info.repository))
        .ok_or_else(|| missing("repository", &info.repository))?;
    let definitions = connection::list_release_definitions(&client, &project.name).await?;
    let definition = definitions
        .into_iter()
        .find(|d| d.name.eq_ignore_ascii_case(DEFINITION))
        .ok_or_else(|| missing("release pipeline", DEFINITION))?;
    let stage = definition
        .stages
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(PROD_STAGE))
        .cloned()
        .ok_or_else(|| missing("production stage", PROD_STAGE))?;
    let connections = connection::list_service_connections(&client, &project.name).await?;
    let endpoint = connections
        .into_iter()
        .find(|c| c.name.eq_ignore_ascii_case(PROD_CONNECTION))
        .ok_or_else(|| missing("service connection", PROD_CONNECTION))?;
    let queues = connection::list_agent_queues(&client, &project.name).await?;
    let queue = queues
        .into_iter()
        .find(|q| q.name.eq_ignore_ascii_case(AGENT_QUEUE))
        .ok_or_else(|| missing("agent queue", AGENT_QUEUE))?;

    profile.project = Some(project.into());
    profile.repository = Some(repo.into());
    profile.release_definition = Some(definition.into());
    profile.production_stage = Some(stage);
    profile.service_connection = Some(endpoint.into());
    profile.agent_queue = Some(queue.into());
    Ok(())
}
