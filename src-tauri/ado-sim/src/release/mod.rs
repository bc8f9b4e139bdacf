//! The classic release area (`vsrm`): definitions, releases, deployments, environments, approvals,
//! task logs, and the engine that runs a release's tasks against a simulated Synapse workspace.

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ReleaseWorld {}
