//! Where exported profiles are written: the user's Downloads folder (where people look for a file
//! they just saved), or `{data}/exports` when `SYNAPSE_HOTFIX_HOME` redirects the app's folders
//! (tests, portable use) or the OS has no Downloads folder. Existing files are never overwritten.

use std::path::{Path, PathBuf};

use hotfix_core::paths::HOME_ENV;
use hotfix_core::AppPaths;

/// The folder exports go to, decided once at start-up from the environment.
pub fn export_dir(paths: &AppPaths) -> PathBuf {
    let redirected = std::env::var_os(HOME_ENV).is_some_and(|v| !v.is_empty());
    let downloads = if redirected {
        None
    } else {
        dirs::download_dir()
    };
    downloads.unwrap_or_else(|| default_dir(paths))
}

/// `{data}/exports`.
pub fn default_dir(paths: &AppPaths) -> PathBuf {
    paths.data.join("exports")
}

/// A free file name in `dir` for the export of the profile called `name`.
pub fn export_path(dir: &Path, name: &str) -> PathBuf {
    free_path(dir, &file_stem(name))
}

/// The profile name as a portable file name: letters, digits, `-`, `_`, `.` and spaces kept,
/// anything else replaced by `_`.
fn file_stem(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches(['.', ' ']).to_owned();
    if cleaned.is_empty() {
        "profile".to_owned()
    } else {
        cleaned.chars().take(80).collect()
    }
}

fn free_path(dir: &Path, stem: &str) -> PathBuf {
    let candidate = |n: u32| {
        if n == 1 {
            dir.join(format!("{stem}.synapse-hotfix.json"))
        } else {
            dir.join(format!("{stem} ({n}).synapse-hotfix.json"))
        }
    };
    (1..10_000)
        .map(candidate)
        .find(|p| !p.exists())
        .unwrap_or_else(|| candidate(10_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stem_keeps_readable_names_and_replaces_path_characters() {
        assert_eq!(file_stem("Contoso — Sales"), "Contoso _ Sales");
        assert_eq!(file_stem("../etc/passwd"), "_etc_passwd");
        assert_eq!(file_stem("   "), "profile");
    }

    #[test]
    fn free_path_never_reuses_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let first = free_path(dir.path(), "p");
        assert_eq!(first.file_name().unwrap(), "p.synapse-hotfix.json");
        std::fs::write(&first, "{}").unwrap();
        let second = free_path(dir.path(), "p");
        assert_eq!(second.file_name().unwrap(), "p (2).synapse-hotfix.json");
    }
}
