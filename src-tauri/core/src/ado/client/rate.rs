//! The rate-limit headers Azure DevOps sends before it starts delaying an identity
//! (`AUTH-AND-ERRORS.md` §4): `X-RateLimit-Remaining` / `X-RateLimit-Limit`. The client keeps the
//! latest ones so a poller can slow down before it runs into a 429. Part of [`super::AdoClient`].

use std::time::Instant;

use reqwest::header::HeaderMap;

use super::AdoClient;

/// What the latest answer with rate-limit headers said.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// TSTUs left before delays start (0 when already delayed).
    pub remaining: f64,
    /// TSTUs allowed before delays, when sent.
    pub limit: Option<f64>,
    pub at: Instant,
}

impl RateLimit {
    /// Share of the budget left (0–1); `remaining` alone counts as low below 10.
    pub fn share_left(&self) -> f64 {
        match self.limit {
            Some(l) if l > 0.0 => (self.remaining / l).clamp(0.0, 1.0),
            _ => (self.remaining / 100.0).clamp(0.0, 1.0),
        }
    }
}

fn header_f64(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

impl AdoClient {
    pub(super) fn note_rate_limit(&self, headers: &HeaderMap) {
        let Some(remaining) = header_f64(headers, "x-ratelimit-remaining") else {
            return;
        };
        let limit = header_f64(headers, "x-ratelimit-limit");
        *self
            .inner
            .rate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(RateLimit {
            remaining,
            limit,
            at: Instant::now(),
        });
    }

    /// The rate-limit headers of the latest answer that carried them.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        *self
            .inner
            .rate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How long the client holds the next request back because a successful answer carried
    /// `Retry-After` (zero when it does not).
    pub fn paused_for(&self) -> std::time::Duration {
        let until = *self.lock_pace();
        until
            .map(|u| u.saturating_duration_since(Instant::now()))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_share_left_uses_the_limit_when_sent() {
        let r = RateLimit {
            remaining: 20.0,
            limit: Some(200.0),
            at: Instant::now(),
        };
        assert!((r.share_left() - 0.1).abs() < 1e-9);
        let bare = RateLimit { limit: None, ..r };
        assert!((bare.share_left() - 0.2).abs() < 1e-9);
    }
}
