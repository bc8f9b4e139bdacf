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
pub mod validate;

pub use error::{AppError, AppResult, ErrorCode};
pub use paths::AppPaths;
