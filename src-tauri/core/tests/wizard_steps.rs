//! Wizard steps 1–3 against the simulator (`ado_sim`), through `HotfixService` exactly as the
//! Tauri commands call it: resolving what runs in production, creating the hotfix branch, watching
//! the fix. Also crashes between a request and the save, faults (500/429), an expired token, and
//! the request budget of step 1 on the 10,000-release scale seed, read from the simulator's journal.

use std::sync::atomic::Ordering;

mod support;

use ado_sim::Seed;
use hotfix_core::connection;
use hotfix_core::hotfix::run::BranchOutcome;
use hotfix_core::hotfix::service::crash_points;
use hotfix_core::hotfix::{HotfixService, StepId, StepState};
use hotfix_core::secrets::Token;
use hotfix_core::synapse::{ArtifactKind, ChangeKind, WarningKind};
use hotfix_core::ErrorCode;
use serde_json::{json, Value};
use support::*;

// ---- step 1 ----------------------------------------------------------------------------------

#[tokio::test]
async fn demo_seed_current_release_is_release_3_with_its_source_commit_not_the_publish_branch() {
    let w = world(Seed::Demo).await;
    let run = w.new_run();
    let releases = w
        .svc
        .list_production_releases(&w.session, &run.id, 10)
        .await
        .unwrap();
    let current = releases.current.clone().unwrap();
    assert_eq!(current.release_name, "Release-3");
    assert!(current.is_current);
    assert!(
        current.deployed_on.is_some() && current.deployed_by.is_some(),
        "{current:?}"
    );
    let older: Vec<&str> = releases
        .previous
        .iter()
        .map(|r| r.release_name.as_str())
        .collect();
    assert_eq!(older, ["Release-2", "Release-1"]);

    let run = w.select(&run.id, current.release_id).await;
    let artifact = run.steps.release.artifact.clone().unwrap();
    let commit = run.steps.release.commit.clone().unwrap();
    assert_eq!(artifact.alias, "_synapse-analytics");
    assert_eq!(artifact.branch.as_deref(), Some("main"));
    assert!(
        artifact.reason.contains("publish branch"),
        "{}",
        artifact.reason
    );
    assert!(is_full_sha(&commit.commit_id), "{}", commit.commit_id);
    let source = w
        .release_artifact_version(current.release_id, "_synapse-analytics")
        .await;
    let publish = w
        .release_artifact_version(current.release_id, "_synapse-analytics-publish")
        .await;
    assert_eq!(commit.commit_id, source);
    assert_ne!(commit.commit_id, publish);
    assert!(
        !commit.message.is_empty()
            && !commit.author_name.is_empty()
            && commit.author_date.is_some()
    );
    assert_eq!(run.step_state(StepId::Release), StepState::Done);
    assert_eq!(run.current_step, StepId::Branch);
    assert!(run.steps.release.release.as_ref().unwrap().was_current);
    // Saved on disk, as the app would find it after a restart.
    let saved = w.svc.get_run(&run.id).unwrap();
    assert_eq!(saved.steps.release.commit, run.steps.release.commit);
}

#[tokio::test]
async fn scale_seed_current_release_with_full_commit_costs_three_requests() {
    let w = world(Seed::Scale).await;
    let run = w.new_run();
    // Warm-up, excluded from the budget on purpose: the Resource Areas discovery (cached per
    // client) and publish_config.json (cached per session) are read once per session, not per look.
    w.session.warm_up().await.unwrap();
    w.clear_journal().await;

    let releases = w
        .svc
        .list_production_releases(&w.session, &run.id, 20)
        .await
        .unwrap();
    let current = releases.current.unwrap();
    let run = w.select(&run.id, current.release_id).await;
    assert!(is_full_sha(&run.steps.release.commit.unwrap().commit_id));

    let journal = w.journal().await;
    let shown: Vec<String> = journal
        .iter()
        .map(|e| format!("{} {}", e["method"], e["path"]))
        .collect();
    eprintln!(
        "step-1 budget on the scale seed: {} requests: {shown:#?}",
        journal.len()
    );
    assert_eq!(journal.len(), 3, "{shown:#?}");
    assert_eq!(count(&journal, "GET", "/release/deployments"), 1);
    assert_eq!(count(&journal, "GET", "/release/releases/"), 1);
    assert_eq!(count(&journal, "GET", "/commits/"), 1);
    assert_eq!(
        releases.previous.len(),
        19,
        "the history comes with the same single request"
    );
}

