//! [`DefinitionSpec`]: everything the hotfix release definition is built from, taken from the
//! profile (and its [`HotfixPipelineSettings`]) and the facts of the run (the hotfix branch, the
//! release it fixes, the effective resource group found by pre-flight).

use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::profiles::{HotfixPipelineSettings, NamedRef, NumberedRef, Profile};

/// What the run knows that the profile does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionFacts {
    /// The hotfix branch (`Release3_Hotfixes`; a `refs/heads/` prefix is dropped).
    pub hotfix_branch: String,
    /// Name of the production release being fixed (`Release-3`), for `{release}` in the name.
    pub release_name: String,
    /// The resource group the tasks act on: the service connection's own when it is scoped to
    /// one (it overrides the input), else the profile's. `None` = the profile's.
    pub effective_resource_group: Option<String>,
}

/// The inputs of the definition, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefinitionSpec {
    pub name: String,
    pub folder: String,
    pub project: NamedRef,
    pub repository: NamedRef,
    /// Branch name without `refs/heads/`.
    pub branch: String,
    pub artifact_alias: String,
    /// Synapse root folder inside the repository, without leading/trailing `/` (empty = root).
    pub root_folder: String,
    pub workspace: String,
    pub resource_group: String,
    pub service_connection: NamedRef,
    pub agent_queue: NumberedRef,
    pub stage_name: String,
    pub override_arm_parameters: String,
    pub delete_artifacts_not_in_template: bool,
    pub deploy_managed_private_endpoints: bool,
    pub approvers: Vec<NamedRef>,
}

/// Characters Azure DevOps refuses in a release definition name.
const FORBIDDEN: &str = "\\/:*?\"<>|";

fn missing(what: &str) -> AppError {
    AppError::invalid_input(format!(
        "The profile has no {what}. Pick it in the profile editor, then open this step again."
    ))
}

impl DefinitionSpec {
    /// The spec of the hotfix definition for `profile` and the run's `facts`.
    pub fn from_profile(profile: &Profile, facts: &DefinitionFacts) -> AppResult<Self> {
        let settings: HotfixPipelineSettings = profile.pipeline_settings();
        let project = profile
            .project
            .clone()
            .ok_or_else(|| missing("Azure DevOps project"))?;
        let repository = profile
            .repository
            .clone()
            .ok_or_else(|| missing("repository"))?;
        let service_connection = profile
            .service_connection
            .clone()
            .ok_or_else(|| missing("production service connection"))?;
        let agent_queue = profile
            .agent_queue
            .clone()
            .ok_or_else(|| missing("agent queue"))?;
        let branch = facts.hotfix_branch.trim();
        let branch = branch
            .strip_prefix("refs/heads/")
            .unwrap_or(branch)
            .to_owned();
        if branch.is_empty() {
            return Err(AppError::invalid_input(
                "The run has no hotfix branch yet. Create it in step 2 first.",
            ));
        }
        let workspace = profile.prod_workspace.trim().to_owned();
        if workspace.is_empty() {
            return Err(missing("production workspace name"));
        }
        let resource_group = facts
            .effective_resource_group
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .unwrap_or(profile.prod_resource_group.trim())
            .to_owned();
        if resource_group.is_empty() {
            return Err(missing("production resource group"));
        }
        let stage_name = settings.stage_name.trim().to_owned();
        if stage_name.is_empty() {
            return Err(AppError::invalid_input(
                "The hotfix stage name in the profile is empty. Enter one (for example \
                 Production_Hotfix) in Profile → Hotfix pipeline.",
            ));
        }
        let alias = settings.artifact_alias.trim().to_owned();
        if alias.is_empty() || alias.contains(['/', '\\']) {
            return Err(AppError::invalid_input(format!(
                "The artifact alias '{alias}' in the profile cannot be used: it names the folder \
                 the agent downloads the branch into, so it must be non-empty and contain no / or \
                 \\. Change it in Profile → Hotfix pipeline (for example _hotfix)."
            )));
        }
        let name = definition_name(
            &settings.definition_name_template,
            &branch,
            &facts.release_name,
        )?;
        let folder = normalise_folder(&settings.definition_folder);
        Ok(Self {
            name,
            folder,
            project,
            repository,
            branch,
            artifact_alias: alias,
            root_folder: profile.root_folder.trim().trim_matches('/').to_owned(),
            workspace,
            resource_group,
            service_connection,
            agent_queue,
            stage_name,
            override_arm_parameters: settings.override_arm_parameters.trim().to_owned(),
            delete_artifacts_not_in_template: settings.delete_artifacts_not_in_template,
            deploy_managed_private_endpoints: settings.deploy_managed_private_endpoints,
            approvers: settings.approvers,
        })
    }

    /// `sourceId` of the Git artifact: `{projectId}:{repositoryId}`.
    pub fn artifact_source_id(&self) -> String {
        format!("{}:{}", self.project.id, self.repository.id)
    }

