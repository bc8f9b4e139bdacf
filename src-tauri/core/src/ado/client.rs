//! [`AdoClient`]: Basic auth with a PAT, `api-version` added to every call, Resource Areas host
//! discovery (cached per client), the retry rule of [`super::retry`] (idempotent calls repeated on
//! 429/5xx and dropped connections, `Retry-After` honoured, capped; waits reported to an observer),
//! `x-ms-continuationtoken` paging, and sign-in pages (HTTP 203 / HTML / redirects) recognised as
//! "not signed in" instead of being parsed as data.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use super::auth::{redact_url, Credential};
use super::discovery::{
    area_map, ResourceAreaInfo, EXTENSION_MANAGEMENT_AREA_ID, RELEASE_AREA_ID,
    RESOURCE_AREAS_API_VERSION, RESOURCE_AREAS_PATH,
};
use super::error::{AdoError, AdoErrorKind};
use super::models::VssList;
use super::retry::{Retry, WaitObserver};
use crate::secrets::Token;

mod answer;
mod attempts;
mod rate;

pub use rate::RateLimit;

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
    /// Told about every wait (retry back-off, `Retry-After`, slow-down pause).
    observer: std::sync::RwLock<Option<WaitObserver>>,
    /// Said when the token is refused instead of "create one at the tokens page" (the demo).
    token_advice: std::sync::RwLock<Option<String>>,
    /// The `X-RateLimit-*` headers of the latest answer that had them (pollers slow down).
    rate: std::sync::Mutex<Option<RateLimit>>,
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
                observer: std::sync::RwLock::new(None),
                token_advice: std::sync::RwLock::new(None),
                rate: std::sync::Mutex::new(None),
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
        let shown = redact_url(&url);
        match self.fetch(Method::GET, url, None, Retry::Safe).await {
            Ok(answer) => {
                let list: VssList<ResourceAreaInfo> =
                    self.decode(&Method::GET, &shown, &answer.body)?;
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
        let shown = redact_url(&url);
        let answer = self.fetch(Method::GET, url, None, Retry::Safe).await?;
        let token = answer
            .headers
            .get(CONTINUATION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned);
        Ok((self.decode(&Method::GET, &shown, &answer.body)?, token))
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
        let shown = redact_url(&url);
        let answer = self.fetch(method.clone(), url, Some(bytes), retry).await?;
        self.decode(&method, &shown, &answer.body)
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

    /// Reads a success answer as JSON; `shown` is the redacted URL of the call, for the error.
    fn decode<T: DeserializeOwned>(
        &self,
        method: &Method,
        shown: &str,
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
                url: shown.to_owned(),
                reason: e.to_string(),
            })
            .with_org(&self.inner.org_display)
        })
    }
}