#[tokio::test]
async fn build_artifact_release_resolves_through_the_builds_source_version() {
    let w = world(Seed::Demo).await;
    let demo = w.new_run();
    let current = w.current_release(&demo.id, 1).await;
    let sha = w
        .release_artifact_version(current.release_id, "_synapse-analytics")
        .await;
    let build = w
        .admin_post("/builds", &json!({"project": PROJECT, "repository": info(&w).repository, "sourceVersion": sha,
                                        "sourceBranch": "refs/heads/main", "definitionName": "synapse-ci"}))
        .await;
    let build_id = build["id"].as_i64().unwrap();
    let artifacts = json!([{"alias": "_synapse-ci", "type": "Build", "isPrimary": true,
        "definitionReference": {"project": {"id": w.project_id, "name": PROJECT},
                                "definition": {"id": build["definition"]["id"].to_string().trim_matches('"'), "name": "synapse-ci"}}}]);
    let instances = json!([{"alias": "_synapse-ci", "instanceReference": {"id": build_id.to_string(), "name": build["buildNumber"]}}]);
    let release_id = w.release_with("Build-Release", artifacts, instances).await;

    w.svc.abandon_run(&demo.id).await.unwrap();
    let run = w.new_run();
    w.clear_journal().await;
    let run = w.select(&run.id, release_id).await;
    let artifact = run.steps.release.artifact.unwrap();
    assert_eq!(artifact.artifact_type, "Build");
    assert_eq!(artifact.build_id, Some(i32::try_from(build_id).unwrap()));
    assert_eq!(artifact.branch.as_deref(), Some("main"));
    assert_eq!(run.steps.release.commit.unwrap().commit_id, sha);
    let journal = w.journal().await;
    assert_eq!(count(&journal, "GET", "/build/builds/"), 1, "{journal:#?}");
}

#[tokio::test]
async fn two_source_like_git_artifacts_ask_the_user_why_and_the_answer_resolves() {
    let w = world(Seed::Demo).await;
    let feature = "feature/customer-churn";
    let artifacts = json!([
        w.git_artifact("_main", "main"),
        w.git_artifact("_churn", feature)
    ]);
    let release_id = w
        .release_with("Ambiguous-Release", artifacts, Value::Null)
        .await;
    let run = w.new_run();
    let run = w.select(&run.id, release_id).await;
    let choice = run
        .steps
        .release
        .artifact_choice
        .clone()
        .expect("the user is asked");
    assert!(run.steps.release.commit.is_none());
    assert_eq!(run.step_state(StepId::Release), StepState::Active);
    assert!(
        choice.why.contains("_main")
            && choice.why.contains("_churn")
            && choice.why.contains("workspace_publish"),
        "{}",
        choice.why
    );
    let aliases: Vec<&str> = choice.candidates.iter().map(|c| c.alias.as_str()).collect();
    assert_eq!(aliases, ["_main", "_churn"]);
    assert!(choice
        .candidates
        .iter()
        .all(|c| c.looks_like.as_deref() == Some("Synapse source folders")));

    let run = w
        .svc
        .choose_artifact(&w.session, &run.id, "_churn")
        .await
        .unwrap();
    let expected = w.release_artifact_version(release_id, "_churn").await;
    assert_eq!(
        run.steps.release.commit.clone().unwrap().commit_id,
        expected
    );
    assert!(run.steps.release.artifact_choice.is_none());
    assert_eq!(run.step_state(StepId::Release), StepState::Done);
}

