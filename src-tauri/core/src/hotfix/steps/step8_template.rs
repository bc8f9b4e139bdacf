//! Step 8, which branches are hotfix branches: the profile's branch template
//! (`Release{release}_Hotfixes`, `hotfix/{release}-{date}`, see [`super::branch_name`]) read
//! backwards into a matcher. A branch matches when its name is the template with each placeholder
//! filled the way [`crate::validate::render_branch_template`] fills it: `{release}` — a release
//! label ([`crate::validate::release_label`]: letters, digits, `-`, `.`, `_`), `{releaseId}` —
//! digits, `{date}` — eight digits. Literal text compares without regard to letter case, as Azure
//! Repos compares branch names.

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Release,
    ReleaseId,
    Date,
}

/// A parsed branch template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchTemplate {
    template: String,
    parts: Vec<Part>,
}

/// What a matching branch name says about its release.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateMatch {
    /// The `{release}` part (`3` in `Release3_Hotfixes`).
    pub release_label: Option<String>,
    /// The `{releaseId}` part.
    pub release_id: Option<i32>,
    /// The `{date}` part (`YYYYMMDD`).
    pub date: Option<String>,
}

impl TemplateMatch {
    /// True when the name tells which release the branch belongs to.
    pub fn names_a_release(&self) -> bool {
        self.release_label.is_some() || self.release_id.is_some()
    }
}

fn label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')
}

impl BranchTemplate {
    /// Parses the profile's template (checked like the profile editor checks it).
    pub fn parse(template: &str) -> AppResult<Self> {
        let template = template.trim();
        crate::validate::check_branch_template(template).map_err(|why| {
            AppError::invalid_input(format!(
                "{why} Fix the hotfix branch template in the profile; step 8 finds the old hotfix \
                 branches by it."
            ))
        })?;
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let close = open + rest[open..].find('}').unwrap_or(rest.len() - open - 1);
            parts.push(match &rest[open..=close] {
                "{release}" => Part::Release,
                "{releaseId}" => Part::ReleaseId,
                _ => Part::Date,
            });
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Ok(Self {
            template: template.to_owned(),
            parts,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.template
    }

    /// The refs `filter` that lists every candidate: `heads/` and the literal text before the
    /// first placeholder (the service's filter is a prefix match).
    pub fn ref_filter(&self) -> String {
        match self.parts.first() {
            Some(Part::Literal(l)) => format!("heads/{l}"),
            _ => "heads/".to_owned(),
        }
    }

    /// What `name` (short, without `refs/heads/`) says, when it matches the template.
    pub fn matches(&self, name: &str) -> Option<TemplateMatch> {
        let mut found = TemplateMatch::default();
        if match_from(&self.parts, name, &mut found) {
            Some(found)
        } else {
            None
        }
    }
}

fn match_from(parts: &[Part], rest: &str, found: &mut TemplateMatch) -> bool {
    let Some((part, tail)) = parts.split_first() else {
        return rest.is_empty();
    };
    match part {
        Part::Literal(lit) => {
            let n = lit.len();
            rest.get(..n)
                .is_some_and(|head| head.eq_ignore_ascii_case(lit))
                && match_from(tail, &rest[n..], found)
        }
        Part::Date => {
            let ok = rest.len() >= 8 && rest.as_bytes()[..8].iter().all(u8::is_ascii_digit);
            if !ok {
                return false;
            }
            let before = found.date.replace(rest[..8].to_owned());
            if before.as_deref().is_some_and(|b| b != &rest[..8]) {
                found.date = before;
                return false;
            }
            match_from(tail, &rest[8..], found) || {
                found.date = before;
                false
            }
        }
        Part::Release | Part::ReleaseId => {
            let allowed: fn(char) -> bool = if *part == Part::Release {
                label_char
            } else {
                |c: char| c.is_ascii_digit()
            };
            let run = rest.chars().take_while(|c| allowed(*c)).count();
            // Longest first, so `Release12_Hotfixes` is release 12, not 1.
            for len in (1..=run).rev() {
                let value = &rest[..len];
                let saved = found.clone();
                let consistent = if *part == Part::Release {
                    let prev = found.release_label.replace(value.to_owned());
                    prev.is_none_or(|p| p == value)
                } else {
                    match value.parse::<i32>() {
                        Ok(id) => found.release_id.replace(id).is_none_or(|p| p == id),
                        Err(_) => false,
                    }
                };
                if consistent && match_from(tail, &rest[len..], found) {
                    return true;
                }
                *found = saved;
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> BranchTemplate {
        BranchTemplate::parse(s).unwrap()
    }

    #[test]
    fn the_default_template_matches_its_own_names_only() {
        let tpl = t("Release{release}_Hotfixes");
        assert_eq!(tpl.ref_filter(), "heads/Release");
        let m = tpl.matches("Release3_Hotfixes").unwrap();
        assert_eq!(m.release_label.as_deref(), Some("3"));
        assert!(m.names_a_release());
        assert_eq!(
            tpl.matches("Release12_Hotfixes")
                .unwrap()
                .release_label
                .as_deref(),
            Some("12")
        );
        assert_eq!(
            tpl.matches("release3_hotfixes")
                .unwrap()
                .release_label
                .as_deref(),
            Some("3"),
            "Azure Repos compares names without letter case"
        );
        for other in [
            "Release3_Hotfixes_2x/y",
            "Release_Hotfixes",
            "Release3_Hotfix",
            "Release3/x_Hotfixes",
            "feature/Release3_Hotfixes",
            "main",
        ] {
            assert_eq!(tpl.matches(other), None, "{other}");
        }
    }

    #[test]
    fn the_rendered_name_of_every_placeholder_matches_back() {
        use chrono::NaiveDate;
        let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        for (template, release, id) in [
            ("Release{release}_Hotfixes", "Release-3", 17),
            ("hotfix/{release}-{date}", "Release 12 (prod)", 5),
            ("hotfix/{releaseId}", "R", 42),
            ("hf/{release}", "Sprint.A", 1),
            ("{release}-hotfix", "Release-7", 9),
        ] {
            let name = super::super::branch_name::render_template(template, release, id, day);
            let m = t(template)
                .matches(&name)
                .unwrap_or_else(|| panic!("{template}: {name}"));
            if template.contains("{release}") {
                assert_eq!(
                    m.release_label.as_deref(),
                    Some(crate::validate::release_label(release).as_str())
                );
            }
            if template.contains("{releaseId}") {
                assert_eq!(m.release_id, Some(id));
            }
            if template.contains("{date}") {
                assert_eq!(m.date.as_deref(), Some("20261126"));
            }
        }
        assert_eq!(t("{release}-hotfix").ref_filter(), "heads/");
        assert_eq!(t("hotfix/{release}-{date}").matches("hotfix/3-2026"), None);
        assert_eq!(t("hotfix/{releaseId}").matches("hotfix/x1"), None);
    }

    #[test]
    fn a_date_only_template_names_no_release() {
        let m = t("hotfix-{date}").matches("hotfix-20260101").unwrap();
        assert!(!m.names_a_release());
    }

    #[test]
    fn a_broken_template_says_to_fix_the_profile() {
        let err = BranchTemplate::parse("Release{nope}").unwrap_err();
        assert!(
            err.message.contains("template in the profile"),
            "{}",
            err.message
        );
    }
}
