//! What can go wrong talking to Azure DevOps, kept typed (status, VSS error body, host) so callers
//! can react to specifics such as `TF401179`, and converted into an [`AppError`] whose message says
//! what happened and what to do next. No token, and no URL credentials, ever end up in here.

use serde::Deserialize;

use crate::error::{AppError, ErrorCode};

/// The standard VSS error body: `{"$id":"1","innerException":null,"message":"TF401179: ...",
/// "typeName":"...","typeKey":"...","errorCode":0,"eventId":3000}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VssError {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub type_key: String,
    #[serde(default)]
    pub type_name: String,
    #[serde(default)]
    pub error_code: i64,
}

impl VssError {
    /// The stable `TFnnnnnn` / `VSnnnnnn` code at the start of the message, if any.
    pub fn code(&self) -> Option<&str> {
        let head = self.message.split(':').next()?.trim();
        let digits = head
            .strip_prefix("TF")
            .or_else(|| head.strip_prefix("VS"))?;
        (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then_some(head)
    }
}

/// One failed call, boxed so `Result<T, AdoError>` stays small.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind}")]
pub struct AdoError {
    kind: Box<AdoErrorKind>,
    /// The organization URL of the client that failed, for the "create a token at …" hint.
    org: Option<String>,
    /// Said instead of "create a new token at …" when the token is refused (the demo: "Reset the
    /// demo"), set by whoever made the client.
    token_advice: Option<String>,
    /// The client signed in with an Entra ID / Azure CLI token, not a PAT: the advice is to
    /// sign in again, not to create a token.
    bearer: bool,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AdoErrorKind {
    /// The organization URL is not usable.
    #[error("invalid organization URL: {reason}")]
    InvalidUrl { reason: String },
    /// Something else the caller gave cannot be sent (empty token, bad path). `reason` is a sentence.
    #[error("{reason}")]
    InvalidInput { reason: String },
    /// HTTP 203, an HTML page, or a redirect to a sign-in page: the credentials were not accepted as such.
    #[error("{method} {url}: Azure DevOps answered with a sign-in page (HTTP {status})")]
    NotSignedIn {
        method: String,
        url: String,
        status: u16,
    },
    /// Any other non-success status. `url` is redacted (no query string, no credentials).
    #[error("{method} {url}: HTTP {status} {}", vss.as_ref().map_or("", |v| v.message.as_str()))]
    Http {
        method: String,
        url: String,
        status: u16,
        vss: Option<VssError>,
        /// Start of a non-VSS body, for the detail (already cut to a few hundred characters).
        body: Option<String>,
        /// `Retry-After` seconds of a 429/503 that was not retried (or retries ran out).
        retry_after: Option<u64>,
    },
    /// DNS, refused connection, TLS failure or timeout: no answer from the server.
    #[error("{method} {url}: {host} could not be reached: {reason}")]
    Unreachable {
        method: String,
        url: String,
        host: String,
        reason: String,
    },
    /// The server was reached, but the connection broke before the whole answer arrived.
    #[error("{method} {url}: the connection to {host} broke mid-answer: {reason}")]
    ConnectionBroken {
        method: String,
        url: String,
        host: String,
        reason: String,
    },
    /// The credential could not give a token (sign-in expired, Entra ID refused a refresh, the
    /// Azure CLI is signed out). `error` already says what to do.
    #[error("{error}")]
    Credential { error: AppError },
    /// A success answer we could not read.
    #[error("{method} {url}: unexpected answer: {reason}")]
    Decode {
        method: String,
        url: String,
        reason: String,
    },
}

impl From<AdoErrorKind> for AdoError {
    fn from(kind: AdoErrorKind) -> Self {
        Self {
            kind: Box::new(kind),
            org: None,
            token_advice: None,
            bearer: false,
        }
    }
}

impl AdoError {
    /// Remembers the organization URL for the user-facing message.
    #[must_use]
    pub fn with_org(mut self, org_url: &str) -> Self {
        self.org = Some(org_url.trim_end_matches('/').to_owned());
        self
    }

    /// What to tell the user to do when the token is refused, instead of pointing at the tokens
    /// page (a sentence).
    #[must_use]
    pub fn with_token_advice(mut self, advice: Option<&str>) -> Self {
        self.token_advice = advice.map(str::to_owned);
        self
    }

