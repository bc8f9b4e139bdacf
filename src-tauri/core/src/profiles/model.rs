//! The saved workspace profile: everything the wizard needs to know about one Synapse workspace
//! pair and its Azure DevOps project. Never holds a secret (the token lives in the keychain).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Something picked from an Azure DevOps list whose id is a string (GUID): project, repository,
/// service connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NamedRef {
    pub id: String,
    pub name: String,
}

/// Something picked from an Azure DevOps list whose id is a number: release definition,
/// definition environment (stage), agent queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NumberedRef {
    pub id: i32,
    pub name: String,
}

pub const DEFAULT_ROOT_FOLDER: &str = "/";
pub const DEFAULT_COLLABORATION_BRANCH: &str = "main";
pub const DEFAULT_PUBLISH_BRANCH: &str = "workspace_publish";
pub const DEFAULT_BRANCH_TEMPLATE: &str = "Release{release}_Hotfixes";
pub const DEFAULT_FEATURE_PATTERN: &str = "feature/*";
/// Name of the tag step 7 can put on the deployed fix commit (as git-flow's hotfix finish does).
pub const DEFAULT_TAG_TEMPLATE: &str = "Release-{release}-hotfix-{n}";
/// Tenant of a new Entra ID profile: any work or school account (`organizations`).
pub const DEFAULT_TENANT: &str = "organizations";
/// Client id of a new Entra ID profile: the Microsoft first-party public client Git Credential
/// Manager signs in with (AUTH-AND-ERRORS.md §6a), so no app registration is needed. Tenants that
/// block it register their own app (README, "Signing in with Microsoft Entra ID").
pub const DEFAULT_CLIENT_ID: &str = "872cd9fa-d31f-45e0-9eab-6e460a02d1f1";

/// How a profile signs in to Azure DevOps (and, with Entra ID, the Synapse data plane and ARM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SignInMethod {
    /// Microsoft Entra ID in the system browser (authorization code + PKCE); the refresh token
    /// lives in the keychain. The default for a new profile.
    Entra,
    /// Reuse the account of `az login` (Azure CLI) for the tokens.
    AzureCli,
    /// A personal access token pasted in the profile (what every profile used before sign-in).
    Pat,
}

/// The sign-in of a profile. Tenant and client id are kept when the method changes, so switching
/// back and forth loses nothing; they matter only for [`SignInMethod::Entra`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignInSettings {
    pub method: SignInMethod,
    /// Directory (tenant) id or domain, or `organizations` for any work or school account.
    pub tenant: String,
    /// Application (client) id of the public client app registration.
    pub client_id: String,
}

impl SignInSettings {
    /// A new profile: Microsoft Entra ID with the documented defaults.
    pub fn entra_default() -> Self {
        Self {
            method: SignInMethod::Entra,
            tenant: DEFAULT_TENANT.into(),
            client_id: DEFAULT_CLIENT_ID.into(),
        }
    }

    /// A profile saved before sign-in existed: it used a personal access token, and keeps it.
    pub fn legacy_pat() -> Self {
        Self {
            method: SignInMethod::Pat,
            ..Self::entra_default()
        }
    }
}

