//! "Synapse Studio — simulated": the page demo mode opens instead of Synapse Studio.
//!
//! The app opens `{org_url}/{project}/_git/{repo}?version=GB{branch}` (the only Studio stand-in a
//! simulated organization has). This module answers that URL with one self-contained HTML page
//! (inline CSS, light/dark through `prefers-color-scheme`, no external assets): the branch picker,
//! the Synapse artifacts of the branch grouped by type (each one viewable) and an editor that
//! commits an artifact (or deletes it) on the branch the way Synapse Studio saves it.
//!
//! * `GET /{org}/{project}/_git/{repo}` needs no credentials (a browser cannot send a PAT) and only
//!   reads. Query: `version=GB{branch}` (default: the repository's default branch), `path` (the
//!   artifact loaded in the editor), `type` (artifact type of a new one), `committed` (a commit id to
//!   announce after a save).
//! * Writes go through the simulator's admin surface, `POST /_admin/studio/commit` (a form post),
//!   which validates the JSON and commits with [`crate::git::write::push_files`], exactly like
//!   `POST /_admin/git/push-files`. Any branch may be written except the publish branch (read from
//!   `publish_config.json` on the default branch, `workspace_publish` when absent): Studio only
//!   writes ARM templates there through Publish.
//!
//! Artifacts are the `*.json` files under the type folders at the repository root (the demo's
//! Synapse root folder is `/`).

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};
use serde_json::Value;

use crate::api::QueryParams;
use crate::git::version::branch_head;
use crate::git::write::PushFiles;
use crate::git::RepoInfo;
use crate::state::{AppState, Sim};

/// Synapse artifact folders, in the order the page shows them (Studio's resource types).
pub const ARTIFACT_TYPES: &[&str] = &[
    "pipeline",
    "notebook",
    "dataset",
    "dataflow",
    "linkedService",
    "trigger",
    "integrationRuntime",
    "sqlscript",
    "sparkJobDefinition",
    "kqlscript",
    "sparkConfiguration",
    "credential",
    "managedVirtualNetwork",
];

/// The publish branch Synapse uses when `publish_config.json` names none.
const DEFAULT_PUBLISH_BRANCH: &str = "workspace_publish";

/// Whether `path` (lower-cased by the router) is the Studio page, `/{org}/{project}/_git/{repo}`.
/// The auth middleware lets `GET` requests to it through without credentials.
pub fn is_page_path(path: &str) -> bool {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    segs.len() == 5 && segs[0].is_empty() && segs[3] == "_git" && !segs[4].is_empty()
}

/// `GET /{org}/{project}/_git/{repo}` (the admin form post is routed in `admin.rs`).
pub fn routes() -> Router<AppState> {
    Router::new().route("/{org}/{project}/_git/{repo}", get(page))
}

/// A failure shown as a page: what happened and what to do.
struct PageError {
    status: StatusCode,
    message: String,
}

impl PageError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

/// One artifact file.
struct Artifact {
    kind: String,
    name: String,
    path: String,
    json: String,
}

/// A branch as the page shows it.
struct BranchView {
    repo: RepoInfo,
    org: String,
    branches: Vec<String>,
    branch: String,
    head: String,
    head_summary: String,
    head_author: String,
    publish_branch: String,
    artifacts: Vec<Artifact>,
}

/// What the editor shows.
struct Editor {
    /// The artifact being edited (`""` = a new one).
    path: String,
    kind: String,
    content: String,
    message: String,
}

/// A banner above the page.
enum Banner {
    None,
    Committed { sha: String, summary: String },
    Error(String),
}

fn short(name: &str) -> &str {
    name.strip_prefix("refs/heads/").unwrap_or(name)
}

