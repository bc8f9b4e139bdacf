//! The Azure DevOps REST client: one [`AdoClient`] per organization and token, host discovery
//! through the Resource Areas API, retries of idempotent calls, paging, and errors that say what to
//! do. Typed wizard operations (`git`, `release`, `build`) are built on top of it.

pub mod auth;
mod client;
pub mod discovery;
pub mod error;
pub mod models;

// Typed wizard calls (steps 1–3).
pub mod build;
pub mod git;
pub mod release;

pub use auth::redact_url;
pub use client::{encode_segment, AdoClient, Area, ClientOptions, Retry, API_VERSION};
pub use error::{tokens_page, AdoError, AdoErrorKind, VssError};
pub use models::VssList;

pub use crate::secrets::Token;
