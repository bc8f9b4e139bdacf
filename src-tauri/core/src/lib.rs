//! `hotfix-core`: everything Synapse Hotfix knows and does, with no Tauri dependency.
//!
//! The Tauri shell (`src-tauri/app`) only wires state and commands to the services here.
//! Data flows one way: UI → command → core service → Azure DevOps / git / keychain / disk.

pub mod ado;
pub mod connection;
pub mod error;
pub mod fsutil;
pub mod paths;
pub mod profiles;
pub mod secrets;
pub mod signin;
pub mod validate;
// CORE-2: Synapse artifact model, the hotfix run, the browser allowlist.
pub mod hotfix;
pub mod open_url;
pub mod synapse;

pub use error::{AppError, AppResult, ErrorCode};
pub use paths::AppPaths;
