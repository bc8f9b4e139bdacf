//! The title and description of a merge-back pull request: which release was fixed, the commit
//! range (release commit → deployed fix commit) with the fix commits, where it was deployed
//! (production workspace and hotfix pipeline), the changed Synapse artifacts, and why the source
//! branch must not be deleted on completion.

use crate::hotfix::run::HotfixRun;

/// Azure DevOps cuts pull request descriptions at 4000 characters.
pub const MAX_DESCRIPTION: usize = 4000;
/// Fix commits listed one by one before the rest is summarised.
const LISTED_COMMITS: usize = 15;

fn short(sha: &str) -> &str {
    sha.get(..8).unwrap_or(sha)
}

fn release_name(run: &HotfixRun) -> String {
    run.steps
        .release
        .release
        .as_ref()
        .map_or_else(|| "the production release".to_owned(), |r| r.name.clone())
}

/// `Merge hotfix of Release-3 (Release3_Hotfixes) into main`.
pub fn title(run: &HotfixRun, hotfix_branch: &str, target: &str) -> String {
    format!(
        "Merge hotfix of {} ({hotfix_branch}) into {target}",
        release_name(run)
    )
}

/// The Markdown description (at most [`MAX_DESCRIPTION`] characters).
pub fn description(run: &HotfixRun, hotfix_branch: &str, fix_commit: &str, target: &str) -> String {
    let mut out = Vec::new();
    let release = run.steps.release.release.as_ref();
    let release_line = match release {
        Some(r) => match &r.web_url {
            Some(url) => format!("[{}]({url}) (release id {})", r.name, r.id),
            None => format!("{} (release id {})", r.name, r.id),
        },
        None => release_name(run),
    };
    out.push(format!(
        "This brings the production hotfix of {release_line} back into `{target}`, so the next \
         release does not undo it."
    ));
    out.push(String::new());
    let base = run
        .steps
        .release
        .commit
        .as_ref()
        .map(|c| c.commit_id.as_str());
    let range = match base {
        Some(b) => format!("`{}..{}`", short(b), short(fix_commit)),
        None => format!("up to `{}`", short(fix_commit)),
    };
    let commits = &run.steps.fix.commits;
    out.push(format!(
        "- **Commits**: {range} on `{hotfix_branch}` ({} commit{} since the release commit)",
        commits.len(),
        if commits.len() == 1 { "" } else { "s" }
    ));
    for c in commits.iter().take(LISTED_COMMITS) {
        let first = c.message.lines().next().unwrap_or("").trim();
        out.push(format!(
            "  - `{}` {first} ({})",
            short(&c.commit_id),
            c.author_name
        ));
    }
    if commits.len() > LISTED_COMMITS {
        out.push(format!("  - … and {} more", commits.len() - LISTED_COMMITS));
    }
    let pipeline = run
        .steps
        .pipeline
        .definition
        .as_ref()
        .map(|d| match &d.web_url {
            Some(url) => format!(" by the hotfix pipeline [{}]({url})", d.name),
            None => format!(" by the hotfix pipeline {} (id {})", d.name, d.id),
        })
        .unwrap_or_default();
    // The release of step 5 that deployed the fix (the latest deployment of the fix, not a
    // rollback).
    let deployed_as = run
        .steps
        .deploy
        .attempts
        .iter()
        .rev()
        .find(|a| {
            a.kind == super::step5_deploy::AttemptKind::Deploy && a.result.is_some_and(|r| r.ok())
        })
        .map(|a| match &a.web_url {
            Some(url) => format!(
                " as release [{}]({url}) (release id {})",
                a.release_name, a.release_id
            ),
            None => format!(
                " as release {} (release id {})",
                a.release_name, a.release_id
            ),
        })
        .unwrap_or_default();
    out.push(format!(
        "- **Production deployment**: commit `{}` deployed to the Synapse workspace `{}`{pipeline}\
         {deployed_as}, and confirmed.",
        short(fix_commit),
        run.prod_workspace
    ));
    if let Some(items) = run.steps.fix.changes.as_ref().map(|c| c.headlines()) {
        if !items.is_empty() {
            out.push(format!("- **Changed artifacts**: {}", items.join(", ")));
        }
    }
    out.push(String::new());
    out.push(format!(
        "Opened by Synapse Hotfix. Do not delete `{hotfix_branch}` when completing: it is merged \
         into several branches, and the clean-up step removes it once it is no longer needed."
    ));
    let text = out.join("\n");
    if text.chars().count() <= MAX_DESCRIPTION {
        return text;
    }
    let cut: String = text.chars().take(MAX_DESCRIPTION - 2).collect();
    format!("{cut} …")
}
