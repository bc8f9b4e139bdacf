//! The history of a hotfix really deployed and confirmed against the simulator (demo seed): the
//! deployment's release, result, duration and commit, who confirmed, every production trigger
//! before and after (the one stopped on purpose left alone), and the merge-back pull requests,
//! whose description names the release that deployed the fix — in the entry and its Markdown.

mod support;

use ado_sim::Seed;
use hotfix_core::hotfix::history::{ExportFormat, HistoryFilter};
use hotfix_core::hotfix::StepId;
use support::step7::FEATURES;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployed_and_confirmed_run_records_its_deployment_triggers_and_pull_requests() {
    let mut w = world(Seed::Demo).await;
    as_demo(&mut w);
    let (id, _) = Box::pin(created(&w)).await;
    w.svc.deploy_review(&w.session, &id).await.unwrap();
    let before = w.prod_triggers().await;
    w.svc.deploy(&w.session, &id, PROD).await.unwrap();
    w.until_deployed(&id).await;
    let run = w.svc.confirm(&w.session, &id).await.unwrap();
    assert_eq!(
        run.current_step,
        StepId::MergeBack,
        "{:?}",
        run.steps.confirm
    );
    let release = run.steps.deploy.release.clone().unwrap();
    let fix = run.steps.fix.head.clone().unwrap();

    let entry = w
        .svc
        .history_list(&HistoryFilter::default())
        .unwrap()
        .into_iter()
        .find(|e| e.run_id == id)
        .unwrap();
    let d = entry
        .deployment
        .clone()
        .expect("the deployment is recorded");
    assert_eq!(d.release_id, release.id);
    assert_eq!(d.release_name, release.name);
    assert_eq!(d.result, "succeeded");
    assert_eq!(d.commit_id.as_deref(), Some(fix.as_str()));
    assert!(d.duration_seconds.is_some_and(|s| s >= 0), "{d:?}");
    assert!(d
        .web_url
        .as_deref()
        .is_some_and(|u| u.contains(&format!("releaseId={}", release.id))));
    let who = d.confirmed_by.clone().expect("who confirmed");
    assert!(!who.is_empty());

    let triggers = entry
        .trigger_changes
        .clone()
        .expect("the triggers are recorded");
    assert_eq!(triggers.len(), before.len(), "{triggers:?}");
    for t in &triggers {
        assert_eq!(t.before, t.after, "every trigger as it was: {t:?}");
        assert_eq!(
            t.stopped_for_deployment,
            t.trigger != STOPPED_ON_PURPOSE,
            "only the running triggers are stopped and started: {t:?}"
        );
    }
    let kept = triggers
        .iter()
        .find(|t| t.trigger == STOPPED_ON_PURPOSE)
        .unwrap();
    assert_eq!(kept.before, "Stopped");

    // Step 7: the pull requests name the release that deployed the fix.
    w.svc
        .merge_back_list_targets(&w.session, &id)
        .await
        .unwrap();
    let targets = std::iter::once("main")
        .chain(FEATURES)
        .map(str::to_owned)
        .collect();
    w.svc
        .merge_back_preview(&w.session, &id, targets)
        .await
        .unwrap();
    let run = w
        .svc
        .merge_back_open_pull_requests(&w.session, &id, vec![])
        .await
        .unwrap();
    assert_eq!(run.steps.merge_back.pull_requests.len(), 1 + FEATURES.len());
    for pr in w.pull_requests().await {
        let description = pr["description"].as_str().unwrap();
        assert!(
            description.contains(&format!("as release [{}](", release.name))
                && description.contains(&format!("(release id {})", release.id)),
            "{description}"
        );
    }

    let md = w
        .svc
        .history_document(Some(&id), &HistoryFilter::default(), ExportFormat::Markdown)
        .unwrap()
        .content;
    assert!(
        md.contains(&format!("to `{PROD}`: **succeeded**, started ")),
        "{md}"
    );
    assert!(
        md.contains(&format!("Deployed commit `{}`.", &fix[..8])),
        "{md}"
    );
    assert!(md.contains(&format!("Confirmed by: {who}.")), "{md}");
    assert!(
        md.contains(&format!("- `{STOPPED_ON_PURPOSE}`: Stopped → Stopped\n")),
        "{md}"
    );
    let running = triggers.iter().find(|t| t.stopped_for_deployment).unwrap();
    assert!(
        md.contains(&format!(
            "- `{}`: Started → stopped for the deployment → Started\n",
            running.trigger
        )),
        "{md}"
    );
    assert!(md.contains("into `main`: active"), "{md}");
}
