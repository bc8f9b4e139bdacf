//! Task inputs checked against the organization's task catalogue before anything is saved:
//! canonical names (an alias or a different casing is replaced by the catalogue's name), allowed
//! values (a misspelt `operation` would make the real task skip the deployment and still report
//! success, `synapse/TASKS.md` §2), booleans, and required inputs that are visible.

use serde_json::{Map, Value};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::pipeline::catalog::{CatalogInput, CatalogTask};

/// Whether `value` is a whole `$(variable)` reference, resolved only when the release runs.
fn is_variable(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("$(") && v.ends_with(')') && v.matches("$(").count() == 1
}

fn task_label(task: &CatalogTask) -> String {
    let name = if task.friendly_name.is_empty() {
        &task.name
    } else {
        &task.friendly_name
    };
    format!("'{name}' {}", task.version)
}

/// The catalogue input `name` of `task`, or an error saying the installed task lacks it.
pub fn catalog_input<'t>(task: &'t CatalogTask, name: &str) -> AppResult<&'t CatalogInput> {
    task.input(name).ok_or_else(|| {
        AppError::new(
            ErrorCode::Precondition,
            format!(
                "The task {} in your organization has no input '{name}', so the hotfix pipeline \
                 cannot be built with it. Update the Synapse Workspace Deployment extension in \
                 Organization settings → Extensions, then try again.",
                task_label(task)
            ),
        )
    })
}

