//! How a fetch signs in. A personal access token goes through git2's credential callback (user
//! name ignored by Azure DevOps, the PAT as the password); a Microsoft Entra ID access token as
//! an `Authorization: Bearer …` header of every request (`FetchOptions::custom_headers`, what
//! `git -c http.extraHeader=…` does). Neither is ever put in the URL or written to the
//! repository's config: both live in memory for the duration of one fetch.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use git2::{Cred, CredentialType, FetchOptions, RemoteCallbacks};

use crate::ado::{BearerSource, Credential};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::secrets::Token;

/// The user name sent with a PAT; Azure DevOps ignores it, git needs one.
const PAT_USER: &str = "pat";

/// What one fetch signs in with.
#[derive(Clone)]
pub enum GitAuth {
    /// A personal access token, answered through the credential callback.
    Pat(Token),
    /// A bearer access token sent as a header, and where to get a fresh one after a refusal.
    Bearer {
        token: Token,
        source: Option<Arc<dyn BearerSource>>,
    },
}

impl std::fmt::Debug for GitAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pat(_) => f.write_str("GitAuth::Pat(***)"),
            Self::Bearer { .. } => f.write_str("GitAuth::Bearer(***)"),
        }
    }
}

impl GitAuth {
    /// The git credential of an Azure DevOps client's credential (a bearer source is asked for
    /// a valid token now).
    pub async fn from_credential(credential: &Credential) -> AppResult<Self> {
        match credential {
            Credential::Basic(_) => credential
                .personal_access_token()
                .map(Self::Pat)
                .ok_or_else(|| {
                    AppError::internal("The profile's token could not be handed to git.")
                }),
            Credential::Bearer(source) => Ok(Self::Bearer {
                token: source.access_token(false).await?,
                source: Some(Arc::clone(source)),
            }),
        }
    }

    /// After git was refused: a bearer credential with a freshly obtained token, or `None` when
    /// there is nothing new to try (a PAT stays what it is).
    pub async fn refreshed(&self) -> AppResult<Option<Self>> {
        match self {
            Self::Pat(_) | Self::Bearer { source: None, .. } => Ok(None),
            Self::Bearer {
                source: Some(source),
                ..
            } => Ok(Some(Self::Bearer {
                token: source.access_token(true).await?,
                source: Some(Arc::clone(source)),
            })),
        }
    }

    pub(crate) fn is_bearer(&self) -> bool {
        matches!(self, Self::Bearer { .. })
    }

    /// The `Authorization` header of a bearer credential.
    fn header(&self) -> Option<String> {
        match self {
            Self::Bearer { token, .. } => Some(format!("Authorization: Bearer {}", token.expose())),
            Self::Pat(_) => None,
        }
    }

    /// Installs the credential on `callbacks`: the PAT is handed over once; a second request
    /// for credentials (the server refused them) or any request for a bearer token (its header
    /// was refused) marks `refused` and fails the fetch instead of looping.
    pub(crate) fn install(&self, callbacks: &mut RemoteCallbacks<'_>, refused: Arc<AtomicBool>) {
        let pat = match self {
            Self::Pat(t) => Some(t.clone()),
            Self::Bearer { .. } => None,
        };
        let mut asked = 0u32;
        callbacks.credentials(move |_url, _user, allowed| {
            asked += 1;
            match &pat {
                Some(token)
                    if asked == 1 && allowed.contains(CredentialType::USER_PASS_PLAINTEXT) =>
                {
                    Cred::userpass_plaintext(PAT_USER, token.expose())
                }
                _ => {
                    refused.store(true, Ordering::SeqCst);
                    Err(git2::Error::from_str("Azure DevOps refused the credential"))
                }
            }
        });
    }

    /// Adds the bearer header (if any) to `options`. The header text lives only as long as this
    /// call needs it: libgit2 copies it for the fetch.
    pub(crate) fn apply_headers(&self, options: &mut FetchOptions<'_>) {
        if let Some(h) = self.header() {
            options.custom_headers(&[h.as_str()]);
        }
    }
}

/// The error for a refused credential.
pub(crate) fn refused_error(bearer: bool) -> AppError {
    if bearer {
        AppError::new(
            ErrorCode::TokenRejected,
            "Azure DevOps refused your sign-in when the app fetched the repository with git, even \
             with a freshly obtained token. Open the profile and sign in again; if it keeps \
             happening, your account may have no access to this repository.",
        )
    } else {
        AppError::new(
            ErrorCode::TokenRejected,
            "Azure DevOps refused the personal access token when the app fetched the repository \
             with git (HTTP 401). It may have expired or been revoked, or lack the Code (Read) \
             scope. Create a new one and paste it in Profile → Credentials.",
        )
    }
}
