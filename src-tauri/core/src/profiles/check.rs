//! Whole-profile validation: every field's rules in one place, reported per field so the form can
//! show each message next to its input.

use super::model::{Profile, SignInMethod, DEFAULT_CLIENT_ID, DEFAULT_TENANT};
use crate::error::AppError;
use crate::validate::{
    check_branch_name, check_branch_pattern, check_branch_template, check_subscription_id,
    check_workspace_name, normalize_org_url, FieldIssue,
};

/// Longest accepted profile name.
pub const MAX_NAME_LEN: usize = 100;

/// The profile with whitespace trimmed and the organization URL in normal form (when valid).
pub fn normalize(profile: &Profile) -> Profile {
    normalize_owned(profile.clone())
}

/// [`normalize`] for a profile the caller gives away.
pub fn normalize_owned(mut p: Profile) -> Profile {
    p.name = p.name.trim().to_owned();
    if let Ok(url) = normalize_org_url(&p.organization_url, p.simulated) {
        p.organization_url = url;
    } else {
        p.organization_url = p.organization_url.trim().to_owned();
    }
    for field in [
        &mut p.root_folder,
        &mut p.collaboration_branch,
        &mut p.dev_workspace,
        &mut p.prod_workspace,
        &mut p.prod_subscription_id,
        &mut p.prod_resource_group,
        &mut p.dev_subscription_id,
        &mut p.dev_resource_group,
        &mut p.branch_template,
    ] {
        *field = field.trim().to_owned();
    }
    if p.root_folder.is_empty() {
        p.root_folder = "/".to_owned();
    }
    p.sign_in.tenant = p.sign_in.tenant.trim().to_owned();
    p.sign_in.client_id = p.sign_in.client_id.trim().to_owned();
    if p.sign_in.tenant.is_empty() {
        p.sign_in.tenant = DEFAULT_TENANT.to_owned();
    }
    if p.sign_in.client_id.is_empty() {
        p.sign_in.client_id = DEFAULT_CLIENT_ID.to_owned();
    }
    p.publish_branch = p
        .publish_branch
        .map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty());
    p.hotfix_tag_template = p.hotfix_tag_template.trim().to_owned();
    p.feature_branch_patterns = p
        .feature_branch_patterns
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    p
}

