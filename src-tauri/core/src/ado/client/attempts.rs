//! One call with its attempts, under the retry rule of [`crate::ado::retry`]: pacing after a
//! `Retry-After` on a success, the exchange itself, the waits between attempts and the observer
//! that hears about them, and the token advice a refused-token error carries. Part of
//! [`super::AdoClient`].

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use url::Url;

use super::answer::broke_mid_call;
use super::{AdoClient, Answer, JSON};
use crate::ado::auth::redact_url;
use crate::ado::error::{AdoError, AdoErrorKind};
use crate::ado::retry::{
    is_retryable_status, parse_retry_after, Retry, RetryWait, WaitObserver, WaitReason,
};

impl AdoClient {
    /// Reports every wait of this client (and of its clones) to `observer`, replacing any earlier
    /// one: the app shell forwards them to the screen ("Azure DevOps asked us to wait 12 s").
    pub fn observe_waits(&self, observer: WaitObserver) {
        *self
            .inner
            .observer
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(observer);
    }

    /// What a refused-token error tells the user to do, instead of pointing at the tokens page
    /// of the organization: for the demo, whose simulator has no such page, "Reset the demo".
    pub fn set_token_advice(&self, advice: &str) {
        *self
            .inner
            .token_advice
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(advice.to_owned());
    }

    pub(super) fn token_advice(&self) -> Option<String> {
        self.inner
            .token_advice
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub(super) fn report_wait(&self, wait: &RetryWait) {
        let observer = self
            .inner
            .observer
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if let Some(observer) = observer {
            observer(wait);
        }
    }

    /// One call with its retries; success means a 2xx answer that is not a sign-in page.
    pub(super) async fn fetch(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        retry: Retry,
    ) -> Result<Answer, AdoError> {
        self.fetch_authorized(method, url, body, retry, JSON).await
    }

    /// [`Self::fetch_as`] with a fresh `Authorization` header; a bearer token the service refused
    /// (401) is refreshed once and the call repeated (a refused call changed nothing).
    pub(super) async fn fetch_authorized(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        retry: Retry,
        accept: &'static str,
    ) -> Result<Answer, AdoError> {
        // Boxed: every call of the client goes through here, and the attempts with their waits
        // and the token refresh would otherwise make each caller's future large.
        Box::pin(self.refresh_auth(false)).await?;
        let bearer = self.inner.credential.can_refresh();
        let outcome = match Box::pin(self.fetch_as(
            method.clone(),
            url.clone(),
            body.clone(),
            retry,
            accept,
        ))
        .await
        {
            Err(e) if e.status() == Some(401) && bearer => {
                tracing::info!(url = %redact_url(&url), "access token refused (HTTP 401); refreshing it once");
                Box::pin(self.refresh_auth(true)).await?;
                Box::pin(self.fetch_as(method, url, body, retry, accept)).await
            }
            other => other,
        };
        outcome.map_err(|e| if bearer { e.with_bearer() } else { e })
    }

    async fn refresh_auth(&self, force: bool) -> Result<(), AdoError> {
        if !self.inner.credential.can_refresh() {
            return Ok(());
        }
        let value = self.inner.credential.header(force).await.map_err(|error| {
            AdoError::from(AdoErrorKind::Credential { error }).with_org(&self.inner.org_display)
        })?;
        *self
            .inner
            .auth
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = value;
        Ok(())
    }

    fn current_auth(&self) -> HeaderValue {
        self.inner
            .auth
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub(super) async fn fetch_as(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        retry: Retry,
        accept: &'static str,
    ) -> Result<Answer, AdoError> {
        let opts = &self.inner.options;
        let shown = redact_url(&url);
        let mut waited = Duration::ZERO;
        let mut attempt: u32 = 0;
        loop {
            self.pace(&method, &shown).await;
            let started = Instant::now();
            let outcome = self.exchange(&method, &url, body.as_deref(), accept).await;
            let can_retry = retry == Retry::Safe && attempt < opts.max_retries;
            let backoff = opts
                .base_backoff
                .saturating_mul(2u32.saturating_pow(attempt));
            // What to wait for before the next attempt, if this one is to be repeated.
            let next: Option<(WaitReason, Option<u16>, Duration, bool)> = match &outcome {
                Ok((status, headers, _)) => {
                    tracing::debug!(%method, url = %shown, status = status.as_u16(), ms = started.elapsed().as_millis() as u64, "azure devops call");
                    let retry_after = parse_retry_after(headers);
                    self.note_rate_limit(headers);
                    if status.is_success() {
                        if let Some(pause) = retry_after {
                            *self.lock_pace() =
                                Some(Instant::now() + pause.min(opts.max_retry_wait));
                        }
                    }
                    let code = status.as_u16();
                    (can_retry && is_retryable_status(code)).then(|| {
                        let reason = if code == 429 {
                            WaitReason::RateLimited
                        } else {
                            WaitReason::ServerError
                        };
                        let wait = retry_after.unwrap_or(backoff);
                        (reason, Some(code), wait, retry_after.is_some())
                    })
                }
                Err(err) => (can_retry && broke_mid_call(err)).then_some((
                    WaitReason::ConnectionDropped,
                    None,
                    backoff,
                    false,
                )),
            };
            if let Some((reason, status, wait, server_asked)) = next {
                if waited + wait <= opts.max_retry_wait {
                    attempt += 1;
                    tracing::info!(%method, url = %shown, ?reason, status, wait_ms = wait.as_millis() as u64, attempt, "retrying an idempotent call");
                    self.report_wait(&RetryWait {
                        reason,
                        status,
                        method: method.to_string(),
                        url: shown.clone(),
                        wait_ms: wait.as_millis() as u64,
                        attempt,
                        server_asked,
                    });
                    tokio::time::sleep(wait).await;
                    waited += wait;
                    continue;
                }
            }
            return match outcome {
                Ok((status, headers, bytes)) => self.judge(&method, &shown, status, headers, bytes),
                Err(err) => Err(self.unreachable(&method, &url, &err)),
            };
        }
    }

    /// Waits out a pause announced by an earlier `Retry-After` on a successful answer.
    pub(super) async fn pace(&self, method: &Method, shown: &str) {
        // Every concurrent call honours the pause; the first one to find it over clears it.
        let until = *self.lock_pace();
        if let Some(until) = until {
            let now = Instant::now();
            if until <= now {
                self.lock_pace().take_if(|u| *u <= now);
            } else {
                let wait = until - now;
                tracing::info!(
                    wait_ms = wait.as_millis() as u64,
                    "Azure DevOps asked to slow down; pausing"
                );
                self.report_wait(&RetryWait {
                    reason: WaitReason::SlowDown,
                    status: None,
                    method: method.to_string(),
                    url: shown.to_owned(),
                    wait_ms: wait.as_millis() as u64,
                    attempt: 0,
                    server_asked: true,
                });
                tokio::time::sleep(until - now).await;
            }
        }
    }

    pub(super) fn lock_pace(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.inner
            .not_before
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) async fn exchange(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        accept: &'static str,
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>), reqwest::Error> {
        let mut request = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .header(AUTHORIZATION, self.current_auth())
            .header(ACCEPT, accept)
            .header("X-TFS-FedAuthRedirect", "Suppress");
        if let Some(bytes) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.to_vec());
        }
        let response = request.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        Ok((status, headers, bytes.to_vec()))
    }
}
