//! What changed on the hotfix branch since the production commit, as Synapse artifacts, and what a
//! deployment of the branch would do to the production workspace — with the changes that deserve a
//! second look (deletions, triggers, linked services, credentials, integration runtimes, managed
//! networks) and the files the deployment will not ship called out.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::artifacts::{ArtifactKind, ArtifactRef};
use super::diff::ArtifactDiff;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ChangeKind {
    Created,
    Edited,
    Deleted,
}

impl ChangeKind {
    /// Maps an Azure Repos `VersionControlChangeType` (comma-separated flags, e.g. `"edit, rename"`)
    /// to what the file did. A rename source is reported by the caller as a deletion of the old path.
    pub fn from_ado(change_type: &str) -> Self {
        let flags: Vec<String> = change_type
            .split(',')
            .map(|f| f.trim().to_ascii_lowercase())
            .collect();
        let has = |f: &str| flags.iter().any(|x| x == f);
        if has("delete") || has("sourcerename") {
            Self::Deleted
        } else if has("add") || has("rename") || has("undelete") || has("branch") {
            Self::Created
        } else {
            Self::Edited
        }
    }

    pub fn verb(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Edited => "edited",
            Self::Deleted => "deleted",
        }
    }
}

/// A changed file that is not an artifact (outside the root folder, or not an artifact file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FileChange {
    pub path: String,
    pub change: ChangeKind,
}

/// A changed artifact with its readable diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ArtifactChange {
    pub artifact: ArtifactRef,
    pub path: String,
    pub change: ChangeKind,
    pub diff: ArtifactDiff,
}

/// Everything that changed between the production commit and the hotfix branch head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ChangeSummary {
    pub base_commit: String,
    pub target_commit: String,
    pub artifacts: Vec<ArtifactChange>,
    /// Files outside the Synapse root folder: the deployment will not ship them.
    pub outside_root: Vec<FileChange>,
    /// Files inside the root folder that are not Synapse artifacts.
    pub other_files: Vec<FileChange>,
}

impl ChangeSummary {
    pub fn is_empty(&self) -> bool {
        self.artifacts.is_empty() && self.outside_root.is_empty() && self.other_files.is_empty()
    }

