//! `operation: deploy` from an ARM template: the value of every `[parameters('name')]` is the
//! override, else the parameters file's value, else the template's `defaultValue`;
//! `workspaceName` is the target workspace (`getParameterValuesFromArmTemplate` of the task).

use std::collections::BTreeMap;

use serde_json::Value;

use super::parameters::override_value;

/// The parameter values of a template deployment.
pub fn values(
    template: &Value,
    parameters_file: Option<&Value>,
    overrides: &BTreeMap<String, String>,
    target_workspace: &str,
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    if let Some(params) = template["parameters"].as_object() {
        for (k, p) in params {
            if let Some(d) = p.get("defaultValue") {
                out.insert(k.clone(), d.clone());
            }
        }
    }
    if let Some(params) = parameters_file.and_then(|f| f["parameters"].as_object()) {
        for (k, p) in params {
            if let Some(v) = p.get("value") {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out.insert(
        "workspaceName".into(),
        Value::String(target_workspace.to_owned()),
    );
    for (k, v) in overrides {
        out.insert(k.clone(), override_value(v));
    }
    out
}

/// Replaces every string that is exactly `[parameters('name')]` with the parameter's value
/// (a parameter without a value becomes an empty string, as the task's blank parameters file
/// entry does).
pub fn substitute(v: &mut Value, values: &BTreeMap<String, Value>) {
    match v {
        Value::String(s) => {
            let name = s
                .strip_prefix("[parameters('")
                .and_then(|r| r.strip_suffix("')]"));
            if let Some(name) = name {
                *v = values
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| Value::String(String::new()));
            }
        }
        Value::Object(o) => o.values_mut().for_each(|x| substitute(x, values)),
        Value::Array(a) => a.iter_mut().for_each(|x| substitute(x, values)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn overrides_win_over_the_parameters_file_and_the_defaults() {
        let template = json!({"parameters": {"a": {"type": "string", "defaultValue": "dev-a"},
                                             "b": {"type": "string", "defaultValue": "dev-b"},
                                             "c": {"type": "secureString"}}});
        let file = json!({"parameters": {"b": {"value": "file-b"}, "c": {"value": ""}}});
        let mut o = BTreeMap::new();
        o.insert("a".to_owned(), "prod-a".to_owned());
        let vals = values(&template, Some(&file), &o, "prod");
        let mut props = json!({"x": "[parameters('a')]", "y": ["[parameters('b')]"], "z": "[parameters('c')]",
                               "w": "[parameters('workspaceName')]"});
        substitute(&mut props, &vals);
        assert_eq!(
            props,
            json!({"x": "prod-a", "y": ["file-b"], "z": "", "w": "prod"})
        );
    }
}
