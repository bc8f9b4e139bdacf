//! The hotfix release pipeline (wizard step 4): the Synapse tasks as the organization's catalogue
//! describes them, and the pre-flight checks run before anything is created.

pub mod catalog;
pub mod definition;
pub mod preflight;

pub use catalog::{
    load_synapse_tasks, select_synapse_tasks, CatalogError, CatalogInput, CatalogTask,
    SynapseTasks, TaskVersion,
};