/// A saved workspace profile. Stored in `profiles.json` (versioned, written atomically) and shared
/// between team members as JSON export — which is why it carries no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Profile {
    /// Stable id (UUID), also the keychain key of the profile's token.
    pub id: String,
    /// Display name, e.g. "Contoso — Sales analytics".
    pub name: String,
    /// `https://dev.azure.com/{org}`, `https://{org}.visualstudio.com`, or an Azure DevOps Server
    /// collection URL.
    pub organization_url: String,
    pub project: Option<NamedRef>,
    pub repository: Option<NamedRef>,
    /// Synapse root folder inside the repository (default `/`).
    pub root_folder: String,
    /// Collaboration branch (default `main`).
    pub collaboration_branch: String,
    /// Publish branch; `None` = read `publish_config.json`, else `workspace_publish`.
    pub publish_branch: Option<String>,
    /// The production release pipeline (classic release definition).
    pub release_definition: Option<NumberedRef>,
    /// Its production stage (definition environment).
    pub production_stage: Option<NumberedRef>,
    pub dev_workspace: String,
    pub prod_workspace: String,
    pub prod_subscription_id: String,
    pub prod_resource_group: String,
    /// Subscription of the development workspace, when it differs from production's; empty = the
    /// production one is assumed (files written before this field existed load with it empty).
    #[serde(default)]
    pub dev_subscription_id: String,
    /// Resource group of the development workspace; empty = the production one is assumed.
    #[serde(default)]
    pub dev_resource_group: String,
    /// The production service connection (type azurerm).
    pub service_connection: Option<NamedRef>,
    /// Agent queue the hotfix pipeline runs on.
    pub agent_queue: Option<NumberedRef>,
    /// Hotfix branch name template: `{release}`, `{releaseId}`, `{date}` placeholders.
    pub branch_template: String,
    /// Patterns of feature branches to merge fixes back into (`*` wildcard).
    pub feature_branch_patterns: Vec<String>,
    /// Name template of the tag on the deployed fix commit (step 7): `{release}`, `{releaseId}`,
    /// `{date}` and `{n}` (the hotfix number of that release, 1 for the first). Empty: step 7
    /// offers no tag. Files written before this field existed load with the default.
    #[serde(default = "default_tag_template")]
    pub hotfix_tag_template: String,
    /// True for the demo profile that talks to the built-in simulator.
    #[serde(default)]
    pub simulated: bool,
    /// How the hotfix release pipeline is built; absent (older files) = the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub hotfix_pipeline: Option<super::pipeline::HotfixPipelineSettings>,
    /// How the profile signs in. Missing in files of version 1: those profiles used a PAT.
    #[serde(default = "SignInSettings::legacy_pat")]
    pub sign_in: SignInSettings,
}

impl Profile {
    /// A new, empty profile with the documented defaults.
    pub fn new_with_defaults(id: String) -> Self {
        Self {
            id,
            name: String::new(),
            organization_url: String::new(),
            project: None,
            repository: None,
            root_folder: DEFAULT_ROOT_FOLDER.into(),
            collaboration_branch: DEFAULT_COLLABORATION_BRANCH.into(),
            publish_branch: None,
            release_definition: None,
            production_stage: None,
            dev_workspace: String::new(),
            prod_workspace: String::new(),
            prod_subscription_id: String::new(),
            prod_resource_group: String::new(),
            dev_subscription_id: String::new(),
            dev_resource_group: String::new(),
            service_connection: None,
            agent_queue: None,
            branch_template: DEFAULT_BRANCH_TEMPLATE.into(),
            feature_branch_patterns: vec![DEFAULT_FEATURE_PATTERN.into()],
            hotfix_tag_template: DEFAULT_TAG_TEMPLATE.into(),
            simulated: false,
            hotfix_pipeline: None,
            sign_in: SignInSettings::entra_default(),
        }
    }

    /// The hotfix pipeline settings, defaults filled in.
    pub fn pipeline_settings(&self) -> super::pipeline::HotfixPipelineSettings {
        self.hotfix_pipeline.clone().unwrap_or_default()
    }
}

fn default_tag_template() -> String {
    DEFAULT_TAG_TEMPLATE.to_owned()
}

/// Where the development workspace lives, for the Synapse Studio link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevLocation<'a> {
    pub subscription_id: &'a str,
    pub resource_group: &'a str,
    /// The production subscription was used because the profile names no development one.
    pub assumed_subscription: bool,
    /// The production resource group was used because the profile names no development one.
    pub assumed_resource_group: bool,
}

impl Profile {
    /// The development subscription and resource group, each falling back to the production one
    /// when empty (and saying so).
    pub fn dev_location(&self) -> DevLocation<'_> {
        let sub = self.dev_subscription_id.trim();
        let rg = self.dev_resource_group.trim();
        DevLocation {
            subscription_id: if sub.is_empty() {
                self.prod_subscription_id.trim()
            } else {
                sub
            },
            resource_group: if rg.is_empty() {
                self.prod_resource_group.trim()
            } else {
                rg
            },
            assumed_subscription: sub.is_empty(),
            assumed_resource_group: rg.is_empty(),
        }
    }
}
