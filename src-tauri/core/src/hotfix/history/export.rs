//! The history as documents: a change record in Markdown (the closing summary of a run, and the
//! export of one or all runs) and JSON (`{format, version, exportedAt, entries}`).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::entry::HistoryEntry;
use crate::hotfix::run::RunStatus;

/// The `format` field of a JSON export.
pub const EXPORT_FORMAT: &str = "synapse-hotfix-history";
/// The version of the JSON export.
pub const EXPORT_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonExport<'a> {
    format: &'static str,
    version: u32,
    exported_at: DateTime<Utc>,
    entries: &'a [HistoryEntry],
}

/// The entries as a JSON document.
pub fn to_json(entries: &[HistoryEntry], now: DateTime<Utc>) -> String {
    let doc = JsonExport {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        exported_at: now,
        entries,
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// The entries as Markdown change records, newest first, one `#` section each.
pub fn to_markdown(entries: &[HistoryEntry], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    if entries.len() != 1 {
        let _ = writeln!(
            out,
            "# Synapse hotfix history\n\n{} run(s), exported {}.\n",
            entries.len(),
            when(now)
        );
    }
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push_str("\n---\n\n");
        }
        out.push_str(&change_record(
            e,
            if entries.len() == 1 { "#" } else { "##" },
        ));
    }
    out
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Text safe inside a Markdown table cell or link text.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '[' | ']' | '*' | '`' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// `[text](url)`, or the text alone without a URL.
fn link(text: &str, url: Option<&str>) -> String {
    link_md(&esc(text), url)
}

/// A commit as `` [`1a2b3c4d`](url) ``.
fn commit_link(sha: &str, url: Option<&str>) -> String {
    link_md(&format!("`{}`", short(sha)), url)
}

fn link_md(markdown: &str, url: Option<&str>) -> String {
    match url.filter(|u| !u.is_empty()) {
        Some(u) => format!("[{markdown}](<{}>)", u.replace('>', "%3E")),
        None => markdown.to_owned(),
    }
}

fn short(sha: &str) -> &str {
    sha.get(..8).unwrap_or(sha)
}

pub fn status_label(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Active => "In progress",
        RunStatus::Completed => "Completed",
        RunStatus::Abandoned => "Abandoned",
    }
}

fn duration(secs: i64) -> String {
    if secs >= 60 {
        format!("{} min {} s", secs / 60, secs % 60)
    } else {
        format!("{secs} s")
    }
}

