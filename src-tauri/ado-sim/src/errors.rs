//! The standard VSS error body every Azure DevOps REST route answers with, and the `ApiResult`
//! handlers return.
//!
//! Shape (seen on the real service, e.g. in MicrosoftDocs/vsts-rest-api-specs issues #160, #571,
//! #636):
//! `{"$id":"1","innerException":null,"message":"TF401179: ...","typeName":"...","typeKey":"...",
//! "errorCode":0,"eventId":3000}`.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error answered as the VSS error body with a given HTTP status.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub type_key: String,
    pub type_name: String,
    pub event_id: u32,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    /// An error with the given status; `type_key` is the short .NET exception name
    /// (`GitRepositoryNotFoundException`, `InvalidRequestException`, …).
    pub fn new(status: StatusCode, message: impl Into<String>, type_key: &str) -> Self {
        Self {
            status,
            message: message.into(),
            type_key: type_key.to_owned(),
            type_name: type_name_for(type_key),
            event_id: 3000,
            headers: Vec::new(),
        }
    }

    /// 404 Not Found.
    pub fn not_found(message: impl Into<String>, type_key: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, message, type_key)
    }

    /// 400 Bad Request.
    pub fn bad_request(message: impl Into<String>, type_key: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message, type_key)
    }

    /// 409 Conflict.
    pub fn conflict(message: impl Into<String>, type_key: &str) -> Self {
        Self::new(StatusCode::CONFLICT, message, type_key)
    }

    /// 500 with the real service's generic internal-error wording (used when the simulator itself
    /// fails, e.g. a git operation on disk).
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "TF400898: An Internal Error Occurred. Activity Id: {}. {detail}",
                uuid::Uuid::new_v4()
            ),
            "VssServiceException",
        )
    }

    /// Overrides the .NET type name (the default is derived from `type_key`).
    #[must_use]
    pub fn with_type_name(mut self, type_name: impl Into<String>) -> Self {
        self.type_name = type_name.into();
        self
    }

    /// Overrides `eventId` (3000 by default, 0 for ASP.NET-level errors).
    #[must_use]
    pub fn with_event_id(mut self, event_id: u32) -> Self {
        self.event_id = event_id;
        self
    }

    /// Adds a response header (e.g. `WWW-Authenticate`).
    #[must_use]
    pub fn with_header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((name, v));
        }
        self
    }

    /// The JSON body exactly as the service writes it.
    pub fn body(&self) -> serde_json::Value {
        json!({
            "$id": "1",
            "innerException": null,
            "message": self.message,
            "typeName": self.type_name,
            "typeKey": self.type_key,
            "errorCode": 0,
            "eventId": self.event_id,
        })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, Json(self.body())).into_response();
        for (name, value) in self.headers {
            resp.headers_mut().append(name, value);
        }
        resp
    }
}

/// Any git2 failure inside a handler is a 500 with the VSS body, never a panic.
impl From<git2::Error> for ApiError {
    fn from(e: git2::Error) -> Self {
        Self::internal(e.message())
    }
}

/// The assembly-qualified .NET name the service puts in `typeName` for well-known keys.
fn type_name_for(type_key: &str) -> String {
    let (ns, asm) = match type_key {
        k if k.starts_with("Git") => (
            "Microsoft.TeamFoundation.Git.Server",
            "Microsoft.TeamFoundation.Git.Server",
        ),
        "ProjectDoesNotExistWithNameException" | "ProjectDoesNotExistException" => (
            "Microsoft.TeamFoundation.Core.WebApi",
            "Microsoft.TeamFoundation.Core.WebApi",
        ),
        "InvalidRequestException"
        | "ReleaseNotFoundException"
        | "ReleaseDefinitionNotFoundException"
        | "InvalidReleaseOperationException" => (
            "Microsoft.VisualStudio.Services.ReleaseManagement.Data.Exceptions",
            "Microsoft.VisualStudio.Services.ReleaseManagement2.Data",
        ),
        "VssVersionNotSpecifiedException" | "VssInvalidPreviewVersionException" => (
            "Microsoft.VisualStudio.Services.WebApi",
            "Microsoft.VisualStudio.Services.WebApi",
        ),
        "HttpException" => ("System.Web", "System.Web"),
        "JsonReaderException" => ("Newtonsoft.Json", "Newtonsoft.Json"),
        "ArgumentException" | "ArgumentNullException" | "InvalidOperationException" => {
            ("System", "mscorlib")
        }
        _ => (
            "Microsoft.TeamFoundation.Framework.Server",
            "Microsoft.TeamFoundation.Framework.Server",
        ),
    };
    format!("{ns}.{type_key}, {asm}")
}

/// What every handler returns.
pub type ApiResult<T> = Result<T, ApiError>;
