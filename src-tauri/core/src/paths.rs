//! Where the app keeps its files. Resolved once at start-up and passed down as [`AppPaths`]; one
//! environment variable, `SYNAPSE_HOTFIX_HOME`, redirects all of them (tests, demos, portable use).

use std::path::{Path, PathBuf};

/// The environment variable that puts config, data, logs and cache under one folder.
pub const HOME_ENV: &str = "SYNAPSE_HOTFIX_HOME";
const APP_DIR: &str = "synapse-hotfix";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    /// Profiles (`profiles.json`).
    pub config: PathBuf,
    /// Hotfix runs, history, demo simulator state.
    pub data: PathBuf,
    /// Rolling log files.
    pub logs: PathBuf,
    /// Cached bare clones.
    pub cache: PathBuf,
}

impl AppPaths {
    /// All four folders under one root (what `SYNAPSE_HOTFIX_HOME` selects).
    pub fn under(root: &Path) -> Self {
        Self {
            config: root.join("config"),
            data: root.join("data"),
            logs: root.join("logs"),
            cache: root.join("cache"),
        }
    }

    /// `SYNAPSE_HOTFIX_HOME` when set, else the OS folders (XDG on Linux, Application Support on
    /// macOS, AppData on Windows).
    pub fn resolve() -> Self {
        if let Some(root) = std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()) {
            return Self::under(Path::new(&root));
        }
        let fallback = std::env::temp_dir().join(APP_DIR);
        let os = |dir: Option<PathBuf>| dir.map_or_else(|| fallback.clone(), |d| d.join(APP_DIR));
        let data = os(dirs::data_local_dir());
        Self {
            config: os(dirs::config_dir()),
            logs: dirs::state_dir()
                .map_or_else(|| data.join("logs"), |d| d.join(APP_DIR).join("logs")),
            cache: os(dirs::cache_dir()),
            data,
        }
    }

    /// Creates the folders that do not exist yet.
    pub fn create_all(&self) -> std::io::Result<()> {
        for dir in [&self.config, &self.data, &self.logs, &self.cache] {
            std::fs::create_dir_all(dir)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_puts_every_folder_below_the_root() {
        let p = AppPaths::under(Path::new("/tmp/x"));
        for dir in [&p.config, &p.data, &p.logs, &p.cache] {
            assert!(dir.starts_with("/tmp/x"), "{dir:?}");
        }
        assert_ne!(p.config, p.data);
    }
}
