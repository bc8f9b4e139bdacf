//! Sorting one HTTP exchange into success, sign-in page or error, and naming a failed
//! connection (unreachable, or broken mid-answer). Part of [`super::AdoClient`].

use reqwest::header::{HeaderMap, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use url::Url;

use super::{AdoClient, Answer};
use crate::ado::auth::redact_url;
use crate::ado::error::{AdoError, AdoErrorKind, VssError};
use crate::ado::retry::{ceil_secs, parse_retry_after};

impl AdoClient {
    /// Sorts an answer into success, sign-in page or error.
    pub(super) fn judge(
        &self,
        method: &Method,
        shown: &str,
        status: StatusCode,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<Answer, AdoError> {
        let org = &self.inner.org_display;
        let advice = self.token_advice();
        let is_html = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("text/html"));
        let not_signed_in = || {
            AdoError::from(AdoErrorKind::NotSignedIn {
                method: method.to_string(),
                url: shown.to_owned(),
                status: status.as_u16(),
            })
            .with_org(org)
            .with_token_advice(advice.as_deref())
        };
        // 203 is what Azure DevOps sends with its sign-in page; an HTML 2xx is the same page.
        if status == StatusCode::NON_AUTHORITATIVE_INFORMATION || (status.is_success() && is_html) {
            return Err(not_signed_in());
        }
        if status.is_redirection() {
            let to_sign_in = headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|l| {
                    let l = l.to_ascii_lowercase();
                    ["signin", "login", "_signedin", "oauth2", "authorize"]
                        .iter()
                        .any(|k| l.contains(k))
                });
            if to_sign_in {
                return Err(not_signed_in());
            }
        }
        if status.is_success() {
            return Ok(Answer { headers, body });
        }
        let vss = serde_json::from_slice::<VssError>(&body)
            .ok()
            .filter(|v| !v.message.is_empty() || !v.type_key.is_empty());
        let snippet = if vss.is_none() && !body.is_empty() && !is_html {
            let text = String::from_utf8_lossy(&body);
            Some(text.chars().take(300).collect::<String>())
        } else {
            None
        };
        Err(AdoError::from(AdoErrorKind::Http {
            method: method.to_string(),
            url: shown.to_owned(),
            status: status.as_u16(),
            vss,
            body: snippet,
            retry_after: parse_retry_after(&headers).map(ceil_secs),
        })
        .with_org(org)
        .with_token_advice(advice.as_deref()))
    }

    pub(super) fn unreachable(&self, method: &Method, url: &Url, err: &reqwest::Error) -> AdoError {
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => "the server".to_owned(),
        };
        let reason = if err.is_timeout() {
            "the request timed out".to_owned()
        } else {
            // The innermost cause is the useful part ("Connection refused (os error 111)",
            // "dns error: failed to lookup address", "invalid peer certificate"). No URL in it.
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
        let kind = if broke_mid_call(err) {
            AdoErrorKind::ConnectionBroken {
                method: method.to_string(),
                url: redact_url(url),
                host,
                reason,
            }
        } else {
            AdoErrorKind::Unreachable {
                method: method.to_string(),
                url: redact_url(url),
                host,
                reason,
            }
        };
        AdoError::from(kind).with_org(&self.inner.org_display)
    }
}

/// The server was reached but the connection broke before the whole answer arrived. Refused
/// connections, DNS and TLS failures (connect errors) and timeouts (already a long wait) are not.
pub(super) fn broke_mid_call(err: &reqwest::Error) -> bool {
    !err.is_connect() && !err.is_timeout() && (err.is_request() || err.is_body() || err.is_decode())
}
