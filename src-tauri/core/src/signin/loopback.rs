//! The redirect target of a sign-in: an HTTP listener on `127.0.0.1` (a free port, or the one
//! asked for) that waits for the browser to come back with `?code=…&state=…` (or `?error=…`),
//! answers with a page that says the sign-in is done ("You can close this tab"), and closes.
//! It lives only as long as one sign-in: dropping it frees the port.

use std::collections::HashMap;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::error::{AppError, AppResult, ErrorCode};

/// Longest request head read from the browser.
const MAX_HEAD: usize = 16 * 1024;

/// The listener of one sign-in.
#[derive(Debug)]
pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

/// What the browser brought back (query parameters of the redirect).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    pub params: HashMap<String, String>,
}

impl Callback {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
}

impl Loopback {
    /// Binds `127.0.0.1:port` (0 = any free port).
    pub async fn bind(port: u16) -> AppResult<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
            AppError::new(
                ErrorCode::Unreachable,
                format!(
                    "The sign-in could not listen on 127.0.0.1:{port} for the browser's answer \
                     ({e}). Another program may be using that port; close it or try again (the \
                     app picks a free port by itself unless told otherwise)."
                ),
            )
            .with_detail(e.to_string())
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| {
                AppError::internal("The sign-in listener has no address.")
                    .with_detail(e.to_string())
            })?
            .port();
        Ok(Self { listener, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://localhost:{port}/`: the redirect URI (Entra ID accepts any port on a loopback
    /// redirect of a public client, AUTH-AND-ERRORS.md §6a).
    pub fn redirect_uri(&self) -> String {
        format!("http://localhost:{}/", self.port)
    }

    /// Waits for the redirect (other requests, e.g. `/favicon.ico`, get a 404) and answers it
    /// with the page `respond` builds from it. Gives up after `timeout`.
    pub async fn wait(
        &self,
        timeout: Duration,
        respond: impl Fn(&Callback) -> (bool, String),
    ) -> AppResult<Callback> {
        let waiting = async {
            loop {
                let Ok((stream, _)) = self.listener.accept().await else {
                    continue;
                };
                match handle(stream, &respond).await {
                    Ok(Some(callback)) => return callback,
                    Ok(None) => {}
                    Err(e) => {
                        tracing::debug!(error = %e, "a connection to the sign-in listener failed");
                    }
                }
            }
        };
        tokio::time::timeout(timeout, waiting).await.map_err(|_| {
            AppError::new(
                ErrorCode::Timeout,
                format!(
                    "The browser did not come back from the sign-in page within {} minute(s). \
                     Nothing was changed. Click Sign in again and finish signing in in the \
                     browser window that opens.",
                    timeout.as_secs().div_ceil(60)
                ),
            )
        })
    }
}

/// Reads one request. `Some` when it was the redirect (it has been answered).
async fn handle(
    mut stream: TcpStream,
    respond: &impl Fn(&Callback) -> (bool, String),
) -> std::io::Result<Option<Callback>> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "slow client"))??;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let target = text
        .lines()
        .next()
        .and_then(|line| {
            let mut parts = line.split_whitespace();
            (parts.next() == Some("GET"))
                .then(|| parts.next())
                .flatten()
        })
        .unwrap_or("")
        .to_owned();
    let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let is_callback = path == "/" && (params.contains_key("code") || params.contains_key("error"));
    if !is_callback {
        write(&mut stream, "404 Not Found", "Not found").await?;
        return Ok(None);
    }
    let callback = Callback { params };
    let (ok, page) = respond(&callback);
    write(
        &mut stream,
        if ok { "200 OK" } else { "400 Bad Request" },
        &page,
    )
    .await?;
    Ok(Some(callback))
}

async fn write(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

/// The page the browser shows when it comes back.
pub fn page(title: &str, text: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} — Synapse \
         Hotfix</title><style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem \
         auto;padding:0 1rem;line-height:1.5}}</style></head><body><h1>{t}</h1><p>{x}</p></body></html>",
        t = esc(title),
        x = esc(text)
    )
}
