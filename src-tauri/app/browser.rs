//! Opening an address in the system browser. With `SYNAPSE_HOTFIX_OPENED_URLS=<file>` (the e2e
//! harness sets it) the address is appended to that file instead, one per line, so a test can
//! play the browser's part. Only allowlisted addresses ever reach this (see `open_url`).

use hotfix_core::{AppError, AppResult};
use url::Url;

/// Where opened addresses go instead of a browser (tests).
pub const OPENED_URLS_ENV: &str = "SYNAPSE_HOTFIX_OPENED_URLS";

pub fn open(url: &Url) -> AppResult<()> {
    if let Some(file) = std::env::var_os(OPENED_URLS_ENV).filter(|f| !f.is_empty()) {
        use std::io::Write;
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&file)
            .and_then(|mut f| writeln!(f, "{url}"));
        return written.map_err(|e| {
            AppError::storage(
                format!(
                    "The address could not be handed to the test harness ({}).",
                    std::path::Path::new(&file).display()
                ),
                &e,
            )
        });
    }
    open::that_detached(url.as_str()).map_err(|e| {
        AppError::internal(format!(
            "The system browser could not be started for {url}. Copy the address and open it by hand."
        ))
        .with_detail(e.to_string())
    })
}
