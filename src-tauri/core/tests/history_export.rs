//! The history against the simulator: the export of a finished demo run as Markdown and JSON,
//! field by field with its links; the history of an unfinished and of an abandoned run, filtered
//! by profile and status.

mod cleanup_support;
mod support;

use ado_sim::Seed;
use cleanup_support::{finished_run, SAFE, UNSAFE};
use hotfix_core::hotfix::history::{ExportFormat, HistoryFilter};
use hotfix_core::hotfix::run::RunStatus;
use serde_json::Value;
use support::{world, BRANCH, DEFINITION};

#[tokio::test]
async fn a_finished_run_exports_as_a_change_record_with_its_links() {
    let w = world(Seed::Demo).await;
    let run = Box::pin(finished_run(&w)).await;
    let release = run.steps.release.release.clone().unwrap();
    let commit = run.steps.release.commit.clone().unwrap();
    let branch = run.steps.branch.branch.clone().unwrap();
    let def = run.steps.pipeline.definition.clone().unwrap();
    let fixes = run.steps.fix.commits.clone();
    assert!(!fixes.is_empty());
    let deleted = run.steps.cleanup.deleted[0].clone();
    let who = run.steps.cleanup.finished_by.clone().unwrap();

    let doc = w
        .svc
        .history_document(
            Some(&run.id),
            &HistoryFilter::default(),
            ExportFormat::Markdown,
        )
        .unwrap();
    assert_eq!(doc.runs, 1);
    assert!(
        doc.file_name.starts_with("hotfix-Release-3-") && doc.file_name.ends_with(".md"),
        "{}",
        doc.file_name
    );
    let md = &doc.content;
    let line = |start: &str| {
        md.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line {start:?} in\n{md}"))
            .to_owned()
    };
    assert_eq!(
        md.lines().next().unwrap(),
        "# Hotfix of Release-3 in contoso-synapse-prod"
    );
    assert_eq!(line("| Status "), "| Status | Completed |");
    assert_eq!(line("| Profile "), "| Profile | Contoso demo |");
    assert_eq!(
        line("| Production workspace "),
        "| Production workspace | `contoso-synapse-prod` |"
    );
    assert_eq!(line("| Run by "), format!("| Run by | {who} |"));
    assert_eq!(line("| Finished by "), format!("| Finished by | {who} |"));
    assert!(line("| Started ").ends_with(" UTC |"));
    assert!(line("| Finished ").ends_with(" UTC |"));
    assert_eq!(
        line("| Production release "),
        format!(
            "| Production release | [Release-3](<{}>) (Synapse-Release definition {}, release {}) |",
            release.web_url.as_deref().unwrap(),
            release.definition_id,
            release.id
        )
    );
    assert_eq!(
        line("| Release commit "),
        format!(
            "| Release commit | [`{}`](<{}>) {} |",
            &commit.commit_id[..8],
            commit.web_url.as_deref().unwrap(),
            commit.message.lines().next().unwrap()
        )
    );
    assert_eq!(
        line("| Hotfix branch "),
        format!(
            "| Hotfix branch | [{BRANCH}](<{}>) |",
            branch.web_url.as_deref().unwrap()
        )
    );
    assert_eq!(
        line("| Hotfix pipeline "),
        format!(
            "| Hotfix pipeline | [{DEFINITION}](<{}>) (definition {}, revision {}) |",
            def.web_url.as_deref().unwrap(),
            def.id,
            def.revision
        )
    );
    for c in &fixes {
        let l = line(&format!("- [`{}`]", &c.commit_id[..8]));
        assert!(l.contains(c.web_url.as_deref().unwrap()), "{l}");
        assert!(l.ends_with(&format!("— {}", c.author_name)), "{l}");
    }
    let plan = run.steps.fix.plan.clone().unwrap();
    if let Some(p) = plan.update.first() {
        assert!(line("Changed in production: ").contains(&p.artifact.name));
    }
    assert!(md.contains("## What was fixed\n"));
    assert!(md.contains("## Where it was deployed\n\nNot deployed by this run.\n"));
    assert!(md.contains("## Where it was merged\n\nNo pull request recorded.\n"));
    assert_eq!(
        line(&format!("- Deleted `{SAFE}`")),
        format!(
            "- Deleted `{SAFE}` of Release-2 (was at `{}`)",
            &deleted.object_id[..8]
        )
    );
    assert!(line(&format!("- Kept `{UNSAFE}`: ")).contains("not in main"));

    let json = w
        .svc
        .history_document(Some(&run.id), &HistoryFilter::default(), ExportFormat::Json)
        .unwrap();
    assert!(json.file_name.ends_with(".json"));
    let v: Value = serde_json::from_str(&json.content).unwrap();
    assert_eq!(v["format"], "synapse-hotfix-history");
    assert_eq!(v["version"], 1);
    assert!(v["exportedAt"].is_string());
    let e = &v["entries"][0];
    assert_eq!(v["entries"].as_array().unwrap().len(), 1);
    assert_eq!(e["runId"], run.id.as_str());
    assert_eq!(e["profileId"], "p-demo");
    assert_eq!(e["profileName"], "Contoso demo");
    assert_eq!(e["project"], "DataPlatform");
    assert_eq!(e["repository"], "synapse-analytics");
    assert_eq!(e["prodWorkspace"], "contoso-synapse-prod");
    assert_eq!(e["status"], "completed");
    assert_eq!(e["currentStep"], "cleanup");
    assert_eq!(e["currentStepState"], "done");
    assert_eq!(e["startedBy"], who.as_str());
    assert_eq!(e["finishedBy"], who.as_str());
    assert!(e["finishedAt"].is_string());
    assert_eq!(e["release"]["id"], release.id);
    assert_eq!(e["release"]["name"], "Release-3");
    assert_eq!(e["release"]["definitionId"], release.definition_id);
    assert_eq!(e["release"]["definitionName"], "Synapse-Release");
    assert_eq!(e["release"]["webUrl"], release.web_url.as_deref().unwrap());
    assert_eq!(e["releaseCommit"]["commitId"], commit.commit_id.as_str());
    assert_eq!(
        e["releaseCommit"]["webUrl"],
        commit.web_url.as_deref().unwrap()
    );
    assert_eq!(e["hotfixBranch"]["name"], BRANCH);
    assert_eq!(
        e["hotfixBranch"]["webUrl"],
        branch.web_url.as_deref().unwrap()
    );
    let ids: Vec<&str> = e["fixCommits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["commitId"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = fixes.iter().map(|c| c.commit_id.as_str()).collect();
    assert_eq!(ids, want);
    assert_eq!(e["hotfixPipeline"]["definitionId"], def.id);
    assert_eq!(e["hotfixPipeline"]["name"], DEFINITION);
    assert_eq!(e["hotfixPipeline"]["revision"], def.revision);
    assert_eq!(
        e["hotfixPipeline"]["webUrl"],
        def.web_url.as_deref().unwrap()
    );
    assert_eq!(e["cleanup"]["deleted"][0]["name"], SAFE);
    assert_eq!(
        e["cleanup"]["deleted"][0]["objectId"],
        deleted.object_id.as_str()
    );
    assert_eq!(e["cleanup"]["deleted"][0]["releaseName"], "Release-2");
    assert_eq!(e["cleanup"]["kept"][0]["name"], UNSAFE);
    assert_eq!(e["runAvailable"], true);
    assert!(e.get("deployment").is_none(), "steps 5–6 recorded nothing");

    let out = tempfile::tempdir().unwrap();
    let path = out.path().join(&json.file_name);
    w.svc.history_write(&json, &path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), json.content);
}