    /// Where the deployment task reads the Synapse artifacts on the agent.
    pub fn artifacts_folder(&self) -> String {
        let base = format!("$(System.DefaultWorkingDirectory)/{}", self.artifact_alias);
        if self.root_folder.is_empty() {
            base
        } else {
            format!("{base}/{}", self.root_folder)
        }
    }
}

/// The definition name from the template: `{branch}` and `{release}` replaced, characters the
/// service refuses replaced by `-`.
pub fn definition_name(template: &str, branch: &str, release: &str) -> AppResult<String> {
    let template = if template.trim().is_empty() {
        crate::profiles::pipeline::DEFAULT_DEFINITION_NAME_TEMPLATE
    } else {
        template.trim()
    };
    let raw = template
        .replace("{branch}", branch)
        .replace("{release}", release.trim());
    let name: String = raw
        .chars()
        .map(|c| if FORBIDDEN.contains(c) { '-' } else { c })
        .collect();
    let name = name.trim().to_owned();
    if name.is_empty() || name.len() > 260 {
        return Err(AppError::invalid_input(format!(
            "The hotfix pipeline name made from the template '{template}' is not usable \
             ('{name}'). Change the name template in Profile → Hotfix pipeline."
        )));
    }
    Ok(name)
}

/// `Hotfixes`, `/Hotfixes/` or `\Hotfixes\` → `\Hotfixes`; empty → `\`.
pub fn normalise_folder(folder: &str) -> String {
    let parts: Vec<&str> = folder
        .split(['\\', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    format!("\\{}", parts.join("\\"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        let mut p = Profile::new_with_defaults("p".into());
        p.project = Some(NamedRef {
            id: "pid".into(),
            name: "DataPlatform".into(),
        });
        p.repository = Some(NamedRef {
            id: "rid".into(),
            name: "synapse".into(),
        });
        p.service_connection = Some(NamedRef {
            id: "eid".into(),
            name: "prod-arm".into(),
        });
        p.agent_queue = Some(NumberedRef {
            id: 9,
            name: "Azure Pipelines".into(),
        });
        p.prod_workspace = "contoso-prod".into();
        p.prod_resource_group = "rg-prod".into();
        p.root_folder = "/synapse/".into();
        p
    }

    fn facts(branch: &str) -> DefinitionFacts {
        DefinitionFacts {
            hotfix_branch: branch.into(),
            release_name: "Release-3".into(),
            effective_resource_group: None,
        }
    }

    #[test]
    fn the_spec_takes_the_profile_defaults_and_the_run_facts() {
        let s = DefinitionSpec::from_profile(&profile(), &facts("refs/heads/hotfix/r3")).unwrap();
        assert_eq!(s.branch, "hotfix/r3");
        assert_eq!(
            s.name, "Synapse-Hotfix-hotfix-r3",
            "a / is not allowed in the name"
        );
        assert_eq!(s.folder, "\\Hotfixes");
        assert_eq!(s.stage_name, "Production_Hotfix");
        assert_eq!(
            s.artifacts_folder(),
            "$(System.DefaultWorkingDirectory)/_hotfix/synapse"
        );
        assert_eq!(s.artifact_source_id(), "pid:rid");
        assert_eq!(s.resource_group, "rg-prod");
        assert!(!s.delete_artifacts_not_in_template && !s.deploy_managed_private_endpoints);
    }

    #[test]
    fn the_connection_resource_group_wins_and_missing_pieces_are_named() {
        let mut f = facts("Release3_Hotfixes");
        f.effective_resource_group = Some("rg-from-connection".into());
        let s = DefinitionSpec::from_profile(&profile(), &f).unwrap();
        assert_eq!(s.resource_group, "rg-from-connection");
        let mut p = profile();
        p.root_folder = "/".into();
        let s = DefinitionSpec::from_profile(&p, &f).unwrap();
        assert_eq!(
            s.artifacts_folder(),
            "$(System.DefaultWorkingDirectory)/_hotfix"
        );
        p.agent_queue = None;
        let err = DefinitionSpec::from_profile(&p, &f).unwrap_err();
        assert!(err.message.contains("agent queue"), "{}", err.message);
        let err = DefinitionSpec::from_profile(&profile(), &facts("  ")).unwrap_err();
        assert!(err.message.contains("step 2"), "{}", err.message);
    }

    #[test]
    fn names_and_folders_are_normalised() {
        assert_eq!(
            definition_name("Hotfix {release} ({branch})", "b", "Release-3").unwrap(),
            "Hotfix Release-3 (b)"
        );
        assert_eq!(definition_name("", "b", "r").unwrap(), "Synapse-Hotfix-b");
        assert_eq!(
            normalise_folder("/Hotfixes/Synapse/"),
            "\\Hotfixes\\Synapse"
        );
        assert_eq!(normalise_folder(""), "\\");
    }
}
