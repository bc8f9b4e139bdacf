//! Step 5 — how often the deployment watcher reads the release (issue 9 §3): at most one status
//! request every 2 s while tasks run; backing off while the stage is queued or waiting for an
//! approval (nothing changes quickly there); slower when `X-RateLimit-Remaining` runs low; and,
//! while the window is hidden, only a slow status check (no log reads). `Retry-After` is honoured
//! by the client itself (the next request waits), and added here so the watcher does not count on
//! a request it cannot send yet.

use std::time::Duration;

use super::step5_status::DeployPhase;
use crate::ado::RateLimit;

/// The shortest pause between two status reads: the polling budget.
pub const RUNNING_INTERVAL: Duration = Duration::from_secs(2);
/// First pause while queued; grows by half each time, up to [`QUEUED_MAX`].
pub const QUEUED_INTERVAL: Duration = Duration::from_secs(4);
pub const QUEUED_MAX: Duration = Duration::from_secs(20);
/// First pause while waiting for an approval; grows by half, up to [`APPROVAL_MAX`].
pub const APPROVAL_INTERVAL: Duration = Duration::from_secs(10);
pub const APPROVAL_MAX: Duration = Duration::from_secs(60);
/// The slow check while the window is hidden.
pub const HIDDEN_INTERVAL: Duration = Duration::from_secs(30);
/// Below this share of the rate-limit budget, every pause is multiplied by [`LOW_BUDGET_FACTOR`].
pub const LOW_BUDGET_SHARE: f64 = 0.2;
pub const LOW_BUDGET_FACTOR: u32 = 4;
/// After a failed read: 2 s, 4 s, 8 s, … up to this.
pub const ERROR_MAX: Duration = Duration::from_secs(60);

/// What the next pause depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaceInput {
    pub phase: DeployPhase,
    /// How many reads in a row found the same phase (0 = it just changed).
    pub same_phase_reads: u32,
    pub window_visible: bool,
    pub rate: Option<RateLimit>,
    /// The client holds the next request back this long (`Retry-After` on a success).
    pub client_pause: Duration,
    /// Failed reads in a row.
    pub failures: u32,
}

fn grow(first: Duration, max: Duration, steps: u32) -> Duration {
    let mut d = first;
    for _ in 0..steps.min(16) {
        d = (d * 3 / 2).min(max);
    }
    d.min(max)
}

/// The pause before the next status read.
pub fn next_delay(p: &PaceInput) -> Duration {
    let base = if p.failures > 0 {
        grow(
            RUNNING_INTERVAL,
            ERROR_MAX,
            p.failures.saturating_mul(2) - 1,
        )
    } else {
        match p.phase {
            DeployPhase::Running | DeployPhase::Cancelling | DeployPhase::Finished => {
                RUNNING_INTERVAL
            }
            DeployPhase::Queued => grow(QUEUED_INTERVAL, QUEUED_MAX, p.same_phase_reads),
            DeployPhase::AwaitingApproval => {
                grow(APPROVAL_INTERVAL, APPROVAL_MAX, p.same_phase_reads)
            }
        }
    };
    let base = if p.window_visible {
        base
    } else {
        base.max(HIDDEN_INTERVAL)
    };
    let base = match p.rate {
        Some(r) if r.share_left() < LOW_BUDGET_SHARE => base * LOW_BUDGET_FACTOR,
        _ => base,
    };
    base.max(p.client_pause).max(RUNNING_INTERVAL)
}

/// Whether a log read goes with this status read: only while the window is visible, and not
/// when the rate-limit budget is low.
pub fn read_logs(visible: bool, rate: Option<RateLimit>) -> bool {
    visible && rate.is_none_or(|r| r.share_left() >= LOW_BUDGET_SHARE)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn input(phase: DeployPhase) -> PaceInput {
        PaceInput {
            phase,
            same_phase_reads: 0,
            window_visible: true,
            rate: None,
            client_pause: Duration::ZERO,
            failures: 0,
        }
    }

    #[test]
    fn running_reads_every_two_seconds_never_faster() {
        assert_eq!(next_delay(&input(DeployPhase::Running)), RUNNING_INTERVAL);
        let mut p = input(DeployPhase::Running);
        p.same_phase_reads = 40;
        assert_eq!(next_delay(&p), RUNNING_INTERVAL);
    }

    #[test]
    fn queued_and_approval_back_off_up_to_their_ceiling() {
        let mut p = input(DeployPhase::Queued);
        let first = next_delay(&p);
        p.same_phase_reads = 1;
        let second = next_delay(&p);
        p.same_phase_reads = 30;
        assert_eq!(first, QUEUED_INTERVAL);
        assert!(second > first);
        assert_eq!(next_delay(&p), QUEUED_MAX);
        let mut a = input(DeployPhase::AwaitingApproval);
        a.same_phase_reads = 30;
        assert_eq!(next_delay(&a), APPROVAL_MAX);
    }

    #[test]
    fn hidden_windows_low_budgets_retry_after_and_errors_slow_down() {
        let mut p = input(DeployPhase::Running);
        p.window_visible = false;
        assert_eq!(next_delay(&p), HIDDEN_INTERVAL);
        assert!(!read_logs(false, None));
        let mut p = input(DeployPhase::Running);
        let low = RateLimit {
            remaining: 5.0,
            limit: Some(200.0),
            at: Instant::now(),
        };
        p.rate = Some(low);
        assert_eq!(next_delay(&p), RUNNING_INTERVAL * LOW_BUDGET_FACTOR);
        assert!(!read_logs(true, Some(low)));
        let mut p = input(DeployPhase::Running);
        p.client_pause = Duration::from_secs(12);
        assert_eq!(next_delay(&p), Duration::from_secs(12));
        let mut p = input(DeployPhase::Running);
        p.failures = 1;
        assert_eq!(next_delay(&p), Duration::from_secs(3));
        p.failures = 20;
        assert_eq!(next_delay(&p), ERROR_MAX);
    }
}
