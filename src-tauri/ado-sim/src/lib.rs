//! `ado-sim`: a faithful Azure DevOps + Synapse simulator (REST, smart-HTTP git, release engine,
//! Synapse data plane, fault injection). Used by tests, benchmarks and the app's demo mode.
//!
//! Module ownership: `state` holds the world; `git` the repositories and git REST + smart HTTP;
//! `release` the classic release area and the deployment engine; `synapse` the simulated
//! workspaces and their data plane; `catalog` task definitions, extensions, service endpoints,
//! agent queues and builds; `seed` the demo and scale worlds.

pub mod catalog;
pub mod git;
pub mod release;
pub mod state;
pub mod synapse;
