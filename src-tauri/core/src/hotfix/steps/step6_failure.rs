//! Step 6 — a failed deployment in plain words: the failing task's log around its first error,
//! and the known errors of the Synapse tasks explained with what to do (`TASKS.md` "Corrections
//! and additions" 9 and 12: `TriggerEnabledCannotUpdate`, `Environment validation failed`, the
//! toggle task's auth-scheme `U002`, timeouts, a validate failure of a broken artifact …).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Lines shown before and after the first error.
pub const CONTEXT_LINES: usize = 6;

/// One line of the log excerpt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LogLine {
    /// 1-based line number in the task log.
    pub number: u32,
    pub text: String,
    pub error: bool,
}

/// A known error recognised in the log, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KnownError {
    /// What it is known as (`TriggerEnabledCannotUpdate`, `U002`, …).
    pub code: String,
    /// What happened, in plain words.
    pub meaning: String,
    pub what_to_do: String,
}

/// Why a deployment failed, as far as its log tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FailureReport {
    pub task_name: String,
    /// The first error line, without its timestamp and `##[error]` marker.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
    /// The log around the first error.
    pub excerpt: Vec<LogLine>,
    pub explanations: Vec<KnownError>,
}

/// `2026-11-26T10:11:31.1234567Z ##[error]boom` → `boom`.
pub fn clean(line: &str) -> String {
    let rest = match line.split_once(' ') {
        Some((ts, rest)) if ts.len() >= 20 && ts.ends_with('Z') && ts.as_bytes()[4] == b'-' => rest,
        _ => line,
    };
    rest.trim_start_matches("##[error]").trim().to_owned()
}

fn is_error(line: &str) -> bool {
    line.contains("##[error]")
}

/// The excerpt around the first error of `log` (the whole end of the log when none is marked).
pub fn excerpt(log: &str) -> (Option<String>, Vec<LogLine>) {
    let lines: Vec<&str> = log.lines().collect();
    let first = lines.iter().position(|l| is_error(l));
    let (from, to) = match first {
        Some(i) => (
            i.saturating_sub(CONTEXT_LINES),
            (i + CONTEXT_LINES + 1).min(lines.len()),
        ),
        None => (lines.len().saturating_sub(CONTEXT_LINES * 2), lines.len()),
    };
    let excerpt = lines[from..to]
        .iter()
        .enumerate()
        .map(|(k, l)| LogLine {
            number: u32::try_from(from + k + 1).unwrap_or(u32::MAX),
            text: (*l).to_owned(),
            error: is_error(l),
        })
        .collect();
    (first.map(|i| clean(lines[i])), excerpt)
}

/// The known errors `text` (the log, or the task's issues) shows, each once.
pub fn explain(text: &str) -> Vec<KnownError> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut add = |code: &str, meaning: &str, what: &str| {
        out.push(KnownError {
            code: code.to_owned(),
            meaning: meaning.to_owned(),
            what_to_do: what.to_owned(),
        });
    };
    if lower.contains("triggerenabledcannotupdate") {
        add(
            "TriggerEnabledCannotUpdate",
            "A trigger was running when the deployment tried to change it; Synapse only updates \
             stopped triggers. The pipeline stops the triggers that ran at the review, so this \
             one was started after it (or is not in the list).",
            "Review production again (the trigger list is read anew), then deploy again.",
        );
    }
    if lower.contains("environment validation failed") {
        add(
            "Environment validation failed",
            "The Synapse deployment task refused its own settings before doing anything: usually \
             an input that is empty or not valid for this version of the task, or a service \
             connection it cannot use.",
            "Open the hotfix pipeline in Azure DevOps and check the inputs of the deployment task \
             (the pre-flight of step 4 lists them), fix them, then deploy again.",
        );
    }
    if lower.contains("u002") || lower.contains("authscheme") {
        add(
            "U002",
            "The toggle-triggers task does not accept the service connection's way of signing \
             in. It works only with a service principal and a secret, or a managed identity — \
             not with workload identity federation or a certificate.",
            "Use a production service connection with a service principal secret (Project \
             settings → Service connections), pick it in the profile, save the hotfix pipeline \
             again (step 4) and deploy again.",
        );
    }
    if lower.contains("timed out") || lower.contains("timeout") || lower.contains("time out") {
        add(
            "Timeout",
            "The job ran longer than it was allowed to. Large workspaces deploy one artifact at a \
             time, and deleting artifacts that are not in the template takes long.",
            "Raise the agent job's timeout in the hotfix pipeline (or keep \
             DeleteArtifactsNotInTemplate off), then deploy again.",
        );
    }
    if lower.contains("validation failed for") || lower.contains("validation of artifact") {
        add(
            "Validation failed",
            "An artifact on the hotfix branch refers to another one that does not exist there \
             (a pipeline using a dataset that was deleted or never committed). Nothing was \
             deployed: validation runs before the deployment.",
            "Fix the reference in Synapse Studio on the hotfix branch (or add the missing \
             artifact), let it commit, then deploy again: a new release is created from the new \
             commit.",
        );
    }
    if lower.contains("input required") {
        add(
            "Input required",
            "A task input the task needs is empty.",
            "Open the hotfix pipeline in Azure DevOps, fill the input named in the log, then \
             deploy again.",
        );
    }
    out
}

