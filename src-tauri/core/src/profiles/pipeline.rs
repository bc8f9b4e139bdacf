//! How the profile wants its hotfix release pipeline (wizard step 4) built. Every field has a
//! default, and profiles saved before these settings existed (no `hotfixPipeline` key) read as the
//! defaults, so older files keep loading unchanged.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::NamedRef;

pub const DEFAULT_DEFINITION_NAME_TEMPLATE: &str = "Synapse-Hotfix-{branch}";
pub const DEFAULT_DEFINITION_FOLDER: &str = "\\Hotfixes";
pub const DEFAULT_STAGE_NAME: &str = "Production_Hotfix";
pub const DEFAULT_ARTIFACT_ALIAS: &str = "_hotfix";

/// Settings of the hotfix release pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct HotfixPipelineSettings {
    /// Name of the release definition; `{branch}` and `{release}` are replaced.
    pub definition_name_template: String,
    /// Folder of the release definition (`\Hotfixes`).
    pub definition_folder: String,
    /// The one stage of the definition.
    pub stage_name: String,
    /// Alias of the Git artifact (the folder the agent downloads the branch into).
    pub artifact_alias: String,
    /// `OverrideArmParameters` of the deployment task (`-name value` pairs or YAML lines).
    pub override_arm_parameters: String,
    /// `DeleteArtifactsNotInTemplate`: deletes workspace artifacts missing from the branch.
    pub delete_artifacts_not_in_template: bool,
    /// `DeployManagedPrivateEndpoints`.
    pub deploy_managed_private_endpoints: bool,
    /// Pre-deployment approvers (identity id + display name); empty = automated approval.
    pub approvers: Vec<NamedRef>,
}

impl Default for HotfixPipelineSettings {
    fn default() -> Self {
        Self {
            definition_name_template: DEFAULT_DEFINITION_NAME_TEMPLATE.into(),
            definition_folder: DEFAULT_DEFINITION_FOLDER.into(),
            stage_name: DEFAULT_STAGE_NAME.into(),
            artifact_alias: DEFAULT_ARTIFACT_ALIAS.into(),
            override_arm_parameters: String::new(),
            delete_artifacts_not_in_template: false,
            deploy_managed_private_endpoints: false,
            approvers: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::{Profile, ProfileStore};

    #[test]
    fn a_version_1_file_without_the_settings_loads_with_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let mut old = serde_json::to_value(Profile::new_with_defaults("p1".into())).unwrap();
        old.as_object_mut().unwrap().remove("hotfixPipeline");
        old["name"] = serde_json::json!("Old profile");
        std::fs::write(
            dir.path().join(crate::profiles::PROFILES_FILE),
            serde_json::to_vec(&serde_json::json!({"version": 1, "profiles": [old]})).unwrap(),
        )
        .unwrap();
        let store = ProfileStore::open(dir.path()).unwrap();
        let list = store.list();
        assert_eq!(list.len(), 1, "the old file is read, not moved aside");
        assert_eq!(list[0].hotfix_pipeline, None);
        let s = list[0].pipeline_settings();
        assert_eq!(s.stage_name, "Production_Hotfix");
        assert_eq!(s.definition_folder, "\\Hotfixes");
        assert!(!s.delete_artifacts_not_in_template && !s.deploy_managed_private_endpoints);
    }

    #[test]
    fn partial_settings_fill_the_rest_with_defaults_and_round_trip() {
        let s: HotfixPipelineSettings = serde_json::from_value(serde_json::json!({
            "stageName": "Prod_Fix", "deleteArtifactsNotInTemplate": true
        }))
        .unwrap();
        assert_eq!(s.stage_name, "Prod_Fix");
        assert!(s.delete_artifacts_not_in_template);
        assert_eq!(s.artifact_alias, DEFAULT_ARTIFACT_ALIAS);
        let mut p = Profile::new_with_defaults("p2".into());
        p.hotfix_pipeline = Some(s.clone());
        let back: Profile = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
        assert_eq!(back.pipeline_settings(), s);
    }
}
