//! The Azure DevOps REST client: one [`AdoClient`] per organization and token, host discovery
//! through the Resource Areas API, retries of idempotent calls, paging, and errors that say what to
//! do. Typed wizard operations (`git`, `release`, `build`) are built on top of it.

pub mod auth;
mod client;
pub mod discovery;
pub mod error;
pub mod models;

// CORE-2: typed wizard calls (steps 1–3).
pub mod build;
pub mod git;
pub mod release;

pub use auth::{bearer_header, redact_url, BearerSource, Credential};
pub use client::{encode_segment, AdoClient, Area, ClientOptions, Retry, API_VERSION};
pub use error::{tokens_page, AdoError, AdoErrorKind, VssError};
pub use models::VssList;

pub use crate::secrets::Token;
