//! The profile's feature branch patterns: `*` matches any run of characters (slashes included,
//! so `feature/*` takes `feature/team/x` too), everything else matches itself, ignoring ASCII
//! case as Azure Repos does for branch names. A leading `refs/heads/` is ignored on both sides.

fn strip(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix("refs/heads/").unwrap_or(s)
}

/// True when `branch` matches `pattern`.
pub fn matches(pattern: &str, branch: &str) -> bool {
    let p: Vec<u8> = strip(pattern).to_ascii_lowercase().into_bytes();
    let b: Vec<u8> = strip(branch).to_ascii_lowercase().into_bytes();
    // Iterative wildcard match with backtracking to the last `*`.
    let (mut pi, mut bi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while bi < b.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, bi));
            pi += 1;
        } else if pi < p.len() && p[pi] == b[bi] {
            pi += 1;
            bi += 1;
        } else if let Some((sp, sb)) = star {
            pi = sp + 1;
            bi = sb + 1;
            star = Some((sp, sb + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == b'*')
}

/// The first of `patterns` that `branch` matches.
pub fn first_match<'a>(patterns: &'a [String], branch: &str) -> Option<&'a str> {
    patterns
        .iter()
        .map(String::as_str)
        .find(|p| !p.trim().is_empty() && matches(p, branch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_match_any_run_including_slashes() {
        assert!(matches("feature/*", "feature/customer-churn"));
        assert!(matches("feature/*", "feature/team/x"));
        assert!(matches("Feature/*", "refs/heads/feature/X"));
        assert!(matches("*-hotfix", "release-3-hotfix"));
        assert!(matches("re*se/*x", "release/abx"));
        assert!(!matches("feature/*", "features/x"));
        assert!(!matches("feature/*", "main"));
        assert!(!matches("main", "main2"));
        assert!(matches("main", "MAIN"));
        assert!(matches("*", "anything/at/all"));
    }

    #[test]
    fn the_first_matching_pattern_is_named() {
        let patterns = vec![
            "release/*".to_owned(),
            " ".to_owned(),
            "feature/*".to_owned(),
        ];
        assert_eq!(first_match(&patterns, "feature/a"), Some("feature/*"));
        assert_eq!(first_match(&patterns, "main"), None);
    }
}
