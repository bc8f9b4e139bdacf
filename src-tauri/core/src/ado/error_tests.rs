//! Tests of [`super`]: the messages each Azure DevOps failure turns into.

use super::*;

fn http(status: u16, message: &str) -> AdoError {
    AdoErrorKind::Http {
        method: "GET".into(),
        url: "https://dev.azure.com/contoso/DataPlatform/_apis/git/repositories".into(),
        status,
        vss: Some(VssError {
            message: message.into(),
            type_key: "X".into(),
            ..VssError::default()
        }),
        body: None,
        retry_after: None,
    }
    .into()
}

fn http_org(status: u16, message: &str) -> AdoError {
    http(status, message).with_org("https://dev.azure.com/contoso/")
}

#[test]
fn a_bearer_sign_in_is_told_to_sign_in_again_not_to_create_a_token() {
    let err = http_org(
        401,
        "VS30063: You are not authorized to access the service.",
    )
    .with_bearer();
    let app = AppError::from(err);
    assert_eq!(app.code, ErrorCode::TokenRejected);
    assert!(app.message.contains("sign in again"), "{}", app.message);
    assert!(
        !app.message.contains("_usersSettings/tokens"),
        "{}",
        app.message
    );
    assert!(app.message.contains("VS30063"), "{}", app.message);
    // Without the bearer mark the PAT advice stays.
    let pat = AppError::from(http_org(401, "VS30063: You are not authorized."));
    assert!(
        pat.message.contains("_usersSettings/tokens"),
        "{}",
        pat.message
    );
}

#[test]
fn statuses_map_to_stable_codes() {
    assert_eq!(
        http(401, "VS30063: You are not authorized").code(),
        ErrorCode::TokenRejected
    );
    assert_eq!(
        http(401, "The token does not have the scope vso.release").code(),
        ErrorCode::MissingScope
    );
    assert_eq!(
        http(
            401,
            "TF400813: The user 'x' is not authorized to access this resource."
        )
        .code(),
        ErrorCode::NoPermission
    );
    assert_eq!(
        http(401, "TF400813: The user '' is not authorized to access this resource. The personal access token is unknown, expired or revoked.").code(),
        ErrorCode::TokenRejected
    );
    assert_eq!(http(403, "").code(), ErrorCode::NoPermission);
    assert_eq!(http(404, "").code(), ErrorCode::NotFound);
    assert_eq!(http(409, "TF401179: exists").code(), ErrorCode::Conflict);
    assert_eq!(http(429, "TF400733").code(), ErrorCode::RateLimited);
    assert_eq!(http(500, "").code(), ErrorCode::ServerError);
    assert_eq!(
        http(409, "TF401179: An active pull request exists").vss_code(),
        Some("TF401179")
    );
}

#[test]
fn app_error_points_at_the_tokens_page_of_the_organization() {
    let err: AppError = http_org(401, "nope").into();
    assert_eq!(err.code, ErrorCode::TokenRejected);
    assert!(
        err.message
            .contains("https://dev.azure.com/contoso/_usersSettings/tokens"),
        "{}",
        err.message
    );
    assert!(err.detail.unwrap().contains("HTTP 401"));
}

#[test]
fn vss_code_only_reads_real_codes() {
    let v = |m: &str| VssError {
        message: m.into(),
        ..VssError::default()
    };
    assert_eq!(v("VS402862: Artifact source").code(), Some("VS402862"));
    assert_eq!(v("Something: else").code(), None);
    assert_eq!(v("TF: x").code(), None);
}

fn broken(method: &str) -> AppError {
    AdoError::from(AdoErrorKind::ConnectionBroken {
        method: method.into(),
        url: "http://127.0.0.1:4000/contoso/P/_apis/git/repositories/r/refs".into(),
        host: "127.0.0.1:4000".into(),
        reason: "connection reset".into(),
    })
    .with_org("http://127.0.0.1:4000/contoso")
    .into()
}

#[test]
fn a_connection_broken_mid_answer_is_not_called_unreachable() {
    let read = broken("GET");
    assert_eq!(read.code, ErrorCode::Unreachable);
    assert!(read.message.contains("broke"), "{}", read.message);
    assert!(
        read.message.contains("nothing was changed"),
        "{}",
        read.message
    );
    assert!(
        !read.message.contains("Could not reach"),
        "{}",
        read.message
    );
    assert!(!read.message.contains("VPN"), "{}", read.message);
    let write = broken("POST");
    assert!(
        write.message.contains("may or may not have been applied"),
        "{}",
        write.message
    );
    assert!(write.message.contains("first reads"), "{}", write.message);
    assert!(!write.message.contains("nothing was changed"));
}

#[test]
fn token_advice_replaces_the_tokens_page_when_given() {
    let advice = "Use About → Reset the demo to start it again with a fresh token.";
    for err in [
        http(401, "VS30063: You are not authorized"),
        http(401, "The token does not have the scope vso.release"),
        AdoErrorKind::NotSignedIn {
            method: "GET".into(),
            url: "http://127.0.0.1:1/x".into(),
            status: 203,
        }
        .into(),
    ] {
        let plain: AppError = err.clone().with_org("http://127.0.0.1:1/contoso").into();
        assert!(
            plain.message.contains("_usersSettings/tokens"),
            "{}",
            plain.message
        );
        let demo: AppError = err
            .with_org("http://127.0.0.1:1/contoso")
            .with_token_advice(Some(advice))
            .into();
        assert!(demo.message.ends_with(advice), "{}", demo.message);
        assert!(!demo.message.contains("_usersSettings"), "{}", demo.message);
    }
}
