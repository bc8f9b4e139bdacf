//! The personal access token as a type that cannot leak by accident: `Debug` and `Display` print
//! `***`, it has no `Serialize`, and the bytes are zeroed when it is dropped (`secrecy`).

use secrecy::{ExposeSecret, SecretString};

/// A personal access token (or any other bearer secret). Only [`Token::expose`] reveals it, and only
/// the HTTP client and the keychain backend call that.
pub struct Token(SecretString);

impl Token {
    /// Wraps a token, trimming the whitespace a copy-paste tends to bring along.
    pub fn new(value: impl Into<String>) -> Self {
        let value: String = value.into();
        let trimmed = value.trim();
        if trimmed.len() == value.len() {
            Self(SecretString::from(value))
        } else {
            Self(SecretString::from(trimmed.to_owned()))
        }
    }

    /// The secret itself. Never log, store or return what this gives you.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl Clone for Token {
    fn clone(&self) -> Self {
        Self(SecretString::from(self.expose().to_owned()))
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Tokens arrive from the UI as plain strings (a command argument); deserialising straight into a
/// `Token` keeps them wrapped from the first moment. There is deliberately no `Serialize`.
impl<'de> serde::Deserialize<'de> for Token {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Token::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_secret() {
        let token = Token::new("s3cr3t-pat-value");
        assert_eq!(format!("{token:?}"), "***");
        assert_eq!(format!("{token}"), "***");
        let wrapped = Some(token.clone());
        assert!(!format!("{wrapped:?}").contains("s3cr3t"));
        assert_eq!(token.expose(), "s3cr3t-pat-value");
    }

    #[test]
    fn pasted_whitespace_is_trimmed() {
        assert_eq!(Token::new("  abc\n").expose(), "abc");
        assert!(Token::new(" \t").is_empty());
    }

    #[test]
    fn deserialises_from_a_plain_string() {
        let token: Token = serde_json::from_str("\"xyz \"").unwrap();
        assert_eq!(token.expose(), "xyz");
    }
}
