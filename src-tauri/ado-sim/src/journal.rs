//! The request journal: every non-admin request with its status and duration, so tests can
//! assert what was (or was not) sent.

use std::collections::VecDeque;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use crate::state::AppState;

/// Entries kept; older ones are dropped first.
const CAPACITY: usize = 20_000;

/// One request as seen at the front door (original path casing).
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    pub ms: u64,
    /// The JSON body of a write (POST/PUT/PATCH with `application/json`, up to [`BODY_LIMIT`]),
    /// so tests can check what was sent (e.g. a refs update's `oldObjectId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
}

/// Bodies larger than this are not recorded (nor cut).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The journal.
#[derive(Debug, Default)]
pub struct Journal {
    next_seq: u64,
    entries: VecDeque<Entry>,
}

impl Journal {
    fn push(&mut self, mut e: Entry) {
        self.next_seq += 1;
        e.seq = self.next_seq;
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(e);
    }

    /// All entries, oldest first.
    pub fn entries(&self) -> Vec<Entry> {
        self.entries.iter().cloned().collect()
    }

    /// Forgets every entry (sequence numbers keep increasing).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// The journal middleware (outermost layer).
pub async fn record(State(sim): State<AppState>, req: Request, next: Next) -> Response {
    // The router sees a lowercased path; record and match what the client sent.
    let path = crate::routing::OriginalPath::of(&req);
    if path.starts_with("/_admin") {
        return next.run(req).await;
    }
    let method = req.method().as_str().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let (req, body) = json_body(req).await;
    let started = Instant::now();
    let resp = next.run(req).await;
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    sim.journal
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(Entry {
            seq: 0,
            method,
            path,
            query,
            status: resp.status().as_u16(),
            ms,
            body,
        });
    resp
}

/// Reads a small JSON write body and hands the request on with the same bytes.
async fn json_body(req: Request) -> (Request, Option<serde_json::Value>) {
    let is_write = !matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS" | "DELETE");
    let is_json = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
    let small = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n <= BODY_LIMIT);
    if !(is_write && is_json && small) {
        return (req, None);
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => {
            let value = serde_json::from_slice(&bytes).ok();
            (
                Request::from_parts(parts, axum::body::Body::from(bytes)),
                value,
            )
        }
        Err(_) => (Request::from_parts(parts, axum::body::Body::empty()), None),
    }
}