    /// Marks an error of a client that signs in with bearer tokens (Entra ID, Azure CLI).
    #[must_use]
    pub fn with_bearer(mut self) -> Self {
        self.bearer = true;
        self
    }

    pub fn kind(&self) -> &AdoErrorKind {
        &self.kind
    }

    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        match &*self.kind {
            AdoErrorKind::NotSignedIn { status, .. } | AdoErrorKind::Http { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// The VSS error body, when the service sent one.
    pub fn vss(&self) -> Option<&VssError> {
        match &*self.kind {
            AdoErrorKind::Http { vss, .. } => vss.as_ref(),
            _ => None,
        }
    }

    /// The `TFnnnnnn` / `VSnnnnnn` code of the VSS message, e.g. `TF401179`.
    pub fn vss_code(&self) -> Option<&str> {
        self.vss().and_then(VssError::code)
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// The [`ErrorCode`] this error maps to.
    pub fn code(&self) -> ErrorCode {
        match &*self.kind {
            AdoErrorKind::InvalidUrl { .. } | AdoErrorKind::InvalidInput { .. } => {
                ErrorCode::InvalidInput
            }
            AdoErrorKind::NotSignedIn { .. } => ErrorCode::NotSignedIn,
            AdoErrorKind::Unreachable { .. } | AdoErrorKind::ConnectionBroken { .. } => {
                ErrorCode::Unreachable
            }
            AdoErrorKind::Decode { .. } => ErrorCode::ServerError,
            AdoErrorKind::Credential { error } => error.code,
            AdoErrorKind::Http { status, vss, .. } => status_code(*status, vss.as_ref()),
        }
    }
}

/// True when the service said the token lacks a scope (it answers 401 either way; the body tells).
fn mentions_scope(vss: Option<&VssError>) -> bool {
    vss.is_some_and(|v| v.message.to_ascii_lowercase().contains("scope"))
}

fn status_code(status: u16, vss: Option<&VssError>) -> ErrorCode {
    let message = vss
        .map(|v| v.message.to_ascii_lowercase())
        .unwrap_or_default();
    let token_problem = ["expired", "revoked", "unknown", "invalid"]
        .iter()
        .any(|w| message.contains(w));
    let tf400813 = vss.and_then(VssError::code) == Some("TF400813");
    match status {
        401 if mentions_scope(vss) => ErrorCode::MissingScope,
        // TF400813 without a word about the token: the identity is known but not allowed.
        401 if tf400813 && !token_problem => ErrorCode::NoPermission,
        401 => ErrorCode::TokenRejected,
        403 => ErrorCode::NoPermission,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::Conflict,
        429 => ErrorCode::RateLimited,
        400 | 422 => ErrorCode::InvalidInput,
        _ => ErrorCode::ServerError,
    }
}

/// Where to create a token for an organization.
pub fn tokens_page(org_url: &str) -> String {
    format!("{}/_usersSettings/tokens", org_url.trim_end_matches('/'))
}

impl AdoError {
    /// The user-facing error. `org_url` is used to point at the tokens page.
    pub fn to_app_error(&self, org_url: &str) -> AppError {
        let tokens = tokens_page(org_url);
        let advice = self.token_advice.as_deref();
        let code = self.code();
        let message = match &*self.kind {
            AdoErrorKind::InvalidUrl { reason } => {
                format!("The organization URL is not valid: {reason}")
            }
            AdoErrorKind::InvalidInput { reason } => reason.clone(),
            AdoErrorKind::Credential { error } => return error.clone(),
            AdoErrorKind::NotSignedIn { status, .. } if self.bearer => format!(
                "Azure DevOps answered with a sign-in page (HTTP {status}) instead of data: it did \
                 not take your sign-in. Open the profile, sign out and sign in again; if it keeps \
                 happening, your account may have no access to this organization."
            ),
            AdoErrorKind::Http {
                status: 401, vss, ..
            } if self.bearer => {
                let said = vss
                    .as_ref()
                    .filter(|v| !v.message.is_empty())
                    .map(|v| format!(" Azure DevOps said: \"{}\"", v.message))
                    .unwrap_or_default();
                format!(
                    "Azure DevOps refused your sign-in (HTTP 401), even with a freshly obtained \
                     token.{said} Your account may have lost access to the organization or to \
                     this area. Open the profile and sign in again, or ask an organization \
                     administrator for access."
                )
            }
            AdoErrorKind::NotSignedIn { status, .. } => format!(
                "Azure DevOps answered with a sign-in page (HTTP {status}) instead of data, so \
                 the token was not accepted as a credential. {}",
                advice.map_or_else(
                    || format!(
                        "Check that you pasted the whole personal access token of this \
                         organization, or create a new one at {tokens} and paste it in Profile → \
                         Credentials."
                    ),
                    str::to_owned
                )
            ),
            AdoErrorKind::Unreachable { host, reason, .. } => format!(
                "Could not reach {host}: {reason}. Check the organization URL, your network \
                 connection and any proxy or VPN, then try again."
            ),
            AdoErrorKind::ConnectionBroken { method, host, .. } if method == "GET" => format!(
                "The connection to Azure DevOps ({host}) broke while the app was reading the \
                 answer; nothing was changed. Try again."
            ),
            AdoErrorKind::ConnectionBroken { method, host, .. } => format!(
                "The connection to Azure DevOps ({host}) broke while the app was waiting for the \
                 answer to a change ({method}), so the change may or may not have been applied. \
                 Trying again first reads what is there now, so nothing is done twice."
            ),
            AdoErrorKind::Decode { .. } => "Azure DevOps sent an answer the app could not read. \
                 Try again; if it keeps happening, the server may be a version the app does not \
                 support."
                .to_owned(),
            AdoErrorKind::Http {
                status,
                vss,
                retry_after,
                ..
            } => {
                let said = vss
                    .as_ref()
                    .filter(|v| !v.message.is_empty())
                    .map(|v| format!(" Azure DevOps said: \"{}\"", v.message))
                    .unwrap_or_default();
                match code {
                    ErrorCode::MissingScope => format!(
                        "Azure DevOps refused the call (HTTP 401) because the token lacks a \
                         scope it needs.{said} {}",
                        advice.map_or_else(
                            || format!(
                                "Create a token with the scopes listed in Profile → Credentials \
                                 at {tokens} and paste it there."
                            ),
                            str::to_owned
                        )
                    ),
                    ErrorCode::TokenRejected => format!(
                        "Azure DevOps rejected the token (HTTP 401). It may have expired or been \
                         revoked, or it may lack the scope this call needs.{said} {}",
                        advice.map_or_else(
                            || format!(
                                "Create a new one at {tokens} and paste it in Profile → \
                                 Credentials."
                            ),
                            str::to_owned
                        )
                    ),
                    ErrorCode::NoPermission => format!(
                        "You are signed in, but your account has no permission for this \
                         (HTTP {status}).{said} Ask a project administrator for access."
                    ),
                    ErrorCode::NotFound => format!(
                        "Azure DevOps could not find it (HTTP 404).{said} It may have been \
                         renamed or deleted; pick it again in the profile."
                    ),
                    ErrorCode::Conflict => {
                        format!("Azure DevOps reported a conflict (HTTP 409).{said}")
                    }
                    ErrorCode::RateLimited => {
                        format!(
                        "Azure DevOps is throttling requests (HTTP 429){}.{said} Wait a moment \
                         and try again.",
                        retry_after.map(|s| format!(" and asked to wait {s} s")).unwrap_or_default()
                    )
                    }
                    ErrorCode::InvalidInput => {
                        format!("Azure DevOps refused the request (HTTP {status}).{said}")
                    }
                    _ => format!(
                        "Azure DevOps had a problem answering (HTTP {status}).{said} Try again \
                         in a moment; if it keeps failing, check status.dev.azure.com."
                    ),
                }
            }
        };
        let detail = match &*self.kind {
            AdoErrorKind::Http { vss: Some(v), .. } => {
                format!(
                    "{self} [typeKey={}, errorCode={}]",
                    v.type_key, v.error_code
                )
            }
            AdoErrorKind::Http { body: Some(b), .. } => format!("{self}: {b}"),
            _ => self.to_string(),
        };
        AppError::new(code, message).with_detail(detail)
    }
}

impl From<AdoError> for AppError {
    fn from(err: AdoError) -> Self {
        let org = err
            .org
            .clone()
            .unwrap_or_else(|| "{your organization URL}".to_owned());
        err.to_app_error(&org)
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