/// Reads `publishBranch` from `publish_config.json` on the default branch.
fn publish_branch(git: &Repository, repo: &RepoInfo) -> String {
    branch_head(git, short(&repo.default_branch))
        .and_then(|oid| git.find_commit(oid).ok())
        .and_then(|c| c.tree().ok())
        .and_then(|t| {
            t.get_path(std::path::Path::new("publish_config.json"))
                .ok()
                .and_then(|e| e.to_object(git).ok())
                .and_then(|o| o.into_blob().ok())
                .and_then(|b| serde_json::from_slice::<Value>(b.content()).ok())
        })
        .and_then(|v| v["publishBranch"].as_str().map(str::to_owned))
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_PUBLISH_BRANCH.to_owned())
}

/// Loads the branch (default branch when `branch` is `None`) with its artifacts.
fn load(sim: &Sim, repo: &RepoInfo, branch: Option<&str>) -> Result<BranchView, PageError> {
    let git = repo.open().map_err(|e| {
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("The repository could not be opened: {}", e.message),
        )
    })?;
    let mut branches: Vec<String> = git
        .references_glob("refs/heads/*")
        .map(|refs| {
            refs.flatten()
                .filter_map(|r| r.name().map(|n| short(n).to_owned()))
                .collect()
        })
        .unwrap_or_default();
    branches.sort_by_key(|b| (b != short(&repo.default_branch), b.to_ascii_lowercase()));
    let wanted = branch.unwrap_or(short(&repo.default_branch));
    let Some(branch) = branches
        .iter()
        .find(|b| b.eq_ignore_ascii_case(wanted))
        .cloned()
    else {
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            format!(
                "The branch '{wanted}' does not exist in repository {}. Pick one of: {}.",
                repo.name,
                branches.join(", ")
            ),
        ));
    };
    let head_id = branch_head(&git, &branch).ok_or_else(|| {
        PageError::new(
            StatusCode::NOT_FOUND,
            format!("The branch '{branch}' has no commit."),
        )
    })?;
    let head = git
        .find_commit(head_id)
        .map_err(|e| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e.message().to_owned()))?;
    let tree = head
        .tree()
        .map_err(|e| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e.message().to_owned()))?;
    let mut files: Vec<(String, Oid)> = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(ObjectType::Blob) {
            if let Some(name) = entry.name() {
                files.push((format!("{dir}{name}"), entry.id()));
            }
        }
        TreeWalkResult::Ok
    })
    .map_err(|e| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e.message().to_owned()))?;
    let mut artifacts = Vec::new();
    for (path, oid) in files {
        let Some((kind, rest)) = path.split_once('/') else {
            continue;
        };
        let Some(kind) = ARTIFACT_TYPES.iter().find(|t| **t == kind) else {
            continue;
        };
        let Some(file) = rest
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".json"))
        else {
            continue;
        };
        let bytes = git
            .find_blob(oid)
            .map(|b| b.content().to_vec())
            .unwrap_or_default();
        let json = String::from_utf8_lossy(&bytes).into_owned();
        let name = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v["name"].as_str().map(str::to_owned))
            .unwrap_or_else(|| file.to_owned());
        artifacts.push(Artifact {
            kind: (*kind).to_owned(),
            name,
            path,
            json,
        });
    }
    artifacts.sort_by_key(|a| {
        (
            ARTIFACT_TYPES.iter().position(|t| *t == a.kind),
            a.name.to_ascii_lowercase(),
        )
    });
    let head_summary = head.summary().unwrap_or_default().to_owned();
    let head_author = head.author().name().unwrap_or_default().to_owned();
    Ok(BranchView {
        org: sim.world().core.organization.clone(),
        publish_branch: publish_branch(&git, repo),
        repo: repo.clone(),
        branches,
        branch,
        head: head_id.to_string(),
        head_summary,
        head_author,
        artifacts,
    })
}

/// Finds the repository of a page or form (organization, project and repository by name or id).
fn find_repo(sim: &Sim, org: &str, project: &str, repo: &str) -> Result<RepoInfo, PageError> {
    crate::git::resolve_repo(sim, org, Some(project), repo)
        .map_err(|e| PageError::new(e.status, e.message))
}