    /// One line per artifact: "pipeline `LoadSales` edited".
    pub fn headlines(&self) -> Vec<String> {
        self.artifacts
            .iter()
            .map(|a| {
                format!(
                    "{} `{}` {}",
                    a.artifact.kind.label(),
                    a.artifact.name,
                    a.change.verb()
                )
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum WarningKind {
    Deletion,
    Trigger,
    LinkedService,
    Credential,
    IntegrationRuntime,
    ManagedNetwork,
    OutsideRoot,
    NonArtifact,
    NoChanges,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanWarning {
    pub kind: WarningKind,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<ArtifactRef>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanItem {
    pub artifact: ArtifactRef,
    pub path: String,
}

/// What production receives when the hotfix branch is deployed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeployPlan {
    pub create: Vec<PlanItem>,
    pub update: Vec<PlanItem>,
    pub delete: Vec<PlanItem>,
    pub warnings: Vec<PlanWarning>,
    /// True when something must be acknowledged before moving on (files outside the root folder,
    /// or nothing to deploy).
    pub needs_acknowledgement: bool,
}

fn kind_warning(a: &ArtifactChange) -> Option<(WarningKind, String)> {
    let name = &a.artifact.name;
    let verb = a.change.verb();
    Some(match a.artifact.kind {
        ArtifactKind::Trigger => (
            WarningKind::Trigger,
            format!(
                "Trigger `{name}` is {verb}. The hotfix pipeline stops the production triggers before \
                 deploying and starts them afterwards, so a changed schedule or event takes effect in \
                 production right after the deployment. Check its start time and recurrence."
            ),
        ),
        ArtifactKind::LinkedService => (
            WarningKind::LinkedService,
            format!(
                "Linked service `{name}` is {verb}: it decides what production connects to. Make sure \
                 the production values (connection strings, Key Vault references, parameters \
                 overridden by the release) are right before deploying."
            ),
        ),
        ArtifactKind::Credential => (
            WarningKind::Credential,
            format!(
                "Credential `{name}` is {verb}: linked services in production authenticate with it. \
                 Check that the identity it names exists in production and has access."
            ),
        ),
        ArtifactKind::IntegrationRuntime => (
            WarningKind::IntegrationRuntime,
            format!(
                "Integration runtime `{name}` is {verb}: every pipeline run that uses it in \
                 production is affected, and a changed runtime may need to restart."
            ),
        ),
        ArtifactKind::ManagedVirtualNetwork | ArtifactKind::ManagedPrivateEndpoint => (
            WarningKind::ManagedNetwork,
            format!(
                "{} `{name}` is {verb}. The deployment only applies managed private endpoints when the \
                 pipeline is told to, and a new endpoint must be approved on the target resource.",
                capitalise(a.artifact.kind.label())
            ),
        ),
        _ => return None,
    })
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Derives the deploy plan from a change summary.
pub fn build_plan(summary: &ChangeSummary) -> DeployPlan {
    let mut plan = DeployPlan {
        create: Vec::new(),
        update: Vec::new(),
        delete: Vec::new(),
        warnings: Vec::new(),
        needs_acknowledgement: false,
    };
    let mut changes: Vec<&ArtifactChange> = summary.artifacts.iter().collect();
    changes.sort_by(|a, b| (a.change, &a.artifact).cmp(&(b.change, &b.artifact)));
    for change in changes {
        let item = PlanItem {
            artifact: change.artifact.clone(),
            path: change.path.clone(),
        };
        match change.change {
            ChangeKind::Created => plan.create.push(item),
            ChangeKind::Edited => plan.update.push(item),
            ChangeKind::Deleted => {
                plan.warnings.push(PlanWarning {
                    kind: WarningKind::Deletion,
                    artifact: Some(change.artifact.clone()),
                    message: format!(
                        "{} `{}` is deleted on the hotfix branch. Production only loses it if the \
                         deployment deletes artifacts that are not in the template; otherwise delete it \
                         in the production workspace after the deployment. Anything that still \
                         references it in production will fail.",
                        capitalise(change.artifact.kind.label()),
                        change.artifact.name
                    ),
                });
                plan.delete.push(item);
            }
        }
        if let Some((kind, message)) = kind_warning(change) {
            plan.warnings.push(PlanWarning {
                kind,
                artifact: Some(change.artifact.clone()),
                message,
            });
        }
    }
    if !summary.outside_root.is_empty() {
        let paths: Vec<&str> = summary
            .outside_root
            .iter()
            .map(|f| f.path.as_str())
            .collect();
        plan.warnings.push(PlanWarning {
            kind: WarningKind::OutsideRoot,
            artifact: None,
            message: format!(
                "{} file(s) changed outside the Synapse root folder ({}). The deployment does not ship \
                 them, and they will be merged back into main with the fix. Move the change into the \
                 root folder or revert it if it was not meant for this hotfix.",
                paths.len(),
                paths.join(", ")
            ),
        });
        plan.needs_acknowledgement = true;
    }
    if !summary.other_files.is_empty() {
        let paths: Vec<&str> = summary
            .other_files
            .iter()
            .map(|f| f.path.as_str())
            .collect();
        plan.warnings.push(PlanWarning {
            kind: WarningKind::NonArtifact,
            artifact: None,
            message: format!(
                "{} file(s) inside the root folder are not Synapse artifacts and will not be deployed: {}.",
                paths.len(),
                paths.join(", ")
            ),
        });
    }
    if summary.artifacts.is_empty() {
        plan.warnings.push(PlanWarning {
            kind: WarningKind::NoChanges,
            artifact: None,
            message:
                "The hotfix branch changes no Synapse artifact, so a deployment would not change \
                      production. Commit the fix to the hotfix branch in Synapse Studio first."
                    .into(),
        });
        plan.needs_acknowledgement = true;
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synapse::diff::json_diff;

    fn change(kind: ArtifactKind, name: &str, change: ChangeKind) -> ArtifactChange {
        ArtifactChange {
            artifact: ArtifactRef {
                kind,
                name: name.into(),
            },
            path: format!("/{}/{name}.json", kind.folder()),
            change,
            diff: json_diff(None, Some("{}")),
        }
    }

    fn summary(artifacts: Vec<ArtifactChange>) -> ChangeSummary {
        ChangeSummary {
            base_commit: "a".repeat(40),
            target_commit: "b".repeat(40),
            artifacts,
            outside_root: vec![],
            other_files: vec![],
        }
    }

    #[test]
    fn ado_change_types_map_to_what_the_file_did() {
        assert_eq!(ChangeKind::from_ado("add"), ChangeKind::Created);
        assert_eq!(ChangeKind::from_ado("edit"), ChangeKind::Edited);
        assert_eq!(ChangeKind::from_ado("delete"), ChangeKind::Deleted);
        assert_eq!(ChangeKind::from_ado("Edit, Rename"), ChangeKind::Created);
        assert_eq!(
            ChangeKind::from_ado("delete, sourceRename"),
            ChangeKind::Deleted
        );
    }

    #[test]
    fn plan_sorts_changes_and_calls_out_deletions_and_sensitive_kinds() {
        let s = summary(vec![
            change(ArtifactKind::Pipeline, "LoadSales", ChangeKind::Edited),
            change(ArtifactKind::Notebook, "Clean", ChangeKind::Created),
            change(ArtifactKind::Dataset, "OldSales", ChangeKind::Deleted),
            change(ArtifactKind::Trigger, "Nightly", ChangeKind::Edited),
            change(ArtifactKind::LinkedService, "ls_sql", ChangeKind::Edited),
        ]);
        assert_eq!(
            s.headlines(),
            vec![
                "pipeline `LoadSales` edited",
                "notebook `Clean` created",
                "dataset `OldSales` deleted",
                "trigger `Nightly` edited",
                "linked service `ls_sql` edited"
            ]
        );
        let plan = build_plan(&s);
        assert_eq!(plan.create.len(), 1);
        assert_eq!(
            plan.update
                .iter()
                .map(|i| i.artifact.name.as_str())
                .collect::<Vec<_>>(),
            vec!["LoadSales", "ls_sql", "Nightly"]
        );
        assert_eq!(plan.delete[0].artifact.name, "OldSales");
        let kinds: Vec<WarningKind> = plan.warnings.iter().map(|w| w.kind).collect();
        assert!(kinds.contains(&WarningKind::Deletion));
        assert!(kinds.contains(&WarningKind::Trigger));
        assert!(kinds.contains(&WarningKind::LinkedService));
        assert!(!kinds.contains(&WarningKind::Credential));
        assert!(!plan.needs_acknowledgement);
    }

    #[test]
    fn files_outside_the_root_and_empty_changes_need_acknowledgement() {
        let mut s = summary(vec![change(
            ArtifactKind::Credential,
            "WorkspaceSystemIdentity",
            ChangeKind::Edited,
        )]);
        s.outside_root.push(FileChange {
            path: "/scripts/deploy.ps1".into(),
            change: ChangeKind::Edited,
        });
        let plan = build_plan(&s);
        assert!(plan.needs_acknowledgement);
        let outside = plan
            .warnings
            .iter()
            .find(|w| w.kind == WarningKind::OutsideRoot)
            .unwrap();
        assert!(outside.message.contains("/scripts/deploy.ps1"));
        assert!(plan
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::Credential));

        let empty = build_plan(&summary(vec![]));
        assert!(empty.needs_acknowledgement);
        assert_eq!(empty.warnings[0].kind, WarningKind::NoChanges);
    }
}
