//! Which artifact values become template parameters when the workspace template is generated
//! (by Synapse Studio's Publish, or by the deployment task's `validateDeploy`), and their names.
//!
//! The rules come from `template-parameters-definition.json` at the Synapse root folder when the
//! branch has one — it *replaces* the defaults (MicrosoftDocs/azure-docs#112422) — else from the
//! default parameter template. Microsoft does not publish Synapse's default (azure-docs#106898,
//! #119471); this is the Data Factory default parameterization template, which the Synapse
//! documentation refers to and which Synapse's generated names follow
//! (`{linkedService}_properties_typeProperties_url`, `…_baseUrl`, `{linkedService}_connectionString`).
//!
//! Syntax (Synapse CI/CD docs, "Create custom parameters in the workspace template"): a section
//! per type `Microsoft.Synapse/workspaces/{collection}` (linked services and datasets per
//! `properties.type`, `*` for the rest); a property path ending in `"<action>:<name>:<type>"`,
//! `*` for every property of that level; `=` keeps the development value as the default, `-` keeps
//! none, `|` is a secret (Key Vault secret references are left to the vault); `<name>` empty =
//! `{artifact}_{path}`, `-name` = `{artifact}_{name}`, `name` = the last path step replaced; an
//! array definition applies to each item. Secure strings (`connectionString` of a linked service)
//! are parameterised whatever the file says.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::ArtifactKind;

/// The file that replaces the default parameter template, at the Synapse root folder.
pub const DEFINITION_FILE: &str = "template-parameters-definition.json";

/// The default parameter template.
pub fn default_definition() -> Value {
    serde_json::from_str(include_str!("default-parameter-template.json")).unwrap_or(Value::Null)
}

/// One step into an artifact's JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

/// What the template keeps for a parameter without an override.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum DefaultKept {
    /// `=`: the development value is the default, so it is deployed.
    DevelopmentValue,
    /// `-` / `|` / a secure string: no default, so an empty value is deployed.
    Nothing,
}

/// One parameterised value of an artifact.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateParameter {
    /// The ARM parameter name, e.g. `ls_kv_properties_typeProperties_baseUrl`.
    pub name: String,
    /// Path below the artifact's `properties`.
    pub path: Vec<PathSeg>,
    pub default: DefaultKept,
    /// `string`, `secureString`, `int`, `bool`, `object`, `secureObject`, `array`.
    pub param_type: String,
    /// The value in the branch (the development value).
    pub dev_value: Value,
}

impl TemplateParameter {
    pub fn is_secure(&self) -> bool {
        self.param_type.to_ascii_lowercase().starts_with("secure")
    }

    /// `properties.typeProperties.baseUrl`, `properties.pipelines[0].parameters.day`.
    pub fn display_path(&self) -> String {
        let mut out = String::from("properties");
        for s in &self.path {
            match s {
                PathSeg::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                PathSeg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// The last property name of the path (`baseUrl`).
    pub fn property(&self) -> &str {
        self.path
            .iter()
            .rev()
            .find_map(|s| match s {
                PathSeg::Key(k) => Some(k.as_str()),
                PathSeg::Index(_) => None,
            })
            .unwrap_or("")
    }
}

/// The definition's section key of a kind (`microsoft.synapse/workspaces/linkedservices`).
fn section_key(kind: ArtifactKind) -> Option<&'static str> {
    Some(match kind {
        ArtifactKind::Pipeline => "microsoft.synapse/workspaces/pipelines",
        ArtifactKind::Notebook => "microsoft.synapse/workspaces/notebooks",
        ArtifactKind::Dataset => "microsoft.synapse/workspaces/datasets",
        ArtifactKind::LinkedService => "microsoft.synapse/workspaces/linkedservices",
        ArtifactKind::Trigger => "microsoft.synapse/workspaces/triggers",
        ArtifactKind::SqlScript => "microsoft.synapse/workspaces/sqlscripts",
        ArtifactKind::Dataflow => "microsoft.synapse/workspaces/dataflows",
        ArtifactKind::IntegrationRuntime => "microsoft.synapse/workspaces/integrationruntimes",
        ArtifactKind::Credential => "microsoft.synapse/workspaces/credentials",
        ArtifactKind::SparkJobDefinition => "microsoft.synapse/workspaces/sparkjobdefinitions",
        ArtifactKind::KqlScript => "microsoft.synapse/workspaces/kqlscripts",
        ArtifactKind::ManagedPrivateEndpoint => {
            "microsoft.synapse/workspaces/managedvirtualnetworks/managedprivateendpoints"
        }
        ArtifactKind::SparkConfiguration => "microsoft.synapse/workspaces/sparkconfigurations",
        ArtifactKind::ManagedVirtualNetwork | ArtifactKind::Database => return None,
    })
}

fn get_ci<'a>(o: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The parameterised values of one artifact (`properties` as in the branch).
pub fn parameters_of(
    kind: ArtifactKind,
    name: &str,
    properties: &Value,
    definition: &Value,
) -> Vec<TemplateParameter> {
    let mut out = Vec::new();
    let section = section_key(kind)
        .and_then(|key| definition.as_object().and_then(|d| get_ci(d, key)))
        .and_then(Value::as_object);
    if let Some(section) = section {
        let chosen = if section.contains_key("properties") || section.is_empty() {
            Some(section)
        } else {
            let t = properties["type"].as_str().unwrap_or("");
            get_ci(section, t)
                .or_else(|| section.get("*"))
                .and_then(Value::as_object)
        };
        if let Some(def) = chosen.and_then(|c| c.get("properties")) {
            let mut w = Walk {
                entity: name,
                path: Vec::new(),
                names: vec!["properties".to_owned()],
                out: &mut out,
            };
            w.node(def, properties);
        }
    }
    if kind == ArtifactKind::LinkedService {
        let cs = &properties["typeProperties"]["connectionString"];
        let path = vec![
            PathSeg::Key("typeProperties".into()),
            PathSeg::Key("connectionString".into()),
        ];
        if cs.is_string() && !out.iter().any(|p| p.path == path) {
            out.push(TemplateParameter {
                name: format!("{name}_connectionString"),
                path,
                default: DefaultKept::Nothing,
                param_type: "secureString".into(),
                dev_value: cs.clone(),
            });
        }
    }
    out
}

struct Walk<'a> {
    entity: &'a str,
    path: Vec<PathSeg>,
    names: Vec<String>,
    out: &'a mut Vec<TemplateParameter>,
}

impl Walk<'_> {
    fn node(&mut self, def: &Value, v: &Value) {
        match def {
            Value::String(spec) => self.leaf(spec, v),
            Value::Object(map) => {
                let Some(obj) = v.as_object() else {
                    return;
                };
                for (k, sub) in map {
                    if k == "*" {
                        for (vk, vv) in obj {
                            if !map.contains_key(vk) {
                                self.step(sub, vk, vv);
                            }
                        }
                    } else if let Some(vv) = obj.get(k) {
                        self.step(sub, k, vv);
                    }
                }
            }
            _ => {}
        }
    }