/// A blank artifact for the editor's "new" choice.
fn template(kind: &str) -> String {
    let properties = match kind {
        "pipeline" => serde_json::json!({"activities": [], "annotations": []}),
        "trigger" => {
            serde_json::json!({"annotations": [], "runtimeState": "Stopped", "pipelines": []})
        }
        _ => serde_json::json!({"annotations": []}),
    };
    let value = serde_json::json!({"name": format!("new_{}", kind.to_ascii_lowercase()), "properties": properties});
    String::from_utf8_lossy(&crate::git::write::synapse_json(&value)).into_owned()
}

async fn page(
    State(sim): State<AppState>,
    Path((org, project, repo)): Path<(String, String, String)>,
    q: QueryParams,
) -> Response {
    let branch = q.get("version").map(|v| {
        v.strip_prefix("GB")
            .or_else(|| v.strip_prefix("gb"))
            .unwrap_or(v)
            .to_owned()
    });
    let path = q.get("path").map(str::to_owned);
    let kind = q.get("type").map(str::to_owned);
    let committed = q.get("committed").map(str::to_owned);
    let s = std::sync::Arc::clone(&sim);
    let result = tokio::task::spawn_blocking(move || -> Result<String, PageError> {
        let repo = find_repo(&s, &org, &project, &repo)?;
        let view = load(&s, &repo, branch.as_deref())?;
        let banner = committed
            .and_then(|sha| {
                let git = repo.open().ok()?;
                let oid = Oid::from_str(&sha).ok()?;
                let commit = git.find_commit(oid).ok()?;
                Some(Banner::Committed {
                    sha: oid.to_string(),
                    summary: commit.summary().unwrap_or_default().to_owned(),
                })
            })
            .unwrap_or(Banner::None);
        let editor = match path.and_then(|p| view.artifacts.iter().find(|a| a.path == p)) {
            Some(a) => Editor {
                path: a.path.clone(),
                kind: a.kind.clone(),
                content: a.json.clone(),
                message: String::new(),
            },
            None => {
                let kind = kind
                    .and_then(|k| ARTIFACT_TYPES.iter().find(|t| t.eq_ignore_ascii_case(&k)))
                    .unwrap_or(&"pipeline");
                Editor {
                    path: String::new(),
                    kind: (*kind).to_owned(),
                    content: template(kind),
                    message: String::new(),
                }
            }
        };
        Ok(render(&view, &editor, &banner))
    })
    .await;
    match result {
        Ok(Ok(html)) => html_response(StatusCode::OK, html),
        Ok(Err(e)) => error_page(&e),
        Err(e) => error_page(&PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            e.to_string(),
        )),
    }
}

/// `POST /_admin/studio/commit` (form fields `org`, `project`, `repository`, `branch`, `head` (the
/// head the page showed), `action` = `commit` | `delete`, `path` (the artifact edited or deleted;
/// empty for a new one), `type`, `content`, `message`). Success: 303 to the page, which announces
/// the new commit. A refused change re-renders the page (with the typed JSON) and commits nothing.
pub async fn commit(State(sim): State<AppState>, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let (org, project, repository, branch) = (
        field("org"),
        field("project"),
        field("repository"),
        field("branch"),
    );
    let s = std::sync::Arc::clone(&sim);
    let form2 = form.clone();
    let result = tokio::task::spawn_blocking(move || {
        submit(&s, &org, &project, &repository, &branch, &form2)
    })
    .await;
    match result {
        Ok(Ok(location)) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Ok(Err(Refused::Page(e))) => error_page(&e),
        Ok(Err(Refused::Editor(status, html))) => html_response(status, html),
        Err(e) => error_page(&PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            e.to_string(),
        )),
    }
}

/// Why a form post committed nothing.
enum Refused {
    /// The page itself cannot be shown (unknown repository or branch).
    Page(PageError),
    /// The page re-rendered with an error banner and the submitted editor.
    Editor(StatusCode, String),
}

