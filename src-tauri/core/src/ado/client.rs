//! [`AdoClient`]: Basic auth with a PAT, `api-version` added to every call, Resource Areas host
//! discovery (cached per client), retries of idempotent calls on 429/503 and dropped connections
//! (honouring `Retry-After`, capped), `x-ms-continuationtoken` paging, and sign-in pages (HTTP 203 /
//! HTML / redirects) recognised as "not signed in" instead of being parsed as data.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use super::auth::{redact_url, Credential};
use super::discovery::{
    area_map, ResourceAreaInfo, EXTENSION_MANAGEMENT_AREA_ID, RELEASE_AREA_ID,
    RESOURCE_AREAS_API_VERSION, RESOURCE_AREAS_PATH,
};
use super::error::{AdoError, AdoErrorKind, VssError};
use super::models::VssList;
use crate::secrets::Token;

/// The api-version sent unless the caller passes its own `api-version` in the query.
pub const API_VERSION: &str = "7.1";
const JSON: &str = "application/json";
const TEXT: &str = "text/plain, application/json;q=0.5";
const CONTINUATION_HEADER: &str = "x-ms-continuationtoken";
/// Upper bound on pages fetched by [`AdoClient::get_all`], against a server that never stops.
const MAX_PAGES: usize = 1000;

/// Which host a path is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Area {
    /// The organization URL itself: core, git, build, pipelines, distributedtask, serviceendpoint.
    Core,
    /// Release Management (`vsrm.dev.azure.com/{org}` on the cloud), discovered.
    Release,
    /// Extension Management (`extmgmt.dev.azure.com/{org}` on the cloud), discovered.
    ExtensionManagement,
}

impl Area {
    fn resource_area_id(self) -> Option<&'static str> {
        match self {
            Area::Core => None,
            Area::Release => Some(RELEASE_AREA_ID),
            Area::ExtensionManagement => Some(EXTENSION_MANAGEMENT_AREA_ID),
        }
    }
}

/// Whether a call may be repeated after a 429, a 503 or a dropped connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Idempotent (GET, or a PUT/PATCH that sets an absolute state): retried.
    Safe,
    /// Creates something (POST release, POST refs, …): never repeated blindly.
    Never,
}

/// Tunables; the defaults suit the app, tests shorten them.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub api_version: String,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Total time spent waiting between retries of one call (Retry-After included).
    pub max_retry_wait: Duration,
    /// First exponential back-off step when the server gives no Retry-After.
    pub base_backoff: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            api_version: API_VERSION.to_owned(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_retries: 4,
            max_retry_wait: Duration::from_secs(30),
            base_backoff: Duration::from_millis(500),
        }
    }
}

/// A client for one organization and one token. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct AdoClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    org: Url,
    org_display: String,
    /// What the client signs in with (PAT or a refreshable bearer token source).
    credential: Credential,
    /// The `Authorization` value of the next request, taken from `credential` before each call.
    auth: std::sync::Mutex<HeaderValue>,
    options: ClientOptions,
    areas: tokio::sync::OnceCell<HashMap<String, Url>>,
    /// Set when a successful answer carried `Retry-After` (Azure DevOps is delaying this identity):
    /// the next request waits until then instead of running into a 429.
    not_before: std::sync::Mutex<Option<Instant>>,
}

impl std::fmt::Debug for AdoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdoClient")
            .field("org", &self.inner.org_display)
            .finish_non_exhaustive()
    }
}

