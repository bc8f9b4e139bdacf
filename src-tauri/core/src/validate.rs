//! Validation of what users type into a profile: the organization URL (with a normalised form),
//! the hotfix branch name template, branch patterns, workspace names. Every message says what is
//! wrong and what a valid value looks like.

use serde::Serialize;
use ts_rs::TS;
use url::Url;

/// Placeholders a branch template may use.
pub const BRANCH_PLACEHOLDERS: [&str; 3] = ["{release}", "{releaseId}", "{date}"];

/// One problem with one field of a profile; `field` is the camelCase field name of `Profile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FieldIssue {
    pub field: String,
    pub message: String,
}

impl FieldIssue {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

const URL_EXAMPLES: &str = "https://dev.azure.com/{organization}, \
     https://{organization}.visualstudio.com, or an Azure DevOps Server collection such as \
     https://tfs.contoso.com/tfs/DefaultCollection";

/// Checks an organization URL and returns its normal form (lower-case scheme and host, no
/// trailing slash). `allow_local_http` admits `http://127.0.0.1:…` / `http://localhost:…`, which
/// only simulated profiles (and tests) may use.
pub fn normalize_org_url(input: &str, allow_local_http: bool) -> Result<String, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(format!(
            "The organization URL is required. Use {URL_EXAMPLES}."
        ));
    }
    let url = match Url::parse(trimmed) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            return Err(format!(
                "'{trimmed}' is missing https:// at the start. Did you mean https://{}?",
                trimmed.trim_end_matches('/')
            ));
        }
        Err(e) => {
            return Err(format!(
                "'{trimmed}' is not a URL ({e}). Use {URL_EXAMPLES}."
            ))
        }
    };
    let loopback = crate::ado::auth::is_loopback(&url);
    match url.scheme() {
        "https" => {}
        "http" if loopback && allow_local_http => {}
        "http" if loopback => {
            return Err(
                "http://127.0.0.1 and http://localhost addresses are only for simulated (demo) \
                 profiles. Use the https:// address of your organization."
                    .to_owned(),
            );
        }
        "http" => {
            return Err(format!(
                "The organization URL must use https:// so the token is never sent in clear \
                 text. Did you mean https://{}?",
                trimmed.trim_start_matches("http://").trim_end_matches('/')
            ));
        }
        other => {
            return Err(format!(
                "'{other}://' is not supported. Use {URL_EXAMPLES}."
            ))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "The organization URL must not contain a user name or password; paste the \
                    token in Profile → Credentials instead."
                .to_owned(),
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "The organization URL must not contain '?' or '#'. Use {}.",
            strip_query(&url)
        ));
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let origin = url.origin().ascii_serialization();

    if is_service_host(&host) {
        return Err(format!(
            "{host} is an Azure DevOps service host, not the organization. Use the address you \
             see in the browser, https://dev.azure.com/{{organization}} or \
             https://{{organization}}.visualstudio.com; the app finds the service hosts itself."
        ));
    }
    if host == "dev.azure.com" {
        return match segments.as_slice() {
            [] => Err(
                "Add your organization name: https://dev.azure.com/{organization}, e.g. \
                       https://dev.azure.com/contoso."
                    .to_owned(),
            ),
            [org] => Ok(format!("{origin}/{org}")),
            [org, ..] => Err(format!(
                "That address points inside the organization (a project or a page). Use the \
                 organization URL https://dev.azure.com/{org}."
            )),
        };
    }
    if host.ends_with(".visualstudio.com") {
        return match segments.as_slice() {
            [] => Ok(origin),
            [c] if c.eq_ignore_ascii_case("DefaultCollection") => Ok(format!("{origin}/{c}")),
            _ => Err(format!(
                "That address points inside the organization (a project or a page). Use the \
                 organization URL {origin}."
            )),
        };
    }
    if segments.is_empty() {
        return Err(format!(
            "An Azure DevOps Server address must include the collection, e.g. \
             {origin}/tfs/DefaultCollection (or {origin}/{{organization}})."
        ));
    }
    if segments.iter().any(|s| s.starts_with('_')) {
        let keep: Vec<&str> = segments
            .iter()
            .take_while(|s| !s.starts_with('_'))
            .copied()
            .collect();
        return Err(format!(
            "That address points at a page ('{}'), not at the collection. Use {origin}/{}.",
            segments.iter().find(|s| s.starts_with('_')).unwrap_or(&""),
            keep.join("/")
        ));
    }
    Ok(format!("{origin}/{}", segments.join("/")))
}

fn is_service_host(host: &str) -> bool {
    [
        "vsrm.dev.azure.com",
        "vssps.dev.azure.com",
        "extmgmt.dev.azure.com",
        "almsearch.dev.azure.com",
    ]
    .contains(&host)
        || host.ends_with(".vsrm.visualstudio.com")
        || host.ends_with(".vssps.visualstudio.com")
        || host.ends_with(".extmgmt.visualstudio.com")
        || host == "app.vssps.visualstudio.com"
}

fn strip_query(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.as_str().trim_end_matches('/').to_owned()
}

