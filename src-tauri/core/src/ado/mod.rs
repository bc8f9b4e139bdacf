//! The Azure DevOps REST client: one [`AdoClient`] per organization and token, host discovery
//! through the Resource Areas API, retries of idempotent calls, paging, and errors that say what to
//! do. Typed wizard operations (`git`, `release`, `build`) are built on top of it.

pub mod auth;
mod client;
pub mod discovery;
pub mod error;
pub mod models;
pub mod retry;

// Typed wizard calls (steps 1–3).
pub mod build;
pub mod git;
// Step 7: pull requests of the merge-back.
pub mod pulls;
pub mod release;
// Step 4: release definitions kept as JSON.
pub mod release_definitions;
// Step 8: branch stats against the collaboration branch, active pull requests by source branch,
// the releases of a definition.
pub mod cleanup;
// Task catalogue (steps 4+): task ids, versions and input names are read, never hard-coded.
pub mod tasks;

pub use auth::{bearer_header, redact_url, BearerSource, Credential};
pub use client::{encode_segment, AdoClient, Area, ClientOptions, API_VERSION};
pub use error::{tokens_page, AdoError, AdoErrorKind, VssError};
pub use models::VssList;
pub use retry::{Retry, RetryWait, WaitObserver, WaitReason};

pub use crate::secrets::Token;