/// The report for a failed task from its whole log and issues.
pub fn report(task_name: &str, log: &str, issues: &[String]) -> FailureReport {
    let (first, lines) = excerpt(log);
    let first_error = first.or_else(|| issues.first().cloned());
    let mut text = log.to_owned();
    for i in issues {
        text.push('\n');
        text.push_str(i);
    }
    FailureReport {
        task_name: task_name.to_owned(),
        first_error,
        excerpt: lines,
        explanations: explain(&text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "2026-11-26T10:11:31.1234567Z ##[section]Starting: Synapse deployment\n\
        2026-11-26T10:11:31.2Z Validating the Synapse artifacts of the folder...\n\
        2026-11-26T10:11:31.3Z ##[error]Validation failed for pipeline 'pl_ingest_returns' (pipeline/pl_ingest_returns.json): it references dataset 'ds_raw_returns_csv', which does not exist in artifact '_hotfix'. (artifact '_hotfix')\n\
        2026-11-26T10:11:31.4Z ##[error]Validation of artifact '_hotfix' failed; nothing was deployed.\n\
        2026-11-26T10:11:31.5Z ##[section]Finishing: Synapse deployment\n";

    #[test]
    fn the_first_error_is_found_with_its_context_and_explained() {
        let r = report("Synapse deployment", LOG, &[]);
        assert!(r
            .first_error
            .as_deref()
            .unwrap()
            .starts_with("Validation failed for pipeline 'pl_ingest_returns'"));
        assert_eq!(r.excerpt.len(), 5);
        assert_eq!(r.excerpt[2].number, 3);
        assert!(r.excerpt[2].error && !r.excerpt[1].error);
        assert_eq!(r.explanations.len(), 1);
        assert_eq!(r.explanations[0].code, "Validation failed");
        assert!(r.explanations[0].what_to_do.contains("new release"));
    }

    #[test]
    fn each_known_error_is_recognised() {
        let cases = [
            (
                "{\"code\":\"TriggerEnabledCannotUpdate\",\"message\":\"x\"}",
                "TriggerEnabledCannotUpdate",
            ),
            (
                "##[error]Environment validation failed",
                "Environment validation failed",
            ),
            (
                "##[error]U002: authScheme WorkloadIdentityFederation is not supported",
                "U002",
            ),
            (
                "The job running on agent X ran longer than the maximum time and timed out",
                "Timeout",
            ),
            ("##[error]Input required: Triggers", "Input required"),
        ];
        for (text, code) in cases {
            let e = explain(text);
            assert_eq!(e.len(), 1, "{text}: {e:?}");
            assert_eq!(e[0].code, code);
            assert!(!e[0].meaning.is_empty() && !e[0].what_to_do.is_empty());
        }
        assert!(explain("all good").is_empty());
        assert_eq!(clean("2026-11-26T10:11:31.1234567Z ##[error]boom"), "boom");
        assert_eq!(clean("plain"), "plain");
    }

    #[test]
    fn a_log_without_a_marked_error_shows_its_end_and_the_issue() {
        let log: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let r = report("T", &log, &["Task failed: exit 1".to_owned()]);
        assert_eq!(r.excerpt.first().unwrap().number, 19);
        assert_eq!(r.excerpt.last().unwrap().text, "line 30");
        assert_eq!(r.first_error.as_deref(), Some("Task failed: exit 1"));
    }
}
