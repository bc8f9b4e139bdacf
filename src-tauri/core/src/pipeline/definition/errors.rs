//! What the service's refusals of a release definition mean for the user, and what to fix:
//! VS402877 (no approvals), VS402982 (no retention), VS402862 (artifact source), VS402913 (service
//! connection), VS402904 (permission), an unknown task or queue, a name clash, scopes (401) and
//! permissions (403), and failures after which the app could not tell whether anything was saved.

use crate::ado::{AdoError, AdoErrorKind};
use crate::error::{AppError, ErrorCode};

use super::spec::DefinitionSpec;

/// What was being done when the service refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Find,
    Create,
    Update,
}

impl Operation {
    fn verb(self) -> &'static str {
        match self {
            Operation::Find => "look for",
            Operation::Create => "create",
            Operation::Update => "update",
        }
    }
}

fn said(err: &AdoError) -> String {
    err.vss()
        .filter(|v| !v.message.is_empty())
        .map(|v| format!(" Azure DevOps said: \"{}\"", v.message))
        .unwrap_or_default()
}

fn with(base: AppError, code: ErrorCode, message: String) -> AppError {
    AppError {
        code,
        message,
        detail: base.detail,
    }
}

/// The user-facing error for a failed definition call.
pub fn definition_error(err: &AdoError, op: Operation, spec: &DefinitionSpec) -> AppError {
    let base = AppError::from(err.clone());
    let stage = &spec.stage_name;
    let what = format!("the hotfix pipeline '{}'", spec.name);
    let message = err.vss().map(|v| v.message.as_str()).unwrap_or("");
    let lower = message.to_ascii_lowercase();
    match err.vss_code() {
        Some("VS402877") => {
            let fix = if spec.approvers.is_empty() {
                format!(
                    "If the pipeline was edited in Azure DevOps, restore an approval (automated is \
                     fine) on stage '{stage}' there, then try again."
                )
            } else {
                "Check the approvers in Profile → Hotfix pipeline: each must be a user or group of \
                 the organization. Leave the list empty for an automated approval."
                    .to_owned()
            };
            return with(
                base,
                ErrorCode::InvalidInput,
                format!(
                    "Azure DevOps refused to {} {what}: every stage needs pre- and \
                     post-deployment approvals (VS402877). {fix}",
                    op.verb()
                ),
            );
        }
        Some("VS402982") => {
            return with(
                base,
                ErrorCode::InvalidInput,
                format!(
                    "Azure DevOps refused to {} {what}: every stage needs a retention policy \
                     (VS402982). In Azure DevOps open the pipeline, stage '{stage}' → Retention, \
                     set one (for example 30 days and 3 releases), then try again.",
                    op.verb()
                ),
            );
        }
        Some("VS402862") => {
            return with(
                base,
                ErrorCode::InvalidInput,
                format!(
                    "Azure DevOps refused to {} {what}: its Git artifact must point at a \
                     repository of the organization, and repository '{}' (id {}) in project '{}' \
                     was not accepted (VS402862). Pick the project and repository again in the \
                     profile, then try again.",
                    op.verb(),
                    spec.repository.name,
                    spec.repository.id,
                    spec.project.name
                ),
            );
        }
        Some("VS402913") => {
            return with(
                base,
                ErrorCode::NoPermission,
                format!(
                    "Azure DevOps refused to {} {what}: service connection '{}' (id {}) cannot be \
                     found in project '{}', or you may not use it (VS402913). In Project settings → \
                     Service connections check that it exists and that you have the User role on \
                     it (Security), or pick another connection in the profile.",
                    op.verb(),
                    spec.service_connection.name,
                    spec.service_connection.id,
                    spec.project.name
                ),
            );
        }
        Some("VS402904") => {
            return with(
                base,
                ErrorCode::NoPermission,
                format!(
                    "Your account may not {} release pipelines in folder {} (VS402904). Ask a \
                     project administrator to give you 'Edit release pipeline' and 'Create \
                     releases' on that folder (Pipelines → Releases → ⋯ → Security), or choose a \
                     folder where you have them in Profile → Hotfix pipeline.",
                    op.verb(),
                    spec.folder
                ),
            );
        }
        _ => {}
    }
    if lower.starts_with("tasks with versions") {
        return with(
            base,
            ErrorCode::Precondition,
            format!(
                "Azure DevOps does not accept the Synapse task versions the task catalogue listed.{} \
                 The extension may have been updated or removed meanwhile: check Organization \
                 settings → Extensions, then open this step again so the catalogue is read anew.",
                said(err)
            ),
        );
    }
    if lower.contains("agent queue") {
        return with(
            base,
            ErrorCode::InvalidInput,
            format!(
                "Azure DevOps does not accept agent queue '{}' (id {}) for project '{}': it does \
                 not exist there or you may not use it. Pick another agent queue in the profile.",
                spec.agent_queue.name, spec.agent_queue.id, spec.project.name
            ),
        );
    }
    if lower.contains("already exists") || (op == Operation::Create && err.status() == Some(409)) {
        return with(
            base,
            ErrorCode::Conflict,
            format!(
                "Azure DevOps could not create {what} in folder {}: a pipeline with this name \
                 probably exists there already, for another branch or repository.{} Rename or \
                 delete that pipeline in Azure DevOps, or change the name template in Profile → \
                 Hotfix pipeline. Nothing was created.",
                spec.folder,
                said(err)
            ),
        );
    }
    match (base.code, err.status()) {
        (ErrorCode::MissingScope | ErrorCode::TokenRejected, _) => {
            let mut e = base;
            e.message = format!(
                "{} Saving a release pipeline needs the scope Release (Read, write & execute), \
                 vso.release_execute.",
                e.message
            );
            e
        }
        (_, Some(403)) | (ErrorCode::NoPermission, _) => {
            let mut e = base;
            e.message = format!(
                "Azure DevOps refused to {} {what} (HTTP {}): your account lacks a permission.{} \
                 Ask a project administrator for 'Edit release pipeline' on folder {}.",
                op.verb(),
                err.status().unwrap_or(403),
                said(err),
                spec.folder
            );
            e
        }
        _ => base,
    }
}

