//! Simulated Synapse workspaces (deployed artifacts, triggers with runtime state) and their data
//! plane API (list / get / start / stop triggers, bearer-token auth).

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct SynapseWorld {}