#[tokio::test]
async fn unfinished_and_abandoned_runs_are_in_the_history_and_filter() {
    let w = world(Seed::Demo).await;
    let unfinished = w.run_at_step3().await;
    let mut other = w.profile.clone();
    other.id = "p-other".into();
    other.name = "Other team".into();
    let abandoned = w.svc.start_run(&other).unwrap();
    w.svc.abandon_run(&abandoned.id).await.unwrap();

    let all = w.svc.history_list(&HistoryFilter::default()).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].run_id, abandoned.id, "newest first");
    let mine = w
        .svc
        .history_list(&HistoryFilter {
            profile_id: Some("p-demo".into()),
            status: None,
        })
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].run_id, unfinished.id);
    assert_eq!(mine[0].status, RunStatus::Active);
    assert_eq!(mine[0].hotfix_branch.as_ref().unwrap().name, BRANCH);
    assert!(mine[0].finished_at.is_none());
    let gone = w
        .svc
        .history_list(&HistoryFilter {
            profile_id: None,
            status: Some(RunStatus::Abandoned),
        })
        .unwrap();
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].profile_name, "Other team");
    assert!(gone[0].release.is_none());

    let md = w
        .svc
        .history_document(
            Some(&unfinished.id),
            &HistoryFilter::default(),
            ExportFormat::Markdown,
        )
        .unwrap()
        .content;
    assert!(
        md.contains("| Status | In progress — at step 3: Fix |"),
        "{md}"
    );
    assert!(md.contains("No fix commit recorded yet."));
    assert!(!md.contains("## Clean up"), "step 8 never ran");
    let md = w
        .svc
        .history_document(
            Some(&abandoned.id),
            &HistoryFilter::default(),
            ExportFormat::Markdown,
        )
        .unwrap()
        .content;
    assert!(
        md.starts_with("# Hotfix in contoso-synapse-prod (release not picked)\n"),
        "{md}"
    );
    assert!(md.contains("| Status | Abandoned |"));

    let both = w
        .svc
        .history_document(None, &HistoryFilter::default(), ExportFormat::Markdown)
        .unwrap();
    assert_eq!(both.runs, 2);
    assert!(both
        .content
        .starts_with("# Synapse hotfix history\n\n2 run(s), exported "));
    assert_eq!(both.content.matches("\n## Hotfix").count(), 2);
    let none = w.svc.history_document(
        None,
        &HistoryFilter {
            profile_id: Some("nobody".into()),
            status: None,
        },
        ExportFormat::Json,
    );
    assert_eq!(none.unwrap_err().code, hotfix_core::ErrorCode::Precondition);
}
