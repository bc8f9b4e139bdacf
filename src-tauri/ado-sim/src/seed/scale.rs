//! The `scale` world: the demo plus 10,000 releases of `Synapse-Release`, each deployed to
//! Production, to prove that the app's queries (latest succeeded Production deployment, release
//! lists, paging) stay one request and fast on a big organization.

use chrono::Duration;

use super::demo_release::{add_release_with, deploy_to, DEFINITION, PROD_STAGE};
use crate::release::links::person_of;
use crate::state::World;

/// How many releases the scale seed adds on top of the demo.
pub const RELEASES: usize = 10_000;

/// Adds [`RELEASES`] releases (same artifact versions as the demo's current release), one every
/// 20 minutes after it, each deployed to Production; the newest is the current one.
pub fn seed(world: &mut World) -> anyhow::Result<()> {
    add_releases(world, RELEASES)
}

/// Adds `count` releases of `Synapse-Release` deployed to Production.
pub fn add_releases(world: &mut World, count: usize) -> anyhow::Result<()> {
    let def = world
        .release
        .definitions
        .iter()
        .find(|d| d.name() == DEFINITION)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the scale seed needs the demo definition {DEFINITION}"))?;
    let last = world
        .release
        .releases
        .values()
        .rev()
        .find(|r| r.definition_id == def.id)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the scale seed needs the demo releases"))?;
    let people: Vec<_> = world.core.users.iter().map(person_of).collect();
    let fallback = last.created_by.clone();
    let mut at = last.created_on;
    for i in 0..count {
        at += Duration::minutes(20);
        let who = people
            .get(i % people.len().max(1))
            .cloned()
            .unwrap_or_else(|| fallback.clone());
        let rid = add_release_with(
            world,
            &def,
            last.artifacts.clone(),
            &who,
            at,
            "Scheduled release",
        );
        deploy_to(
            world,
            rid,
            PROD_STAGE,
            &who,
            at + Duration::minutes(5),
            false,
        );
    }
    Ok(())
}