#[tokio::test]
async fn a_release_without_a_source_artifact_is_a_clear_error_and_the_run_stays_usable() {
    let w = world(Seed::Demo).await;
    let artifacts = json!([w.git_artifact("_publish_only", "workspace_publish")]);
    let release_id = w.release_with("Publish-Only", artifacts, Value::Null).await;
    let run = w.new_run();
    let err = w
        .svc
        .select_release(&w.session, &run.id, release_id)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition);
    assert!(
        err.message.contains("no source-code artifact") && err.message.contains("publish branch"),
        "{}",
        err.message
    );
    let saved = w.svc.get_run(&run.id).unwrap();
    assert_eq!(
        saved.step(StepId::Release).unwrap().note.as_deref(),
        Some(err.message.as_str())
    );
    // The same run goes on with a good release.
    let current = w.current_release(&run.id, 1).await;
    let run = w.select(&run.id, current.release_id).await;
    assert_eq!(run.step_state(StepId::Release), StepState::Done);
}

// ---- step 2 ----------------------------------------------------------------------------------

#[tokio::test]
async fn branch_is_created_once_reused_when_at_the_commit_and_never_moved_when_elsewhere() {
    let w = world(Seed::Demo).await;
    let run = w.new_run();
    let current = w.current_release(&run.id, 1).await;
    let run = w.select(&run.id, current.release_id).await;
    let sha = run.steps.release.commit.clone().unwrap().commit_id;

    let check = w
        .svc
        .check_branch_name(&w.session, &run.id, None)
        .await
        .unwrap();
    assert_eq!(check.name, BRANCH, "templated from Release-3");
    assert!(check.ok && check.existing.is_none());

    // An invalid name is refused before anything is sent.
    w.clear_journal().await;
    let err = w
        .svc
        .create_branch(&w.session, &run.id, "release 3..hotfix")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        w.journal().await.is_empty(),
        "nothing sent for an invalid name"
    );
    let check = w
        .svc
        .check_branch_name(&w.session, &run.id, Some("bad name"))
        .await
        .unwrap();
    assert!(!check.ok && check.problem.unwrap().contains("\" \""));
    // A typed refs/heads/ prefix is dropped, and the answer says so.
    let check = w
        .svc
        .check_branch_name(&w.session, &run.id, Some("refs/heads/Release3_Hotfixes"))
        .await
        .unwrap();
    assert!(check.ok, "{check:?}");
    assert_eq!(check.name, BRANCH);
    assert!(check.note.unwrap().contains("added for you"));

    // Create.
    w.clear_journal().await;
    let run = w
        .svc
        .create_branch(&w.session, &run.id, BRANCH)
        .await
        .unwrap();
    let branch = run.steps.branch.branch.clone().unwrap();
    assert_eq!(branch.outcome, BranchOutcome::Created);
    assert_eq!(branch.object_id, sha);
    assert_eq!(run.step_state(StepId::Branch), StepState::Done);
    let journal = w.journal().await;
    assert_eq!(count(&journal, "POST", "/refs"), 1);
    let refs_gets = count(&journal, "GET", "/refs");
    assert!(
        refs_gets >= 2,
        "read before and re-read after: {journal:#?}"
    );
    assert_eq!(w.branches_named(BRANCH).await[0]["objectId"], sha.as_str());

    // Repeat on the same run: confirmed by reading, no second POST, still recorded as created.
    w.clear_journal().await;
    let again = w
        .svc
        .create_branch(&w.session, &run.id, BRANCH)
        .await
        .unwrap();
    let again = again.steps.branch.branch.unwrap();
    assert_eq!(again.object_id, sha);
    assert_eq!(again.outcome, BranchOutcome::Created);
    assert_eq!(count(&w.journal().await, "POST", "/refs"), 0);

    // A second hotfix (another run) on the same release finds the branch and reuses it.
    w.svc.abandon_run(&run.id).await.unwrap();
    let run2 = w.new_run();
    w.select(&run2.id, current.release_id).await;
    let check = w
        .svc
        .check_branch_name(&w.session, &run2.id, Some(BRANCH))
        .await
        .unwrap();
    assert!(check.ok && check.existing.as_ref().unwrap().at_release_commit);
    let run2 = w
        .svc
        .create_branch(&w.session, &run2.id, BRANCH)
        .await
        .unwrap();
    assert_eq!(
        run2.steps.branch.branch.unwrap().outcome,
        BranchOutcome::Reused
    );
    assert_eq!(w.branches_named(BRANCH).await.len(), 1);

    // A branch of that name elsewhere: stop, say where it points, offer another name, move nothing.
    let elsewhere = "Release3_Elsewhere";
    let other_sha = w.admin_post("/git/push-files", &json!({"project": PROJECT, "repository": info(&w).repository,
        "branch": elsewhere, "message": "someone else's work", "files": {"README.md": "changed\n"}})).await["commitId"]
        .as_str().unwrap().to_owned();
    w.svc.abandon_run(&run2.id).await.unwrap();
    let run3 = w.new_run();
    w.select(&run3.id, current.release_id).await;
    let check = w
        .svc
        .check_branch_name(&w.session, &run3.id, Some(elsewhere))
        .await
        .unwrap();
    assert!(!check.ok);
    assert!(check.problem.unwrap().contains(&other_sha[..8]));
    assert_eq!(check.suggestion.as_deref(), Some("Release3_Elsewhere_2"));
    w.clear_journal().await;
    let err = w
        .svc
        .create_branch(&w.session, &run3.id, elsewhere)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.contains(&other_sha[..8]), "{}", err.message);
    assert_eq!(
        count(&w.journal().await, "POST", "/refs"),
        0,
        "never moved or overwritten"
    );
    assert_eq!(
        w.branches_named(elsewhere).await[0]["objectId"],
        other_sha.as_str()
    );
    assert_eq!(
        w.svc.get_run(&run3.id).unwrap().step_state(StepId::Branch),
        StepState::Active
    );
}