/// Whether a failed create/update may have been saved anyway: the answer was lost or the server
/// failed half-way (5xx, dropped connection, unreadable answer, 409 on create).
pub fn outcome_unknown(err: &AdoError, op: Operation) -> bool {
    match err.kind() {
        AdoErrorKind::Unreachable { .. }
        | AdoErrorKind::ConnectionBroken { .. }
        | AdoErrorKind::Decode { .. } => true,
        AdoErrorKind::Http { status, .. } => {
            *status >= 500 || (op == Operation::Create && *status == 409)
        }
        _ => false,
    }
}

/// The error after a failed save that was checked by reading back: nothing was saved.
pub fn not_saved(err: &AdoError, op: Operation, spec: &DefinitionSpec) -> AppError {
    let base = definition_error(err, op, spec);
    let cause = match err.kind() {
        AdoErrorKind::Unreachable { .. } | AdoErrorKind::ConnectionBroken { .. } => {
            "the connection broke before Azure DevOps answered".to_owned()
        }
        AdoErrorKind::Decode { .. } => {
            "Azure DevOps sent an answer the app could not read".to_owned()
        }
        _ => format!("Azure DevOps answered HTTP {}", err.status().unwrap_or(0)),
    };
    if base.code == ErrorCode::Conflict {
        return base;
    }
    with(
        base.clone(),
        if matches!(
            err.kind(),
            AdoErrorKind::Unreachable { .. } | AdoErrorKind::ConnectionBroken { .. }
        ) {
            ErrorCode::Unreachable
        } else {
            base.code
        },
        format!(
            "The request to {} the hotfix pipeline '{}' failed ({cause}) and was not repeated. \
             The app read the pipelines back: nothing was saved. Try again.{}",
            op.verb(),
            spec.name,
            said(err)
        ),
    )
}

