//! `hotfix-core`: everything Synapse Hotfix knows and does, with no Tauri dependency.
//!
//! The Tauri shell (`src-tauri/app`) only wires state and commands to the services here.
//! Data flows one way: UI → command → core service → Azure DevOps / git / keychain / disk.

pub mod ado;
pub mod connection;
pub mod error;
pub mod fsutil;
// The cached bare clone per profile (git2) and what is computed from it locally.
pub mod git;
pub mod paths;
pub mod profiles;
pub mod secrets;
pub mod signin;
pub mod validate;
// The Synapse artifact model, the hotfix run, the browser allowlist.
pub mod hotfix;
pub mod open_url;
pub mod synapse;
// Step 4: the hotfix release pipeline (task catalogue, pre-flight).
pub mod pipeline;

pub use error::{AppError, AppResult, ErrorCode};
pub use paths::AppPaths;
