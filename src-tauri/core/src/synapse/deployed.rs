//! An artifact of a branch as the deployment task writes it into a target workspace
//! (`armtemplateutils.ts` / `CommonUtils.ts` of the 2.x task): every parameterised value gets its
//! override, else its development value when the template keeps it as the default, else an empty
//! value; the workspace's own default artifacts (`{workspace}-WorkspaceDefaultStorage`,
//! `{workspace}-WorkspaceDefaultSqlServer`, `WorkspaceSystemIdentity`) are not deployed, and every
//! reference to the source workspace's ones points at the target's.

use serde_json::{json, Value};

use super::overrides::{value_of, Overrides};
use super::parameters::{parameters_of, value_at, DefaultKept, TemplateParameter};
use super::ArtifactKind;

/// `(name fragment, properties.type, kind)` the task recognises default artifacts by.
const DEFAULTS: [(&str, &str, ArtifactKind); 3] = [
    (
        "workspacedefaultsqlserver",
        "azuresqldw",
        ArtifactKind::LinkedService,
    ),
    (
        "workspacedefaultstorage",
        "azureblobfs",
        ArtifactKind::LinkedService,
    ),
    (
        "workspacesystemidentity",
        "managedidentity",
        ArtifactKind::Credential,
    ),
];

/// Whether this is one of a workspace's own artifacts, which the task never deploys.
pub fn is_default_artifact(kind: ArtifactKind, name: &str, properties: &Value) -> bool {
    let t = properties["type"]
        .as_str()
        .unwrap_or("")
        .to_ascii_lowercase();
    let n = name.to_ascii_lowercase();
    DEFAULTS
        .iter()
        .any(|(frag, ty, k)| n.contains(frag) && t == *ty && kind == *k)
}

/// The target workspace's name for another workspace's default linked service.
pub fn default_target_name(name: &str, target_workspace: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    ["WorkspaceDefaultSqlServer", "WorkspaceDefaultStorage"]
        .iter()
        .find_map(|suffix| lower.find(&suffix.to_ascii_lowercase()))
        .map(|at| format!("{target_workspace}-{}", &name[at..]))
        .filter(|renamed| renamed != name)
}

/// Points every `referenceName` naming another workspace's default artifact at the target's.
pub fn rename_default_references(v: &mut Value, target_workspace: &str) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("referenceName") {
                if let Some(renamed) = default_target_name(r, target_workspace) {
                    o.insert("referenceName".into(), json!(renamed));
                }
            }
            for x in o.values_mut() {
                rename_default_references(x, target_workspace);
            }
        }
        Value::Array(a) => a
            .iter_mut()
            .for_each(|x| rename_default_references(x, target_workspace)),
        _ => {}
    }
}

/// One artifact as deployed.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployedArtifact {
    pub properties: Value,
    /// Every parameter of the artifact (whether an override covered it or not).
    pub parameters: Vec<TemplateParameter>,
}

/// `properties` as the task deploys them to `target_workspace`; `None` for a default artifact
/// (the target keeps its own).
pub fn as_deployed(
    kind: ArtifactKind,
    name: &str,
    properties: &Value,
    definition: &Value,
    overrides: &Overrides,
    target_workspace: &str,
) -> Option<DeployedArtifact> {
    if is_default_artifact(kind, name, properties) {
        return None;
    }
    let parameters = parameters_of(kind, name, properties, definition);
    let mut deployed = properties.clone();
    for p in &parameters {
        let value = match overrides.get(&p.name) {
            Some(text) => value_of(text),
            None if p.default == DefaultKept::DevelopmentValue => continue,
            None => json!(""),
        };
        if let Some(slot) = value_at(&mut deployed, &p.path) {
            *slot = value;
        }
    }
    rename_default_references(&mut deployed, target_workspace);
    Some(DeployedArtifact {
        properties: deployed,
        parameters,
    })
}

#[cfg(test)]
mod tests {
    use super::super::overrides::parse;
    use super::super::parameters::default_definition;
    use super::*;

    #[test]
    fn overrides_replace_parameterised_values_and_secure_ones_without_override_go_empty() {
        let props = json!({"type": "AzureSqlDatabase", "typeProperties": {
            "connectionString": "Data Source=dev", "server": "dev-srv", "database": "sales"}});
        let d = as_deployed(
            ArtifactKind::LinkedService,
            "ls",
            &props,
            &default_definition(),
            &parse("-ls_properties_typeProperties_server prod-srv"),
            "prod",
        )
        .unwrap();
        assert_eq!(d.properties["typeProperties"]["server"], "prod-srv");
        assert_eq!(d.properties["typeProperties"]["database"], "sales");
        assert_eq!(d.properties["typeProperties"]["connectionString"], "");
    }

    #[test]
    fn default_artifacts_are_not_deployed_and_references_follow_the_target() {
        let storage = json!({"type": "AzureBlobFS", "typeProperties": {"url": "https://dev"}});
        assert!(as_deployed(
            ArtifactKind::LinkedService,
            "dev-WorkspaceDefaultStorage",
            &storage,
            &default_definition(),
            &parse(""),
            "prod"
        )
        .is_none());
        let ds = json!({"type": "Parquet", "linkedServiceName": {
            "referenceName": "dev-WorkspaceDefaultStorage", "type": "LinkedServiceReference"}});
        let d = as_deployed(
            ArtifactKind::Dataset,
            "ds",
            &ds,
            &default_definition(),
            &parse(""),
            "prod",
        )
        .unwrap();
        assert_eq!(
            d.properties["linkedServiceName"]["referenceName"],
            "prod-WorkspaceDefaultStorage"
        );
    }
}
