//! One data-plane call with its attempts: the bearer token asked before the call and refreshed
//! once after a 401, the retry rule of [`crate::ado::retry`] (a [`Retry::Safe`] call repeated on
//! 429 / 5xx / a connection broken mid-answer, `Retry-After` honoured, all waits capped), and
//! `nextLink` paging that never sends the token to another host.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use url::Url;

use super::errors::{CallError, CallFacts};
use super::{TokenSource, API_VERSION};
use crate::ado::retry::{is_retryable_status, parse_retry_after, Retry};
use crate::ado::{bearer_header, redact_url, BearerSource};
use crate::error::{AppError, AppResult};

/// Upper bound on pages of one list, against a server that never stops.
const MAX_PAGES: usize = 500;

/// Tunables; the defaults suit the app, tests shorten them.
#[derive(Debug, Clone)]
pub struct DataPlaneOptions {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Retries after the first attempt of a [`Retry::Safe`] call.
    pub max_retries: u32,
    /// Total wait between the attempts of one call (`Retry-After` included).
    pub max_retry_wait: Duration,
    /// First back-off step when the server gives no `Retry-After`.
    pub base_backoff: Duration,
    /// Reads of a trigger after a start / stop until its state confirms it.
    pub confirm_attempts: u32,
    pub confirm_interval: Duration,
}

impl Default for DataPlaneOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_retries: 4,
            max_retry_wait: Duration::from_secs(30),
            base_backoff: Duration::from_millis(500),
            confirm_attempts: 16,
            confirm_interval: Duration::from_secs(2),
        }
    }
}

pub(super) struct Http {
    client: reqwest::Client,
    base: Url,
    pub(super) workspace: String,
    pub(super) source: TokenSource,
    bearer: Arc<dyn BearerSource>,
    account: Option<String>,
    pub(super) options: DataPlaneOptions,
}

