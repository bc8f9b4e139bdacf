//! What the pre-flight answers, exported to TypeScript: one [`PreflightCheck`] per condition, each
//! pass / fail / could-not-check, with what was found, what to do and where.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::pipeline::catalog::SynapseTasks;

/// The conditions checked before the hotfix pipeline is created, in the order shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum CheckId {
    /// The Synapse Workspace Deployment extension is installed and enabled.
    Extension,
    /// Both Synapse tasks are in the organization's task catalogue.
    Tasks,
    /// The production service connection exists, is ready, is `azurerm`, both tasks accept its
    /// authentication, and its resource group (if it is scoped to one) matches the profile.
    ServiceConnection,
    /// The agent queue exists in the project.
    AgentQueue,
    /// The token may create the definition and releases and deploy (`vso.release_execute`).
    ReleaseScope,
    /// The token may approve (`vso.release_manage`).
    ApprovalScope,
    /// The hotfix branch has commits beyond the release commit.
    FixCommits,
    /// The deployment plan of step 3 was acknowledged where it asked to be.
    PlanAcknowledged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum CheckOutcome {
    Pass,
    Fail,
    /// The read failed (server error, dropped connection, throttling): the condition is unknown.
    CouldNotCheck,
}

/// One check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PreflightCheck {
    pub id: CheckId,
    pub title: String,
    pub outcome: CheckOutcome,
    /// What was found (extension version, connection and its effective resource group, …), or
    /// why it could not be checked.
    pub detail: String,
    /// What to do; absent when the check passed.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Where to do it (marketplace, organization settings, service connection, agent queues,
    /// tokens page).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl PreflightCheck {
    pub fn pass(id: CheckId, detail: impl Into<String>) -> Self {
        Self {
            id,
            title: title(id).to_owned(),
            outcome: CheckOutcome::Pass,
            detail: detail.into(),
            fix: None,
            link: None,
        }
    }

    pub fn fail(
        id: CheckId,
        detail: impl Into<String>,
        fix: impl Into<String>,
        link: Option<String>,
    ) -> Self {
        Self {
            id,
            title: title(id).to_owned(),
            outcome: CheckOutcome::Fail,
            detail: detail.into(),
            fix: Some(fix.into()),
            link,
        }
    }

    pub fn could_not_check(id: CheckId, reason: impl Into<String>) -> Self {
        Self {
            id,
            title: title(id).to_owned(),
            outcome: CheckOutcome::CouldNotCheck,
            detail: reason.into(),
            fix: Some("Run the checks again; if it keeps failing, check your connection and status.dev.azure.com.".into()),
            link: None,
        }
    }
}

/// The title of each check, in one place.
pub fn title(id: CheckId) -> &'static str {
    match id {
        CheckId::Extension => "Synapse Workspace Deployment extension",
        CheckId::Tasks => "Synapse tasks in the task catalogue",
        CheckId::ServiceConnection => "Production service connection",
        CheckId::AgentQueue => "Agent queue",
        CheckId::ReleaseScope => "Token may create pipelines and deploy",
        CheckId::ApprovalScope => "Token may approve deployments",
        CheckId::FixCommits => "Fix committed on the hotfix branch",
        CheckId::PlanAcknowledged => "Deployment plan acknowledged",
    }
}

/// The whole pre-flight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PreflightReport {
    /// True when every check passed.
    pub ok: bool,
    pub checks: Vec<PreflightCheck>,
    /// The resource group the tasks will deploy to: the connection's when it is scoped to one,
    /// else the profile's. Absent when the connection could not be read.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_resource_group: Option<String>,
    /// The installed version of the Synapse extension, when found.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_version: Option<String>,
    /// The Synapse tasks read from the catalogue, for creating the definition without reading the
    /// catalogue again. Not sent to the UI.
    #[serde(skip)]
    #[ts(skip)]
    pub tasks: Option<SynapseTasks>,
}

impl PreflightReport {
    pub fn check(&self, id: CheckId) -> Option<&PreflightCheck> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Checks that did not pass.
    pub fn problems(&self) -> impl Iterator<Item = &PreflightCheck> {
        self.checks
            .iter()
            .filter(|c| c.outcome != CheckOutcome::Pass)
    }
}

/// Facts about the run the pre-flight takes as given (the integrator reads them from the run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFacts {
    /// The hotfix branch, for messages (`Release3_Hotfixes`).
    pub hotfix_branch: String,
    /// Commits on the hotfix branch beyond the release commit.
    pub fix_commit_count: u32,
    /// Step 3's plan has something the user must acknowledge.
    pub plan_needs_ack: bool,
    pub plan_acknowledged: bool,
}
