//! Git smart HTTP at `/{org}/{project}/_git/{repo}/…` (clone, fetch, push), served by running
//! `git http-backend` as a CGI program against the bare repository. Credentials are checked by
//! the auth middleware (401 + `WWW-Authenticate` so `git` asks for them); fetch needs
//! `vso.code`, push `vso.code_write`.

use std::process::Stdio;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::io::AsyncWriteExt;

use super::resolve_repo;
use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::state::AppState;

/// Largest push accepted (bytes of the request body).
const MAX_BODY: usize = 512 * 1024 * 1024;

pub async fn serve(
    State(sim): State<AppState>,
    Path((org, project, repo, rest)): Path<(String, String, String, String)>,
    principal: Principal,
    req: Request,
) -> ApiResult<Response> {
    let query = req.uri().query().unwrap_or("").to_owned();
    let is_push = rest.ends_with("git-receive-pack") || query.contains("service=git-receive-pack");
    let scope = if is_push {
        "vso.code_write"
    } else {
        "vso.code"
    };
    if !principal.has(scope) {
        return Err(principal
            .require(scope)
            .err()
            .unwrap_or_else(|| ApiError::internal("scope"))
            .with_header(
                header::WWW_AUTHENTICATE,
                &format!("Basic realm=\"{}/\"", sim.info.base_url),
            ));
    }
    let repo = resolve_repo(&sim, &org, Some(&project), repo.trim_end_matches(".git"))?;
    let method = req.method().clone();
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), MAX_BODY)
        .await
        .map_err(|e| {
            ApiError::bad_request(
                format!("The request body could not be read: {e}"),
                "ArgumentException",
            )
        })?;
    let root = repo
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let dir_name = repo
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let output = run_backend(
        &root,
        &format!("/{dir_name}/{rest}"),
        &method,
        &query,
        &headers,
        &principal,
        body,
    )
    .await?;
    Ok(cgi_response(&output))
}

async fn run_backend(
    root: &std::path::Path,
    path_info: &str,
    method: &Method,
    query: &str,
    headers: &HeaderMap,
    principal: &Principal,
    body: bytes::Bytes,
) -> ApiResult<Vec<u8>> {
    let header_str = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let mut cmd = tokio::process::Command::new("git");
    cmd.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_COUNT", "2")
        .env("GIT_CONFIG_KEY_0", "http.receivepack")
        .env("GIT_CONFIG_VALUE_0", "true")
        .env("GIT_CONFIG_KEY_1", "safe.directory")
        .env("GIT_CONFIG_VALUE_1", "*")
        .env("HOME", root)
        .env("PATH_INFO", path_info)
        .env("REQUEST_METHOD", method.as_str())
        .env("QUERY_STRING", query)
        .env("REMOTE_USER", &principal.user.unique_name)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("CONTENT_TYPE", header_str(header::CONTENT_TYPE))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("GIT_HTTP_MAX_REQUEST_BUFFER", "1000M")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let encoding = header_str(header::CONTENT_ENCODING);
    if !encoding.is_empty() {
        cmd.env("HTTP_CONTENT_ENCODING", encoding);
    }
    if let Some(proto) = headers.get("git-protocol").and_then(|v| v.to_str().ok()) {
        cmd.env("GIT_PROTOCOL", proto);
        cmd.env("HTTP_GIT_PROTOCOL", proto);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| ApiError::internal(format!("could not run git http-backend: {e}")))?;
    let mut stdin = child.stdin.take();
    let writer = async move {
        if let Some(stdin) = stdin.as_mut() {
            let _ = stdin.write_all(&body).await;
            let _ = stdin.shutdown().await;
        }
        drop(stdin);
    };
    let (_, out) = tokio::join!(writer, child.wait_with_output());
    let out = out.map_err(|e| ApiError::internal(format!("git http-backend failed: {e}")))?;
    if !out.stderr.is_empty() {
        tracing::debug!("git http-backend: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(out.stdout)
}

/// Turns CGI output (headers, blank line, body) into a response.
fn cgi_response(output: &[u8]) -> Response {
    let split = find_header_end(output);
    let (head, body) = match split {
        Some((end, skip)) => (&output[..end], &output[end + skip..]),
        None => (&output[..0], output),
    };
    let mut status = StatusCode::OK;
    let mut resp_headers = Vec::new();
    for line in String::from_utf8_lossy(head).lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k.eq_ignore_ascii_case("status") {
            if let Some(code) = v
                .split_whitespace()
                .next()
                .and_then(|c| c.parse::<u16>().ok())
            {
                status = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
            }
        } else if let (Ok(name), Ok(value)) =
            (header::HeaderName::try_from(k), HeaderValue::from_str(v))
        {
            resp_headers.push((name, value));
        }
    }
    let mut resp = Response::new(Body::from(body.to_vec()));
    *resp.status_mut() = status;
    for (k, v) in resp_headers {
        resp.headers_mut().append(k, v);
    }
    resp.into_response()
}

fn find_header_end(buf: &[u8]) -> Option<(usize, usize)> {
    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
        let lf = buf.windows(2).position(|w| w == b"\n\n");
        return match lf {
            Some(j) if j < i => Some((j, 2)),
            _ => Some((i, 4)),
        };
    }
    buf.windows(2).position(|w| w == b"\n\n").map(|j| (j, 2))
}
