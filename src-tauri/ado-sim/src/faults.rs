//! Fault injection: the admin API registers faults per method + path regex (status and body,
//! extra headers — alone, they are added to the real answer —, delay, dropped connection, `429`
//! with rate-limit headers) for the next N matching requests. The middleware runs before routing
//! and authentication, like a misbehaving front door.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::errors::ApiError;
use crate::state::AppState;

/// What the admin API posts to `/_admin/faults`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultSpec {
    #[serde(default = "any_method")]
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub body: Option<Value>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub delay_ms: u64,
    #[serde(default)]
    pub drop: bool,
    #[serde(default = "one")]
    pub times: u32,
}

fn any_method() -> String {
    "*".into()
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone)]
struct Fault {
    id: u64,
    spec: FaultSpec,
    regex: Regex,
    remaining: u32,
}

/// The active faults.
#[derive(Debug, Default)]
pub struct FaultTable {
    next_id: u64,
    faults: Vec<Fault>,
}

impl FaultTable {
    /// Registers a fault; an invalid regex or status is reported to the caller.
    pub fn add(&mut self, spec: FaultSpec) -> Result<u64, String> {
        let regex = RegexBuilder::new(&spec.path)
            .case_insensitive(true)
            .build()
            .map_err(|e| format!("The fault path is not a valid regular expression: {e}"))?;
        if let Some(s) = spec.status {
            StatusCode::from_u16(s).map_err(|_| format!("{s} is not an HTTP status code"))?;
        }
        if spec.status.is_none() && !spec.drop && spec.delay_ms == 0 && spec.headers.is_empty() {
            return Err("A fault needs a status, a delay, headers or drop=true.".into());
        }
        self.next_id += 1;
        let id = self.next_id;
        let remaining = spec.times.max(1);
        self.faults.push(Fault {
            id,
            spec,
            regex,
            remaining,
        });
        Ok(id)
    }

    /// Removes every fault.
    pub fn clear(&mut self) {
        self.faults.clear();
    }

    /// The faults still armed (for the state dump).
    pub fn specs(&self) -> Vec<(u64, FaultSpec, u32)> {
        self.faults
            .iter()
            .map(|f| (f.id, f.spec.clone(), f.remaining))
            .collect()
    }

    /// Consumes one use of the first fault matching the request.
    fn take(&mut self, method: &str, path: &str) -> Option<FaultSpec> {
        let idx = self.faults.iter().position(|f| {
            (f.spec.method == "*" || f.spec.method.eq_ignore_ascii_case(method))
                && f.regex.is_match(path)
        })?;
        let fault = &mut self.faults[idx];
        fault.remaining -= 1;
        let spec = fault.spec.clone();
        if fault.remaining == 0 {
            self.faults.remove(idx);
        }
        Some(spec)
    }
}

/// The fault middleware (outside routing; `/_admin` is never faulted).
pub async fn inject(State(sim): State<AppState>, req: Request, next: Next) -> Response {
    // The router sees a lowercased path; record and match what the client sent.
    let path = crate::routing::OriginalPath::of(&req);
    if path.starts_with("/_admin") {
        return next.run(req).await;
    }
    let method = req.method().as_str().to_owned();
    let fault = sim
        .faults
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take(&method, &path);
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    if fault.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
    }
    if fault.drop {
        return dropped_connection();
    }
    let Some(status) = fault.status.and_then(|s| StatusCode::from_u16(s).ok()) else {
        // No status: the real answer, with the fault's headers added (e.g. `X-RateLimit-Remaining`
        // on successful answers, as the service sends before it starts delaying).
        let mut resp = next.run(req).await;
        add_headers(&mut resp, &fault);
        return resp;
    };
    let mut resp = match &fault.body {
        Some(Value::String(s)) => (status, s.clone()).into_response(),
        Some(v) => (status, axum::Json(v.clone())).into_response(),
        None => default_error(status).into_response(),
    };
    if status == StatusCode::TOO_MANY_REQUESTS {
        add_rate_limit_headers(&mut resp, &fault);
    }
    add_headers(&mut resp, &fault);
    resp
}

fn add_headers(resp: &mut Response, fault: &FaultSpec) {
    for (k, v) in &fault.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(v)) {
            resp.headers_mut().insert(k, v);
        }
    }
}

/// A response whose body fails at once: hyper aborts the connection, the client sees it dropped.
fn dropped_connection() -> Response {
    let stream = futures::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection dropped by an injected fault",
        ))
    });
    Response::new(Body::from_stream(stream))
}

/// The VSS body the service sends for a bare status.
fn default_error(status: StatusCode) -> ApiError {
    match status.as_u16() {
        429 => ApiError::new(
            status,
            "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'ATCPU' in namespace 'User'. For more information on why your request was blocked, see the topic \"Rate limits\" on the Microsoft Web site (https://go.microsoft.com/fwlink/?LinkId=823950).",
            "RequestBlockedException",
        ),
        503 => ApiError::new(
            status,
            "TF400893: The service is temporarily unavailable. Try again later.",
            "ServiceUnavailableException",
        ),
        404 => ApiError::not_found("The resource cannot be found.", "HttpException"),
        409 => ApiError::conflict("The request conflicts with the current state of the resource.", "InvalidOperationException"),
        401 => ApiError::new(status, "TF400813: The user '' is not authorized to access this resource.", "UnauthorizedRequestException"),
        403 => ApiError::new(status, "TF400813: The user '' is not authorized to access this resource.", "UnauthorizedRequestException"),
        s if s >= 500 => ApiError::internal("Injected server fault."),
        _ => ApiError::new(status, "The request could not be processed.", "InvalidOperationException"),
    }
}

/// `Retry-After` and the `X-RateLimit-*` family (rate-limits.md), unless the fault overrides them.
fn add_rate_limit_headers(resp: &mut Response, fault: &FaultSpec) {
    let reset = chrono::Utc::now().timestamp() + 300;
    let defaults = [
        ("retry-after", "1".to_owned()),
        ("x-ratelimit-resource", "ATCPU".to_owned()),
        ("x-ratelimit-delay", "0.000".to_owned()),
        ("x-ratelimit-limit", "200".to_owned()),
        ("x-ratelimit-remaining", "0".to_owned()),
        ("x-ratelimit-reset", reset.to_string()),
    ];
    for (k, v) in defaults {
        if !fault.headers.keys().any(|h| h.eq_ignore_ascii_case(k)) {
            if let Ok(v) = HeaderValue::from_str(&v) {
                resp.headers_mut().insert(HeaderName::from_static(k), v);
            }
        }
    }
}