// ---- crash and resume ------------------------------------------------------------------------

#[tokio::test]
async fn a_crash_between_request_and_save_at_each_step_resumes_with_exactly_one_branch() {
    let mut w = world(Seed::Demo).await;
    let run = w.new_run();
    let current = w.current_release(&run.id, 5).await;

    // Step 1: crash after the release and commit were read.
    let (hook, fired) = crash_once_at(crash_points::STEP1_AFTER_REMOTE);
    w.svc.set_crash_hook(Some(hook));
    assert!(w
        .svc
        .select_release(&w.session, &run.id, current.release_id)
        .await
        .is_err());
    assert!(fired.load(Ordering::SeqCst));
    w.restart();
    let saved = w.svc.get_run(&run.id).unwrap();
    assert!(
        saved.steps.release.commit.is_none()
            && saved.step_state(StepId::Release) == StepState::Active,
        "nothing saved by the crash"
    );
    let run = w.select(&run.id, current.release_id).await;
    assert_eq!(run.step_state(StepId::Release), StepState::Done);

    // Step 2: crash after the refs POST succeeded, before the run was saved.
    let (hook, fired) = crash_once_at(crash_points::STEP2_AFTER_REMOTE);
    w.svc.set_crash_hook(Some(hook));
    w.clear_journal().await;
    assert!(w
        .svc
        .create_branch(&w.session, &run.id, BRANCH)
        .await
        .is_err());
    assert!(fired.load(Ordering::SeqCst));
    w.restart();
    let saved = w.svc.get_run(&run.id).unwrap();
    assert!(saved.steps.branch.branch.is_none());
    assert_eq!(
        saved.steps.branch.intent.as_deref(),
        Some(BRANCH),
        "the intent was saved before the request"
    );
    assert_eq!(
        w.branches_named(BRANCH).await.len(),
        1,
        "the branch exists remotely"
    );
    // Resume: the run continues with the name it meant to create.
    let intent = saved.steps.branch.intent.clone().unwrap();
    let run = w
        .svc
        .create_branch(&w.session, &run.id, &intent)
        .await
        .unwrap();
    assert_eq!(
        run.steps.branch.branch.as_ref().unwrap().outcome,
        BranchOutcome::Reused
    );
    assert_eq!(
        count(&w.journal().await, "POST", "/refs"),
        1,
        "exactly one refs POST across crash and resume"
    );
    assert_eq!(w.branches_named(BRANCH).await.len(), 1);

    // Step 3: crash after the changes were read.
    w.push_fix(&run.id).await;
    let (hook, fired) = crash_once_at(crash_points::STEP3_AFTER_REMOTE);
    w.svc.set_crash_hook(Some(hook));
    assert!(w.svc.refresh_changes(&w.session, &run.id).await.is_err());
    assert!(fired.load(Ordering::SeqCst));
    w.restart();
    assert!(w.svc.get_run(&run.id).unwrap().steps.fix.changes.is_none());
    let run = w.svc.refresh_changes(&w.session, &run.id).await.unwrap();
    assert_eq!(run.steps.fix.changes.as_ref().unwrap().artifacts.len(), 3);
    assert_eq!(run.steps.fix.commits.len(), 1);
    let refs: Vec<Value> = w.branches_named(BRANCH).await;
    assert_eq!(refs.len(), 1);
}