/// The error after a failed save that could not be checked either.
pub fn unknown_outcome(
    err: &AdoError,
    check: &AdoError,
    op: Operation,
    spec: &DefinitionSpec,
) -> AppError {
    let base = definition_error(err, op, spec);
    with(
        base,
        ErrorCode::Unreachable,
        format!(
            "The request to {} the hotfix pipeline '{}' failed and was not repeated, and reading \
             the pipelines back failed too ({}), so the app cannot tell whether it was saved. \
             Check your connection and try again: the app looks for the pipeline before saving, \
             so no second one is made.",
            op.verb(),
            spec.name,
            check
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ado::VssError;
    use crate::pipeline::definition::build::tests::spec;

    fn http(status: u16, message: &str) -> AdoError {
        AdoError::from(AdoErrorKind::Http {
            method: "POST".into(),
            url: "https://vsrm.dev.azure.com/contoso/DataPlatform/_apis/release/definitions".into(),
            status,
            vss: Some(VssError {
                message: message.into(),
                type_key: "InvalidRequestException".into(),
                ..VssError::default()
            }),
            body: None,
            retry_after: None,
        })
        .with_org("https://dev.azure.com/contoso")
    }

    #[test]
    fn each_vs_code_says_what_to_fix() {
        let s = spec();
        let cases = [
            ("VS402877: Pre-approvals or post-approvals in stage 'Production_Hotfix' are empty.", ErrorCode::InvalidInput, "approvals"),
            ("VS402982: Retention policy is not defined for the stage 'Production_Hotfix'.", ErrorCode::InvalidInput, "Retention"),
            ("VS402862: Artifact source should have source information.", ErrorCode::InvalidInput, "Pick the project and repository again"),
            ("VS402913: The release definition cannot be saved because the environment 'Production_Hotfix' references a service endpoint", ErrorCode::NoPermission, "Service connections"),
            ("VS402904: Access denied: User Maya does not have edit release pipeline permission.", ErrorCode::NoPermission, "Edit release pipeline"),
        ];
        for (msg, code, fix) in cases {
            let e = definition_error(&http(400, msg), Operation::Create, &s);
            assert_eq!(e.code, code, "{msg}");
            assert!(e.message.contains(fix), "{msg}: {}", e.message);
            assert!(
                e.detail.as_deref().unwrap_or("").contains(&msg[..8]),
                "the detail keeps the service's words"
            );
        }
        let e = definition_error(&http(400, "VS402913: x"), Operation::Create, &s);
        assert!(
            e.message.contains("prod-arm") && e.message.contains("eid"),
            "{}",
            e.message
        );
    }

    #[test]
    fn scopes_permissions_names_and_lost_answers() {
        let s = spec();
        let e = definition_error(
            &http(401, "The token does not have the scope"),
            Operation::Update,
            &s,
        );
        assert_eq!(e.code, ErrorCode::MissingScope);
        assert!(e.message.contains("vso.release_execute"), "{}", e.message);
        assert!(e.message.contains("_usersSettings/tokens"), "{}", e.message);
        let e = definition_error(&http(403, ""), Operation::Update, &s);
        assert_eq!(e.code, ErrorCode::NoPermission);
        assert!(e.message.contains("Edit release pipeline"), "{}", e.message);
        let e = definition_error(
            &http(
                400,
                "A release pipeline named 'x' already exists in folder '\\Hotfixes'.",
            ),
            Operation::Create,
            &s,
        );
        assert_eq!(e.code, ErrorCode::Conflict);
        assert!(e.message.contains("name template"), "{}", e.message);
        assert!(outcome_unknown(&http(500, ""), Operation::Create));
        assert!(outcome_unknown(&http(409, ""), Operation::Create));
        assert!(!outcome_unknown(&http(400, ""), Operation::Create));
        let e = not_saved(&http(500, "boom"), Operation::Create, &s);
        assert!(
            e.message.contains("not repeated") && e.message.contains("nothing was saved"),
            "{}",
            e.message
        );
    }
}
