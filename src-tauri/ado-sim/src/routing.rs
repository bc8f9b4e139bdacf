//! Request normalisation shared by every route: case-insensitive paths (the whole router sees a
//! lowercased path; the original is kept in [`OriginalPath`]), `api-version` from the query or
//! the `Accept` header, and the service's answers for unknown routes and wrong methods.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;

/// The request path as the client sent it (before lowercasing).
#[derive(Debug, Clone)]
pub struct OriginalPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for OriginalPath {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<OriginalPath>()
            .cloned()
            .unwrap_or_else(|| OriginalPath(parts.uri.path().to_owned())))
    }
}

/// The api-version the request asked for (query `api-version` or `Accept: ...;api-version=`).
#[derive(Debug, Clone)]
pub struct ApiVersion(pub String);

/// Lowercases the URI path before routing (map_request wrapper around the whole router).
pub fn lowercase_path(mut req: Request) -> Request {
    let original = req.uri().path().to_owned();
    let lower = original.to_ascii_lowercase();
    req.extensions_mut().insert(OriginalPath(original.clone()));
    if lower != original {
        let pq = match req.uri().query() {
            Some(q) => format!("{lower}?{q}"),
            None => lower,
        };
        let mut parts = req.uri().clone().into_parts();
        if let Ok(pq) = pq.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
    }
    req
}

/// Reads the api-version from the query string or the `Accept` header.
pub fn api_version(req: &Request) -> Option<String> {
    let from_query = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k.eq_ignore_ascii_case("api-version"))
            .map(|(_, v)| v.into_owned())
    });
    from_query.or_else(|| {
        req.headers()
            .get_all(axum::http::header::ACCEPT)
            .iter()
            .find_map(|v| {
                v.to_str().ok()?.split([';', ',']).find_map(|part| {
                    let (k, v) = part.split_once('=')?;
                    k.trim()
                        .eq_ignore_ascii_case("api-version")
                        .then(|| v.trim().to_owned())
                })
            })
    })
}

/// Requires an api-version on `_apis` routes (except `OPTIONS` discovery), like the service.
pub async fn require_api_version(mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let needs = path.contains("/_apis")
        && !path.starts_with("/_admin")
        && !path.starts_with("/synapse/")
        && req.method() != Method::OPTIONS;
    match api_version(&req) {
        Some(v) if !v.is_empty() => {
            if !v.starts_with(|c: char| c.is_ascii_digit()) {
                return ApiError::bad_request(
                    format!("The requested REST API version of {v} is not valid. Specify a version such as '7.1'."),
                    "VssInvalidApiVersionException",
                )
                .into_response();
            }
            req.extensions_mut().insert(ApiVersion(v));
        }
        _ if needs => {
            let method = req.method().as_str().to_owned();
            return ApiError::bad_request(
                format!(
                    "No api-version was supplied for the \"{method}\" request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. '?api-version=1.0')."
                ),
                "VssVersionNotSpecifiedException",
            )
            .into_response();
        }
        _ => {}
    }
    next.run(req).await
}

/// Unknown route: the service's 404 for a path no controller serves.
pub async fn not_found(OriginalPath(path): OriginalPath) -> Response {
    ApiError::not_found(
        format!(
            "The controller for path '{path}' was not found or does not implement IController."
        ),
        "HttpException",
    )
    .with_event_id(0)
    .into_response()
}

/// Known route, wrong method: ASP.NET Web API's 405.
pub async fn method_not_allowed(method: Method) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("The requested resource does not support http method '{method}'."),
        "HttpException",
    )
    .with_event_id(0)
    .into_response()
}
