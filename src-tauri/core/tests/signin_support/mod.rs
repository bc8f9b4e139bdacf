//! Shared by the sign-in tests: a simulator with an Entra ID profile, the test playing the
//! browser, and the simulator's admin knobs.
#![allow(dead_code)]

use std::sync::Arc;

use ado_sim::{start, SimHandle, SimOptions};
use hotfix_core::profiles::{Profile, ProfileStore, SignInMethod};
use hotfix_core::secrets::SecretStore;
use hotfix_core::signin::session::SignInOptions;
use hotfix_core::signin::SignInSessions;
use hotfix_core::AppError;
use serde_json::Value;
use url::Url;
pub struct Setup {
    pub sim: SimHandle,
    pub dir: tempfile::TempDir,
    pub store: ProfileStore,
    pub secrets: Arc<SecretStore>,
    pub sessions: SignInSessions,
    pub profile: Profile,
}

pub async fn setup() -> Setup {
    let sim = start(SimOptions::default()).await.expect("simulator");
    let dir = tempfile::tempdir().unwrap();
    let store = ProfileStore::open(dir.path()).unwrap();
    let mut draft = Profile::new_with_defaults(String::new());
    draft.name = "Contoso (simulated)".into();
    draft.organization_url = sim.info().org_url.clone();
    draft.simulated = true;
    assert_eq!(draft.sign_in.method, SignInMethod::Entra);
    let profile = store.create(draft).unwrap();
    let secrets = Arc::new(SecretStore::in_memory());
    let sessions = SignInSessions::new(Arc::clone(&secrets));
    Setup {
        sim,
        dir,
        store,
        secrets,
        sessions,
        profile,
    }
}

pub async fn admin(
    sim: &SimHandle,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let url = format!("{}{path}", sim.info().admin_url);
    let mut req = reqwest::Client::new().request(method, &url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

pub async fn knobs(sim: &SimHandle, patch: Value) {
    admin(sim, reqwest::Method::POST, "/entra", Some(patch)).await;
}

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The link of the authorize page with `data-testid="entra-{decision}"`.
pub async fn click(authorize: &Url, decision: &str) -> Url {
    let page = no_redirects().get(authorize.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let marker = format!("data-testid=\"entra-{decision}\" href=\"");
    let start = html.find(&marker).expect("the authorize page has the link") + marker.len();
    let href = &html[start..start + html[start..].find('"').unwrap()];
    Url::parse(&href.replace("&amp;", "&")).unwrap()
}

/// What the authority redirects the browser to after `decision`.
pub async fn redirect_of(authorize: &Url, decision: &str) -> Url {
    let resp = no_redirects()
        .get(click(authorize, decision).await)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap()
}

/// Plays the browser: page, click, redirect to the app's loopback (through `tamper`); returns
/// the page the loopback shows.
pub async fn browse(authorize: Url, decision: &str, tamper: fn(Url) -> Url) -> String {
    let back = tamper(redirect_of(&authorize, decision).await);
    // The redirect URI says localhost; the listener is on 127.0.0.1.
    let mut to = back.clone();
    to.set_host(Some("127.0.0.1")).unwrap();
    no_redirects()
        .get(to)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub fn keep(url: Url) -> Url {
    url
}

/// Signs `s.profile` in, with a browser that `decision`s (and `tamper`s with the redirect).
pub async fn sign_in_with(
    s: &Setup,
    decision: &'static str,
    tamper: fn(Url) -> Url,
    options: SignInOptions,
) -> (Result<hotfix_core::signin::SignInAccount, AppError>, String) {
    let (tx, rx) = tokio::sync::oneshot::channel::<Url>();
    let browser = tokio::spawn(async move {
        match rx.await {
            Ok(url) => browse(url, decision, tamper).await,
            Err(_) => String::new(),
        }
    });
    let result = s
        .sessions
        .sign_in(&s.profile, options, move |url| {
            let _ = tx.send(url.clone());
            Ok(())
        })
        .await;
    (result, browser.await.unwrap())
}

pub async fn sign_in(s: &Setup) -> hotfix_core::signin::SignInAccount {
    let (result, page) = sign_in_with(s, "accept", keep, SignInOptions::default()).await;
    assert!(page.contains("You can close this tab"), "{page}");
    result.unwrap()
}

pub fn profile_file(s: &Setup) -> Vec<u8> {
    std::fs::read(s.store.path()).unwrap()
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_containing(&path, needle));
        } else if std::fs::read(&path).is_ok_and(|b| String::from_utf8_lossy(&b).contains(needle)) {
            out.push(path);
        }
    }
    out
}

#[derive(Clone)]
pub struct LogFile(pub Arc<std::sync::Mutex<std::fs::File>>);

impl std::io::Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap().flush()
    }
}

#[cfg(unix)]
pub fn fake_az(dir: &std::path::Path, script: &str) -> std::ffi::OsString {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let az = bin.join("az");
    std::fs::write(&az, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut joined = bin.into_os_string();
    joined.push(":");
    joined.push(path);
    joined
}

/// `git ls-remote` with `Authorization: {value}` passed through git's environment config (never
/// on the command line, where other users could read it).
pub async fn git_ls_remote(repo: String, value: String) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new("git")
            .args(["ls-remote", &repo])
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_CONFIG_COUNT", "1")
            .env("GIT_CONFIG_KEY_0", "http.extraHeader")
            .env("GIT_CONFIG_VALUE_0", format!("Authorization: {value}"))
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}
