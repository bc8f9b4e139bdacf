//! `ado-sim`: a faithful Azure DevOps + Synapse simulator (REST, smart-HTTP git, release engine,
//! Synapse data plane, fault injection). Used by tests, benchmarks and the app's demo mode.
//!
//! Module ownership: `server` starts a simulator and stacks the middleware; `routing`, `auth`,
//! `faults`, `journal` are that middleware; `api` and `errors` the helpers every area uses;
//! `location` the discovery routes; `entra` the Entra-ID-like authority; `core_api` projects; `admin` the simulator-only API;
//! `state` holds the world; `git` the repositories, git REST and smart HTTP; `release` the
//! classic release area and the deployment engine; `synapse` the simulated workspaces and their
//! data plane; `catalog` task definitions, extensions, service endpoints, agent queues and
//! builds; `studio` the simulated Synapse Studio page of demo mode; `seed` the empty, demo and
//! scale worlds.

pub mod admin;
pub mod api;
pub mod auth;
pub mod catalog;
pub mod core_api;
pub mod entra;
pub mod errors;
pub mod faults;
pub mod git;
pub mod journal;
pub mod location;
pub mod release;
pub mod routing;
pub mod seed;
pub mod server;
pub mod state;
pub mod studio;
pub mod synapse;

pub use server::{start, Seed, SimHandle, SimInfo, SimOptions};
pub use state::AppState;
