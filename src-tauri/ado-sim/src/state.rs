//! The simulated world and the shared state handed to every route.
//!
//! One `World` behind a mutex: requests are short, and one lock keeps cross-area invariants
//! (a release reads a commit, a deployment writes a workspace) simple.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

/// Everything the simulator knows. Serialisable so it can be dumped (admin API) and persisted
/// (demo mode keeps its state in the app's data directory).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct World {
    pub git: crate::git::GitWorld,
    pub release: crate::release::ReleaseWorld,
    pub synapse: crate::synapse::SynapseWorld,
    pub catalog: crate::catalog::CatalogWorld,
}

/// Shared state of a running simulator.
#[derive(Debug, Default)]
pub struct Sim {
    pub world: Mutex<World>,
}

pub type AppState = Arc<Sim>;
