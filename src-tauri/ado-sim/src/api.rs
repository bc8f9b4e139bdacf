//! Small helpers every REST area shares: the `{count, value}` list wrapper, continuation tokens,
//! case-insensitive query parameters, `$top`/`$skip` paging and a JSON body extractor whose
//! rejection is the real service's 400 instead of axum's plain text.

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::errors::{ApiError, ApiResult};

/// The response header carrying the next page's token.
pub const CONTINUATION_HEADER: &str = "x-ms-continuationtoken";

/// `{"count": n, "value": [...]}`, the wrapper of every list response.
pub fn list<T: Serialize>(items: Vec<T>) -> Json<Value> {
    let count = items.len();
    let value = serde_json::to_value(items).unwrap_or_else(|_| Value::Array(Vec::new()));
    Json(json!({ "count": count, "value": value }))
}

/// Adds `x-ms-continuationtoken` to a response when there is a next page.
pub fn with_continuation(resp: impl IntoResponse, token: Option<String>) -> Response {
    let mut resp = resp.into_response();
    if let Some(token) = token {
        if let Ok(v) = HeaderValue::from_str(&token) {
            resp.headers_mut().insert(CONTINUATION_HEADER, v);
        }
    }
    resp
}

/// Query parameters with case-insensitive names (the service treats `$TOP` like `$top`), keeping
/// repeated keys. Values are percent-decoded.
#[derive(Debug, Clone, Default)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    /// Parses a raw query string.
    pub fn parse(raw: &str) -> Self {
        let pairs = url::form_urlencoded::parse(raw.as_bytes())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
        Self { pairs }
    }

    /// First value of `name` (case-insensitive); empty values count as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.pairs
            .iter()
            .find(|(k, v)| *k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.pairs
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean flag (`true`/`false`, case-insensitive).
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.get(name).map(|v| v.eq_ignore_ascii_case("true"))
    }

    /// An integer parameter; a non-numeric value is the service's 400.
    pub fn int(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
                ApiError::bad_request(
                    format!("The value '{v}' is not valid for parameter '{name}'. Specify a valid integer."),
                    "InvalidArgumentValueException",
                )
            }),
        }
    }

    /// All parameters as a lowercase-keyed map (first value wins).
    pub fn to_map(&self) -> HashMap<String, String> {
        let mut m = HashMap::new();
        for (k, v) in &self.pairs {
            m.entry(k.clone()).or_insert_with(|| v.clone());
        }
        m
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::parse(parts.uri.query().unwrap_or("")))
    }
}

/// A page of a list: `$top` (or `top`) and `$skip` (or `skip`) as the service reads them.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub top: Option<usize>,
    pub skip: usize,
}

impl Page {
    /// Reads `$top`/`top` and `$skip`/`skip`; negative values are the service's 400.
    pub fn from_query(q: &QueryParams) -> ApiResult<Self> {
        let top = match q.int("$top")? {
            Some(v) => Some(v),
            None => q.int("top")?,
        };
        let skip = match q.int("$skip")? {
            Some(v) => Some(v),
            None => q.int("skip")?,
        };
        let non_negative = |name: &str, v: i64| -> ApiResult<usize> {
            usize::try_from(v).map_err(|_| {
                ApiError::bad_request(
                    format!("The value {v} for parameter '{name}' must be zero or greater."),
                    "ArgumentOutOfRangeException",
                )
            })
        };
        Ok(Self {
            top: top.map(|t| non_negative("$top", t)).transpose()?,
            skip: skip
                .map(|s| non_negative("$skip", s))
                .transpose()?
                .unwrap_or(0),
        })
    }

    /// Applies skip then top.
    pub fn apply<T>(&self, items: Vec<T>) -> Vec<T> {
        let it = items.into_iter().skip(self.skip);
        match self.top {
            Some(top) => it.take(top).collect(),
            None => it.collect(),
        }
    }
}

/// Pages `items` with `$top` + an opaque continuation token (the index of the next item), the way
/// git refs and release lists page. Returns the page and the next token, if any.
pub fn continuation_page<T>(
    items: Vec<T>,
    top: Option<usize>,
    token: Option<&str>,
) -> ApiResult<(Vec<T>, Option<String>)> {
    let start = match token {
        None => 0,
        Some(t) => t.parse::<usize>().map_err(|_| {
            ApiError::bad_request(
                format!("The continuation token '{t}' is not valid."),
                "InvalidArgumentValueException",
            )
        })?,
    };
    let total = items.len();
    let page: Vec<T> = items
        .into_iter()
        .skip(start)
        .take(top.unwrap_or(usize::MAX))
        .collect();
    let next = start + page.len();
    let token = (top.is_some() && next < total).then(|| next.to_string());
    Ok((page, token))
}

/// JSON body extractor: a malformed body is the service's 400 (`JsonReaderException`), an
/// empty one the service's `ArgumentNullException`, never axum's plain-text rejection.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = bytes::Bytes::from_request(req, state).await.map_err(|e| {
            ApiError::bad_request(
                format!("The request body could not be read: {e}"),
                "ArgumentException",
            )
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses a request body the way [`JsonBody`] does.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let text = std::str::from_utf8(bytes).unwrap_or("");
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(ApiError::bad_request(
            "Value cannot be null.\r\nParameter name: body. The request needs a JSON body.",
            "ArgumentNullException",
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        ApiError::bad_request(
            format!(
                "TF400898: An Internal Error Occurred. Activity Id: {}. Unexpected character encountered while parsing value: line {}, position {}. ({e})",
                uuid::Uuid::new_v4(),
                e.line(),
                e.column()
            ),
            "JsonReaderException",
        )
    })?;
    serde_json::from_value(value).map_err(|e| {
        ApiError::bad_request(
            format!("The request body is not a valid object for this operation: {e}."),
            "JsonSerializationException",
        )
        .with_type_name("Newtonsoft.Json.JsonSerializationException, Newtonsoft.Json")
    })
}

/// 201 Created with a JSON body.
pub fn created<T: Serialize>(body: &T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}
