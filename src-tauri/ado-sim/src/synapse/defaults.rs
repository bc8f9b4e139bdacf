//! The artifacts every Synapse workspace owns from its creation: the linked services
//! `{workspace}-WorkspaceDefaultStorage` (its primary Data Lake, `AzureBlobFS`) and
//! `{workspace}-WorkspaceDefaultSqlServer` (`AzureSqlDW`), and the credential
//! `WorkspaceSystemIdentity`. The deployment task recognises these in a template by name fragment
//! and type, does not deploy them ("Will be skipped as its a default resource") and points every
//! reference to the source workspace's ones at the target workspace's own
//! (`armtemplateutils.ts` / `CommonUtils.ts` of the 2.x task).

use serde_json::{json, Value};

use super::Workspace;

/// `(name fragment, properties.type, kind)` of the default artifacts, as the task matches them.
const DEFAULTS: [(&str, &str, &str); 3] = [
    ("workspacedefaultsqlserver", "azuresqldw", "linkedService"),
    ("workspacedefaultstorage", "azureblobfs", "linkedService"),
    ("workspacesystemidentity", "managedidentity", "credential"),
];

/// Whether the task treats this artifact as one of the workspace's own (not deployed).
pub fn is_default(kind: &str, name: &str, properties: &Value) -> bool {
    let t = properties["type"]
        .as_str()
        .unwrap_or("")
        .to_ascii_lowercase();
    let n = name.to_ascii_lowercase();
    DEFAULTS
        .iter()
        .any(|(frag, ty, k)| n.contains(frag) && t == *ty && kind.eq_ignore_ascii_case(k))
}

/// The target workspace's name for a default artifact of another workspace
/// (`dev-WorkspaceDefaultStorage` → `prod-WorkspaceDefaultStorage`); `None` when `name` is not one.
pub fn target_name(name: &str, target_workspace: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    for suffix in ["WorkspaceDefaultSqlServer", "WorkspaceDefaultStorage"] {
        if let Some(at) = lower.find(&suffix.to_ascii_lowercase()) {
            let renamed = format!("{target_workspace}-{}", &name[at..]);
            return (renamed != name).then_some(renamed);
        }
    }
    None
}

/// Points every `"referenceName"` naming a default artifact of another workspace at the target
/// workspace's own.
pub fn rename_references(v: &mut Value, target_workspace: &str) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("referenceName") {
                if let Some(renamed) = target_name(r, target_workspace) {
                    o.insert("referenceName".into(), json!(renamed));
                }
            }
            for x in o.values_mut() {
                rename_references(x, target_workspace);
            }
        }
        Value::Array(a) => a
            .iter_mut()
            .for_each(|x| rename_references(x, target_workspace)),
        _ => {}
    }
}

impl Workspace {
    /// Creates the workspace's own default artifacts (primary storage at `storage_url`).
    pub fn add_defaults(&mut self, storage_url: &str) {
        let name = self.name.clone();
        self.upsert(
            "linkedService",
            &format!("{name}-WorkspaceDefaultStorage"),
            json!({
                "typeProperties": {"url": storage_url},
                "type": "AzureBlobFS",
                "connectVia": {"referenceName": "AutoResolveIntegrationRuntime", "type": "IntegrationRuntimeReference"}
            }),
        );
        self.upsert(
            "linkedService",
            &format!("{name}-WorkspaceDefaultSqlServer"),
            json!({
                "typeProperties": {"connectionString": format!("Data Source=tcp:{name}.sql.azuresynapse.net,1433;Initial Catalog=@{{linkedService().DBName}}")},
                "parameters": {"DBName": {"type": "String"}},
                "type": "AzureSqlDW",
                "connectVia": {"referenceName": "AutoResolveIntegrationRuntime", "type": "IntegrationRuntimeReference"},
                "annotations": []
            }),
        );
        self.upsert(
            "credential",
            "WorkspaceSystemIdentity",
            json!({"type": "ManagedIdentity", "typeProperties": {}}),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_artifacts_are_told_by_name_and_type() {
        let storage = json!({"type": "AzureBlobFS"});
        assert!(is_default(
            "linkedService",
            "dev-WorkspaceDefaultStorage",
            &storage
        ));
        assert!(!is_default("linkedService", "ls_lake", &storage));
        assert!(!is_default(
            "linkedService",
            "dev-WorkspaceDefaultStorage",
            &json!({"type": "AzureKeyVault"})
        ));
        assert!(is_default(
            "credential",
            "WorkspaceSystemIdentity",
            &json!({"type": "ManagedIdentity"})
        ));
    }

    #[test]
    fn references_to_the_source_defaults_point_at_the_target_ones() {
        let mut v = json!({"linkedServiceName": {"referenceName": "dev-WorkspaceDefaultStorage", "type": "LinkedServiceReference"},
                           "other": [{"referenceName": "ls_sql", "type": "LinkedServiceReference"}]});
        rename_references(&mut v, "prod");
        assert_eq!(
            v["linkedServiceName"]["referenceName"],
            "prod-WorkspaceDefaultStorage"
        );
        assert_eq!(v["other"][0]["referenceName"], "ls_sql");
        assert_eq!(target_name("prod-WorkspaceDefaultStorage", "prod"), None);
    }
}
