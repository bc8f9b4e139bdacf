//! Logging set-up: `tracing` to stderr and to a daily rolling file in the log folder, at the level
//! given by `SYNAPSE_HOTFIX_LOG` (an `EnvFilter` directive such as `debug` or
//! `info,hotfix_core=debug`; default `info`). Secrets never reach a log line: tokens are a type whose
//! `Debug`/`Display` print `***`, and commands skip them in `#[instrument]`.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

/// The environment variable holding the log filter.
pub const LOG_ENV: &str = "SYNAPSE_HOTFIX_LOG";
/// File name prefix of the rolling log (`synapse-hotfix.log.YYYY-MM-DD`).
pub const LOG_FILE_PREFIX: &str = "synapse-hotfix.log";

static STARTED: OnceLock<Instant> = OnceLock::new();
static FILE_GUARD: OnceLock<WorkerGuard> = OnceLock::new();

/// Remembers when the process started (the first call wins); `ui-ready` is measured from here.
pub fn mark_process_start() -> Instant {
    *STARTED.get_or_init(Instant::now)
}

/// Milliseconds since [`mark_process_start`].
pub fn elapsed_ms() -> u64 {
    u64::try_from(mark_process_start().elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn filter() -> EnvFilter {
    EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Installs the global subscriber. Safe to call more than once (tests): later calls do nothing.
/// When the log folder cannot be used, logs go to stderr only and the reason is logged.
pub fn init(logs_dir: &Path) {
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let file = match std::fs::create_dir_all(logs_dir) {
        Ok(()) => {
            let appender = tracing_appender::rolling::daily(logs_dir, LOG_FILE_PREFIX);
            let (writer, guard) = tracing_appender::non_blocking(appender);
            // Keep the guard for the life of the process so buffered lines are flushed on exit.
            let _ = FILE_GUARD.set(guard);
            Some(
                fmt::layer()
                    .with_writer(writer)
                    .with_ansi(false)
                    .with_filter(filter()),
            )
        }
        Err(e) => {
            eprintln!(
                "Synapse Hotfix: logs go to stderr only, {} is unusable: {e}",
                logs_dir.display()
            );
            None
        }
    };
    if tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init()
        .is_ok()
    {
        tracing::info!(logs = %logs_dir.display(), version = env!("CARGO_PKG_VERSION"), "logging started");
    }
}
