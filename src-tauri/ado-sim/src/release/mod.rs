//! The classic release area (`vsrm`): definitions, releases, deployments, environments, approvals,
//! task logs, and the engine that runs a release's tasks against a simulated Synapse workspace.

pub mod api;
mod approvals;
mod definition_checks;
mod definitions;
mod deployments;
pub mod engine;
mod environments;
pub mod links;
mod logs;
pub mod model;
mod releases;
pub mod tasks;

pub(crate) use definitions::normalise_definition;
pub use engine::{control, Control};
pub use model::ReleaseWorld;
pub(crate) use releases::resolve_artifact;

/// Routes of the release area (`/vsrm/{org}/{project}/_apis/release/...`, lower-case).
pub fn routes() -> axum::Router<crate::state::AppState> {
    api::routes()
}
