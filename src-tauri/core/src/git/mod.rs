//! The local git side of the wizard (DESIGN §2 "git2"): a cached bare clone per profile in the
//! app's cache folder, fetched over HTTP(S) with the profile's credential ([`cache`]), and what
//! is computed from it without asking Azure DevOps: branch heads, ahead/behind counts, whether a
//! branch already contains a commit, and the in-memory merge behind the conflict preview of the
//! merge-back ([`merge`]). Feature branch patterns of the profile are matched by [`pattern`].
//!
//! Everything here blocks (libgit2); async callers go through [`cache::GitCache::sync`] and
//! [`cache::GitCache::with_repo`], which run the work on a blocking thread.

mod auth;
pub mod cache;
mod errors;
mod health;
pub mod merge;
pub mod pattern;

pub use auth::GitAuth;
pub use cache::{CachePhase, CacheProgress, GitCache, SyncOutcome};
