use chrono::TimeZone;

use super::*;
use crate::hotfix::history::entry::{
    HistoryCommit, HistoryDeployment, HistoryLink, HistoryPullRequest, HistoryRelease,
    HistoryTriggerChange,
};
use crate::hotfix::run::StepState;
use crate::hotfix::steps::StepId;

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, h, 0, 0).unwrap()
}

fn entry() -> HistoryEntry {
    HistoryEntry {
        run_id: "r1".into(),
        profile_id: "p".into(),
        profile_name: "Sales | Finance".into(),
        organization_url: "https://dev.azure.com/contoso".into(),
        project: Some("DataPlatform".into()),
        repository: Some("synapse".into()),
        prod_workspace: "contoso-prod".into(),
        status: RunStatus::Completed,
        current_step: StepId::Cleanup,
        current_step_title: "Clean up".into(),
        current_step_state: StepState::Done,
        current_step_note: None,
        started_by: Some("Maya [ops]".into()),
        finished_by: None,
        started_at: at(9),
        updated_at: at(12),
        finished_at: Some(at(12)),
        release: Some(HistoryRelease {
            id: 3,
            name: "Release-3".into(),
            definition_id: 1,
            definition_name: None,
            web_url: None,
        }),
        release_commit: None,
        hotfix_branch: Some(HistoryLink {
            name: "Release3_Hotfixes".into(),
            web_url: Some("https://x/y?version=GBRelease3_Hotfixes".into()),
        }),
        fix_commits: vec![HistoryCommit {
            commit_id: "a".repeat(40),
            message: "Fix *all* the `things`".into(),
            author: "Maya".into(),
            web_url: None,
        }],
        plan: None,
        hotfix_pipeline: None,
        deployment: Some(HistoryDeployment {
            release_id: 12,
            release_name: "Synapse-Hotfix-12".into(),
            web_url: Some("https://rm/r?releaseId=12".into()),
            commit_id: Some("b".repeat(40)),
            result: "succeeded".into(),
            started_at: Some(at(10)),
            finished_at: Some(at(10)),
            duration_seconds: Some(125),
            confirmed_by: Some("Daniel".into()),
        }),
        trigger_changes: Some(vec![
            HistoryTriggerChange {
                trigger: "tr_daily".into(),
                before: "Started".into(),
                after: "Started".into(),
                stopped_for_deployment: true,
            },
            HistoryTriggerChange {
                trigger: "tr_paused".into(),
                before: "Stopped".into(),
                after: "Stopped".into(),
                stopped_for_deployment: false,
            },
        ]),
        pull_requests: Some(vec![HistoryPullRequest {
            id: 7,
            target_branch: "main".into(),
            title: "Hotfix into main".into(),
            status: "active".into(),
            merge_status: Some("succeeded".into()),
            web_url: Some("https://x/pullrequest/7".into()),
        }]),
        cleanup: None,
        run_available: true,
    }
}

#[test]
fn table_cells_and_link_texts_are_escaped_and_links_kept_whole() {
    let md = change_record(&entry(), "#");
    assert!(md.contains("| Profile | Sales \\| Finance |"), "{md}");
    assert!(md.contains("| Run by | Maya \\[ops\\] |"), "{md}");
    assert!(
        md.contains("| Production release | Release-3 (definition 1, release 3) |"),
        "no link without a URL: {md}"
    );
    assert!(md.contains(
        "| Hotfix branch | [Release3_Hotfixes](<https://x/y?version=GBRelease3_Hotfixes>) |"
    ));
    assert!(
        md.contains("- `aaaaaaaa` Fix \\*all\\* the \\`things\\` — Maya"),
        "{md}"
    );
    assert!(!md.contains("| Finished by |"), "absent facts are left out");
}

#[test]
fn the_deployment_triggers_and_pull_requests_of_later_steps_are_written_when_recorded() {
    let md = change_record(&entry(), "#");
    assert!(md.contains(
        "[Synapse-Hotfix-12](<https://rm/r?releaseId=12>) to `contoso-prod`: **succeeded**, started 2026-11-26 10:00 UTC, took 2 min 5 s."
    ), "{md}");
    assert!(md.contains("Deployed commit `bbbbbbbb`."));
    assert!(md.contains("Confirmed by: Daniel."));
    assert!(
        md.contains("- `tr_daily`: Started → stopped for the deployment → Started\n"),
        "{md}"
    );
    assert!(md.contains("- `tr_paused`: Stopped → Stopped\n"), "{md}");
    assert!(md.contains(
        "- [PR 7 Hotfix into main](<https://x/pullrequest/7>) into `main`: active (merge succeeded)"
    ));
    assert!(!md.contains("## Clean up"), "step 8 did not run");
}

#[test]
fn several_entries_get_a_title_and_a_json_document_keeps_every_field() {
    let two = [
        entry(),
        HistoryEntry {
            run_id: "r2".into(),
            release: None,
            ..entry()
        },
    ];
    let md = to_markdown(&two, at(13));
    assert!(
        md.starts_with("# Synapse hotfix history\n\n2 run(s), exported 2026-11-26 13:00 UTC.\n")
    );
    assert!(md.contains("\n## Hotfix of Release-3 in contoso-prod\n"));
    assert!(md.contains("\n## Hotfix in contoso-prod (release not picked)\n"));
    assert!(md.contains("\n---\n"));
    let v: serde_json::Value = serde_json::from_str(&to_json(&two, at(13))).unwrap();
    assert_eq!(v["format"], EXPORT_FORMAT);
    assert_eq!(v["exportedAt"], "2026-11-26T13:00:00Z");
    assert_eq!(v["entries"][0]["deployment"]["durationSeconds"], 125);
    assert_eq!(
        v["entries"][0]["pullRequests"][0]["webUrl"],
        "https://x/pullrequest/7"
    );
    let back: Vec<HistoryEntry> = serde_json::from_value(v["entries"].clone()).unwrap();
    assert_eq!(back, two);
    assert_eq!(status_label(RunStatus::Active), "In progress");
}
