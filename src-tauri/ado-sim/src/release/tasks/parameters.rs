//! Template parameters the way the deployment task sees them: which artifact values are
//! parameterised (`template-parameters-definition.json` at the Synapse root folder, else the
//! default parameter template — the documented Data Factory default with Synapse types, which the
//! names of Synapse's generated parameters follow: `{artifact}_properties_typeProperties_url`,
//! `{artifact}_connectionString`), how `OverrideArmParameters` is read (`-name value` pairs split
//! on `" -"`, or YAML lines, as `armtemplateutils.ts` of the 2.x task does), and what reaches
//! the workspace: the override, else the development value when the parameter keeps its default,
//! else an empty value. A simple, independent implementation: the app has its own.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// The file a team adds at the Synapse root folder to replace the default parameter template.
pub const DEFINITION_FILE: &str = "template-parameters-definition.json";

/// The default parameter template.
pub fn default_definition() -> Value {
    serde_json::from_str(include_str!("default-parameter-template.json")).unwrap_or(Value::Null)
}

/// One step into an artifact's JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// One parameterised value of an artifact.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateParam {
    pub name: String,
    /// Path from the artifact's `properties`.
    pub path: Vec<Seg>,
    /// `=`: the development value is the parameter's default.
    pub keep_default: bool,
    /// `string`, `secureString`, `int`, `bool`, `object`, …
    pub stype: String,
    pub dev_value: Value,
}

/// The definition section's key for a Git folder name.
fn section_key(kind: &str) -> String {
    let plural = match kind {
        "linkedService" => "linkedServices",
        "integrationRuntime" => "integrationRuntimes",
        "sparkJobDefinition" => "sparkJobDefinitions",
        "pipeline" => "pipelines",
        "dataset" => "datasets",
        "notebook" => "notebooks",
        "trigger" => "triggers",
        "dataflow" => "dataflows",
        "sqlscript" => "sqlscripts",
        "credential" => "credentials",
        "kqlscript" => "kqlscripts",
        other => other,
    };
    format!(
        "microsoft.synapse/workspaces/{}",
        plural.to_ascii_lowercase()
    )
}

fn get_ci<'a>(o: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The parameterised values of one artifact (`properties` as in Git).
pub fn parameters_of(
    kind: &str,
    name: &str,
    properties: &Value,
    definition: &Value,
) -> Vec<TemplateParam> {
    let mut out = Vec::new();
    let section = definition
        .as_object()
        .and_then(|d| get_ci(d, &section_key(kind)));
    if let Some(Value::Object(section)) = section {
        // Linked services and datasets may be defined per type, with `*` for the others.
        let chosen = if section.contains_key("properties") || section.is_empty() {
            Some(section)
        } else {
            let t = properties["type"].as_str().unwrap_or("");
            get_ci(section, t)
                .or_else(|| section.get("*"))
                .and_then(Value::as_object)
        };
        if let Some(Value::Object(def)) = chosen.and_then(|c| c.get("properties")) {
            let mut path = Vec::new();
            let mut names = vec!["properties".to_owned()];
            walk(
                &Value::Object(def.clone()),
                properties,
                name,
                &mut path,
                &mut names,
                &mut out,
            );
        }
    }
    // Secure strings are parameterised whatever the definition says.
    if kind == "linkedService" {
        let cs = &properties["typeProperties"]["connectionString"];
        if cs.is_string()
            && !out
                .iter()
                .any(|p| p.path == [key("typeProperties"), key("connectionString")])
        {
            out.push(TemplateParam {
                name: format!("{name}_connectionString"),
                path: vec![key("typeProperties"), key("connectionString")],
                keep_default: false,
                stype: "secureString".into(),
                dev_value: cs.clone(),
            });
        }
    }
    out
}

fn key(k: &str) -> Seg {
    Seg::Key(k.to_owned())
}

fn walk(
    def: &Value,
    v: &Value,
    entity: &str,
    path: &mut Vec<Seg>,
    names: &mut Vec<String>,
    out: &mut Vec<TemplateParam>,
) {
    match def {
        Value::String(spec) => {
            if v.is_null() {
                return;
            }
            let mut parts = spec.splitn(3, ':');
            let action = parts.next().unwrap_or("=").trim();
            let pname = parts.next().unwrap_or("").trim();
            let stype = parts.next().unwrap_or("").trim();
            // A Key Vault secret reference is fetched from the vault, not parameterised.
            if action == "|" && v["type"] == "AzureKeyVaultSecret" {
                return;
            }
            // A secure string object is parameterised by its value.
            let secure_object = v["type"] == "SecureString" && v.get("value").is_some();
            let mut at = path.clone();
            if secure_object {
                at.push(key("value"));
            }
            let name = if pname.is_empty() {
                format!("{entity}_{}", names.join("_"))
            } else if let Some(short) = pname.strip_prefix('-') {
                format!("{entity}_{short}")
            } else {
                let head = &names[..names.len().saturating_sub(1)];
                if head.is_empty() {
                    format!("{entity}_{pname}")
                } else {
                    format!("{entity}_{}_{pname}", head.join("_"))
                }
            };
            let stype = if stype.is_empty() {
                if action == "|" || secure_object {
                    "secureString"
                } else {
                    "string"
                }
            } else {
                stype
            };
            let secure = stype.to_ascii_lowercase().starts_with("secure");
            out.push(TemplateParam {
                name,
                path: at,
                keep_default: action == "=" && !secure,
                stype: stype.to_owned(),
                dev_value: if secure_object {
                    v["value"].clone()
                } else {
                    v.clone()
                },
            });
        }
        Value::Object(map) => {
            let Some(obj) = v.as_object() else {
                return;
            };
            for (k, sub) in map {
                if k == "*" {
                    for (vk, vv) in obj {
                        if map.contains_key(vk) {
                            continue;
                        }
                        step(sub, vv, vk, entity, path, names, out);
                    }
                } else if let Some(vv) = obj.get(k) {
                    step(sub, vv, k, entity, path, names, out);
                }
            }
        }
        _ => {}
    }
}

