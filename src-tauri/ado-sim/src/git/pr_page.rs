//! The pull request page of the simulated organization, at the address Azure Repos uses for a
//! pull request's web link: `GET /{org}/{project}/_git/{repo}/pullrequest/{id}`. Demo mode opens it
//! from the app's merge-back links, so it needs no credentials (a browser cannot send a PAT) and
//! only reads: title, branches, status, the merge status computed by a real in-memory merge,
//! conflicting files and the description. Its *Complete* button posts to the admin surface,
//! `POST /_admin/git/pullrequests/{id}/complete`, which completes the pull request exactly like
//! `PATCH …/pullrequests/{id}` with `status: completed` (a real merge into the target branch).

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::merge::{complete_pr, refresh};
use super::pulls::PullRequest;
use super::{resolve_repo, RepoInfo};
use crate::state::{AppState, Sim};
use crate::studio::{esc, html_response, STYLE};

/// Whether `path` (lower-cased by the router) is a pull request page; the auth middleware lets
/// `GET` requests to it through without credentials.
pub fn is_page_path(path: &str) -> bool {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    segs.len() == 7
        && segs[0].is_empty()
        && segs[3] == "_git"
        && segs[5] == "pullrequest"
        && !segs[6].is_empty()
        && segs[6].chars().all(|c| c.is_ascii_digit())
}

fn page_html(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>{body}\
         <footer class=\"muted\" style=\"padding:0 24px 20px\">This page is served by the Azure \
         DevOps simulator (ado-sim) for demo mode. Reading needs no sign-in; Complete goes through \
         the simulator's admin endpoint.</footer></body></html>\n",
        esc(title)
    )
}

/// Why the page cannot be shown: the status and what to tell the reader.
type Fail = (StatusCode, String);

fn fail(status: StatusCode, message: impl Into<String>) -> Fail {
    (status, message.into())
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<header><h1>Pull request — simulated</h1><span class=\"sim\">Simulator</span></header>\
         <div class=\"banner err\" data-testid=\"pr-error\">{}</div>",
        esc(message)
    );
    html_response(status, page_html("Pull request — simulated", &body))
}

fn short(r: &str) -> &str {
    r.strip_prefix("refs/heads/").unwrap_or(r)
}

/// The pull request `id` of `repo`, its merge status brought up to date.
fn load(sim: &Sim, repo: &RepoInfo, id: i32) -> Result<PullRequest, Fail> {
    let git = repo
        .open()
        .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.message))?;
    let mut world = sim.world();
    let user = world.core.default_user();
    let pr = world
        .git
        .pull_requests
        .iter_mut()
        .find(|p| p.id == id && p.repository_id == repo.id)
        .ok_or_else(|| {
            fail(
                StatusCode::NOT_FOUND,
                format!("There is no pull request {id} in repository {}.", repo.name),
            )
        })?;
    refresh(&git, pr, &user).map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.message))?;
    Ok(pr.clone())
}

fn render(repo: &RepoInfo, pr: &PullRequest, completed_now: bool) -> String {
    let mut b = format!(
        "<header><h1>Pull request {id} — simulated</h1><span class=\"sim\">Simulator</span>\
         <span>Repository <strong>{repo}</strong> · project {project}</span></header>",
        id = pr.id,
        repo = esc(&repo.name),
        project = esc(&repo.project_name),
    );
    if completed_now {
        b.push_str(&format!(
            "<div class=\"banner ok\" data-testid=\"pr-completed\">Completed: {} now contains the \
             changes of {}.</div>",
            esc(short(&pr.target_ref_name)),
            esc(short(&pr.source_ref_name))
        ));
    }
    b.push_str(&format!(
        "<main style=\"grid-template-columns:1fr\"><section><h2 data-testid=\"pr-title\">{}</h2>\
         <p class=\"muted\"><code>{}</code> into <code>{}</code> · status \
         <strong data-testid=\"pr-status\">{}</strong> · merge status \
         <strong data-testid=\"pr-merge-status\">{}</strong></p>",
        esc(&pr.title),
        esc(short(&pr.source_ref_name)),
        esc(short(&pr.target_ref_name)),
        esc(&pr.status),
        esc(&pr.merge_status),
    ));
    if !pr.conflicts.is_empty() {
        b.push_str("<h3>Conflicts</h3><ul data-testid=\"pr-conflicts\">");
        for c in &pr.conflicts {
            b.push_str(&format!("<li><code>{}</code></li>", esc(c)));
        }
        b.push_str("</ul>");
    }
    b.push_str(&format!(
        "<h3>Description</h3><pre data-testid=\"pr-description\">{}</pre>",
        esc(&pr.description)
    ));
    if pr.status == "active" && pr.merge_status == "succeeded" {
        b.push_str(&format!(
            "<form method=\"post\" action=\"/_admin/git/pullrequests/{}/complete\">\
             <button type=\"submit\" data-testid=\"pr-complete\">Complete</button></form>",
            pr.id
        ));
    } else if pr.status == "active" {
        b.push_str(
            "<p class=\"muted\">Resolve the conflicts on the branches before completing.</p>",
        );
    }
    b.push_str("</section></main>");
    page_html(&format!("Pull request {}", pr.id), &b)
}

/// `GET /{org}/{project}/_git/{repo}/pullrequest/{id}`.
pub async fn page(
    State(sim): State<AppState>,
    Path((org, project, repo, id)): Path<(String, String, String, String)>,
) -> Response {
    let Ok(id) = id.parse::<i32>() else {
        return error(StatusCode::NOT_FOUND, "That is not a pull request number.");
    };
    let repo = match resolve_repo(&sim, &org, Some(&project), &repo) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::NOT_FOUND, &e.message),
    };
    let s = std::sync::Arc::clone(&sim);
    let r2 = repo.clone();
    let loaded = tokio::task::spawn_blocking(move || load(&s, &r2, id)).await;
    match loaded {
        Ok(Ok(pr)) => html_response(StatusCode::OK, render(&repo, &pr, false)),
        Ok(Err((status, message))) => error(status, &message),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `POST /_admin/git/pullrequests/{id}/complete` (the page's form): completes the pull request
/// with a real merge, then shows the page again.
pub async fn complete(State(sim): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i32>() else {
        return error(StatusCode::NOT_FOUND, "That is not a pull request number.");
    };
    let s = std::sync::Arc::clone(&sim);
    let done = tokio::task::spawn_blocking(move || {
        let repo = {
            let world = s.world();
            let pr = world.git.pull_requests.iter().find(|p| p.id == id).cloned();
            pr.and_then(|p| world.git.repo_by_id(&p.repository_id.to_string()).cloned())
        };
        let repo = repo.ok_or_else(|| {
            fail(
                StatusCode::NOT_FOUND,
                format!("There is no pull request {id}."),
            )
        })?;
        let git = repo
            .open()
            .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.message))?;
        let mut world = s.world();
        let user = world.core.default_user();
        let pr = world
            .git
            .pull_requests
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or_else(|| {
                fail(
                    StatusCode::NOT_FOUND,
                    format!("There is no pull request {id}."),
                )
            })?;
        complete_pr(&git, pr, &user).map_err(|e| fail(StatusCode::CONFLICT, e.message))?;
        Ok::<_, Fail>((repo, pr.clone()))
    })
    .await;
    let result = match done {
        Ok(r) => r,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    match result {
        Ok((repo, pr)) => {
            if let Err(e) = sim.persist() {
                return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
            }
            let mut resp = html_response(StatusCode::OK, render(&repo, &pr, true));
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            resp.into_response()
        }
        Err((status, message)) => error(status, &message),
    }
}
