//! What the steps need to talk to Azure DevOps for one profile: the client, the profile snapshot,
//! how to get a Synapse data-plane token, and what is read once per session and cached (the publish branch from `publish_config.json`;
//! the Synapse tasks of the organization's task catalogue, as the last pre-flight or step 4 read
//! them; the client itself caches the Resource Areas discovery).

use crate::ado::git::{GitRepoApi, VersionType};
use crate::ado::AdoClient;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::pipeline::catalog::{load_synapse_tasks, SynapseTasks};
use crate::profiles::model::DEFAULT_PUBLISH_BRANCH;
use crate::profiles::Profile;
use crate::synapse::dataplane::SynapseAccess;
use crate::synapse::RootFolder;

pub struct Session {
    client: AdoClient,
    profile: Profile,
    publish_branch: tokio::sync::OnceCell<String>,
    synapse_tasks: std::sync::Mutex<Option<SynapseTasks>>,
    /// How this session may get a Synapse data-plane token (set by the app).
    synapse_access: std::sync::Mutex<SynapseAccess>,
    signed_in_user: tokio::sync::OnceCell<Option<String>>,
}

fn missing(what: &str) -> AppError {
    AppError::new(
        ErrorCode::Precondition,
        format!("The profile has no {what} yet. Open the profile, pick it, save, and start the hotfix again."),
    )
}

impl Session {
    pub fn new(client: AdoClient, profile: Profile) -> Self {
        Self {
            client,
            profile,
            publish_branch: tokio::sync::OnceCell::new(),
            synapse_tasks: std::sync::Mutex::new(None),
            synapse_access: std::sync::Mutex::new(SynapseAccess::default()),
            signed_in_user: tokio::sync::OnceCell::new(),
        }
    }

    /// What [`crate::synapse::dataplane::DataPlane::for_profile`] may use for a token: the app's
    /// Entra ID sign-ins, the Azure CLI, the demo simulator's token. Replaces the earlier one.
    pub fn set_synapse_access(&self, access: SynapseAccess) {
        *crate::hotfix::service::lock(&self.synapse_access) = access;
    }

    /// The data-plane token sources of this session (none until the app sets them).
    pub fn synapse_access(&self) -> SynapseAccess {
        crate::hotfix::service::lock(&self.synapse_access).clone()
    }

    pub fn client(&self) -> &AdoClient {
        &self.client
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn project(&self) -> AppResult<&str> {
        self.profile
            .project
            .as_ref()
            .map(|p| p.name.as_str())
            .ok_or_else(|| missing("Azure DevOps project"))
    }

    /// Id (GUID) of the profile's repository, to recognise it in release artifacts.
    pub fn repository_id(&self) -> Option<&str> {
        self.profile.repository.as_ref().map(|r| r.id.as_str())
    }

    pub fn repo(&self) -> AppResult<GitRepoApi> {
        let repo = self
            .profile
            .repository
            .as_ref()
            .ok_or_else(|| missing("repository"))?;
        let id = if repo.id.is_empty() {
            &repo.name
        } else {
            &repo.id
        };
        Ok(GitRepoApi::new(self.client.clone(), self.project()?, id))
    }

    pub fn root_folder(&self) -> RootFolder {
        RootFolder::new(&self.profile.root_folder)
    }

    /// The publish branch: the profile's, else `publishBranch` of `publish_config.json` at the root
    /// of the collaboration branch, else `workspace_publish`. Read once per session.
    pub async fn publish_branch(&self) -> AppResult<String> {
        if let Some(b) = self
            .profile
            .publish_branch
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
        {
            return Ok(b.trim_start_matches("refs/heads/").to_owned());
        }
        let branch = self
            .publish_branch
            .get_or_try_init(|| async {
                let repo = self.repo()?;
                let collab = self
                    .profile
                    .collaboration_branch
                    .trim_start_matches("refs/heads/")
                    .to_owned();
                let text = repo
                    .file("/publish_config.json", (&collab, VersionType::Branch))
                    .await?;
                let configured = text
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                    .and_then(|v| {
                        v.get("publishBranch")
                            .and_then(|b| b.as_str())
                            .map(str::to_owned)
                    })
                    .map(|b| b.trim().trim_start_matches("refs/heads/").to_owned())
                    .filter(|b| !b.is_empty());
                Ok::<_, AppError>(configured.unwrap_or_else(|| DEFAULT_PUBLISH_BRANCH.to_owned()))
            })
            .await?;
        Ok(branch.clone())
    }

    /// Who the session signs in as ("Maya Lopez (maya.lopez@contoso.com)", from
    /// `_apis/connectionData`): read once per session; `None` when the server does not say.
    pub async fn signed_in_user(&self) -> Option<String> {
        self.signed_in_user
            .get_or_init(|| crate::connection::signed_in_user(&self.client))
            .await
            .clone()
    }

    /// Keeps the Synapse tasks just read from the catalogue (by the pre-flight) for the next
    /// actions of step 4 (they are not saved on the run).
    pub fn remember_synapse_tasks(&self, tasks: &SynapseTasks) {
        *crate::hotfix::service::lock(&self.synapse_tasks) = Some(tasks.clone());
    }

    /// The Synapse tasks: as remembered in this session, else read from the task catalogue (one
    /// request) and remembered.
    pub async fn synapse_tasks(&self) -> AppResult<SynapseTasks> {
        if let Some(t) = crate::hotfix::service::lock(&self.synapse_tasks).clone() {
            return Ok(t);
        }
        let tasks = load_synapse_tasks(&self.client).await?;
        self.remember_synapse_tasks(&tasks);
        Ok(tasks)
    }

    /// Reads what the session caches (Release host discovery, publish branch), so that later calls
    /// only cost their own requests.
    pub async fn warm_up(&self) -> AppResult<()> {
        self.client.base(crate::ado::Area::Release).await?;
        self.publish_branch().await?;
        Ok(())
    }
}
