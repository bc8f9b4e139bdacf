//! Runs on disk: `{data}/runs/{id}.json`, one file per run, written atomically after every step.
//! A file that cannot be read is moved aside (never silently dropped) and reported.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::Utc;

use super::history::HistoryStore;
use super::migrate::migrate;
use super::run::{HotfixRun, RUN_VERSION};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::fsutil;
use crate::profiles::Profile;

pub struct RunStore {
    dir: PathBuf,
    /// Every save also records the run's history entry ([`HistoryStore`]).
    history: HistoryStore,
    /// Serialises "check for an unfinished run, then create one" so two starts cannot both win.
    create_lock: Mutex<()>,
}

/// Run ids become file names: only accept what [`RunStore::create`] produces.
fn check_id(id: &str) -> AppResult<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid_input(format!(
            "\"{id}\" is not a hotfix run id."
        )))
    }
}

impl RunStore {
    /// The store below the app's data folder (`{data}/runs`).
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("runs"),
            history: HistoryStore::new(data_dir),
            create_lock: Mutex::new(()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The history kept beside the runs.
    pub fn history(&self) -> &HistoryStore {
        &self.history
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Reads one run. A file that is not a run is moved aside and reported as `CorruptFile`.
    pub fn get(&self, id: &str) -> AppResult<HotfixRun> {
        check_id(id)?;
        let path = self.path(id);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    format!(
                    "There is no hotfix run {id}. It may have been deleted; start a new hotfix."
                ),
                ))
            }
            Err(e) => {
                return Err(AppError::storage(
                    format!("Could not read the hotfix run {}.", path.display()),
                    &e,
                ))
            }
        };
        Self::parse(&path, &bytes)
    }

    fn parse(path: &Path, bytes: &[u8]) -> AppResult<HotfixRun> {
        let version = serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .and_then(|v| v.get("version").and_then(serde_json::Value::as_u64));
        if let Some(v) = version.filter(|v| *v > u64::from(RUN_VERSION)) {
            return Err(AppError::new(
                ErrorCode::Precondition,
                format!(
                    "The hotfix run {} was saved by a newer version of Synapse Hotfix (format {v}). \
                     Update the app to continue it.",
                    path.display()
                ),
            ));
        }
        serde_json::from_slice::<serde_json::Value>(bytes)
            .map_err(|e| e.to_string())
            .and_then(migrate)
            .and_then(|v| serde_json::from_value::<HotfixRun>(v).map_err(|e| e.to_string()))
            .map_err(|e| {
            let moved = fsutil::move_aside(path);
            let where_ = moved.as_ref().map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
            AppError::new(
                ErrorCode::CorruptFile,
                format!(
                    "The saved hotfix run {} could not be read, so it was kept aside as {where_}. \
                     Start a new hotfix; check Azure DevOps for a branch the old run may have created.",
                    path.display()
                ),
            )
            .with_detail(e)
        })
    }

    /// Every readable run, newest first. Unreadable files are moved aside and skipped.
    pub fn list(&self) -> AppResult<Vec<HotfixRun>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(AppError::storage(
                    "Could not list the saved hotfix runs.",
                    &e,
                ))
            }
        };
        let mut runs = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let is_run = path.extension().is_some_and(|e| e == "json")
                && !path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if !is_run {
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            match Self::parse(&path, &bytes) {
                Ok(run) => runs.push(run),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "skipped a hotfix run file");
                }
            }
        }
        runs.sort_by(|a, b| {
            b.updated_at
                .cmp(&a.updated_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(runs)
    }

    /// The unfinished run for this profile and production workspace, if any.
    pub fn unfinished_for(
        &self,
        profile_id: &str,
        prod_workspace: &str,
    ) -> AppResult<Option<HotfixRun>> {
        Ok(self.list()?.into_iter().find(|r| {
            r.is_unfinished()
                && r.profile_id == profile_id
                && r.prod_workspace.eq_ignore_ascii_case(prod_workspace)
        }))
    }

    /// Saves the run atomically, stamping `updated_at`, then records its history entry. The run's
    /// own file decides: a history entry that cannot be written is logged and written at the next
    /// save (the history reads the run file while it exists).
    pub fn save(&self, run: &mut HotfixRun) -> AppResult<()> {
        check_id(&run.id)?;
        run.updated_at = Utc::now();
        run.version = RUN_VERSION;
        let path = self.path(&run.id);
        let saved = fsutil::write_json_atomic(&path, run).map_err(|e| {
            AppError::storage(
                format!(
                    "Could not save the hotfix run to {}, so the app cannot record this step. \
                     Free some disk space or check that the folder can be written to, then repeat \
                     the step: it finds what was already done in Azure DevOps and does not do it twice.",
                    path.display()
                ),
                &e,
            )
        });
        if saved.is_ok() {
            if let Err(e) = self.history.record(run) {
                tracing::warn!(run = %run.id, error = %e, "history entry not written");
            }
        }
        saved
    }

    /// Starts a run for `profile`, refusing a second unfinished one for the same profile and
    /// production workspace (`Precondition`, `detail` = the existing run's id).
    pub fn create(&self, profile: &Profile) -> AppResult<HotfixRun> {
        if profile.prod_workspace.trim().is_empty() {
            return Err(AppError::invalid_input(
                "The profile names no production workspace. Fill in Profile → Workspaces first.",
            ));
        }
        let _guard = self
            .create_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(existing) = self.unfinished_for(&profile.id, &profile.prod_workspace)? {
            return Err(AppError::new(
                ErrorCode::Precondition,
                format!(
                    "A hotfix for {} is already under way (started {}, at step {} \"{}\"). Continue it, \
                     or abandon it before starting another one.",
                    profile.prod_workspace,
                    existing.created_at.format("%Y-%m-%d %H:%M UTC"),
                    existing.current_step.number(),
                    existing.current_step.title()
                ),
            )
            .with_detail(existing.id));
        }
        let mut run = HotfixRun::new(uuid::Uuid::new_v4().to_string(), profile, Utc::now());
        self.save(&mut run)?;
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hotfix::run::RunStatus;

    fn profile(id: &str, ws: &str) -> Profile {
        let mut p = Profile::new_with_defaults(id.into());
        p.name = format!("Profile {id}");
        p.prod_workspace = ws.into();
        p
    }

    #[test]
    fn saves_and_reloads_a_run() {
        let dir = tempfile::tempdir().unwrap();
        let store = RunStore::new(dir.path());
        let mut run = store.create(&profile("p1", "prod-ws")).unwrap();
        run.complete_step(crate::hotfix::StepId::Release);
        store.save(&mut run).unwrap();
        let back = store.get(&run.id).unwrap();
        assert_eq!(back.current_step, crate::hotfix::StepId::Branch);
        assert_eq!(store.list().unwrap().len(), 1);
        assert!(dir
            .path()
            .join("runs")
            .join(format!("{}.json", run.id))
            .exists());
    }

    #[test]
    fn refuses_a_second_unfinished_run_for_the_same_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let store = RunStore::new(dir.path());
        let mut first = store.create(&profile("p1", "prod-ws")).unwrap();
        let err = store.create(&profile("p1", "PROD-WS")).unwrap_err();
        assert_eq!(err.code, ErrorCode::Precondition);
        assert_eq!(err.detail.as_deref(), Some(first.id.as_str()));
        // Another workspace or another profile is fine.
        store.create(&profile("p1", "other-ws")).unwrap();
        store.create(&profile("p2", "prod-ws")).unwrap();
        // Once the first is abandoned, a new one may start.
        first.status = RunStatus::Abandoned;
        store.save(&mut first).unwrap();
        store.create(&profile("p1", "prod-ws")).unwrap();
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let store = RunStore::new(dir.path());
        std::fs::create_dir_all(store.dir()).unwrap();
        std::fs::write(store.dir().join("abc.json"), b"{not json").unwrap();
        let err = store.get("abc").unwrap_err();
        assert_eq!(err.code, ErrorCode::CorruptFile);
        assert!(!store.dir().join("abc.json").exists());
        assert!(store.list().unwrap().is_empty());
    }

    #[test]
    fn ids_cannot_escape_the_folder_and_unknown_ids_are_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let store = RunStore::new(dir.path());
        assert_eq!(store.get("../x").unwrap_err().code, ErrorCode::InvalidInput);
        assert_eq!(store.get("nope").unwrap_err().code, ErrorCode::NotFound);
    }

    #[test]
    fn a_run_from_a_newer_version_is_refused_not_destroyed() {
        let dir = tempfile::tempdir().unwrap();
        let store = RunStore::new(dir.path());
        let run = store.create(&profile("p1", "ws")).unwrap();
        let path = store.dir().join(format!("{}.json", run.id));
        let mut json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        json["version"] = 99.into();
        std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
        assert_eq!(
            store.get(&run.id).unwrap_err().code,
            ErrorCode::Precondition
        );
        assert!(path.exists());
    }
}