// ---- step 3 ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_pushed_fix_shows_as_artifact_changes_with_diffs_and_a_deploy_plan() {
    let w = world(Seed::Demo).await;
    let run = w.run_at_step3().await;

    // No new commits yet: the poll says so and going on is refused.
    let poll = w.svc.poll_branch(&w.session, &run.id).await.unwrap();
    assert!(!poll.has_new_commits && !poll.from_cache);
    let run = w.svc.refresh_changes(&w.session, &run.id).await.unwrap();
    assert!(run.steps.fix.commits.is_empty());
    let err = w
        .svc
        .complete_fix(&w.session, &run.id, true)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition);
    assert!(err.message.contains("no new commits"), "{}", err.message);

    let commit = w.push_fix(&run.id).await;
    // Within 5 s the poll answers from cache without a request; the UI backs off meanwhile.
    w.clear_journal().await;
    let cached = w.svc.poll_branch(&w.session, &run.id).await.unwrap();
    assert!(cached.from_cache && cached.next_poll_in_ms <= 5000);
    assert!(
        w.journal().await.is_empty(),
        "no request within the poll interval"
    );

    let run = w.svc.refresh_changes(&w.session, &run.id).await.unwrap();
    assert_eq!(run.steps.fix.head.as_deref(), Some(commit.as_str()));
    assert_eq!(run.steps.fix.commits.len(), 1);
    assert_eq!(run.steps.fix.commits[0].commit_id, commit);
    let changes = run.steps.fix.changes.clone().unwrap();
    let kinds: Vec<(ArtifactKind, ChangeKind)> = changes
        .artifacts
        .iter()
        .map(|a| (a.artifact.kind, a.change))
        .collect();
    assert_eq!(
        kinds,
        [
            (ArtifactKind::Notebook, ChangeKind::Created),
            (ArtifactKind::Pipeline, ChangeKind::Edited),
            (ArtifactKind::Dataset, ChangeKind::Deleted)
        ]
    );
    let pipeline = &changes.artifacts[1];
    assert!(pipeline.diff.added > 0 && pipeline.diff.json);
    assert!(
        pipeline
            .diff
            .hunks
            .iter()
            .flat_map(|h| &h.lines)
            .any(|l| l.text.contains("retry")),
        "{:?}",
        pipeline.diff
    );
    let headlines = changes.headlines();
    assert!(
        headlines
            .iter()
            .any(|h| h.starts_with("notebook `Hotfix_CleanNulls` created")),
        "{headlines:?}"
    );
    assert!(changes.outside_root.is_empty());

    let plan = run.steps.fix.plan.clone().unwrap();
    assert_eq!(
        (plan.create.len(), plan.update.len(), plan.delete.len()),
        (1, 1, 1)
    );
    assert!(plan
        .warnings
        .iter()
        .any(|x| x.kind == WarningKind::Deletion));
    assert!(!plan.needs_acknowledgement);
    // The sample fix deletes a dataset nothing references, so the deployment can validate.
    let deleted = &plan.delete[0].artifact.name;
    let listing = w
        .rest(
            reqwest::Method::GET,
            &w.git_url(&format!(
                "items?scopePath=/pipeline&recursionLevel=OneLevel&versionDescriptor.version={BRANCH}&versionDescriptor.versionType=branch"
            )),
            None,
        )
        .await;
    let mut checked = 0;
    for item in listing["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["gitObjectType"] == "blob")
    {
        let path = item["path"].as_str().unwrap();
        let file = w
            .rest(
                reqwest::Method::GET,
                &w.git_url(&format!(
                    "items?path={path}&versionDescriptor.version={BRANCH}&versionDescriptor.versionType=branch&includeContent=true&$format=json"
                )),
                None,
            )
            .await;
        assert!(
            !file["content"]
                .as_str()
                .unwrap()
                .contains(&format!("\"{deleted}\"")),
            "{path} references {deleted}"
        );
        checked += 1;
    }
    assert!(checked > 0, "no pipeline was checked");

    let run = w
        .svc
        .complete_fix(&w.session, &run.id, false)
        .await
        .unwrap();
    assert_eq!(run.step_state(StepId::Fix), StepState::Done);
    assert_eq!(run.current_step, StepId::Pipeline);
}

