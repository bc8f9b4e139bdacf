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

impl OriginalPath {
    /// The path the client sent, read by the middleware that runs on the whole request (journal,
    /// faults); the request's own path when `lowercase_path` has not run.
    pub fn of(req: &Request) -> String {
        req.extensions()
            .get::<OriginalPath>()
            .map_or_else(|| req.uri().path().to_owned(), |p| p.0.clone())
    }
}

/// The api-version the request asked for (query `api-version` or `Accept: ...;api-version=`).
#[derive(Debug, Clone)]
pub struct ApiVersion(pub String);

/// Lowercases the URI path (and drops a trailing slash) before routing.
pub fn lowercase_path(mut req: Request) -> Request {
    let original = req.uri().path().to_owned();
    // ASP.NET routing ignores a trailing slash; so do we.
    let lower = original.to_ascii_lowercase();
    let lower = if lower.len() > 1 && lower.ends_with('/') {
        lower.trim_end_matches('/').to_owned()
    } else {
        lower
    };
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

/// The whole-router wrapper: lowercases the path (see [`lowercase_path`]) and rewrites the
/// organization-level git routes that name a repository by GUID only
/// (`{org}/_apis/git/repositories/{id}/…`, what Microsoft's clients call when no project is
/// given) to the project-level route of that repository.
pub async fn normalise(
    axum::extract::State(sim): axum::extract::State<crate::state::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let mut req = lowercase_path(req);
    let path = req.uri().path().to_owned();
    let segs: Vec<&str> = path.split('/').collect();
    if segs.len() >= 6 && segs[2] == "_apis" && segs[3] == "git" && segs[4] == "repositories" {
        let project = sim
            .world()
            .git
            .repo_by_id(segs[5])
            .map(|r| r.project_id.to_string());
        if let Some(project) = project {
            let rewritten = format!("/{}/{project}/{}", segs[1], segs[2..].join("/"));
            let pq = match req.uri().query() {
                Some(q) => format!("{rewritten}?{q}"),
                None => rewritten,
            };
            if let Ok(uri) = pq.parse::<Uri>() {
                *req.uri_mut() = uri;
            }
        }
    }
    next.run(req).await
}

/// Resources that only exist as previews (`releasedVersion` 0.0): the service refuses an
/// api-version without `-preview` for them.
fn preview_only(path: &str) -> bool {
    path.contains("/_apis/extensionmanagement/")
        || path.contains("/_apis/distributedtask/tasks")
        || path.ends_with("/_apis/resourceareas")
        || path.contains("/_apis/resourceareas/")
        || path.ends_with("/_apis/connectiondata")
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
            if preview_only(path) && !v.to_ascii_lowercase().contains("preview") {
                return ApiError::bad_request(
                    format!(
                        "The requested version \"{v}\" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: \"{v}-preview\""
                    ),
                    "VssInvalidPreviewVersionException",
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
