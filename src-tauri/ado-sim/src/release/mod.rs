//! The classic release area (`vsrm`): definitions, releases, deployments, environments, approvals,
//! task logs, and the engine that runs a release's tasks against a simulated Synapse workspace.

pub mod api;
pub mod engine;
pub mod links;
pub mod model;
pub mod tasks;

pub use engine::{control, Control};
pub use model::ReleaseWorld;

/// Routes of the release area (`/vsrm/{org}/{project}/_apis/release/...`, lower-case).
pub fn routes() -> axum::Router<crate::state::AppState> {
    api::routes()
}
