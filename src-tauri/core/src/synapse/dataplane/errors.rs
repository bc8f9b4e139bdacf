//! What can go wrong on the data plane, and the [`AppError`] each becomes: the Azure CloudError
//! body (`{"error":{"code","message"}}`) read for the service's own words, 401 and 403 explained
//! in terms of the token source and Synapse RBAC. No token, and no URL query, ever ends up here.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::Deserialize;
use url::Url;

use super::TokenSource;
use crate::ado::retry::{ceil_secs, parse_retry_after};
use crate::error::{AppError, ErrorCode};

/// What the message needs to know about the call.
pub(super) struct CallFacts {
    pub method: String,
    /// Redacted (no query string).
    pub url: String,
    pub workspace: String,
    pub source: TokenSource,
    pub account: Option<String>,
}

#[derive(Debug)]
pub(super) enum CallError {
    Http {
        status: u16,
        code: Option<String>,
        message: Option<String>,
        retry_after: Option<u64>,
    },
    Unreachable {
        host: String,
        reason: String,
    },
    Broken {
        host: String,
        reason: String,
    },
    /// The token source could not give a token; its error says what to do.
    Token(AppError),
    Decode {
        reason: String,
    },
}

#[derive(Deserialize)]
struct CloudError {
    error: Option<CloudErrorBody>,
    // Some front doors answer with the body itself, without the `error` wrapper.
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct CloudErrorBody {
    code: Option<String>,
    message: Option<String>,
}

fn clip(s: &str) -> String {
    s.chars().take(300).collect()
}

impl CallError {
    pub(super) fn from_answer(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let (code, message) = match serde_json::from_slice::<CloudError>(body) {
            Ok(CloudError { error: Some(e), .. }) => (e.code, e.message),
            Ok(CloudError { code, message, .. }) => (code, message),
            Err(_) => (None, None),
        };
        Self::Http {
            status: status.as_u16(),
            code: code.filter(|c| !c.is_empty()).map(|c| clip(&c)),
            message: message.filter(|m| !m.is_empty()).map(|m| clip(&m)),
            retry_after: parse_retry_after(headers).map(ceil_secs),
        }
    }

    pub(super) fn from_transport(err: &reqwest::Error, url: &Url) -> Self {
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => "the workspace".to_owned(),
        };
        let reason = if err.is_timeout() {
            "the request timed out".to_owned()
        } else {
            let mut source: &dyn std::error::Error = err;
            while let Some(next) = source.source() {
                source = next;
            }
            let inner = source.to_string();
            if inner.is_empty() {
                "the connection failed".to_owned()
            } else {
                inner
            }
        };
        if super::http::broke_mid_call(err) {
            Self::Broken { host, reason }
        } else {
            Self::Unreachable { host, reason }
        }
    }

    fn code(&self) -> ErrorCode {
        match self {
            Self::Http { status, .. } => match status {
                401 => ErrorCode::TokenRejected,
                403 => ErrorCode::NoPermission,
                404 => ErrorCode::NotFound,
                409 => ErrorCode::Conflict,
                429 => ErrorCode::RateLimited,
                400 | 422 => ErrorCode::InvalidInput,
                _ => ErrorCode::ServerError,
            },
            Self::Unreachable { .. } | Self::Broken { .. } => ErrorCode::Unreachable,
            Self::Token(e) => e.code,
            Self::Decode { .. } => ErrorCode::ServerError,
        }
    }

    /// The user-facing error.
    pub(super) fn to_app_error(&self, f: &CallFacts) -> AppError {
        let ws = &f.workspace;
        let who = f
            .account
            .clone()
            .unwrap_or_else(|| "The signed-in identity".to_owned());
        let message = match self {
            Self::Token(e) => return e.clone(),
            Self::Http {
                status,
                code,
                message,
                retry_after,
            } => {
                let said = match (code, message) {
                    (Some(c), Some(m)) => format!(" Synapse said: {c}: \"{m}\""),
                    (None, Some(m)) => format!(" Synapse said: \"{m}\""),
                    (Some(c), None) => format!(" Synapse said: {c}."),
                    (None, None) => String::new(),
                };
                match status {
                    401 => format!(
                        "Workspace '{ws}' refused the token from {} (HTTP 401), even a freshly \
                         obtained one.{said} {}",
                        f.source.label(),
                        sign_in_advice(f.source)
                    ),
                    403 => format!(
                        "{who} reached workspace '{ws}', but has no Synapse role there that \
                         allows this (HTTP 403).{said} Ask a Synapse Administrator of the \
                         workspace to assign it a role in Synapse Studio → Manage → Access \
                         control: Synapse Artifact User to read artifacts and triggers, Synapse \
                         Artifact Publisher or Synapse Contributor to start and stop triggers."
                    ),
                    404 => format!(
                        "Workspace '{ws}' has no such item, or the workspace does not exist \
                         (HTTP 404).{said} Check the production workspace name in the profile."
                    ),
                    429 => format!(
                        "Workspace '{ws}' is throttling requests (HTTP 429){}.{said} Wait a \
                         moment and try again.",
                        retry_after
                            .map(|s| format!(" and asked to wait {s} s"))
                            .unwrap_or_default()
                    ),
                    400 | 422 => {
                        format!("Workspace '{ws}' refused the request (HTTP {status}).{said}")
                    }
                    409 => {
                        format!("Workspace '{ws}' reported a conflict (HTTP 409).{said} Try again.")
                    }
                    _ => format!(
                        "Workspace '{ws}' had a problem answering (HTTP {status}), also when \
                         asked again.{said} Try again in a moment; if it keeps failing, check \
                         the Azure status page."
                    ),
                }
            }
            Self::Unreachable { host, reason } => format!(
                "Could not reach the Synapse workspace '{ws}' ({host}): {reason}. Check the \
                 workspace name, your network connection and any proxy, VPN or firewall (the \
                 workspace's development endpoint must be reachable), then try again."
            ),
            Self::Broken { host, .. } if f.method == "GET" => format!(
                "The connection to workspace '{ws}' ({host}) broke while the app was reading the \
                 answer, also when asked again; nothing was changed. Try again."
            ),
            Self::Broken { host, .. } => format!(
                "The connection to workspace '{ws}' ({host}) broke while waiting for the answer to \
                 a change ({}); it may or may not have been applied. Trying again reads the \
                 trigger first, so nothing is done twice.",
                f.method
            ),
            Self::Decode { .. } => format!(
                "Workspace '{ws}' sent an answer the app could not read. Try again; if it keeps \
                 happening, report it."
            ),
        };
        let detail = match self {
            Self::Http {
                status,
                code,
                message,
                ..
            } => format!(
                "{} {}: HTTP {status} {} {}",
                f.method,
                f.url,
                code.as_deref().unwrap_or(""),
                message.as_deref().unwrap_or("")
            ),
            Self::Unreachable { reason, .. } | Self::Broken { reason, .. } => {
                format!("{} {}: {reason}", f.method, f.url)
            }
            Self::Decode { reason } => format!("{} {}: {reason}", f.method, f.url),
            Self::Token(_) => String::new(),
        };
        AppError::new(self.code(), message).with_detail(detail.trim_end().to_owned())
    }
}

fn sign_in_advice(source: TokenSource) -> &'static str {
    match source {
        TokenSource::EntraSignIn => {
            "Open the profile and sign in again with an account of the workspace's tenant."
        }
        TokenSource::AzureCli => {
            "Run 'az login' with an account of the workspace's tenant, then try again."
        }
        TokenSource::Simulator => "Use About → Reset the demo to start it with a fresh token.",
    }
}
