//! What the authority's refusals mean for the user. Classified by the standard OAuth 2 / OpenID
//! Connect error codes (`access_denied`, `consent_required`, `interaction_required`,
//! `invalid_grant`, `invalid_client`, …); Entra's `AADSTSnnnnn` text is kept for the detail and
//! shown in the message.

use oauth2::basic::BasicErrorResponse;
use oauth2::{HttpClientError, RequestTokenError};

use super::Authority;
use crate::error::{AppError, ErrorCode};

/// An error answer of the authority, from the token endpoint or the authorize redirect.
pub(crate) fn refusal(authority: &Authority, error: &str, description: &str) -> AppError {
    let said = if description.trim().is_empty() {
        String::new()
    } else {
        // Entra descriptions end with trace and correlation ids on new lines; the first line says it.
        let first = description.lines().next().unwrap_or_default().trim();
        format!(" Microsoft Entra ID said: \"{first}\"")
    };
    let lower = description.to_ascii_lowercase();
    let (code, message) = match error {
        "access_denied" => (
            ErrorCode::SignInRefused,
            format!(
                "The sign-in was refused: the permissions were declined in the browser.{said} \
                 Click Sign in again and accept, or ask your administrator to grant consent for \
                 the app (README, \"Signing in with Microsoft Entra ID\")."
            ),
        ),
        "consent_required" => (
            ErrorCode::SignInRefused,
            format!(
                "Microsoft Entra ID needs consent before the app may sign you in.{said} Ask your \
                 administrator to grant consent for client id {} in tenant '{}', or register your \
                 own app and enter its client id in the profile.",
                authority.client_id, authority.tenant
            ),
        ),
        "interaction_required" | "login_required" => (
            ErrorCode::InteractionRequired,
            format!(
                "A conditional-access policy of your organization (for example multi-factor \
                 authentication or a compliant device) needs you to sign in again in the \
                 browser.{said} Click Sign in."
            ),
        ),
        "invalid_client" | "unauthorized_client" => (
            ErrorCode::SignInRefused,
            format!(
                "Microsoft Entra ID does not accept the client id {} in tenant '{}'.{said} Check \
                 the profile's client id and tenant; if your tenant blocks the default app, \
                 register one (README) and enter its client id.",
                authority.client_id, authority.tenant
            ),
        ),
        "invalid_grant" if lower.contains("consent") => (
            ErrorCode::SignInRefused,
            format!(
                "Microsoft Entra ID needs consent before the app may get this token.{said} Ask \
                 your administrator to grant consent for client id {}, then sign in again.",
                authority.client_id
            ),
        ),
        "invalid_grant" if lower.contains("expired") || lower.contains("revoked") => (
            ErrorCode::NotSignedIn,
            format!(
                "Your Microsoft Entra ID sign-in has expired or was revoked.{said} Click Sign in \
                 in the profile to sign in again."
            ),
        ),
        "invalid_grant" => (
            ErrorCode::SignInRefused,
            format!(
                "Microsoft Entra ID refused the sign-in answer.{said} Nothing was saved. Click \
                 Sign in to start again."
            ),
        ),
        _ => (
            ErrorCode::SignInRefused,
            format!(
                "Microsoft Entra ID refused the sign-in ({error}).{said} Check the profile's \
                 tenant and client id, then sign in again."
            ),
        ),
    };
    AppError::new(code, message).with_detail(format!("{error}: {description}"))
}

/// A failed token request: the authority's refusal, or why it could not be asked.
pub(crate) fn token_request(
    authority: &Authority,
    err: &RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>,
) -> AppError {
    match err {
        RequestTokenError::ServerResponse(resp) => refusal(
            authority,
            resp.error().as_ref(),
            resp.error_description().map_or("", String::as_str),
        ),
        RequestTokenError::Request(e) => unreachable(authority, e),
        // Never the body: a half-read success answer could carry a token.
        RequestTokenError::Parse(e, _) => AppError::new(
            ErrorCode::ServerError,
            format!(
                "{} sent a sign-in answer the app could not read. Try again; if it keeps \
                 happening, check the profile's tenant.",
                authority.host()
            ),
        )
        .with_detail(e.to_string()),
        RequestTokenError::Other(e) => AppError::new(
            ErrorCode::ServerError,
            format!("The sign-in at {} failed. Try again.", authority.host()),
        )
        .with_detail(e.clone()),
    }
}

fn unreachable(authority: &Authority, err: &HttpClientError<reqwest::Error>) -> AppError {
    let mut source: &dyn std::error::Error = err;
    while let Some(next) = source.source() {
        source = next;
    }
    AppError::new(
        ErrorCode::Unreachable,
        format!(
            "The sign-in service {} could not be reached ({source}). Check your network \
             connection, proxy or VPN, then try again. Nothing was changed.",
            authority.host()
        ),
    )
    .with_detail(err.to_string())
}