impl Http {
    pub(super) fn new(
        base: Url,
        workspace: &str,
        source: TokenSource,
        bearer: Arc<dyn BearerSource>,
        account: Option<String>,
        options: DataPlaneOptions,
    ) -> AppResult<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            // Never follow a redirect with the token attached.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("synapse-hotfix/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                AppError::internal("The HTTP client could not be set up.")
                    .with_detail(e.to_string())
            })?;
        Ok(Self {
            client,
            base,
            workspace: workspace.to_owned(),
            source,
            bearer,
            account,
            options,
        })
    }

    fn url(&self, path: &str) -> AppResult<Url> {
        let mut url = Url::parse(&format!(
            "{}/{}",
            self.base.as_str().trim_end_matches('/'),
            path.trim_start_matches('/')
        ))
        .map_err(|e| {
            AppError::invalid_input(format!("The data-plane path '{path}' is not valid: {e}"))
        })?;
        url.query_pairs_mut()
            .append_pair("api-version", API_VERSION);
        Ok(url)
    }

    fn facts(&self, method: &Method, url: &Url) -> CallFacts {
        CallFacts {
            method: method.to_string(),
            url: redact_url(url),
            workspace: self.workspace.clone(),
            source: self.source,
            account: self.account.clone(),
        }
    }

    /// GET a JSON document.
    pub(super) async fn get(&self, path: &str) -> AppResult<Value> {
        let url = self.url(path)?;
        self.call_json(Method::GET, url, Retry::Safe).await
    }

    /// POST without a body; the answer is ignored.
    pub(super) async fn post(&self, path: &str, retry: Retry) -> AppResult<()> {
        let url = self.url(path)?;
        let facts = self.facts(&Method::POST, &url);
        self.call(Method::POST, url, retry)
            .await
            .map(drop)
            .map_err(|e| e.to_app_error(&facts))
    }

    /// Every item of a `{value, nextLink}` list.
    pub(super) async fn list(&self, segment: &str) -> AppResult<Vec<Value>> {
        let mut url = self.url(segment)?;
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = self
                .call_json(Method::GET, url.clone(), Retry::Safe)
                .await?;
            if let Some(values) = page["value"].as_array() {
                items.extend(values.iter().cloned());
            }
            let Some(next) = page["nextLink"].as_str().filter(|n| !n.trim().is_empty()) else {
                return Ok(items);
            };
            url = self.next_link(&url, next)?;
        }
        Ok(items)
    }

    /// The next page's URL: the same host as the workspace endpoint, else refused (the token would
    /// go to whoever the link names).
    fn next_link(&self, current: &Url, next: &str) -> AppResult<Url> {
        let parsed = current.join(next).map_err(|e| {
            AppError::new(
                crate::error::ErrorCode::ServerError,
                format!(
                    "Workspace '{}' sent a next-page link the app could not read. Try again.",
                    self.workspace
                ),
            )
            .with_detail(e.to_string())
        })?;
        if parsed.origin() != self.base.origin() {
            return Err(AppError::new(
                crate::error::ErrorCode::ServerError,
                format!(
                    "Workspace '{}' sent a next-page link to another host ({}); the app does not \
                     send your token there. Try again; if it keeps happening, report it.",
                    self.workspace,
                    parsed.host_str().unwrap_or("?")
                ),
            ));
        }
        Ok(parsed)
    }

    async fn call_json(&self, method: Method, url: Url, retry: Retry) -> AppResult<Value> {
        let facts = self.facts(&method, &url);
        let body = self
            .call(method, url, retry)
            .await
            .map_err(|e| e.to_app_error(&facts))?;
        let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &body
        };
        serde_json::from_slice(text).map_err(|e| {
            CallError::Decode {
                reason: e.to_string(),
            }
            .to_app_error(&facts)
        })
    }

    async fn auth(&self, force: bool) -> Result<HeaderValue, CallError> {
        let token = self
            .bearer
            .access_token(force)
            .await
            .map_err(CallError::Token)?;
        bearer_header(&token).map_err(|reason| CallError::Token(AppError::internal(reason)))
    }

    /// The call with a fresh token; one refresh and repeat after a 401 (a refused call changed
    /// nothing).
    async fn call(&self, method: Method, url: Url, retry: Retry) -> Result<Vec<u8>, CallError> {
        let auth = Box::pin(self.auth(false)).await?;
        match Box::pin(self.attempts(&method, &url, retry, &auth)).await {
            Err(CallError::Http { status: 401, .. }) => {
                tracing::info!(url = %redact_url(&url), "data-plane token refused (HTTP 401); refreshing it once");
                let auth = Box::pin(self.auth(true)).await?;
                Box::pin(self.attempts(&method, &url, retry, &auth)).await
            }
            other => other,
        }
    }

    async fn attempts(
        &self,
        method: &Method,
        url: &Url,
        retry: Retry,
        auth: &HeaderValue,
    ) -> Result<Vec<u8>, CallError> {
        let o = &self.options;
        let shown = redact_url(url);
        let mut waited = Duration::ZERO;
        let mut attempt: u32 = 0;
        loop {
            let outcome = self.exchange(method, url, auth).await;
            let can_retry = retry == Retry::Safe && attempt < o.max_retries;
            let backoff = o.base_backoff.saturating_mul(2u32.saturating_pow(attempt));
            let wait = match &outcome {
                Ok((status, headers, _)) if can_retry && is_retryable_status(status.as_u16()) => {
                    Some(parse_retry_after(headers).unwrap_or(backoff))
                }
                Err(e) if can_retry && broke_mid_call(e) => Some(backoff),
                _ => None,
            };
            if let Some(wait) = wait.filter(|w| waited + *w <= o.max_retry_wait) {
                attempt += 1;
                tracing::info!(%method, url = %shown, wait_ms = wait.as_millis() as u64, attempt, "retrying a data-plane call");
                tokio::time::sleep(wait).await;
                waited += wait;
                continue;
            }
            return match outcome {
                Ok((status, _, body)) if status.is_success() => Ok(body),
                Ok((status, headers, body)) => Err(CallError::from_answer(status, &headers, &body)),
                Err(e) => Err(CallError::from_transport(&e, url)),
            };
        }
    }

    async fn exchange(
        &self,
        method: &Method,
        url: &Url,
        auth: &HeaderValue,
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>), reqwest::Error> {
        let response = self
            .client
            .request(method.clone(), url.clone())
            .header(AUTHORIZATION, auth.clone())
            .header(ACCEPT, "application/json")
            .send()
            .await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        tracing::debug!(%method, url = %redact_url(url), status = status.as_u16(), "data-plane call");
        Ok((status, headers, body.to_vec()))
    }
}

/// The server was reached but the connection broke before the whole answer arrived.
pub(super) fn broke_mid_call(err: &reqwest::Error) -> bool {
    !err.is_connect() && !err.is_timeout() && (err.is_request() || err.is_body() || err.is_decode())
}