    fn step(&mut self, sub: &Value, key: &str, v: &Value) {
        self.path.push(PathSeg::Key(key.to_owned()));
        if let (Value::Array(defs), Value::Array(items)) = (sub, v) {
            let item_def = defs.first().cloned().unwrap_or(Value::Null);
            let naming = defs.get(1).and_then(Value::as_str);
            for (i, item) in items.iter().enumerate() {
                let ident = naming
                    .and_then(|n| item.pointer(&format!("/{}", n.replace('.', "/"))))
                    .or_else(|| item.get("name"))
                    .or_else(|| item.pointer("/pipelineReference/referenceName"))
                    .and_then(Value::as_str)
                    .map_or_else(|| i.to_string(), str::to_owned);
                self.path.push(PathSeg::Index(i));
                self.names.push(ident);
                self.node(&item_def, item);
                self.names.pop();
                self.path.pop();
            }
        } else {
            self.names.push(key.to_owned());
            self.node(sub, v);
            self.names.pop();
        }
        self.path.pop();
    }

    fn leaf(&mut self, spec: &str, v: &Value) {
        if v.is_null() {
            return;
        }
        let mut parts = spec.splitn(3, ':');
        let action = parts.next().unwrap_or("=").trim();
        let pname = parts.next().unwrap_or("").trim();
        let ptype = parts.next().unwrap_or("").trim();
        // A Key Vault secret reference stays a reference: the secret comes from the vault.
        if action == "|" && v["type"] == "AzureKeyVaultSecret" {
            return;
        }
        // A secure string object is parameterised by its value.
        let secure_object = v["type"] == "SecureString" && v.get("value").is_some();
        let (v, path) = if secure_object {
            let mut p = self.path.clone();
            p.push(PathSeg::Key("value".into()));
            (&v["value"], p)
        } else {
            (v, self.path.clone())
        };
        let entity = self.entity;
        let name = if pname.is_empty() {
            format!("{entity}_{}", self.names.join("_"))
        } else if let Some(short) = pname.strip_prefix('-') {
            format!("{entity}_{short}")
        } else {
            let head = &self.names[..self.names.len().saturating_sub(1)];
            if head.is_empty() {
                format!("{entity}_{pname}")
            } else {
                format!("{entity}_{}_{pname}", head.join("_"))
            }
        };
        let param_type = match (ptype.is_empty(), action) {
            (false, _) => ptype.to_owned(),
            (true, "|") => "secureString".to_owned(),
            (true, _) if secure_object => "secureString".to_owned(),
            (true, _) => "string".to_owned(),
        };
        let secure = param_type.to_ascii_lowercase().starts_with("secure");
        self.out.push(TemplateParameter {
            name,
            path,
            default: if action == "=" && !secure {
                DefaultKept::DevelopmentValue
            } else {
                DefaultKept::Nothing
            },
            param_type,
            dev_value: v.clone(),
        });
    }
}

/// The value at `path` inside `v`.
pub fn value_at<'a>(v: &'a mut Value, path: &[PathSeg]) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            PathSeg::Key(k) => cur.get_mut(k.as_str())?,
            PathSeg::Index(i) => cur.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// Connection-string text with its secret parts (`Password=…`, `AccountKey=…`, SAS signatures)
/// replaced by `***`, for showing a value that may carry one.
pub fn redact_secrets(text: &str) -> String {
    const SECRET_KEYS: [&str; 9] = [
        "password",
        "pwd",
        "accountkey",
        "sharedaccesskey",
        "sharedaccesssignature",
        "sig",
        "clientsecret",
        "secret",
        "token",
    ];
    text.split(';')
        .map(|part| match part.split_once('=') {
            Some((k, _)) if SECRET_KEYS.contains(&k.trim().to_ascii_lowercase().as_str()) => {
                format!("{k}=***")
            }
            _ => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
#[path = "parameters_tests.rs"]
mod tests;
