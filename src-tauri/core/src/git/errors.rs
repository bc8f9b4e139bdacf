//! What a failed clone or fetch tells the user: a cache folder that cannot be written (checked
//! with a probe file before git writes into it), and libgit2's errors by class — unreachable,
//! server trouble, a missing repository, a disk problem.

use std::path::Path;

use crate::error::{AppError, AppResult, ErrorCode};

/// The error for a cache folder that cannot be written.
pub(super) fn not_writable(dir: &Path, err: &std::io::Error) -> AppError {
    AppError::new(
        ErrorCode::Storage,
        format!(
            "The app cannot write to its cache folder {} ({}), where it keeps a copy of the \
             repository to compute the merge preview. Make the folder writable (or free some disk \
             space), or start the app with SYNAPSE_HOTFIX_HOME set to a writable folder, then try \
             again. Nothing was changed in Azure DevOps.",
            dir.display(),
            describe_io(err)
        ),
    )
    .with_detail(err.to_string())
}

fn describe_io(err: &std::io::Error) -> &'static str {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied: it is read-only for this user",
        std::io::ErrorKind::ReadOnlyFilesystem => "the disk is mounted read-only",
        std::io::ErrorKind::StorageFull => "the disk is full",
        _ => "it could not be written",
    }
}

/// Creates and removes a file in `dir`, to tell a read-only folder before git fails inside it.
pub(super) fn probe_writable(dir: &Path) -> AppResult<()> {
    std::fs::create_dir_all(dir).map_err(|e| not_writable(dir, &e))?;
    let probe = dir.join(format!(".write-probe-{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&probe, b"").map_err(|e| not_writable(dir, &e))?;
    std::fs::remove_file(&probe).map_err(|e| not_writable(dir, &e))
}

/// Maps a libgit2 failure of a fetch to what the user can do about it.
pub(super) fn fetch_error(err: &git2::Error, url: &str, dir: &Path) -> AppError {
    use git2::ErrorClass as C;
    let msg = err.message();
    let (code, message) = match err.class() {
        C::Net | C::Ssl | C::Os if !msg.contains("ermission") => (
            ErrorCode::Unreachable,
            format!(
                "git could not reach {url}: {msg}. Check your network connection and any proxy \
                 or VPN, then try again."
            ),
        ),
        C::Http if msg.contains("status code: 5") => (
            ErrorCode::ServerError,
            format!(
                "Azure DevOps had a problem serving the repository to git ({msg}). Try again in a \
                 moment."
            ),
        ),
        C::Http if msg.contains("status code: 404") => (
            ErrorCode::NotFound,
            "Azure DevOps has no such repository for git (HTTP 404). It may have been renamed or \
             deleted; pick it again in the profile."
                .to_owned(),
        ),
        C::Os | C::Filesystem | C::Odb | C::Index | C::Reference => (
            ErrorCode::Storage,
            format!(
                "git could not write the repository copy in {}: {msg}. Make the folder writable \
                 (or free some disk space), then try again.",
                dir.display()
            ),
        ),
        _ => (
            ErrorCode::Git,
            format!("git could not fetch the repository: {msg}. Try again."),
        ),
    };
    AppError::new(code, message).with_detail(format!("{:?}/{:?}: {msg}", err.class(), err.code()))
}
