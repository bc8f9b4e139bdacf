//! The one retry rule of the client: a call marked [`Retry::Safe`] (every GET, and the writes whose
//! caller says repeating them cannot do anything twice) is repeated after a 429, 500, 502, 503, 504
//! or a connection that broke mid-call, waiting `Retry-After` (seconds or HTTP date) when the
//! server gives one, else an exponential back-off — all capped by
//! [`ClientOptions::max_retry_wait`](super::ClientOptions). Any other write is sent once.
//! Each wait is reported to the client's [`WaitObserver`], so the screen can say why it waits.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Serialize;
use ts_rs::TS;

/// Whether a call may be repeated after a 429, a 5xx or a dropped connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Idempotent (GET, or a PUT/PATCH that sets an absolute state): retried.
    Safe,
    /// Creates something (POST release, POST refs, …): never repeated blindly.
    Never,
}

/// The statuses a [`Retry::Safe`] call is repeated after.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// Why the client waits before repeating a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum WaitReason {
    /// HTTP 429: Azure DevOps is throttling this identity.
    RateLimited,
    /// HTTP 500/502/503/504.
    ServerError,
    /// The connection broke before the whole answer arrived.
    ConnectionDropped,
    /// A successful answer carried `Retry-After`: the next call is held back that long.
    SlowDown,
}

/// One wait of the client, as reported to the [`WaitObserver`] (and forwarded to the screen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RetryWait {
    pub reason: WaitReason,
    /// The HTTP status that caused the wait, when the server answered.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `GET`, `POST`, …
    pub method: String,
    /// The redacted URL (no query string, no credentials).
    pub url: String,
    /// How long the client waits before the next attempt.
    #[ts(type = "number")]
    pub wait_ms: u64,
    /// Which retry comes next (1 = the first repetition); 0 for a [`WaitReason::SlowDown`] pause.
    pub attempt: u32,
    /// True when the server said how long to wait (`Retry-After`), false for the client's back-off.
    pub server_asked: bool,
}

/// Called for every wait, on the task that waits: keep it quick (send on a channel, emit an event).
pub type WaitObserver = Arc<dyn Fn(&RetryWait) + Send + Sync>;

/// `Retry-After` as a duration: delay-seconds, or an HTTP date (a date in the past is zero).
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    retry_after_from(value, chrono::Utc::now())
}

pub(crate) fn retry_after_from(
    value: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    // IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is an RFC 2822 date with the zone "GMT".
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let ahead = when.with_timezone(&chrono::Utc) - now;
    Some(ahead.to_std().unwrap_or(Duration::ZERO))
}

/// Whole seconds, rounded up, for messages ("asked to wait 2 s").
pub(crate) fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        assert_eq!(retry_after_from("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after_from("Tue, 01 Dec 2026 10:00:12 GMT", now),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            retry_after_from("Tue, 01 Dec 2026 09:59:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(retry_after_from("soon", now), None);
        assert_eq!(retry_after_from("-3", now), None);
    }

    #[test]
    fn only_throttling_and_server_errors_are_retryable() {
        for s in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 501] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }

    #[test]
    fn seconds_round_up() {
        assert_eq!(ceil_secs(Duration::from_millis(1500)), 2);
        assert_eq!(ceil_secs(Duration::from_secs(3)), 3);
    }
}