#[tokio::test]
async fn changes_outside_the_root_folder_must_be_acknowledged() {
    let w = world(Seed::Demo).await;
    let mut profile = w.profile.clone();
    profile.root_folder = "/pipeline".into(); // pretend the Synapse root is a sub-folder
    let svc = HotfixService::new(w.dir.path());
    let client =
        connection::client(&info(&w).org_url, Token::new(info(&w).pat.clone()), true).unwrap();
    let session = svc.session(&profile, || Ok(client)).unwrap();
    let run = svc.start_run(&profile).unwrap();
    let current = svc
        .list_production_releases(&session, &run.id, 1)
        .await
        .unwrap()
        .current
        .unwrap();
    svc.select_release(&session, &run.id, current.release_id)
        .await
        .unwrap();
    let run = svc.create_branch(&session, &run.id, BRANCH).await.unwrap();
    w.admin_post(
        "/git/push-files",
        &json!({"project": PROJECT, "repository": info(&w).repository, "branch": BRANCH,
        "message": "script change", "files": {"scripts/deploy.ps1": "Write-Host hi\n"}}),
    )
    .await;
    let run = svc.refresh_changes(&session, &run.id).await.unwrap();
    assert_eq!(
        run.steps.fix.changes.as_ref().unwrap().outside_root.len(),
        1
    );
    let plan = run.steps.fix.plan.unwrap();
    assert!(plan.needs_acknowledgement);
    assert!(plan
        .warnings
        .iter()
        .any(|x| x.kind == WarningKind::OutsideRoot && x.message.contains("/scripts/deploy.ps1")));
    let err = svc
        .complete_fix(&session, &run.id, false)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition);
    let run = svc.complete_fix(&session, &run.id, true).await.unwrap();
    assert!(run.steps.fix.acknowledged);
    assert_eq!(run.step_state(StepId::Fix), StepState::Done);
}

#[tokio::test]
async fn studio_link_is_the_simulator_branch_page_in_demo_and_synapse_studio_otherwise() {
    let w = world(Seed::Demo).await;
    let run = w.run_at_step3().await;
    let base = url::Url::parse(&info(&w).base_url).unwrap();
    let link = w.svc.studio_link(&run.id, &w.profile, Some(&base)).unwrap();
    assert!(
        link.url.starts_with(&info(&w).base_url)
            && link.url.ends_with("version=GBRelease3_Hotfixes"),
        "{}",
        link.url
    );
    let mut real = w.profile.clone();
    real.simulated = false;
    let link = w.svc.studio_link(&run.id, &real, None).unwrap();
    assert!(link
        .url
        .starts_with("https://web.azuresynapse.net/en/home?workspace=%2Fsubscriptions%2F"));
    assert!(
        link.url.ends_with("%2Fworkspaces%2Fcontoso-synapse-dev"),
        "{}",
        link.url
    );
    assert!(link.instruction.contains(BRANCH) && link.note.is_some());
    // Demo mode without the simulator's base refuses rather than opening an arbitrary address.
    assert!(w.svc.studio_link(&run.id, &w.profile, None).is_err());
}

// ---- bad input: token, faults ----------------------------------------------------------------

