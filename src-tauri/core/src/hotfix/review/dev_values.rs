//! The parameter check: every parameterised value of the fix commit that no override covers, so
//! that production would receive its development value (or, for a value the template keeps no
//! default for, an empty one) — linked service URLs, key vaults, storage accounts, connection
//! strings. It reads the repository only; it needs no Synapse token. The overrides that match no
//! parameter are reported too: the task ignores them silently.

use std::collections::BTreeSet;

use serde_json::Value;

use super::commit::{CommitArtifacts, Definition};
use super::{CheckOutcome, DevValuedParameter};
use crate::synapse::deployed::is_default_artifact;
use crate::synapse::overrides::Overrides;
use crate::synapse::parameters::{
    default_definition, parameters_of, redact_secrets, DefaultKept, TemplateParameter,
    DEFINITION_FILE,
};

const SHOWN_CHARS: usize = 200;

fn shown(p: &TemplateParameter) -> String {
    let text = match &p.dev_value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let text = if p.is_secure() {
        redact_secrets(&text)
    } else {
        text
    };
    if text.chars().count() > SHOWN_CHARS {
        format!("{}…", text.chars().take(SHOWN_CHARS).collect::<String>())
    } else {
        text
    }
}

fn why(p: &TemplateParameter, label: &str, artifact: &str, dev: &str) -> String {
    let prop = p.property().to_ascii_lowercase();
    let address = ["endpoint", "host", "server", "serviceendpoint"].contains(&prop.as_str())
        || prop.ends_with("url")
        || prop.ends_with("uri");
    match p.default {
        DefaultKept::Nothing if prop == "connectionstring" => format!(
            "No override, and the template keeps no value for a secure connection string: \
             production receives an empty one, so {label} `{artifact}` cannot connect."
        ),
        DefaultKept::Nothing => format!(
            "No override, and the template keeps no default for it: production receives an empty \
             {}.",
            p.property()
        ),
        DefaultKept::DevelopmentValue if prop == "scope" => format!(
            "No override: {label} `{artifact}` would listen to the development storage account \
             ({dev}) in production."
        ),
        DefaultKept::DevelopmentValue if address => format!(
            "No override: {label} `{artifact}` would point production at the development address \
             {dev}."
        ),
        DefaultKept::DevelopmentValue => format!(
            "No override: production receives the development value of {} of {label} `{artifact}`.",
            p.property()
        ),
    }
}

/// The dev-valued parameters of `fix`, and notes on the overrides.
pub fn check(
    fix: &CommitArtifacts,
    overrides: &Overrides,
) -> (CheckOutcome<Vec<DevValuedParameter>>, Vec<String>) {
    let mut notes = overrides.notes.clone();
    if let Definition::Invalid(e) = &fix.definition {
        return (
            CheckOutcome::NotRun {
                reason: format!(
                    "The parameter check did not run: {DEFINITION_FILE} at the fix commit is not \
                     valid JSON ({e}), so which values become template parameters is unknown (and \
                     the deployment's template generation fails on it)."
                ),
                what_to_do: format!(
                    "Fix {DEFINITION_FILE} on the hotfix branch (step 3), then review again."
                ),
            },
            notes,
        );
    }
    let rules = fix.definition.rules();
    let custom = matches!(fix.definition, Definition::Custom(_));
    let defaults = default_definition();
    let mut known = BTreeSet::new();
    known.insert("workspaceName".to_owned());
    let mut out = Vec::new();
    for a in &fix.artifacts {
        let params = parameters_of(a.kind, &a.name, a.properties(), &rules);
        known.extend(params.iter().map(|p| p.name.clone()));
        // The workspace's own default artifacts are not deployed: their values never travel.
        if is_default_artifact(a.kind, &a.name, a.properties()) {
            continue;
        }
        for p in params.iter().filter(|p| overrides.get(&p.name).is_none()) {
            let dev = shown(p);
            out.push(DevValuedParameter {
                parameter: p.name.clone(),
                artifact: a.name.clone(),
                kind: a.kind.folder().to_owned(),
                path: p.display_path(),
                why: why(p, a.kind.label(), &a.name, &dev),
                dev_value: dev,
                secure: p.is_secure(),
                default_kept: p.default,
                overridable: true,
            });
        }
        // A custom file replaces the defaults: what they parameterise and it does not is now
        // deployed as it is in the branch, and no override can reach it.
        if custom {
            let dropped = parameters_of(a.kind, &a.name, a.properties(), &defaults)
                .into_iter()
                .filter(|d| !params.iter().any(|p| p.path == d.path));
            for d in dropped {
                let dev = shown(&d);
                out.push(DevValuedParameter {
                    parameter: d.name.clone(),
                    artifact: a.name.clone(),
                    kind: a.kind.folder().to_owned(),
                    path: d.display_path(),
                    why: format!(
                        "Not a template parameter under the branch's {DEFINITION_FILE} (the \
                         default template makes it one), so {} `{}` is deployed with its \
                         development value {dev} and no override can change it.",
                        a.kind.label(),
                        a.name
                    ),
                    dev_value: dev,
                    secure: d.is_secure(),
                    default_kept: DefaultKept::DevelopmentValue,
                    overridable: false,
                });
            }
        }
    }
    for name in overrides.values.keys().filter(|n| !known.contains(*n)) {
        notes.push(format!(
            "The override -{name} matches no template parameter of the fix commit, so the task \
             ignores it: a typo, or a parameter the template no longer has."
        ));
    }
    out.sort_by(|a, b| {
        (&a.kind, &a.artifact, &a.parameter).cmp(&(&b.kind, &b.artifact, &b.parameter))
    });
    (CheckOutcome::Ran { result: out }, notes)
}
