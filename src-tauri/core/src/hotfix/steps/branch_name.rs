//! Hotfix branch names: rendered from the profile's template and validated as a git ref name
//! (the rules of `git check-ref-format`) before anything is sent to Azure DevOps.

use chrono::NaiveDate;

/// Renders the profile's branch template (placeholders as checked by
/// [`crate::validate::check_branch_template`]): `{release}` — the release number (`3` for
/// `Release-3`, the ref-safe name when it has no trailing number); `{releaseId}`; `{date}` —
/// `YYYYMMDD` (UTC).
pub fn render_template(
    template: &str,
    release_name: &str,
    release_id: i32,
    date: NaiveDate,
) -> String {
    crate::validate::render_branch_template(
        template,
        &crate::validate::release_label(release_name),
        release_id,
        &date.format("%Y%m%d").to_string(),
    )
}

/// Strips an optional `refs/heads/` prefix and surrounding whitespace.
pub fn short_name(name: &str) -> &str {
    let name = name.trim();
    name.strip_prefix("refs/heads/").unwrap_or(name)
}

/// What to tell the user when [`short_name`] dropped a `refs/heads/` prefix they typed.
pub fn prefix_note(typed: &str) -> Option<String> {
    let short = short_name(typed);
    typed.trim().starts_with("refs/heads/").then(|| {
        format!(
            "\"refs/heads/\" is added for you: the branch is called {short} (Azure Repos stores it as refs/heads/{short})."
        )
    })
}

/// Validates a branch name (without `refs/heads/`) like `git check-ref-format --branch` does.
/// Returns the reason when it is not acceptable.
pub fn validate(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("The branch name is empty.".into());
    }
    if name.len() > 250 {
        return Err("The branch name is longer than 250 characters.".into());
    }
    if name == "@" {
        return Err("A branch cannot be called \"@\".".into());
    }
    if name.starts_with('-') {
        return Err("A branch name cannot start with \"-\".".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\'))
    {
        let shown = if c.is_control() {
            "a control character".to_owned()
        } else {
            format!("\"{c}\"")
        };
        return Err(format!(
            "A branch name cannot contain {shown} (git forbids spaces, ~ ^ : ? * [ \\ and control characters)."
        ));
    }
    if name.contains("..") {
        return Err("A branch name cannot contain \"..\".".into());
    }
    if name.contains("@{") {
        return Err("A branch name cannot contain \"@{\".".into());
    }
    if name.ends_with('.') || name.ends_with('/') || name.starts_with('/') || name.contains("//") {
        return Err(
            "A branch name cannot start or end with \"/\", end with \".\" or contain \"//\"."
                .into(),
        );
    }
    for part in name.split('/') {
        if part.starts_with('.') {
            return Err(format!(
                "The part \"{part}\" starts with \".\", which git does not allow."
            ));
        }
        if part.ends_with(".lock") {
            return Err(format!(
                "The part \"{part}\" ends with \".lock\", which git reserves."
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_refs_heads_prefix_is_dropped_and_said_so() {
        assert_eq!(short_name(" refs/heads/hotfix/x "), "hotfix/x");
        let note = prefix_note("refs/heads/hotfix/x").unwrap();
        assert!(note.contains("added for you"), "{note}");
        assert!(note.contains("called hotfix/x"), "{note}");
        assert_eq!(prefix_note("hotfix/x"), None);
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn renders_the_default_and_other_templates() {
        assert_eq!(
            render_template("Release{release}_Hotfixes", "Release-3", 17, day()),
            "Release3_Hotfixes"
        );
        assert_eq!(
            render_template("hotfix/{release}-{date}", "Release 12 (prod)", 5, day()),
            "hotfix/Release_12__prod_-20261126"
        );
        assert_eq!(
            render_template("hotfix/{releaseId}", "R", 42, day()),
            "hotfix/42"
        );
        assert_eq!(
            render_template("hf/{release}", "Sprint.A", 1, day()),
            "hf/Sprint.A"
        );
    }

    #[test]
    fn accepts_ordinary_names() {
        for ok in [
            "Release3_Hotfixes",
            "hotfix/Release-3",
            "a.b/c-d_e",
            "users/jane/fix",
        ] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_what_git_rejects_with_a_reason() {
        for bad in [
            "",
            "has space",
            "a..b",
            "a~1",
            "x^",
            "a:b",
            "q?",
            "st*r",
            "br[",
            "back\\slash",
            "/lead",
            "trail/",
            "dot.",
            "a//b",
            ".hidden",
            "x/.y",
            "file.lock",
            "a@{b",
            "@",
            "-dash",
            "tab\tx",
        ] {
            let err = validate(bad).unwrap_err();
            assert!(!err.is_empty(), "{bad}");
        }
        assert!(validate("has space").unwrap_err().contains("\" \""));
    }

    #[test]
    fn short_name_strips_refs_heads() {
        assert_eq!(
            short_name(" refs/heads/Release3_Hotfixes "),
            "Release3_Hotfixes"
        );
        assert_eq!(short_name("x"), "x");
    }
}