#[tokio::test]
async fn an_expired_token_mid_run_is_a_clear_error_and_the_run_resumes_with_a_new_one() {
    let w = world(Seed::Demo).await;
    let token = "expiring-pat-0123456789";
    w.admin_post(
        "/tokens",
        &json!({"token": token, "scopes": ["vso.code_write", "vso.release", "vso.build"]}),
    )
    .await;
    let svc = HotfixService::new(w.dir.path());
    let client = connection::client(&info(&w).org_url, Token::new(token), true).unwrap();
    let session = svc.session(&w.profile, || Ok(client)).unwrap();
    let run = svc.start_run(&w.profile).unwrap();
    let current = svc
        .list_production_releases(&session, &run.id, 1)
        .await
        .unwrap()
        .current
        .unwrap();
    svc.select_release(&session, &run.id, current.release_id)
        .await
        .unwrap();

    w.http
        .delete(w.admin(&format!("/tokens/{token}")))
        .send()
        .await
        .unwrap();
    let err = svc
        .create_branch(&session, &run.id, BRANCH)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::TokenRejected, "{err:?}");
    assert!(
        err.message.contains("_usersSettings/tokens") && !err.message.contains(token),
        "{}",
        err.message
    );
    assert!(!format!("{err:?}").contains(token));
    let saved = svc.get_run(&run.id).unwrap();
    assert_eq!(saved.step_state(StepId::Branch), StepState::Failed);
    assert!(
        svc.cached_session(&w.profile).is_none(),
        "the rejected session is dropped"
    );
    assert!(w.branches_named(BRANCH).await.is_empty());

    let client =
        connection::client(&info(&w).org_url, Token::new(info(&w).pat.clone()), true).unwrap();
    let session = svc.session(&w.profile, || Ok(client)).unwrap();
    let run = svc.create_branch(&session, &run.id, BRANCH).await.unwrap();
    assert_eq!(run.step_state(StepId::Branch), StepState::Done);
    assert_eq!(w.branches_named(BRANCH).await.len(), 1);
}

#[tokio::test]
async fn one_500_or_429_on_each_read_of_steps_1_and_3_is_retried_and_nothing_is_duplicated() {
    let w = world(Seed::Demo).await;
    for status in [500u16, 429] {
        let run = w.new_run();
        w.fault("GET", "/release/deployments", status, 1).await;
        let current = w.current_release(&run.id, 5).await;
        w.fault("GET", "/release/releases/", status, 1).await;
        w.fault("GET", "/commits/", status, 1).await;
        let run = w.select(&run.id, current.release_id).await;
        assert_eq!(run.step_state(StepId::Release), StepState::Done);
        let branch = format!("{BRANCH}_{status}");
        // Step 2's reads (the refs before the POST and the re-read after it) fail once each too.
        w.fault("GET", "/refs", status, 2).await;
        w.clear_journal().await;
        let run = w
            .svc
            .create_branch(&w.session, &run.id, &branch)
            .await
            .unwrap();
        let journal = w.journal().await;
        assert_eq!(count(&journal, "POST", "/refs"), 1, "{journal:#?}");
        assert_eq!(journal.iter().filter(|e| e["status"] == status).count(), 2);
        assert_eq!(w.branches_named(&branch).await.len(), 1);
        w.push_fix(&run.id).await;
        w.clear_journal().await;
        for path in ["/refs", "/commits$", "/diffs/commits", "/items"] {
            w.fault("GET", path, status, 1).await;
        }
        let run = w.svc.refresh_changes(&w.session, &run.id).await.unwrap();
        assert_eq!(
            run.steps.fix.changes.as_ref().unwrap().artifacts.len(),
            3,
            "status {status}"
        );
        let journal = w.journal().await;
        assert!(
            journal.iter().any(|e| e["status"] == status),
            "the fault was hit: {journal:#?}"
        );
        assert_eq!(count(&journal, "POST", "/refs"), 0);
        w.clear_faults().await;
        w.svc.abandon_run(&run.id).await.unwrap();
    }
}

