//! A damaged cached clone is detected and cloned again (into a temporary folder, then swapped
//! in), and a cache folder that cannot be written says what to do.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ado_sim::{SimHandle, SimOptions};
use hotfix_core::git::{GitAuth, GitCache, SyncOutcome};
use hotfix_core::secrets::Token;
use hotfix_core::{AppResult, ErrorCode};

fn url(sim: &SimHandle) -> String {
    let i = sim.info();
    format!("{}/{}/_git/{}", i.org_url, i.project, i.repository)
}

async fn sync(cache: &GitCache, sim: &SimHandle) -> AppResult<SyncOutcome> {
    let auth = GitAuth::Pat(Token::new(sim.info().pat.clone()));
    cache.sync("p1", &url(sim), auth, Arc::new(|_| {})).await
}

/// Damages a clone's folder.
type Damage = Box<dyn Fn(&Path)>;

fn pack_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("objects/pack"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_damage_is_cloned_again_and_swapped_in() {
    let sim = ado_sim::start(SimOptions::default()).await.unwrap();
    let root = tempfile::tempdir().unwrap();
    let cache = GitCache::new(root.path());
    let first = sync(&cache, &sim).await.unwrap();
    let dir = cache.repo_dir("p1");
    let damages: Vec<(&str, Damage)> = vec![
        (
            "lock file",
            Box::new(|d: &Path| {
                std::fs::write(d.join("refs/remotes/origin/main.lock"), b"").unwrap();
            }),
        ),
        (
            "no branches",
            Box::new(|d: &Path| {
                std::fs::remove_dir_all(d.join("refs/remotes")).unwrap();
                let _ = std::fs::remove_file(d.join("packed-refs"));
            }),
        ),
        (
            "is incomplete",
            Box::new(|d: &Path| {
                for p in pack_files(d) {
                    std::fs::remove_file(p).unwrap();
                }
            }),
        ),
        (
            "not a readable git repository",
            Box::new(|d: &Path| {
                std::fs::remove_dir_all(d).unwrap();
                std::fs::create_dir_all(d).unwrap();
                std::fs::write(d.join("notes.txt"), b"not git").unwrap();
            }),
        ),
    ];
    for (what, damage) in damages {
        damage(&dir);
        // A half-finished clone of an earlier crash sits beside it too.
        let leftover = root.path().join("git/.p1.tmp-crashed");
        std::fs::create_dir_all(leftover.join("objects")).unwrap();
        let repaired = sync(&cache, &sim).await.unwrap();
        assert!(repaired.cloned, "{what}");
        let why = repaired.repaired.clone().unwrap_or_default();
        assert!(why.contains(what), "{what}: {why}");
        assert_eq!(repaired.heads, first.heads, "{what}");
        assert!(!leftover.exists(), "{what}: the leftover was removed");
        let names: Vec<String> = std::fs::read_dir(root.path().join("git"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            vec!["p1".to_owned()],
            "{what}: only the swapped-in clone is left"
        );
        // And it is usable: the next sync is a plain fetch.
        let next = sync(&cache, &sim).await.unwrap();
        assert!(!next.cloned && next.repaired.is_none(), "{what}: {next:?}");
    }
    sim.shutdown().await;
}

/// Makes `dir` unwritable for this process: `chmod 555`, and for root (who ignores modes)
/// the immutable attribute. Undone on drop.
struct ReadOnly(PathBuf, bool);

impl ReadOnly {
    fn new(dir: &Path) -> Self {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        let probe = dir.join(".probe");
        let mut immutable = false;
        if std::fs::write(&probe, b"").is_ok() {
            std::fs::remove_file(&probe).unwrap();
            let ok = std::process::Command::new("chattr")
                .arg("+i")
                .arg(dir)
                .status();
            assert!(
                ok.is_ok_and(|s| s.success()),
                "cannot make {} read-only",
                dir.display()
            );
            immutable = true;
        }
        assert!(
            std::fs::write(&probe, b"").is_err(),
            "{} is still writable",
            dir.display()
        );
        Self(dir.to_path_buf(), immutable)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.1 {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.0)
                .status();
        }
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_cache_folder_says_what_to_do() {
    let sim = ado_sim::start(SimOptions::default()).await.unwrap();
    let root = tempfile::tempdir().unwrap();
    // First use: the cache folder itself cannot be written.
    let cache_root = root.path().join("cache");
    std::fs::create_dir_all(&cache_root).unwrap();
    {
        let _ro = ReadOnly::new(&cache_root);
        let err = sync(&GitCache::new(&cache_root), &sim).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Storage, "{err:?}");
        assert!(
            err.message.contains("cannot write to its cache folder"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("Make the folder writable"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("SYNAPSE_HOTFIX_HOME"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("Nothing was changed in Azure DevOps"),
            "{}",
            err.message
        );
    }
    // An existing clone whose folder became read-only: the fetch is not attempted into it.
    let cache = GitCache::new(&cache_root);
    sync(&cache, &sim).await.unwrap();
    let git_dir = cache_root.join("git");
    {
        let _ro = ReadOnly::new(&git_dir);
        let err = sync(&cache, &sim).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Storage, "{err:?}");
        assert!(
            err.message.contains(&git_dir.display().to_string()),
            "{}",
            err.message
        );
    }
    sync(&cache, &sim).await.unwrap();
    sim.shutdown().await;
}