fn submit(
    sim: &Sim,
    org: &str,
    project: &str,
    repository: &str,
    branch: &str,
    form: &HashMap<String, String>,
) -> Result<String, Refused> {
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let repo = find_repo(sim, org, project, repository).map_err(Refused::Page)?;
    let view = load(sim, &repo, Some(branch)).map_err(Refused::Page)?;
    let action = field("action");
    let original = field("path").trim().to_owned();
    let kind = field("type").trim().to_owned();
    let editor = Editor {
        path: original.clone(),
        kind: kind.clone(),
        content: field("content"),
        message: field("message"),
    };
    let refuse = |status: StatusCode, message: String| {
        Refused::Editor(status, render(&view, &editor, &Banner::Error(message)))
    };
    if view.branch.eq_ignore_ascii_case(&view.publish_branch) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            format!(
                "Nothing was committed: '{}' is the publish branch. Synapse Studio only writes ARM templates there, \
                 through Publish. Pick the collaboration branch or a feature branch.",
                view.branch
            ),
        ));
    }
    let head = field("head");
    if !head.is_empty() && !head.eq_ignore_ascii_case(&view.head) {
        return Err(refuse(
            StatusCode::CONFLICT,
            format!(
                "Nothing was committed: '{}' moved since this page was loaded (it is now at {}). Copy your change, \
                 reload the branch and apply it again.",
                view.branch,
                &view.head[..12]
            ),
        ));
    }
    let existing = |p: &str| view.artifacts.iter().find(|a| a.path == p);
    let mut files: BTreeMap<String, Value> = BTreeMap::new();
    let (summary, landing) = match action.as_str() {
        "delete" => {
            let Some(a) = existing(&original) else {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    format!("Nothing was committed: there is no artifact '{original}' on '{}' to delete.", view.branch),
                ));
            };
            files.insert(a.path.clone(), Value::Null);
            (format!("Delete {} {}", a.kind, a.name), None)
        }
        "commit" => {
            let Some(kind) = ARTIFACT_TYPES.iter().find(|t| **t == kind) else {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "Nothing was committed: '{kind}' is not an artifact type. Use one of: {}.",
                        ARTIFACT_TYPES.join(", ")
                    ),
                ));
            };
            let value: Value = serde_json::from_str(&editor.content).map_err(|e| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "Nothing was committed: the artifact is not valid JSON ({e}). Fix it and commit again."
                    ),
                )
            })?;
            let name = value
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim()
                .to_owned();
            if !value.is_object() || name.is_empty() {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    "Nothing was committed: an artifact is a JSON object with a \"name\" (its file name) and \"properties\"."
                        .to_owned(),
                ));
            }
            if name.contains(['/', '\\']) || name.starts_with('.') {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    format!("Nothing was committed: the name '{name}' cannot be a file name (no '/', '\\' or leading '.')."),
                ));
            }
            let target = format!("{kind}/{name}.json");
            if original.is_empty() || original != target {
                if let Some(clash) = existing(&target) {
                    return Err(refuse(
                        StatusCode::CONFLICT,
                        format!(
                            "Nothing was committed: {} '{}' already exists on '{}'. Pick it in the editor to change it, or use another name.",
                            clash.kind, clash.name, view.branch
                        ),
                    ));
                }
            }
            if !original.is_empty() {
                if existing(&original).is_none() {
                    return Err(refuse(
                        StatusCode::CONFLICT,
                        format!("Nothing was committed: '{original}' is no longer on '{}'. Reload the branch.", view.branch),
                    ));
                }
                if original != target {
                    // A rename: Studio moves the file.
                    files.insert(original.clone(), Value::Null);
                }
            }
            files.insert(target.clone(), value);
            let verb = if original.is_empty() { "Add" } else { "Update" };
            (format!("{verb} {kind} {name}"), Some(target))
        }
        other => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                format!("Nothing was committed: unknown action '{other}' (use commit or delete)."),
            ))
        }
    };
    let message = if editor.message.trim().is_empty() {
        summary
    } else {
        editor.message.trim().to_owned()
    };
    let req = PushFiles {
        project: repo.project_name.clone(),
        repository: repo.name,
        branch: view.branch.clone(),
        message,
        author: None,
        files,
    };
    let sha = crate::git::write::push_files(sim, &req)
        .map_err(|e| refuse(e.status, format!("Nothing was committed: {}", e.message)))?;
    let mut location = format!(
        "{}?version={}&committed={sha}",
        page_path(&view),
        enc(&format!("GB{}", view.branch))
    );
    if let Some(p) = landing {
        location.push_str(&format!("&path={}", enc(&p)));
    }
    Ok(location)
}