/// The answer of one HTTP exchange, body read in full.
struct Answer {
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Percent-encodes one path segment (project, repository or branch names with spaces, `#`, …).
pub fn encode_segment(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

impl AdoClient {
    /// A client for `org_url` (normalised; `https`, or `http` to a loopback address for the
    /// simulator). Fails with [`AdoErrorKind::InvalidUrl`] otherwise.
    pub fn new(org_url: &str, token: Token) -> Result<Self, AdoError> {
        Self::with_options(org_url, token, ClientOptions::default())
    }

    pub fn with_options(
        org_url: &str,
        token: Token,
        options: ClientOptions,
    ) -> Result<Self, AdoError> {
        let normalized = crate::validate::normalize_org_url(org_url, true)
            .map_err(|reason| AdoError::from(AdoErrorKind::InvalidUrl { reason }))?;
        Url::parse(&normalized).map_err(|e| {
            AdoError::from(AdoErrorKind::InvalidUrl {
                reason: e.to_string(),
            })
        })?;
        if token.is_empty() {
            return Err(AdoErrorKind::InvalidInput {
                reason: "No personal access token was given. Paste one in Profile → Credentials."
                    .into(),
            }
            .into());
        }
        let credential = Credential::pat(&token)
            .map_err(|reason| AdoError::from(AdoErrorKind::InvalidInput { reason }))?;
        // Only the sensitive header survives; the token itself is dropped (and zeroed) here.
        drop(token);
        Self::with_credential(&normalized, credential, options)
    }

    /// A client that signs in with `credential`: a PAT, or a bearer token source (Microsoft Entra
    /// ID, Azure CLI) asked before every call and once more after a 401.
    pub fn with_credential(
        org_url: &str,
        credential: Credential,
        options: ClientOptions,
    ) -> Result<Self, AdoError> {
        let normalized = crate::validate::normalize_org_url(org_url, true)
            .map_err(|reason| AdoError::from(AdoErrorKind::InvalidUrl { reason }))?;
        let org = Url::parse(&normalized).map_err(|e| {
            AdoError::from(AdoErrorKind::InvalidUrl {
                reason: e.to_string(),
            })
        })?;
        let auth = match &credential {
            Credential::Basic(value) => value.clone(),
            // Filled before the first call (`refresh_auth`).
            Credential::Bearer(_) => HeaderValue::from_static(""),
        };
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            // Redirects are answered, never followed: a redirect to a sign-in page means the token
            // was not taken, and following one to another host would drop or leak the header.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("synapse-hotfix/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                AdoError::from(AdoErrorKind::InvalidInput {
                    reason: format!("The HTTP client could not be set up: {e}"),
                })
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                org_display: normalized,
                org,
                credential,
                auth: std::sync::Mutex::new(auth),
                options,
                areas: tokio::sync::OnceCell::new(),
                not_before: std::sync::Mutex::new(None),
            }),
        })
    }

    /// The normalised organization URL (no trailing slash).
    pub fn org_url(&self) -> &Url {
        &self.inner.org
    }

    /// The organization URL as text, for messages and links.
    pub fn org_url_str(&self) -> &str {
        &self.inner.org_display
    }

    /// What the client signs in with.
    pub fn credential(&self) -> &Credential {
        &self.inner.credential
    }

    /// Base URL of an area. `Core` is the organization URL; the others come from the Resource Areas
    /// API (asked once per client). An area the server does not list — Azure DevOps Server serves
    /// everything from the collection — falls back to the organization URL.
    pub async fn base(&self, area: Area) -> Result<Url, AdoError> {
        let Some(id) = area.resource_area_id() else {
            return Ok(self.inner.org.clone());
        };
        let map = self.inner.areas.get_or_try_init(|| self.discover()).await?;
        Ok(map
            .get(id)
            .cloned()
            .unwrap_or_else(|| self.inner.org.clone()))
    }

    async fn discover(&self) -> Result<HashMap<String, Url>, AdoError> {
        let query = [("api-version", RESOURCE_AREAS_API_VERSION.to_owned())];
        let url = self.url_for(&self.inner.org, RESOURCE_AREAS_PATH, &query)?;
        match self.fetch(Method::GET, url, None, Retry::Safe).await {
            Ok(answer) => {
                let list: VssList<ResourceAreaInfo> =
                    self.decode(&Method::GET, RESOURCE_AREAS_PATH, &answer.body)?;
                tracing::debug!(areas = list.value.len(), "resource areas discovered");
                Ok(area_map(&list.value))
            }
            // Old servers without the API: everything lives on the collection URL.
            Err(e) if e.is_not_found() => Ok(HashMap::new()),
            Err(e) => Err(e),
        }
    }

    /// GET a JSON document.
    pub async fn get<T: DeserializeOwned>(
        &self,
        area: Area,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, AdoError> {
        Ok(self.get_page(area, path, query).await?.0)
    }

    /// GET a JSON document and the `x-ms-continuationtoken` of the next page, if any.
    pub async fn get_page<T: DeserializeOwned>(
        &self,
        area: Area,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<(T, Option<String>), AdoError> {
        let url = self.url_for(&self.base(area).await?, path, query)?;
        let answer = self.fetch(Method::GET, url, None, Retry::Safe).await?;
        let token = answer
            .headers
            .get(CONTINUATION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned);
        Ok((self.decode(&Method::GET, path, &answer.body)?, token))
    }

    /// Every item of a `{count, value}` list, following `x-ms-continuationtoken` (sent back as
    /// the `continuationToken` query parameter) until the server stops sending one.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        area: Area,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, AdoError> {
        let mut items = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut q: Vec<(&str, String)> = query
                .iter()
                .filter(|(k, _)| *k != "continuationToken")
                .cloned()
                .collect();
            if let Some(token) = &next {
                q.push(("continuationToken", token.clone()));
            }
            let (page, token): (VssList<T>, _) = self.get_page(area, path, &q).await?;
            items.extend(page.value);
            match token {
                Some(t) if next.as_ref() != Some(&t) => next = Some(t),
                _ => return Ok(items),
            }
        }
        Ok(items)
    }

    /// GET a text document (task logs, raw file content), asking for `text/plain`. An HTML answer is
    /// still a sign-in page.
    pub async fn get_text(
        &self,
        area: Area,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<String, AdoError> {
        let url = self.url_for(&self.base(area).await?, path, query)?;
        let answer = self
            .fetch_authorized(Method::GET, url, None, Retry::Safe, TEXT)
            .await?;
        Ok(String::from_utf8_lossy(&answer.body).into_owned())
    }

    /// POST/PUT/PATCH/DELETE with a JSON body. An empty answer deserialises as JSON `null`
    /// (so `T` may be `()` or an `Option`).
    pub async fn send_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        area: Area,
        path: &str,
        query: &[(&str, String)],
        body: &B,
        retry: Retry,
    ) -> Result<T, AdoError> {
        let url = self.url_for(&self.base(area).await?, path, query)?;
        let bytes = serde_json::to_vec(body).map_err(|e| {
            AdoError::from(AdoErrorKind::Decode {
                method: method.to_string(),
                url: redact_url(&url),
                reason: format!("could not encode the request body: {e}"),
            })
        })?;
        let answer = self.fetch(method.clone(), url, Some(bytes), retry).await?;
        self.decode(&method, path, &answer.body)
    }

    /// DELETE without a body.
    pub async fn delete(
        &self,
        area: Area,
        path: &str,
        query: &[(&str, String)],
        retry: Retry,
    ) -> Result<(), AdoError> {
        let url = self.url_for(&self.base(area).await?, path, query)?;
        self.fetch(Method::DELETE, url, None, retry)
            .await
            .map(|_| ())
    }

    fn url_for(&self, base: &Url, path: &str, query: &[(&str, String)]) -> Result<Url, AdoError> {
        let joined = format!(
            "{}/{}",
            base.as_str().trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        let mut url = Url::parse(&joined).map_err(|e| {
            AdoError::from(AdoErrorKind::InvalidInput {
                reason: format!("The request path '{path}' is not valid: {e}"),
            })
            .with_org(&self.inner.org_display)
        })?;
        {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
            if !query.iter().any(|(k, _)| *k == "api-version") {
                pairs.append_pair("api-version", &self.inner.options.api_version);
            }
        }
        Ok(url)
    }

    fn decode<T: DeserializeOwned>(
        &self,
        method: &Method,
        path: &str,
        body: &[u8],
    ) -> Result<T, AdoError> {
        let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            body
        };
        serde_json::from_slice(text).map_err(|e| {
            AdoError::from(AdoErrorKind::Decode {
                method: method.to_string(),
                url: format!(
                    "{}/{}",
                    self.inner.org_display,
                    path.trim_start_matches('/')
                ),
                reason: e.to_string(),
            })
            .with_org(&self.inner.org_display)
        })
    }

    /// One call with its retries; success means a 2xx answer that is not a sign-in page.
    async fn fetch(
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
    async fn fetch_authorized(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        retry: Retry,
        accept: &'static str,
    ) -> Result<Answer, AdoError> {
        self.refresh_auth(false).await?;
        let bearer = self.inner.credential.can_refresh();
        let outcome = match self
            .fetch_as(method.clone(), url.clone(), body.clone(), retry, accept)
            .await
        {
            Err(e) if e.status() == Some(401) && bearer => {
                tracing::info!(url = %redact_url(&url), "access token refused (HTTP 401); refreshing it once");
                self.refresh_auth(true).await?;
                self.fetch_as(method, url, body, retry, accept).await
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

    async fn fetch_as(
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
            self.pace().await;
            let started = Instant::now();
            let outcome = self.exchange(&method, &url, body.as_deref(), accept).await;
            let can_retry = retry == Retry::Safe && attempt < opts.max_retries;
            let backoff = opts
                .base_backoff
                .saturating_mul(2u32.saturating_pow(attempt));
            match outcome {
                Ok((status, headers, bytes)) => {
                    tracing::debug!(%method, url = %shown, status = status.as_u16(), ms = started.elapsed().as_millis() as u64, "azure devops call");
                    let retry_after = parse_retry_after(&headers);
                    if status.is_success() {
                        if let Some(secs) = retry_after {
                            let pause = Duration::from_secs(secs).min(opts.max_retry_wait);
                            *self.lock_pace() = Some(Instant::now() + pause);
                        }
                    }
                    if matches!(status.as_u16(), 429 | 503) && can_retry {
                        let wait = retry_after.map_or(backoff, Duration::from_secs);
                        if waited + wait <= opts.max_retry_wait {
                            tracing::info!(%method, url = %shown, status = status.as_u16(), wait_ms = wait.as_millis() as u64, "throttled or unavailable; retrying");
                            tokio::time::sleep(wait).await;
                            waited += wait;
                            attempt += 1;
                            continue;
                        }
                    }
                    return self.judge(&method, &shown, status, headers, bytes);
                }
                Err(err) => {
                    // A connection that broke mid-call is worth another try; refused connections,
                    // DNS and TLS failures and timeouts (already a long wait) are not.
                    let dropped = !err.is_connect()
                        && !err.is_timeout()
                        && (err.is_request() || err.is_body());
                    if dropped && can_retry && waited + backoff <= opts.max_retry_wait {
                        tracing::info!(%method, url = %shown, wait_ms = backoff.as_millis() as u64, "connection dropped; retrying");
                        tokio::time::sleep(backoff).await;
                        waited += backoff;
                        attempt += 1;
                        continue;
                    }
                    return Err(self.unreachable(&method, &url, &err));
                }
            }
        }
    }

    /// Waits out a pause announced by an earlier `Retry-After` on a successful answer.
    async fn pace(&self) {
        // Every concurrent call honours the pause; the first one to find it over clears it.
        let until = *self.lock_pace();
        if let Some(until) = until {
            let now = Instant::now();
            if until <= now {
                self.lock_pace().take_if(|u| *u <= now);
            } else {
                tracing::info!(
                    wait_ms = (until - now).as_millis() as u64,
                    "Azure DevOps asked to slow down; pausing"
                );
                tokio::time::sleep(until - now).await;
            }
        }
    }

    fn lock_pace(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.inner
            .not_before
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn exchange(
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

    /// Sorts an answer into success, sign-in page or error.
    fn judge(
        &self,
        method: &Method,
        shown: &str,
        status: StatusCode,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<Answer, AdoError> {
        let org = &self.inner.org_display;
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
            retry_after: parse_retry_after(&headers),
        })
        .with_org(org))
    }

    fn unreachable(&self, method: &Method, url: &Url, err: &reqwest::Error) -> AdoError {
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
        AdoError::from(AdoErrorKind::Unreachable {
            method: method.to_string(),
            url: redact_url(url),
            host,
            reason,
        })
        .with_org(&self.inner.org_display)
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by Azure DevOps).
fn parse_retry_after(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
}
