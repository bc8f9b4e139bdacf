//! The demo world: organization `contoso`, project `DataPlatform`, repository
//! `synapse-analytics` with its history (`demo_repo`) and the pull requests of its old hotfix
//! branches (`demo_hotfixes`), then the release side (definitions,
//! releases, deployments, catalogue, workspaces) built from the repository facts.

use std::path::Path;

use super::demo_repo::{self, DemoRepoFacts};
use crate::state::{repos_dir, World};

/// Seeds the demo world and returns the repository facts.
pub fn seed(world: &mut World, state_dir: &Path, base_url: &str) -> anyhow::Result<DemoRepoFacts> {
    let project = super::core(world, base_url);
    let (repo, facts) = demo_repo::build(&repos_dir(state_dir), project.id, &project.name)?;
    super::demo_hotfixes::seed_pull_requests(world, &repo, &facts)?;
    world.git.repos.push(repo);
    super::demo_release::seed(world, &facts)?;
    Ok(facts)
}