/// Everything wrong with `profile` (already normalised), given the other saved profiles.
pub fn issues(profile: &Profile, others: &[Profile]) -> Vec<FieldIssue> {
    let mut out = Vec::new();
    let p = profile;
    if p.name.is_empty() {
        out.push(FieldIssue::new(
            "name",
            "Give the profile a name, e.g. \"Contoso — Sales analytics\".",
        ));
    } else if p.name.chars().count() > MAX_NAME_LEN {
        out.push(FieldIssue::new(
            "name",
            format!("The name is longer than {MAX_NAME_LEN} characters; shorten it."),
        ));
    } else if others
        .iter()
        .any(|o| o.id != p.id && o.name.trim().eq_ignore_ascii_case(&p.name))
    {
        out.push(FieldIssue::new(
            "name",
            format!(
                "Another profile is already called \"{}\". Pick a different name.",
                p.name
            ),
        ));
    }
    if let Err(message) = normalize_org_url(&p.organization_url, p.simulated) {
        out.push(FieldIssue::new("organizationUrl", message));
    }
    if let Err(message) = check_branch_template(&p.branch_template) {
        out.push(FieldIssue::new("branchTemplate", message));
    }
    if let Err(message) = crate::validate::check_tag_template(&p.hotfix_tag_template) {
        out.push(FieldIssue::new("hotfixTagTemplate", message));
    }
    for pattern in &p.feature_branch_patterns {
        if let Err(message) = check_branch_pattern(pattern) {
            out.push(FieldIssue::new("featureBranchPatterns", message));
        }
    }
    if !p.root_folder.starts_with('/') {
        out.push(FieldIssue::new(
            "rootFolder",
            format!(
                "The Synapse root folder starts with '/', e.g. / or /synapse (got '{}').",
                p.root_folder
            ),
        ));
    }
    if let Err(why) = check_branch_name(p.collaboration_branch.trim_start_matches("refs/heads/")) {
        out.push(FieldIssue::new(
            "collaborationBranch",
            format!(
                "The collaboration branch is not a valid branch name ({why}); it is usually main."
            ),
        ));
    }
    if let Some(branch) = &p.publish_branch {
        if let Err(why) = check_branch_name(branch.trim_start_matches("refs/heads/")) {
            out.push(FieldIssue::new(
                "publishBranch",
                format!("The publish branch is not a valid branch name ({why}); it is usually workspace_publish."),
            ));
        }
    }
    for (field, value) in [
        ("devWorkspace", &p.dev_workspace),
        ("prodWorkspace", &p.prod_workspace),
    ] {
        if !value.is_empty() {
            if let Err(message) = check_workspace_name(value) {
                out.push(FieldIssue::new(field, message));
            }
        }
    }
    if !p.dev_workspace.is_empty() && p.dev_workspace == p.prod_workspace {
        out.push(FieldIssue::new(
            "prodWorkspace",
            "The production workspace is the same as the development workspace. A hotfix is \
             deployed to production; pick the production workspace here.",
        ));
    }
    for (field, id) in [
        ("prodSubscriptionId", &p.prod_subscription_id),
        ("devSubscriptionId", &p.dev_subscription_id),
    ] {
        if !id.is_empty() {
            if let Err(message) = check_subscription_id(id) {
                out.push(FieldIssue::new(field, message));
            }
        }
    }
    for (field, rg) in [
        ("prodResourceGroup", &p.prod_resource_group),
        ("devResourceGroup", &p.dev_resource_group),
    ] {
        if !rg.is_empty() && !is_resource_group_name(rg) {
            out.push(FieldIssue::new(
                field,
                format!(
                    "'{rg}' is not a resource group name: 1–90 letters, digits, '_', '-', '.', \
                     '(' or ')', not ending with '.'."
                ),
            ));
        }
    }
    if p.sign_in.method == SignInMethod::Entra {
        if let Err(message) = check_tenant(&p.sign_in.tenant) {
            out.push(FieldIssue::new("signInTenant", message));
        }
        if uuid::Uuid::parse_str(&p.sign_in.client_id).is_err() {
            out.push(FieldIssue::new(
                "signInClientId",
                format!(
                    "'{}' is not a client id. It is the GUID shown as \"Application (client) ID\" \
                     of the app registration, e.g. {DEFAULT_CLIENT_ID}.",
                    p.sign_in.client_id
                ),
            ));
        }
    }
    out
}

/// A tenant is `organizations`, `common`, a directory id (GUID) or a verified domain.
pub(crate) fn check_tenant(tenant: &str) -> Result<(), String> {
    let is_domain = tenant.contains('.')
        && tenant.len() <= 253
        && tenant
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if matches!(tenant, "organizations" | "common")
        || uuid::Uuid::parse_str(tenant).is_ok()
        || is_domain
    {
        return Ok(());
    }
    Err(format!(
        "'{tenant}' is not a tenant. Use organizations (any work or school account), the \
         directory (tenant) id GUID, or a domain such as contoso.onmicrosoft.com."
    ))
}

fn is_resource_group_name(name: &str) -> bool {
    name.chars().count() <= 90
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "_-.()".contains(c))
}

/// One [`AppError::invalid_input`] listing every issue (the UI shows the per-field list instead
/// when it has it; the detail carries the issues as JSON).
pub fn to_error(issues: &[FieldIssue]) -> AppError {
    let list: Vec<String> = issues.iter().map(|i| i.message.clone()).collect();
    let message = if list.len() == 1 {
        format!("The profile can't be saved: {}", list[0])
    } else {
        format!(
            "The profile can't be saved ({} problems): {}",
            list.len(),
            list.join(" ")
        )
    };
    AppError::invalid_input(message).with_detail(serde_json::to_string(issues).unwrap_or_default())
}
