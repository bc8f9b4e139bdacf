//! The hotfix run: a persisted, resumable state machine over the wizard's steps. Each step first
//! reads the remote state and only then changes it, so that repeating a step, or resuming after a
//! crash between a request and the save, never does anything twice.
//!
//! - [`run`]: the saved model; [`store`]: `{data}/runs/{id}.json`, one unfinished run per
//!   profile + production workspace; [`migrate`]: older run files brought to the current shape.
//! - [`steps`]: [`StepId`], the step catalogue, one module per step (its state, preconditions and
//!   actions) — read its docs to add a step.
//! - [`session`]: the client and per-session caches; [`service`]: the operations commands call,
//!   through one generic path; [`watch`]: long-running steps with progress and cancel; [`demo`].
//! - [`history`]: one entry per run, kept in `{data}/history`, exported as Markdown or JSON.

pub mod demo;
pub mod history;
pub mod migrate;
pub mod review;
pub mod run;
pub mod service;
pub mod session;
pub mod steps;
pub mod store;
#[cfg(test)]
mod test_support;
pub mod watch;

pub use run::{HotfixRun, RunStatus, RunSummary, StepState};
pub use service::{HotfixService, RunObserver};
pub use session::Session;
pub use steps::{
    branch_name, step1_commit, step1_release, step2_branch, step3_fix, step4_pipeline,
    step8_cleanup, step8_delete, step8_service, StepId, StepMeta,
};
pub use store::RunStore;
pub use watch::{Watch, WatchCtx, WatchProgress, WatchState};