/// Refuses `value` for `input` unless the catalogue allows it.
pub fn check_value(task: &CatalogTask, input: &CatalogInput, value: &str) -> AppResult<()> {
    if is_variable(value) {
        return Ok(());
    }
    let label = if input.label.is_empty() {
        input.name.clone()
    } else {
        format!("{} ({})", input.label, input.name)
    };
    if input.kind.eq_ignore_ascii_case("boolean") && value != "true" && value != "false" {
        return Err(AppError::invalid_input(format!(
            "'{value}' is not a value the task {} accepts for {label}: it takes true or false.",
            task_label(task)
        )));
    }
    if !input.allows(value) {
        return Err(AppError::invalid_input(format!(
            "'{value}' is not a value the task {} accepts for {label}; it accepts {}. The real \
             task does nothing with a value it does not know and still reports success, so the \
             hotfix pipeline was not saved. Correct the value and try again.",
            task_label(task),
            input
                .allowed_values
                .iter()
                .map(|v| format!("'{v}'"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

/// Whether an input is shown for these values: `visibleRule` clauses `name = value` /
/// `name != value` joined by `||` or `&&` (the forms the Synapse tasks use). A rule the function
/// cannot read counts as visible, so a required input is never skipped by mistake.
pub fn is_visible(rule: Option<&str>, values: &Map<String, Value>, task: &CatalogTask) -> bool {
    let Some(rule) = rule.map(str::trim).filter(|r| !r.is_empty()) else {
        return true;
    };
    let value_of = |name: &str| -> Option<String> {
        let input = task.input(name)?;
        Some(
            values
                .get(&input.name)
                .and_then(Value::as_str)
                .map_or_else(|| input.default_value.clone(), str::to_owned),
        )
    };
    let clause = |c: &str| -> Option<bool> {
        let (name, wanted, equal) = if let Some((n, v)) = c.split_once("!=") {
            (n, v, false)
        } else {
            let (n, v) = c.split_once('=')?;
            (n, v, true)
        };
        let actual = value_of(name.trim())?;
        Some((actual.eq_ignore_ascii_case(wanted.trim())) == equal)
    };
    let evaluated: Option<bool> = if rule.contains("&&") {
        rule.split("&&")
            .map(clause)
            .try_fold(true, |acc, c| c.map(|c| acc && c))
    } else {
        rule.split("||")
            .map(clause)
            .try_fold(false, |acc, c| c.map(|c| acc || c))
    };
    evaluated.unwrap_or(true)
}

/// The `inputs` object of one workflow task: `wanted` (names as the app knows them, values)
/// under the catalogue's canonical names, each value checked; visible required inputs the app does
/// not set get the catalogue default, and one without a default is an error.
pub fn resolve_inputs(
    task: &CatalogTask,
    wanted: &[(String, String)],
) -> AppResult<Map<String, Value>> {
    let mut out = Map::new();
    for (name, value) in wanted {
        let input = catalog_input(task, name)?;
        check_value(task, input, value)?;
        out.insert(input.name.clone(), Value::String(value.clone()));
    }
    for input in &task.inputs {
        if !input.required || out.contains_key(&input.name) {
            continue;
        }
        if !is_visible(input.visible_rule.as_deref(), &out, task) {
            continue;
        }
        if input.default_value.is_empty() {
            return Err(AppError::new(
                ErrorCode::Precondition,
                format!(
                    "The task {} requires the input '{}' ({}), which the app does not know how to \
                     fill. The extension may be newer than this app; update the app, or report \
                     which extension version you use.",
                    task_label(task),
                    input.label,
                    input.name
                ),
            ));
        }
        check_value(task, input, &input.default_value)?;
        out.insert(
            input.name.clone(),
            Value::String(input.default_value.clone()),
        );
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::pipeline::catalog::TaskVersion;

    pub(crate) fn input(name: &str, kind: &str, default: &str, required: bool) -> CatalogInput {
        CatalogInput {
            name: name.into(),
            label: name.into(),
            required,
            kind: kind.into(),
            default_value: default.into(),
            ..CatalogInput::default()
        }
    }

    pub(crate) fn deploy_task() -> CatalogTask {
        let mut op = input("operation", "pickList", "deploy", true);
        op.label = "Operation Type".into();
        op.allowed_values = vec!["deploy".into(), "validateDeploy".into()];
        let mut tf = input("TemplateFile", "filePath", "", true);
        tf.visible_rule = Some("operation = deploy".into());
        let mut af = input("ArtifactsFolder", "filePath", "", true);
        af.visible_rule = Some("operation = validate || operation = validateDeploy".into());
        let mut conn = input(
            "AzureResourceManagerConnection",
            "connectedService:AzureRM",
            "",
            true,
        );
        conn.aliases = vec!["azureSubscription".into()];
        let mut env = input("Environment", "pickList", "prod", true);
        env.allowed_values = vec!["prod".into(), "ppe".into(), "mooncake".into()];
        CatalogTask {
            id: "d3d3d3d3-0000-4000-8000-000000000001".into(),
            name: "Synapse workspace deployment".into(),
            friendly_name: "Synapse workspace deployment".into(),
            version: TaskVersion {
                major: 2,
                minor: 5,
                patch: 0,
            },
            contribution: None,
            inputs: vec![
                op,
                tf,
                af,
                conn,
                input("ResourceGroupName", "pickList", "", true),
                input("TargetWorkspaceName", "pickList", "", true),
                input("DeleteArtifactsNotInTemplate", "boolean", "false", false),
                input("DeployManagedPrivateEndpoints", "boolean", "false", false),
                input("OverrideArmParameters", "multiLine", "", false),
                env,
            ],
        }
    }

    pub(crate) fn toggle_task() -> CatalogTask {
        let mut conn = input(
            "ServiceConnectionName",
            "connectedService:AzureRM",
            "",
            true,
        );
        conn.aliases = vec!["azureSubscription".into()];
        CatalogTask {
            id: "7e7e7e7e-0000-4000-8000-000000000002".into(),
            name: "toggle-triggers-dev".into(),
            friendly_name: "Azure Synapse Toggle Triggers".into(),
            version: TaskVersion {
                major: 2,
                minor: 5,
                patch: 0,
            },
            contribution: None,
            inputs: vec![
                conn,
                input("ResourceGroupName", "pickList", "", true),
                input("WorkspaceName", "pickList", "", true),
                input("ToggleOn", "boolean", "true", false),
                input("Triggers", "string", "*", true),
            ],
        }
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn a_misspelt_operation_is_refused_with_the_allowed_values() {
        let t = deploy_task();
        let err = resolve_inputs(&t, &pairs(&[("operation", "validateDeply")])).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("'validateDeply'"), "{}", err.message);
        assert!(
            err.message.contains("'deploy', 'validateDeploy'"),
            "{}",
            err.message
        );
        assert!(err.message.contains("reports success"), "{}", err.message);
        // Case matters to the task: `ValidateDeploy` is not `validateDeploy`.
        assert!(resolve_inputs(&t, &pairs(&[("operation", "ValidateDeploy")])).is_err());
    }

    #[test]
    fn canonical_names_replace_aliases_and_casing_and_defaults_fill_required_inputs() {
        let t = deploy_task();
        let inputs = resolve_inputs(
            &t,
            &pairs(&[
                ("OPERATION", "validateDeploy"),
                ("azureSubscription", "eid"),
                (
                    "ArtifactsFolder",
                    "$(System.DefaultWorkingDirectory)/_hotfix",
                ),
                ("ResourceGroupName", "rg"),
                ("TargetWorkspaceName", "ws"),
            ]),
        )
        .unwrap();
        assert_eq!(inputs["operation"], "validateDeploy");
        assert_eq!(inputs["AzureResourceManagerConnection"], "eid");
        assert_eq!(
            inputs["Environment"], "prod",
            "required, filled with the default"
        );
        assert!(
            !inputs.contains_key("TemplateFile"),
            "TemplateFile is only visible for operation = deploy"
        );
        assert!(!inputs.contains_key("azureSubscription"));
    }

    #[test]
    fn a_visible_required_input_without_value_or_default_is_an_error() {
        let t = deploy_task();
        // operation = deploy shows TemplateFile, which has no default.
        let err = resolve_inputs(&t, &pairs(&[("operation", "deploy")])).unwrap_err();
        assert!(err.message.contains("TemplateFile"), "{}", err.message);
    }

    #[test]
    fn booleans_unknown_inputs_and_variables() {
        let t = toggle_task();
        let err = resolve_inputs(&t, &pairs(&[("ToggleOn", "False")])).unwrap_err();
        assert!(err.message.contains("true or false"), "{}", err.message);
        let err = resolve_inputs(&t, &pairs(&[("Trigers", "*")])).unwrap_err();
        assert_eq!(err.code, ErrorCode::Precondition);
        assert!(err.message.contains("'Trigers'"), "{}", err.message);
        let ok = resolve_inputs(
            &t,
            &pairs(&[
                ("azureSubscription", "eid"),
                ("ResourceGroupName", "rg"),
                ("WorkspaceName", "ws"),
                ("ToggleOn", "false"),
                ("Triggers", "$(TriggersToStop)"),
            ]),
        )
        .unwrap();
        assert_eq!(ok["ServiceConnectionName"], "eid");
        assert_eq!(ok["Triggers"], "$(TriggersToStop)");
    }

    #[test]
    fn visibility_rules() {
        let t = deploy_task();
        let mut v = Map::new();
        assert!(is_visible(None, &v, &t));
        assert!(
            !is_visible(Some("operation = validateDeploy"), &v, &t),
            "default is deploy"
        );
        v.insert("operation".into(), "validateDeploy".into());
        assert!(is_visible(
            Some("operation = deploy || operation = validateDeploy"),
            &v,
            &t
        ));
        assert!(!is_visible(
            Some("operation = deploy && operation != validateDeploy"),
            &v,
            &t
        ));
        assert!(
            is_visible(Some("someday(maybe)"), &v, &t),
            "unreadable = visible"
        );
    }
}
