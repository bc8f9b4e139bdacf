//! The error model that crosses IPC: a small, stable `code` the UI can match on, a `message` that says
//! what happened and what to do next, and an optional `detail` for the curious (never a secret).
//!
//! Core modules keep their own typed errors and convert into [`AppError`] at their public edge.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Stable error codes. The UI matches on these, never on English text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ErrorCode {
    /// The user typed something that cannot work (bad URL, empty token, bad branch name …).
    InvalidInput,
    /// Azure DevOps answered with a sign-in page (HTTP 203 + HTML): no valid credentials were sent.
    NotSignedIn,
    /// The token was rejected (HTTP 401): unknown, expired or revoked.
    TokenRejected,
    /// The token is valid but lacks a scope the operation needs.
    MissingScope,
    /// Signed in, but the user has no permission on the object (TF400813, 403, ref permission).
    NoPermission,
    /// The thing asked for does not exist.
    NotFound,
    /// The remote state disagrees with what we meant to do (branch exists elsewhere, duplicate …).
    Conflict,
    /// Azure DevOps throttled us (HTTP 429) and retrying did not help in time.
    RateLimited,
    /// The host could not be reached (DNS, refused, TLS, timeout, dropped connection).
    Unreachable,
    /// The service answered with a 5xx or an answer we could not read.
    ServerError,
    /// No OS keychain is available; the token is kept in memory for this session only.
    KeychainUnavailable,
    /// A file could not be read or written.
    Storage,
    /// A saved file is unreadable; it was moved aside and the user told so.
    CorruptFile,
    /// A git operation failed.
    Git,
    /// The precondition of a step is not met (e.g. a run already active for this workspace).
    Precondition,
    /// The operation was cancelled by the user.
    Cancelled,
    /// Waited too long for something outside the app (the browser never came back to sign in).
    Timeout,
    /// Microsoft Entra ID refused the sign-in: consent refused or required, the account or the
    /// app is not allowed, or the refresh token expired.
    SignInRefused,
    /// A conditional-access policy (MFA, compliant device, location) needs the user in the browser.
    InteractionRequired,
    /// The account signed in to a tenant that does not back the Azure DevOps organization.
    WrongTenant,
    /// Signed in with Entra ID, but the account has no access to the Azure DevOps organization.
    NoOrganizationAccess,
    /// A bug: something that should not happen. The detail carries the cause.
    Internal,
}

/// The error every command returns across IPC: `{ code, message, detail? }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub detail: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            detail: None,
        }
    }

    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    pub fn storage(message: impl Into<String>, err: &dyn std::fmt::Display) -> Self {
        Self::new(ErrorCode::Storage, message).with_detail(err.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
