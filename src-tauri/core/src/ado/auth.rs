//! How a credential becomes a request header, and how URLs are shown in logs and errors
//! (redacted). A [`Credential`] is either a personal access token (HTTP Basic, fixed) or a source
//! of Microsoft Entra ID access tokens (HTTP Bearer), asked before every call so it can refresh a
//! token that is about to expire, and asked again after a 401.

use std::sync::Arc;

use base64::Engine as _;
use futures::future::BoxFuture;
use reqwest::header::HeaderValue;
use url::Url;

use crate::error::AppError;
use crate::secrets::Token;

/// Where bearer access tokens come from (the Entra ID sign-in, the Azure CLI). Implementations
/// keep tokens in memory only.
pub trait BearerSource: Send + Sync {
    /// A valid access token. `force_refresh` after the service refused the current one (401):
    /// the cached token is dropped and a new one is obtained.
    fn access_token(&self, force_refresh: bool) -> BoxFuture<'_, Result<Token, AppError>>;
    /// Who the token belongs to, for messages ("jamal@contoso.com"); `None` when unknown.
    fn account(&self) -> Option<String>;
}

/// What an [`super::AdoClient`] authenticates with.
#[derive(Clone)]
pub enum Credential {
    /// `Authorization: Basic …` from a personal access token (already encoded, sensitive).
    Basic(HeaderValue),
    /// `Authorization: Bearer …` from a token source that can refresh.
    Bearer(Arc<dyn BearerSource>),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Basic(_) => f.write_str("Credential::Basic(***)"),
            Self::Bearer(_) => f.write_str("Credential::Bearer(***)"),
        }
    }
}

impl Credential {
    /// A personal access token as HTTP Basic.
    pub fn pat(token: &Token) -> Result<Self, String> {
        basic_header(token).map(Self::Basic)
    }

    /// True for bearer tokens that can be refreshed after a 401.
    pub fn can_refresh(&self) -> bool {
        matches!(self, Self::Bearer(_))
    }

    /// The `Authorization` header value for the next request (refreshing a bearer token that is
    /// about to expire, or any token when `force_refresh`).
    pub async fn header(&self, force_refresh: bool) -> Result<HeaderValue, AppError> {
        match self {
            Self::Basic(value) => Ok(value.clone()),
            Self::Bearer(source) => {
                let token = source.access_token(force_refresh).await?;
                bearer_header(&token).map_err(AppError::internal)
            }
        }
    }

    /// The personal access token inside a [`Self::Basic`] header (base64 of `":" + PAT`), for
    /// callers that must hand it over another way: git over HTTPS asks for it through its
    /// credential callback. `None` for a bearer credential or a header that is not such a value.
    /// Kept in memory only, like the header itself.
    pub fn personal_access_token(&self) -> Option<Token> {
        let Self::Basic(value) = self else {
            return None;
        };
        let encoded = value.to_str().ok()?.strip_prefix("Basic ")?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (_, pat) = text.split_once(':')?;
        (!pat.is_empty()).then(|| Token::new(pat))
    }

    /// The signed-in account of a bearer credential.
    pub fn account(&self) -> Option<String> {
        match self {
            Self::Basic(_) => None,
            Self::Bearer(source) => source.account(),
        }
    }
}

/// `Authorization: Bearer <access token>`, marked sensitive. Git over HTTPS sends the same header
/// (`http.extraHeader`), so one function serves both.
pub fn bearer_header(token: &Token) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| "the access token contains characters that cannot be sent".to_owned())?;
    value.set_sensitive(true);
    Ok(value)
}

/// `Authorization: Basic base64(":" + PAT)` — empty user name, PAT as the password, UTF-8 bytes.
/// The header value is marked sensitive so `reqwest`/`http` never print it.
pub(crate) fn basic_header(token: &Token) -> Result<HeaderValue, String> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!(":{}", token.expose()));
    let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
        .map_err(|_| "the token contains characters that cannot be sent".to_owned())?;
    value.set_sensitive(true);
    Ok(value)
}

/// A URL fit for a log line or an error message: scheme, host, port and path only — no user
/// name, password, query string or fragment.
pub fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// True for hosts where plain `http` is acceptable (the simulator, wiremock): the token never
/// leaves the machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_encodes_colon_and_token_and_is_sensitive() {
        let value = basic_header(&Token::new("abc")).unwrap();
        // base64(":abc") = "OmFiYw=="
        assert_eq!(value.to_str().unwrap(), "Basic OmFiYw==");
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("OmFiYw"));
    }

    #[test]
    fn bearer_header_is_sensitive_and_never_debug_printed() {
        let value = bearer_header(&Token::new("eyJ0eXAi.secret")).unwrap();
        assert_eq!(value.to_str().unwrap(), "Bearer eyJ0eXAi.secret");
        assert!(value.is_sensitive());
        let cred = Credential::Basic(value);
        assert!(!format!("{cred:?}").contains("secret"));
    }

    #[test]
    fn the_pat_comes_back_out_of_a_basic_credential_only() {
        let cred = Credential::pat(&Token::new("abc:def")).unwrap();
        assert_eq!(cred.personal_access_token().unwrap().expose(), "abc:def");
        let bearer = Credential::Basic(bearer_header(&Token::new("x")).unwrap());
        assert!(bearer.personal_access_token().is_none());
    }

    #[test]
    fn redaction_drops_credentials_and_query() {
        let url = Url::parse("https://user:pw@dev.azure.com/contoso/_apis/x?token=abc#f").unwrap();
        assert_eq!(redact_url(&url), "https://dev.azure.com/contoso/_apis/x");
    }

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback(&Url::parse("http://127.0.0.1:80/x").unwrap()));
        assert!(is_loopback(&Url::parse("http://localhost:80/x").unwrap()));
        assert!(!is_loopback(&Url::parse("http://dev.azure.com/x").unwrap()));
    }
}