#[tokio::test]
async fn a_failing_refs_post_is_not_repeated_and_the_step_resumes() {
    let w = world(Seed::Demo).await;
    for status in [500u16, 429] {
        let run = w.new_run();
        let current = w.current_release(&run.id, 1).await;
        w.select(&run.id, current.release_id).await;
        let branch = format!("{BRANCH}_post{status}");
        w.fault("POST", "/refs", status, 1).await;
        w.clear_journal().await;
        let err = w
            .svc
            .create_branch(&w.session, &run.id, &branch)
            .await
            .unwrap_err();
        let expected = if status == 429 {
            ErrorCode::RateLimited
        } else {
            ErrorCode::ServerError
        };
        assert_eq!(err.code, expected, "{err:?}");
        assert!(err.message.contains("was not created"), "{}", err.message);
        let journal = w.journal().await;
        assert_eq!(
            count(&journal, "POST", "/refs"),
            1,
            "the POST is never retried blindly"
        );
        assert!(w.branches_named(&branch).await.is_empty());
        let saved = w.svc.get_run(&run.id).unwrap();
        assert_eq!(saved.step_state(StepId::Branch), StepState::Failed);
        assert_eq!(saved.steps.branch.intent.as_deref(), Some(branch.as_str()));
        // Retried by the user: created once.
        let run = w
            .svc
            .create_branch(&w.session, &run.id, &branch)
            .await
            .unwrap();
        assert_eq!(
            run.steps.branch.branch.unwrap().outcome,
            BranchOutcome::Created
        );
        assert_eq!(w.branches_named(&branch).await.len(), 1);
        w.svc.abandon_run(&run.id).await.unwrap();
    }
}

#[tokio::test]
async fn a_persistent_server_error_fails_the_step_clearly_and_it_resumes_once_the_server_is_back() {
    let w = world(Seed::Demo).await;
    let run = w.new_run();
    let current = w.current_release(&run.id, 1).await;
    w.fault("GET", "/release/releases/", 500, 10).await;
    let err = w
        .svc
        .select_release(&w.session, &run.id, current.release_id)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ServerError);
    assert!(err.message.contains("Try again"), "{}", err.message);
    assert_eq!(
        w.svc.get_run(&run.id).unwrap().step_state(StepId::Release),
        StepState::Failed
    );
    w.clear_faults().await;
    let run = w.select(&run.id, current.release_id).await;
    assert_eq!(run.step_state(StepId::Release), StepState::Done);
}

#[tokio::test]
async fn a_second_unfinished_run_for_the_same_workspace_is_refused_with_the_first_ones_id() {
    let w = world(Seed::Demo).await;
    let first = w.new_run();
    let err = w.svc.start_run(&w.profile).unwrap_err();
    assert_eq!(err.code, ErrorCode::Precondition);
    assert_eq!(err.detail.as_deref(), Some(first.id.as_str()));
    let listed = w.svc.list_runs(false).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, first.id);
}

#[tokio::test]
async fn a_fix_touching_more_files_than_one_diff_page_lists_them_all() {
    let w = world(Seed::Demo).await;
    let run = w.run_at_step3().await;
    let mut files = serde_json::Map::new();
    for i in 0..130 {
        files.insert(
            format!("notebook/Bulk_{i:03}.json"),
            json!({"name": format!("Bulk_{i:03}"), "properties": {"cells": []}}),
        );
    }
    w.admin_post(
        "/git/push-files",
        &json!({"project": PROJECT, "repository": info(&w).repository, "branch": BRANCH, "message": "bulk", "files": files}),
    )
    .await;
    w.clear_journal().await;
    let run = w.svc.refresh_changes(&w.session, &run.id).await.unwrap();
    let changes = run.steps.fix.changes.unwrap();
    assert_eq!(changes.artifacts.len(), 130);
    assert!(changes
        .artifacts
        .iter()
        .all(|a| a.change == ChangeKind::Created && a.artifact.kind == ArtifactKind::Notebook));
    let journal = w.journal().await;
    assert!(
        count(&journal, "GET", "/diffs/commits") >= 2,
        "paged with $skip"
    );
    assert_eq!(run.steps.fix.plan.unwrap().create.len(), 130);
}