/// Checks a hotfix branch template: only known placeholders, balanced braces, and a result that
/// is a valid git branch name.
pub fn check_branch_template(template: &str) -> Result<(), String> {
    let template = template.trim();
    if template.is_empty() {
        return Err(
            "The branch name template is required, e.g. Release{release}_Hotfixes or \
                    hotfix/{release}."
                .to_owned(),
        );
    }
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!(
                "The branch name template has a '}}' without a matching '{{'. Placeholders are {}.",
                BRANCH_PLACEHOLDERS.join(", ")
            ));
        }
        let Some(close) = rest[open..].find('}') else {
            return Err(format!(
                "The branch name template has a '{{' that is never closed. Placeholders are {}.",
                BRANCH_PLACEHOLDERS.join(", ")
            ));
        };
        let placeholder = &rest[open..open + close + 1];
        if !BRANCH_PLACEHOLDERS.contains(&placeholder) {
            return Err(format!(
                "The branch name template uses the unknown placeholder {placeholder}. Use {} \
                 (case matters).",
                BRANCH_PLACEHOLDERS.join(", ")
            ));
        }
        rest = &rest[open + close + 1..];
    }
    let sample = render_branch_template(template, "3", 42, "20260101");
    check_branch_name(&sample).map_err(|why| {
        format!("The branch name template gives names like '{sample}', which git refuses: {why}.")
    })
}

/// Fills a branch template. `release` is the short release label ([`release_label`]), `release_id`
/// the numeric release id, `date` typically `YYYYMMDD`.
pub fn render_branch_template(
    template: &str,
    release: &str,
    release_id: i32,
    date: &str,
) -> String {
    template
        .trim()
        .replace("{releaseId}", &release_id.to_string())
        .replace("{release}", release)
        .replace("{date}", date)
}

/// The `{release}` value for a release name: its trailing number (`Release-3` → `3`), or the name
/// with characters git does not like replaced by `_` when it has no number.
pub fn release_label(release_name: &str) -> String {
    let digits: String = release_name
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if digits.is_empty() {
        release_name
            .trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    } else {
        digits
    }
}

/// The rules of `git check-ref-format` for a branch name (without `refs/heads/`).
pub fn check_branch_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return Err("it must not start or end with '/' or contain '//'".into());
    }
    if name.ends_with('.') || name.ends_with(".lock") {
        return Err("it must not end with '.' or '.lock'".into());
    }
    if name.contains("..") || name.contains("@{") || name == "@" {
        return Err("it must not contain '..' or '@{'".into());
    }
    if name.split('/').any(|part| part.starts_with('.')) {
        return Err("no part of it may start with '.'".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_control() || " ~^:?*[\\".contains(*c))
    {
        let shown = if c == ' ' {
            "a space".to_owned()
        } else {
            format!("'{c}'")
        };
        return Err(format!("it must not contain {shown}"));
    }
    Ok(())
}

/// A feature-branch pattern: a branch name where `*` matches anything.
pub fn check_branch_pattern(pattern: &str) -> Result<(), String> {
    let p = pattern.trim();
    if p.is_empty() {
        return Err(
            "A feature branch pattern is empty; remove it or write one like feature/*.".into(),
        );
    }
    let without_star = p.replace('*', "x");
    check_branch_name(without_star.trim_start_matches("refs/heads/"))
        .map_err(|why| format!("The feature branch pattern '{p}' is not a branch name: {why}."))
}

/// The placeholders of the fix-commit tag template.
pub const TAG_PLACEHOLDERS: [&str; 4] = ["{release}", "{releaseId}", "{date}", "{n}"];

/// Checks the fix-commit tag template (empty = no tag): only known placeholders, `{n}` at most
/// once, and a result git accepts as a tag name.
pub fn check_tag_template(template: &str) -> Result<(), String> {
    let t = template.trim();
    if t.is_empty() {
        return Ok(());
    }
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return Err("The tag name template has a '{' that is never closed.".to_owned());
        };
        let placeholder = &rest[open..open + close + 1];
        if !TAG_PLACEHOLDERS.contains(&placeholder) {
            return Err(format!(
                "The tag name template uses the unknown placeholder {placeholder}. Use {} (case \
                 matters).",
                TAG_PLACEHOLDERS.join(", ")
            ));
        }
        rest = &rest[open + close + 1..];
    }
    if t.matches("{n}").count() > 1 {
        return Err("The tag name template may use {n} only once.".to_owned());
    }
    let sample = render_branch_template(t, "3", 42, "20260101").replace("{n}", "1");
    check_branch_name(&sample).map_err(|why| {
        format!("The tag name template gives names like '{sample}', which git refuses: {why}.")
    })
}

/// Synapse workspace names: 1–50 characters, lower-case letters, digits and hyphens, starting and
/// ending with a letter or digit.
pub fn check_workspace_name(name: &str) -> Result<(), String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let ok_ends = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if name.is_empty() || name.len() > 50 || !ok_chars || !ok_ends {
        return Err(format!(
            "'{name}' is not a Synapse workspace name: use 1–50 lower-case letters, digits and \
             hyphens, starting and ending with a letter or digit (e.g. contoso-synapse-prod)."
        ));
    }
    Ok(())
}

/// An Azure subscription id is a GUID.
pub fn check_subscription_id(id: &str) -> Result<(), String> {
    uuid::Uuid::parse_str(id).map(|_| ()).map_err(|_| {
        format!(
            "'{id}' is not a subscription id. It is a GUID such as \
             00000000-1111-2222-3333-444444444444 (Azure portal → Subscriptions)."
        )
    })
}

#[cfg(test)]
mod tests;
