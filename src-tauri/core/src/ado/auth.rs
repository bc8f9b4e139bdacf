//! How a token becomes a request header, and how URLs are shown in logs and errors (redacted).

use base64::Engine as _;
use reqwest::header::HeaderValue;
use url::Url;

use crate::secrets::Token;

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
