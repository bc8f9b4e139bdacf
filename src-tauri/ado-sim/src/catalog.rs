//! Organization-level catalogues: task definitions (`distributedtask/tasks`), installed extensions,
//! service endpoints, agent queues and builds.

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct CatalogWorld {}