/// One run as a change record: what was fixed, where it was deployed, who confirmed, where it was
/// merged, and what was cleaned up. `h` is the heading level of its title.
pub fn change_record(e: &HistoryEntry, h: &str) -> String {
    let mut rows: Vec<(&str, String)> = Vec::new();
    let mut status = status_label(e.status).to_owned();
    if e.status == RunStatus::Active {
        let _ = write!(
            status,
            " — at step {}: {}",
            e.current_step.number(),
            esc(&e.current_step_title)
        );
    }
    let mut row = |k: &'static str, v: String| rows.push((k, v));
    row("Status", status);
    row("Profile", esc(&e.profile_name));
    row(
        "Production workspace",
        format!("`{}`", e.prod_workspace.replace('`', "'")),
    );
    row(
        "Run by",
        e.started_by
            .as_deref()
            .map_or_else(|| "unknown".to_owned(), esc),
    );
    row("Started", when(e.started_at));
    if let Some(f) = e.finished_at {
        row("Finished", when(f));
    }
    if let Some(by) = &e.finished_by {
        row("Finished by", esc(by));
    }
    if let Some(r) = &e.release {
        let def = r
            .definition_name
            .as_deref()
            .map(|d| format!("{} ", esc(d)))
            .unwrap_or_default();
        row(
            "Production release",
            format!(
                "{} ({def}definition {}, release {})",
                link(&r.name, r.web_url.as_deref()),
                r.definition_id,
                r.id
            ),
        );
    }
    if let Some(c) = &e.release_commit {
        row(
            "Release commit",
            format!(
                "{} {}",
                commit_link(&c.commit_id, c.web_url.as_deref()),
                esc(&c.message)
            ),
        );
    }
    if let Some(b) = &e.hotfix_branch {
        row("Hotfix branch", link(&b.name, b.web_url.as_deref()));
    }
    if let Some(p) = &e.hotfix_pipeline {
        row(
            "Hotfix pipeline",
            format!(
                "{} (definition {}, revision {})",
                link(&p.name, p.web_url.as_deref()),
                p.definition_id,
                p.revision
            ),
        );
    }
    let mut o = String::new();
    let _ = writeln!(o, "{h} {}\n\n| | |\n|---|---|", esc(&e.title()));
    for (k, v) in rows {
        let _ = writeln!(o, "| {k} | {v} |");
    }
    o.push('\n');

    let _ = writeln!(o, "{h}# What was fixed\n");
    if e.fix_commits.is_empty() {
        o.push_str("No fix commit recorded yet.\n");
    }
    for c in &e.fix_commits {
        let _ = writeln!(
            o,
            "- {} {} — {}",
            commit_link(&c.commit_id, c.web_url.as_deref()),
            esc(&c.message),
            esc(&c.author)
        );
    }
    if let Some(p) = &e.plan {
        for (verb, items) in [
            ("Created", &p.create),
            ("Changed", &p.update),
            ("Deleted", &p.delete),
        ] {
            if !items.is_empty() {
                let names: Vec<String> = items.iter().map(|i| esc(i)).collect();
                let _ = writeln!(o, "\n{verb} in production: {}.", names.join(", "));
            }
        }
    }

    let _ = writeln!(o, "\n{h}# Where it was deployed\n");
    match &e.deployment {
        Some(d) => {
            let _ = writeln!(
                o,
                "{} to `{}`: **{}**{}{}.",
                link(&d.release_name, d.web_url.as_deref()),
                e.prod_workspace.replace('`', "'"),
                esc(&d.result),
                d.started_at
                    .map(|t| format!(", started {}", when(t)))
                    .unwrap_or_default(),
                d.duration_seconds
                    .map(|s| format!(", took {}", duration(s)))
                    .unwrap_or_default(),
            );
            if let Some(c) = &d.commit_id {
                let _ = writeln!(o, "\nDeployed commit `{}`.", short(c));
            }
            let _ = writeln!(
                o,
                "\nConfirmed by: {}.",
                d.confirmed_by
                    .as_deref()
                    .map_or_else(|| "not confirmed yet".to_owned(), esc)
            );
        }
        None => o.push_str("Not deployed by this run.\n"),
    }
    if let Some(t) = e.trigger_changes.as_ref().filter(|t| !t.is_empty()) {
        let _ = writeln!(o, "\nTriggers:\n");
        for c in t {
            let _ = writeln!(
                o,
                "- `{}`: {} → {}{}",
                c.trigger.replace('`', "'"),
                esc(&c.before),
                if c.stopped_for_deployment {
                    "stopped for the deployment → "
                } else {
                    ""
                },
                esc(&c.after)
            );
        }
    }

    let _ = writeln!(o, "\n{h}# Where it was merged\n");
    match e.pull_requests.as_ref().filter(|p| !p.is_empty()) {
        Some(prs) => {
            for p in prs {
                let _ = writeln!(
                    o,
                    "- {} into `{}`: {}{}",
                    link(&format!("PR {} {}", p.id, p.title), p.web_url.as_deref()),
                    p.target_branch.replace('`', "'"),
                    esc(&p.status),
                    p.merge_status
                        .as_deref()
                        .map(|m| format!(" (merge {})", esc(m)))
                        .unwrap_or_default()
                );
            }
        }
        None => o.push_str("No pull request recorded.\n"),
    }

    if let Some(c) = &e.cleanup {
        let _ = writeln!(o, "\n{h}# Clean up\n");
        if c.deleted.is_empty() {
            o.push_str("No old hotfix branch deleted.\n");
        }
        for d in &c.deleted {
            let _ = writeln!(
                o,
                "- Deleted `{}`{} (was at `{}`)",
                d.name.replace('`', "'"),
                d.release_name
                    .as_deref()
                    .map(|r| format!(" of {}", esc(r)))
                    .unwrap_or_default(),
                short(&d.object_id)
            );
        }
        for k in &c.kept {
            let _ = writeln!(
                o,
                "- Kept `{}`: {}",
                k.name.replace('`', "'"),
                esc(&k.reason)
            );
        }
    }
    o
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
