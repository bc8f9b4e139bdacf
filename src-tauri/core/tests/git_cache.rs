//! The cached bare clone against the simulator's smart-HTTP git: clone and fetch with a PAT
//! (through the credential callback) and with a bearer token (as a header), the token nowhere on
//! disk, a refused token, and progress reported.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ado_sim::{SimHandle, SimOptions};
use base64::Engine as _;
use futures::future::BoxFuture;
use hotfix_core::ado::BearerSource;
use hotfix_core::git::{CacheProgress, GitAuth, GitCache};
use hotfix_core::secrets::Token;
use hotfix_core::{AppError, ErrorCode};
use serde_json::{json, Value};

pub fn url(sim: &SimHandle) -> String {
    let i = sim.info();
    format!("{}/{}/_git/{}", i.org_url, i.project, i.repository)
}

fn progress_log() -> (
    hotfix_core::git::cache::ProgressFn,
    Arc<Mutex<Vec<CacheProgress>>>,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    (Arc::new(move |p| s.lock().unwrap().push(p)), seen)
}

/// Every file under `dir`, with its bytes.
fn files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

async fn push(sim: &SimHandle, branch: &str, path: &str) -> String {
    let i = sim.info();
    let v: Value = reqwest::Client::new()
        .post(format!("{}/git/push-files", i.admin_url))
        .json(
            &json!({"project": i.project, "repository": i.repository, "branch": branch,
                      "message": "change", "files": {path: {"name": "x", "properties": {}}}}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["commitId"].as_str().unwrap().to_owned()
}

async fn git_requests(sim: &SimHandle) -> Vec<Value> {
    let all: Vec<Value> = reqwest::get(format!("{}/journal", sim.info().admin_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all.into_iter()
        .filter(|e| e["path"].as_str().unwrap_or("").contains("/_git/"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clones_and_fetches_with_a_pat_and_leaves_the_token_nowhere_on_disk() {
    let sim = ado_sim::start(SimOptions::default()).await.unwrap();
    let root = tempfile::tempdir().unwrap();
    let cache = GitCache::new(root.path());
    let pat = sim.info().pat.clone();
    let (progress, seen) = progress_log();

    let first = cache
        .sync(
            "p1",
            &url(&sim),
            GitAuth::Pat(Token::new(pat.clone())),
            Arc::clone(&progress),
        )
        .await
        .unwrap();
    assert!(first.cloned);
    assert_eq!(first.repaired, None);
    let names: Vec<&str> = first.heads.iter().map(|(n, _)| n.as_str()).collect();
    for b in [
        "main",
        "feature/customer-churn",
        "feature/sql-pool-views",
        "workspace_publish",
    ] {
        assert!(names.contains(&b), "{b} in {names:?}");
    }
    let p = seen.lock().unwrap().clone();
    let last = p.last().expect("progress was reported");
    assert!(
        last.total_objects > 0 && last.received_objects == last.total_objects,
        "{last:?}"
    );
    // The smart-HTTP requests went out; the first one was refused for lack of credentials and
    // answered through the credential callback (never in the URL).
    let requests = git_requests(&sim).await;
    assert!(requests.iter().any(|e| e["status"] == 401), "{requests:?}");
    assert!(requests
        .iter()
        .any(|e| e["status"] == 200 && e["path"].as_str().unwrap().ends_with("git-upload-pack")));

    // A new commit on main arrives with a fetch into the same clone.
    let head = push(&sim, "main", "pipeline/new_one.json").await;
    let second = cache
        .sync(
            "p1",
            &url(&sim),
            GitAuth::Pat(Token::new(pat.clone())),
            progress,
        )
        .await
        .unwrap();
    assert!(!second.cloned);
    assert!(second.heads.contains(&("main".to_owned(), head)));

    // Neither the token nor its Basic encoding is in any file of the cache, config included.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("pat:{pat}"));
    let all = files(root.path());
    assert!(all.iter().any(|(p, _)| p.ends_with("config")));
    for (path, bytes) in &all {
        assert!(!contains(bytes, &pat), "the token is in {}", path.display());
        assert!(
            !contains(bytes, &basic),
            "the encoded token is in {}",
            path.display()
        );
    }
    let config = std::fs::read_to_string(cache.repo_dir("p1").join("config")).unwrap();
    assert!(config.contains(&format!("url = {}", url(&sim))), "{config}");
    assert!(
        !config.contains('@'),
        "no user info in the remote URL: {config}"
    );
    sim.shutdown().await;
}

/// A bearer source that answers `first` until asked to refresh, then `then`.
struct Bearer {
    first: String,
    then: String,
    asked: AtomicUsize,
    forced: AtomicUsize,
}

impl BearerSource for Bearer {
    fn access_token(&self, force_refresh: bool) -> BoxFuture<'_, Result<Token, AppError>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        if force_refresh {
            self.forced.fetch_add(1, Ordering::SeqCst);
        }
        let t = if self.forced.load(Ordering::SeqCst) > 0 {
            &self.then
        } else {
            &self.first
        };
        let t = Token::new(t.clone());
        Box::pin(async move { Ok(t) })
    }

    fn account(&self) -> Option<String> {
        None
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_token_goes_as_a_header_and_a_refused_one_is_refreshed_once() {
    let sim = ado_sim::start(SimOptions::default()).await.unwrap();
    let root = tempfile::tempdir().unwrap();
    let cache = GitCache::new(root.path());
    // The simulator accepts a known token as a bearer too; the first one it does not know.
    let source = Arc::new(Bearer {
        first: "expired-access-token".into(),
        then: sim.info().pat.clone(),
        asked: AtomicUsize::new(0),
        forced: AtomicUsize::new(0),
    });
    let cred = hotfix_core::ado::Credential::Bearer(source.clone());
    let auth = GitAuth::from_credential(&cred).await.unwrap();
    let (progress, _) = progress_log();
    let done = cache.sync("p2", &url(&sim), auth, progress).await.unwrap();
    assert!(done.cloned);
    assert!(done.heads.iter().any(|(n, _)| n == "main"));
    assert_eq!(
        source.forced.load(Ordering::SeqCst),
        1,
        "refreshed exactly once"
    );
    // With the header accepted, no request needed a credential callback.
    let requests = git_requests(&sim).await;
    let refused = requests.iter().filter(|e| e["status"] == 401).count();
    assert_eq!(
        refused, 1,
        "only the expired token was refused: {requests:?}"
    );
    for (path, bytes) in files(root.path()) {
        assert!(
            !contains(&bytes, &sim.info().pat),
            "token in {}",
            path.display()
        );
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_pat_says_what_to_do_and_leaves_no_clone() {
    let sim = ado_sim::start(SimOptions::default()).await.unwrap();
    let root = tempfile::tempdir().unwrap();
    let cache = GitCache::new(root.path());
    let (progress, _) = progress_log();
    let err = cache
        .sync(
            "p3",
            &url(&sim),
            GitAuth::Pat(Token::new("not-a-token")),
            progress,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::TokenRejected, "{err:?}");
    assert!(
        err.message.contains("Profile → Credentials"),
        "{}",
        err.message
    );
    assert!(!cache.repo_dir("p3").exists());
    // No temporary clone is left behind either.
    let left: Vec<_> = std::fs::read_dir(root.path().join("git"))
        .unwrap()
        .flatten()
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // Libgit2 asked for credentials twice at most: the callback does not loop.
    let requests = git_requests(&sim).await;
    assert!(requests.len() <= 3, "{requests:?}");
    sim.shutdown().await;
}
