//! Tauri commands, one file per domain. Each command takes `State`, calls the core and returns
//! `Result<T, AppError>`; the error crosses IPC as `{code, message, detail?}`.

// Tauri hands command arguments over by value (`State`, deserialised payloads); borrowing them is
// not an option the command macro offers.
#![allow(clippy::needless_pass_by_value)]

pub mod cleanup;
pub mod connection;
pub mod credentials;
pub mod demo;
pub mod deploy;
pub mod history;
pub mod hotfix;
pub mod merge_back;
pub mod pipeline;
pub mod profiles;
pub mod signin;
pub mod system;