fn step(
    sub: &Value,
    v: &Value,
    k: &str,
    entity: &str,
    path: &mut Vec<Seg>,
    names: &mut Vec<String>,
    out: &mut Vec<TemplateParam>,
) {
    path.push(key(k));
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
            path.push(Seg::Index(i));
            names.push(ident);
            walk(&item_def, item, entity, path, names, out);
            names.pop();
            path.pop();
        }
    } else {
        names.push(k.to_owned());
        walk(sub, v, entity, path, names, out);
        names.pop();
    }
    path.pop();
}

/// `OverrideArmParameters` as the task reads it: `-name value` pairs (a value runs to the next
/// `" -"`; one pair of surrounding quotes is dropped), or YAML `name: value` lines.
pub fn parse_overrides(raw: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if raw.len() <= 2 {
        return out;
    }
    if raw.starts_with('-') {
        let mut s = raw.to_owned();
        let mut guard = 0;
        while !s.is_empty() && s.contains('-') && s.contains(' ') && guard < 1000 {
            guard += 1;
            let (Some(dash), Some(space)) = (s.find('-'), s.find(' ')) else {
                break;
            };
            if space < dash + 1 {
                break;
            }
            let name = s[dash + 1..space].trim().to_owned();
            s = s[space..].to_owned();
            let start = s.find(' ').map_or(0, |i| i + 1);
            let end = s[start..].find(" -").map_or(s.len(), |i| i + start);
            out.insert(name, sanitize(s[start..end].trim()).to_owned());
            s = s[end..].trim().to_owned();
        }
    } else {
        for line in raw.lines() {
            if let Some((k, v)) = line.split_once(':') {
                let k = k.trim();
                if !k.is_empty() && !k.starts_with('#') {
                    out.insert(k.to_owned(), sanitize(v.trim()).to_owned());
                }
            }
        }
    }
    out
}

fn sanitize(v: &str) -> &str {
    let quoted = v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')));
    if quoted {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// An override's text as the value the task writes: JSON when it parses as JSON, else a string.
pub fn override_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| json!(text))
}

/// The value at `path` inside `v`, if it exists.
pub fn slot<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Seg::Key(k) => cur.get_mut(k.as_str())?,
            Seg::Index(i) => cur.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// Writes what the deployment gives each parameterised value of `properties`; returns the names
/// of the parameters set from an override.
pub fn apply(
    properties: &mut Value,
    params: &[TemplateParam],
    overrides: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut used = Vec::new();
    for p in params {
        let value = match overrides.get(&p.name) {
            Some(text) => {
                used.push(p.name.clone());
                override_value(text)
            }
            None if p.keep_default => continue,
            None => json!(""),
        };
        if let Some(slot) = slot(properties, &p.path) {
            *slot = value;
        }
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_name_linked_service_and_trigger_parameters() {
        let def = default_definition();
        let ls = json!({"type": "AzureKeyVault", "typeProperties": {"baseUrl": "https://kv-dev.vault.azure.net/"}});
        let p = parameters_of("linkedService", "ls_kv", &ls, &def);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].name, "ls_kv_properties_typeProperties_baseUrl");
        assert!(p[0].keep_default);
        let sql = json!({"type": "AzureSqlDatabase", "typeProperties": {"connectionString": "Data Source=dev"}});
        let p = parameters_of("linkedService", "ls_sql", &sql, &def);
        assert_eq!(p[0].name, "ls_sql_connectionString");
        assert!(!p[0].keep_default);
        let tr =
            json!({"type": "BlobEventsTrigger", "typeProperties": {"scope": "/subscriptions/x"}});
        let p = parameters_of("trigger", "tr", &tr, &def);
        assert_eq!(p[0].name, "tr_properties_typeProperties_scope");
    }

    #[test]
    fn overrides_are_read_like_the_task() {
        let o = parse_overrides("-a https://x -b \"two words\" -c 5");
        assert_eq!(o["a"], "https://x");
        assert_eq!(o["b"], "two words");
        assert_eq!(override_value(&o["c"]), json!(5));
        let o = parse_overrides("-a one -two -b x");
        assert_eq!(o["a"], "one", "a value is cut at ' -'");
        let y = parse_overrides("a: https://x\nb: 'q'");
        assert_eq!((y["a"].as_str(), y["b"].as_str()), ("https://x", "q"));
    }

    #[test]
    fn apply_sets_overrides_keeps_defaults_and_empties_the_rest() {
        let def = default_definition();
        let mut sql = json!({"type": "AzureSqlDatabase", "typeProperties": {"connectionString": "dev", "server": "dev-srv"}});
        let params = parameters_of("linkedService", "ls", &sql, &def);
        let used = apply(
            &mut sql,
            &params,
            &parse_overrides("-ls_connectionString prod"),
        );
        assert_eq!(used, vec!["ls_connectionString"]);
        assert_eq!(sql["typeProperties"]["connectionString"], "prod");
        assert_eq!(sql["typeProperties"]["server"], "dev-srv");
        let mut bare =
            json!({"type": "AzureSqlDatabase", "typeProperties": {"connectionString": "dev"}});
        let params = parameters_of("linkedService", "ls", &bare, &def);
        apply(&mut bare, &params, &BTreeMap::new());
        assert_eq!(bare["typeProperties"]["connectionString"], "");
    }
}
