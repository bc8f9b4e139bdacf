//! The Azure CLI fallback: when the user signed in with `az login`, tokens come from
//! `az account get-access-token --resource <resource> -o json` (run as a subprocess; the token
//! is read from its JSON and kept in memory only) and the account from `az account show`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use serde::Deserialize;

use super::{Resource, SignInAccount};
use crate::ado::BearerSource;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::secrets::Token;

/// How long one `az` call may take (it may refresh its own token over the network).
const AZ_TIMEOUT: Duration = Duration::from_secs(60);

/// The `az` program (on PATH unless told otherwise).
#[derive(Debug, Clone)]
pub struct AzureCli {
    program: OsString,
    /// `PATH` for the child (tests put a fake `az` first); `None` = the app's own.
    search_path: Option<OsString>,
}

impl Default for AzureCli {
    fn default() -> Self {
        Self {
            program: OsString::from(if cfg!(windows) { "az.cmd" } else { "az" }),
            search_path: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenJson {
    access_token: String,
    /// Seconds since the epoch (Azure CLI 2.54 and later).
    #[serde(default)]
    expires_on: Option<i64>,
    #[serde(default)]
    tenant: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountJson {
    #[serde(default)]
    tenant_id: String,
    #[serde(default)]
    user: Option<UserJson>,
}

#[derive(Deserialize)]
struct UserJson {
    #[serde(default)]
    name: String,
}

impl AzureCli {
    pub fn new(program: impl Into<OsString>) -> Self {
        Self {
            program: program.into(),
            search_path: None,
        }
    }

    /// `az` looked up on `path` (a `PATH` value) instead of the app's `PATH`.
    #[must_use]
    pub fn on_path(mut self, path: impl Into<OsString>) -> Self {
        self.search_path = Some(path.into());
        self
    }

    async fn run(&self, args: &[&str]) -> AppResult<Vec<u8>> {
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args(args)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        if let Some(path) = &self.search_path {
            command.env("PATH", path);
        }
        let output = tokio::time::timeout(AZ_TIMEOUT, command.output())
            .await
            .map_err(|_| {
                AppError::new(
                    ErrorCode::Timeout,
                    "The Azure CLI (az) did not answer within a minute. Run 'az account show' in \
                     a terminal to see what it waits for.",
                )
            })?
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    AppError::new(
                        ErrorCode::NotSignedIn,
                        "The Azure CLI (az) was not found on PATH. Install it and run 'az login', \
                         or choose another sign-in for this profile.",
                    )
                } else {
                    AppError::internal("The Azure CLI (az) could not be started.")
                        .with_detail(e.to_string())
                }
            })?;
        if !output.status.success() {
            // az writes its advice ("Please run 'az login' to setup account.") to stderr; it
            // never prints a token there.
            let stderr = String::from_utf8_lossy(&output.stderr);
            let first = stderr
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("no message")
                .chars()
                .take(300)
                .collect::<String>();
            let signed_out = stderr.contains("az login");
            return Err(AppError::new(
                ErrorCode::NotSignedIn,
                if signed_out {
                    format!(
                        "The Azure CLI is not signed in (it said: \"{first}\"). Run 'az login' \
                         in a terminal, then try again."
                    )
                } else {
                    format!(
                        "The Azure CLI could not give a token (it said: \"{first}\"). Run 'az \
                         account show' in a terminal to check it, then try again."
                    )
                },
            )
            .with_detail(format!(
                "az {} exited with {}",
                args.first().copied().unwrap_or(""),
                output.status
            )));
        }
        Ok(output.stdout)
    }

    /// The account `az` is signed in with.
    pub async fn account(&self) -> AppResult<SignInAccount> {
        let out = self.run(&["account", "show", "-o", "json"]).await?;
        let parsed: AccountJson = serde_json::from_slice(&out).map_err(|e| unreadable(&e))?;
        let username = parsed.user.map(|u| u.name).unwrap_or_default();
        if username.is_empty() {
            return Err(AppError::new(
                ErrorCode::NotSignedIn,
                "The Azure CLI answered without an account. Run 'az login' in a terminal, then \
                 try again.",
            ));
        }
        Ok(SignInAccount {
            username,
            name: String::new(),
            tenant_id: parsed.tenant_id,
        })
    }

    /// A token for `resource` and when it expires.
    pub async fn access_token(&self, resource: Resource) -> AppResult<(Token, Duration)> {
        let out = self
            .run(&[
                "account",
                "get-access-token",
                "--resource",
                resource.cli_resource(),
                "-o",
                "json",
            ])
            .await?;
        // Never the output itself in an error: it is the token.
        let parsed: TokenJson = serde_json::from_slice(&out).map_err(|e| unreadable(&e))?;
        drop(out);
        let lifetime = parsed
            .expires_on
            .map(|at| at - chrono::Utc::now().timestamp())
            .filter(|s| *s > 0)
            .map_or(Duration::from_secs(300), |s| {
                Duration::from_secs(s.unsigned_abs())
            });
        tracing::debug!(resource = ?resource, tenant = ?parsed.tenant, "token obtained from the Azure CLI");
        Ok((Token::new(parsed.access_token), lifetime))
    }

    /// A cached token source for one resource.
    pub fn bearer(&self, resource: Resource, account: Option<String>) -> Arc<dyn BearerSource> {
        Arc::new(CliSource {
            cli: self.clone(),
            resource,
            account,
            cache: Mutex::default(),
        })
    }
}

fn unreadable(e: &serde_json::Error) -> AppError {
    AppError::new(
        ErrorCode::ServerError,
        "The Azure CLI answered with something the app could not read. Update the Azure CLI \
         ('az upgrade') and try again.",
    )
    .with_detail(format!("line {}, column {}", e.line(), e.column()))
}

struct CliSource {
    cli: AzureCli,
    resource: Resource,
    account: Option<String>,
    cache: Mutex<HashMap<Resource, (Token, Instant)>>,
}

impl BearerSource for CliSource {
    fn access_token(&self, force_refresh: bool) -> BoxFuture<'_, Result<Token, AppError>> {
        Box::pin(async move {
            let now = Instant::now();
            if !force_refresh {
                let cache = self
                    .cache
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some((token, until)) = cache.get(&self.resource) {
                    if *until > now {
                        return Ok(token.clone());
                    }
                }
            }
            let (token, lifetime) = self.cli.access_token(self.resource).await?;
            // az refreshes its own tokens; ask again a little before this one expires.
            let keep = lifetime.saturating_sub(super::session::REFRESH_MARGIN.min(lifetime / 2));
            self.cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(self.resource, (token.clone(), now + keep));
            Ok(token)
        })
    }

    fn account(&self) -> Option<String> {
        self.account.clone()
    }
}