// ------------------------------------------------------------------------------------------------
// HTML.

pub(crate) fn html_response(status: StatusCode, html: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

/// HTML-escapes text and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn page_path(view: &BranchView) -> String {
    let seg = |s: &str| -> String {
        url::form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    format!(
        "/{}/{}/_git/{}",
        seg(&view.org),
        seg(&view.repo.project_name),
        seg(&view.repo.name)
    )
}

pub(crate) const STYLE: &str = r#"
:root { color-scheme: light dark; --bg:#f7f7f8; --fg:#1d1d1f; --muted:#5f6368; --card:#fff; --line:#d9dce1;
  --accent:#0067b8; --ok-bg:#e6f4ea; --ok-fg:#1e6b34; --err-bg:#fdecea; --err-fg:#a4262c; --code:#f0f1f3; }
@media (prefers-color-scheme: dark) { :root { --bg:#17181b; --fg:#e8e8ea; --muted:#a0a4ab; --card:#212226;
  --line:#3a3c42; --accent:#4da3ff; --ok-bg:#183a24; --ok-fg:#8fd6a4; --err-bg:#3e1d1f; --err-fg:#f4a3a8; --code:#2a2c31; } }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif; background:var(--bg); color:var(--fg); }
header { padding:14px 24px; border-bottom:1px solid var(--line); background:var(--card); display:flex; gap:16px; align-items:center; flex-wrap:wrap; }
header h1 { font-size:18px; margin:0; }
.sim { font-size:12px; padding:2px 8px; border-radius:10px; background:var(--err-bg); color:var(--err-fg); }
main { display:grid; grid-template-columns:minmax(260px,1fr) minmax(320px,1.4fr); gap:20px; padding:20px 24px; }
@media (max-width: 820px) { main { grid-template-columns:1fr; } }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:16px; min-width:0; }
h2 { font-size:15px; margin:0 0 10px; } h3 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); margin:14px 0 6px; }
.muted { color:var(--muted); font-size:13px; }
code, pre, textarea { font:13px/1.4 ui-monospace,"SFMono-Regular",Consolas,monospace; }
code { background:var(--code); padding:1px 4px; border-radius:4px; }
pre { background:var(--code); padding:10px; border-radius:6px; overflow:auto; max-height:360px; margin:6px 0; }
details { border-top:1px solid var(--line); padding:6px 0; } summary { cursor:pointer; }
summary a { margin-left:8px; font-size:13px; }
a { color:var(--accent); }
label { display:block; font-size:13px; color:var(--muted); margin:10px 0 4px; }
select, input[type=text], textarea { width:100%; padding:6px 8px; border:1px solid var(--line); border-radius:6px; background:var(--bg); color:var(--fg); }
textarea { min-height:320px; resize:vertical; }
button { margin-top:12px; padding:7px 14px; border-radius:6px; border:1px solid var(--accent); background:var(--accent); color:#fff; font-weight:600; cursor:pointer; }
button.danger { background:transparent; color:var(--err-fg); border-color:var(--err-fg); }
.inline { display:flex; gap:8px; align-items:end; } .inline > * { flex:1; } .inline button { flex:0 0 auto; }
.banner { margin:16px 24px 0; padding:10px 14px; border-radius:6px; }
.banner.ok { background:var(--ok-bg); color:var(--ok-fg); } .banner.err { background:var(--err-bg); color:var(--err-fg); }
"#;

fn shell(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>{body}\
         <footer class=\"muted\" style=\"padding:0 24px 20px\">This page is served by the Azure DevOps simulator \
         (ado-sim) for demo mode; it is not Synapse Studio. Reading needs no sign-in; commits go through the \
         simulator's admin endpoint.</footer></body></html>\n",
        esc(title)
    )
}

fn error_page(e: &PageError) -> Response {
    let body = format!(
        "<header><h1>Synapse Studio — simulated</h1><span class=\"sim\">Simulator</span></header>\
         <div class=\"banner err\" data-testid=\"studio-error\">{}</div>",
        esc(&e.message)
    );
    html_response(e.status, shell("Synapse Studio — simulated", &body))
}

fn render(view: &BranchView, editor: &Editor, banner: &Banner) -> String {
    let here = page_path(view);
    let version = enc(&format!("GB{}", view.branch));
    let mut b = String::new();
    b.push_str(&format!(
        "<header><h1>Synapse Studio — simulated</h1><span class=\"sim\">Simulator</span>\
         <span>Repository <strong data-testid=\"studio-repository\">{}</strong> · project {}</span>\
         <form method=\"get\" action=\"{here}\" class=\"inline\" style=\"margin-left:auto\">\
         <div><label for=\"branch\">Branch</label><select id=\"branch\" name=\"version\" data-testid=\"studio-branch\" \
         onchange=\"this.form.submit()\">",
        esc(&view.repo.name),
        esc(&view.repo.project_name)
    ));
    for br in &view.branches {
        let mut note = String::new();
        if br == short(&view.repo.default_branch) {
            note.push_str(" (collaboration)");
        }
        if br.eq_ignore_ascii_case(&view.publish_branch) {
            note.push_str(" (publish)");
        }
        b.push_str(&format!(
            "<option value=\"GB{}\"{}>{}{}</option>",
            esc(br),
            if *br == view.branch { " selected" } else { "" },
            esc(br),
            note
        ));
    }
    b.push_str("</select></div><button type=\"submit\">Open</button></form></header>");
    match banner {
        Banner::None => {}
        Banner::Committed { sha, summary } => b.push_str(&format!(
            "<div class=\"banner ok\" data-testid=\"studio-committed\" data-commit=\"{sha}\">Committed \
             <code>{sha}</code> to <strong>{}</strong>: {}</div>",
            esc(&view.branch),
            esc(summary)
        )),
        Banner::Error(message) => b.push_str(&format!(
            "<div class=\"banner err\" data-testid=\"studio-error\">{}</div>",
            esc(message)
        )),
    }
    b.push_str(&format!(
        "<main><section><h2>Artifacts on <code>{}</code></h2>\
         <p class=\"muted\">Head <code data-testid=\"studio-head\">{}</code> {} — {}</p>",
        esc(&view.branch),
        esc(&view.head[..12]),
        esc(&view.head_summary),
        esc(&view.head_author)
    ));
    if view.artifacts.is_empty() {
        b.push_str("<p class=\"muted\">This branch has no Synapse artifacts.</p>");
    }
    let mut current = "";
    for a in &view.artifacts {
        if a.kind != current {
            current = &a.kind;
            let count = view.artifacts.iter().filter(|x| x.kind == a.kind).count();
            b.push_str(&format!("<h3>{} ({count})</h3>", esc(&a.kind)));
        }
        b.push_str(&format!(
            "<details data-testid=\"studio-artifact\" data-kind=\"{}\" data-name=\"{}\" data-path=\"{}\"><summary>{}\
             <a href=\"{here}?version={version}&amp;path={}\">Edit</a></summary><pre>{}</pre></details>",
            esc(&a.kind),
            esc(&a.name),
            esc(&a.path),
            esc(&a.name),
            esc(&enc(&a.path)),
            esc(&a.json)
        ));
    }
    b.push_str("</section>");

    // Editor.
    let read_only = view.branch.eq_ignore_ascii_case(&view.publish_branch);
    b.push_str("<section><h2>Edit an artifact</h2>");
    if read_only {
        b.push_str(&format!(
            "<p class=\"banner err\" style=\"margin:0 0 8px\">'{}' is the publish branch: Synapse Studio writes it only \
             through Publish, so this editor will not commit here. Switch to the collaboration branch or a feature branch.</p>",
            esc(&view.branch)
        ));
    }
    b.push_str(&format!(
        "<form method=\"get\" action=\"{here}\" class=\"inline\"><input type=\"hidden\" name=\"version\" value=\"GB{}\">\
         <div><label for=\"pick\">Artifact</label><select id=\"pick\" name=\"path\" data-testid=\"studio-pick\">\
         <option value=\"\">New artifact…</option>",
        esc(&view.branch)
    ));
    for a in &view.artifacts {
        b.push_str(&format!(
            "<option value=\"{}\"{}>{} / {}</option>",
            esc(&a.path),
            if a.path == editor.path {
                " selected"
            } else {
                ""
            },
            esc(&a.kind),
            esc(&a.name)
        ));
    }
    b.push_str("</select></div><button type=\"submit\">Load</button></form>");
    b.push_str(&format!(
        "<form method=\"post\" action=\"/_admin/studio/commit\" data-testid=\"studio-editor\">\
         <input type=\"hidden\" name=\"org\" value=\"{}\"><input type=\"hidden\" name=\"project\" value=\"{}\">\
         <input type=\"hidden\" name=\"repository\" value=\"{}\"><input type=\"hidden\" name=\"branch\" value=\"{}\">\
         <input type=\"hidden\" name=\"head\" value=\"{}\"><input type=\"hidden\" name=\"path\" value=\"{}\">\
         <label for=\"type\">Type</label><select id=\"type\" name=\"type\">",
        esc(&view.org),
        esc(&view.repo.project_name),
        esc(&view.repo.name),
        esc(&view.branch),
        esc(&view.head),
        esc(&editor.path)
    ));
    for t in ARTIFACT_TYPES {
        b.push_str(&format!(
            "<option value=\"{t}\"{}>{t}</option>",
            if *t == editor.kind { " selected" } else { "" }
        ));
    }
    b.push_str(&format!(
        "</select><label for=\"content\">JSON (the file name is <code>&lt;type&gt;/&lt;name&gt;.json</code>)</label>\
         <textarea id=\"content\" name=\"content\" spellcheck=\"false\" data-testid=\"studio-content\">{}</textarea>\
         <label for=\"message\">Commit message</label>\
         <input type=\"text\" id=\"message\" name=\"message\" value=\"{}\" placeholder=\"Update &lt;type&gt; &lt;name&gt;\">\
         <button type=\"submit\" name=\"action\" value=\"commit\" data-testid=\"studio-commit\"{}>Commit to {}</button>",
        esc(&editor.content),
        esc(&editor.message),
        if read_only { " disabled" } else { "" },
        esc(&view.branch)
    ));
    if !editor.path.is_empty() {
        b.push_str(&format!(
            " <button type=\"submit\" name=\"action\" value=\"delete\" class=\"danger\" data-testid=\"studio-delete\" \
             onclick=\"return confirm('Delete {} from {}?')\"{}>Delete artifact</button>",
            esc(&editor.path.replace('\'', "")),
            esc(&view.branch.replace('\'', "")),
            if read_only { " disabled" } else { "" }
        ));
    }
    b.push_str("</form></section></main>");
    shell(
        &format!(
            "{} · {} — Synapse Studio (simulated)",
            view.repo.name, view.branch
        ),
        &b,
    )
}
