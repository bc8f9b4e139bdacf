//! Seeds: `empty` (organization, user, token, project `DataPlatform` with an empty repository),
//! `demo` (the demo organization, see `demo`) and `scale` (demo + many releases).

use std::path::Path;

use rand::Rng;

use crate::auth::{Identity, FULL_ACCESS};
use crate::server::Seed;
use crate::state::{repos_dir, Project, Secret, Sim, TokenGrant, World, WORLD_VERSION};

pub mod demo;
pub mod demo_artifacts;
pub mod demo_connections;
pub mod demo_hotfixes;
pub mod demo_production;
pub mod demo_release;
pub mod demo_repo;
mod demo_repo_tree;
pub mod scale;

/// Organization name of every seeded world.
pub const ORGANIZATION: &str = "contoso";
/// Project of every seeded world.
pub const PROJECT: &str = "DataPlatform";

/// Seeds `world` (repositories go under `{state_dir}/repos`).
pub fn seed(kind: Seed, world: &mut World, state_dir: &Path, base_url: &str) -> anyhow::Result<()> {
    match kind {
        Seed::Empty => {
            let project = core(world, base_url);
            let repo = crate::git::write::create_repo(
                &repos_dir(state_dir),
                project.id,
                &project.name,
                "synapse-analytics",
                "main",
            )?;
            world.git.repos.push(repo);
            Ok(())
        }
        Seed::Demo => demo::seed(world, state_dir, base_url).map(|_| ()),
        Seed::Scale => {
            demo::seed(world, state_dir, base_url)?;
            scale::seed(world)
        }
    }
}

/// Re-seeds a running simulator in place. The announced PAT and Synapse token stay valid.
pub fn reseed(sim: &Sim) -> anyhow::Result<()> {
    let dir = repos_dir(&sim.state_dir);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let mut world = World::default();
    seed(
        sim.opts.seed,
        &mut world,
        &sim.state_dir,
        &sim.info.base_url,
    )?;
    if let Some(t) = world
        .core
        .tokens
        .iter_mut()
        .find(|t| t.scopes.iter().any(|s| s == FULL_ACCESS))
    {
        t.token = Secret(sim.info.pat.clone());
    }
    world.core.synapse_token = Secret(sim.info.synapse_token.clone());
    *sim.world() = world;
    Ok(())
}

/// A random token shaped like an Azure DevOps PAT (52 lowercase base-32 characters).
pub fn new_token() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut rng = rand::thread_rng();
    (0..52)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Organization, users, the full-scope PAT, the Synapse token and the project. Returns the project.
pub fn core(world: &mut World, base_url: &str) -> Project {
    world.version = WORLD_VERSION;
    world.core.organization = ORGANIZATION.into();
    let org_url = format!("{base_url}/{ORGANIZATION}");
    world.core.users = demo_repo::PEOPLE
        .iter()
        .map(|(name, email)| Identity::new(&org_url, name, email))
        .collect();
    let user = world.core.default_user();
    world.core.tokens = vec![TokenGrant {
        token: Secret(new_token()),
        scopes: vec![FULL_ACCESS.into()],
        user_id: user.id,
    }];
    world.core.synapse_token = Secret(format!(
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.sim.{}",
        new_token()
    ));
    let project = Project {
        id: uuid::Uuid::new_v4(),
        name: PROJECT.into(),
        description: "Contoso data platform: Synapse workspaces, pipelines and releases".into(),
        revision: 411,
        last_update_time: "2026-03-01T08:00:00.000Z".into(),
    };
    world.core.projects = vec![project.clone()];
    project
}
