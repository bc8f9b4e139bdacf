//! The hotfix run: a persisted, resumable state machine over the wizard's steps. Each step first
//! reads the remote state and only then changes it, so that repeating a step, or resuming after a
//! crash between a request and the save, never does anything twice.
//!
//! - [`run`]: the saved model; [`store`]: `{data}/runs/{id}.json`, one unfinished run per
//!   profile + production workspace.
//! - [`session`]: the client and per-session caches; [`service`]: the operations commands call.
//! - Steps: [`step1_release`] (+ [`step1_commit`]), [`step2_branch`] (+ [`branch_name`]), [`step3_fix`]; [`demo`].

pub mod branch_name;
pub mod demo;
pub mod run;
pub mod service;
pub mod session;
pub mod step1_commit;
pub mod step1_release;
pub mod step2_branch;
pub mod step3_fix;
pub mod store;

pub use run::{HotfixRun, RunStatus, RunSummary, StepState};
pub use service::HotfixService;
pub use session::Session;
pub use store::RunStore;
