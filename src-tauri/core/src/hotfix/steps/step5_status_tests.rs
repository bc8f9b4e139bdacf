use serde_json::json;

use super::*;

#[allow(clippy::needless_pass_by_value)]
fn release(env: Value) -> Value {
    json!({"id": 7, "name": "Hotfix-1", "_links": {"web": {"href": "https://x/_release?releaseId=7"}},
           "environments": [env]})
}

fn task_json(
    id: i64,
    name: &str,
    status: &str,
    started: Option<&str>,
    finished: Option<&str>,
) -> Value {
    json!({"id": id, "name": name, "status": status, "startTime": started, "finishTime": finished,
           "lineCount": 3, "issues": [{"issueType": "Error", "message": "boom"}]})
}

#[test]
fn a_running_attempt_reads_stage_phase_job_and_tasks_with_durations() {
    let env = json!({"id": 11, "name": "Production_Hotfix", "status": "inProgress", "preDeployApprovals": [],
        "deploySteps": [{"attempt": 1, "status": "inProgress", "operationStatus": "PhaseInProgress",
            "queuedOn": "2026-01-01T10:00:00Z",
            "releaseDeployPhases": [{"id": 31, "name": "Agent job", "status": "inProgress",
                "deploymentJobs": [{"job": task_json(1, "Agent job", "inProgress", Some("2026-01-01T10:00:01Z"), None),
                    "tasks": [
                        task_json(2, "Initialize job", "succeeded", Some("2026-01-01T10:00:01Z"), Some("2026-01-01T10:00:03Z")),
                        task_json(3, "Stop Synapse triggers", "inProgress", Some("2026-01-01T10:00:03Z"), None),
                        task_json(4, "Synapse deployment", "pending", None, None)]}]}]}]});
    let l = live(&release(env), 11, 1).unwrap();
    assert_eq!(l.phase, DeployPhase::Running);
    assert_eq!(l.result, None);
    assert_eq!(
        l.phases[0].id, 31,
        "releaseDeployPhases[].id is read from the JSON"
    );
    let tasks: Vec<_> = l.tasks().map(|(_, t)| t.name.as_str()).collect();
    assert_eq!(
        tasks,
        [
            "Initialize job",
            "Stop Synapse triggers",
            "Synapse deployment"
        ]
    );
    assert_eq!(l.phases[0].jobs[0].tasks[0].duration_ms, Some(2000));
    assert_eq!(
        l.summary(),
        "Stage Production_Hotfix: task 2 of 3 running (Stop Synapse triggers)."
    );
    let (path, t) = l.current_task(7, 11).unwrap();
    assert_eq!((path.phase_id, path.task_id, t.id), (31, 3, 3));
    assert!((l.fraction().unwrap() - 1.0 / 3.0).abs() < 1e-9);
}

#[test]
fn pascal_case_results_and_the_failed_task_are_recognised() {
    let env = json!({"id": 11, "name": "Production_Hotfix", "status": "rejected",
        "deploySteps": [{"attempt": 1, "status": "failed", "operationStatus": "PhaseFailed",
            "completedOn": "2026-01-01T10:01:00Z",
            "releaseDeployPhases": [{"id": 31, "name": "Agent job", "status": "failed", "errorLog": "boom",
                "deploymentJobs": [{"job": task_json(1, "Agent job", "failed", None, None),
                    "tasks": [task_json(2, "Synapse deployment", "failed", Some("2026-01-01T10:00:01Z"), Some("2026-01-01T10:00:09Z"))]}]}]}]});
    let l = live(&release(env), 11, 1).unwrap();
    assert_eq!(
        (l.phase, l.result),
        (DeployPhase::Finished, Some(DeployResult::Failed))
    );
    assert_eq!(l.phases[0].error_log.as_deref(), Some("boom"));
    let (path, t) = l.failed_task(7, 11).unwrap();
    assert_eq!(
        (path.task_id, t.issues.clone()),
        (2, vec!["boom".to_owned()])
    );
}

#[test]
fn an_attempt_not_created_yet_is_queued_and_pending_approvals_name_the_approver() {
    let env = json!({"id": 11, "name": "Production_Hotfix", "status": "queued", "deploySteps": [
            {"attempt": 1, "status": "succeeded", "operationStatus": "PhaseSucceeded"}],
        "preDeployApprovals": [
            {"id": 5, "status": "approved", "isAutomated": true, "attempt": 1},
            {"id": 9, "status": "pending", "attempt": 2, "createdOn": "2026-01-01T10:00:00Z",
             "approver": {"displayName": "Release Managers", "uniqueName": "[DataPlatform]\\Release Managers"}}]});
    let l = live(&release(env.clone()), 11, 2).unwrap();
    assert_eq!(
        l.phase,
        DeployPhase::AwaitingApproval,
        "the old attempt 1 is not ours"
    );
    assert_eq!(l.attempt, 0);
    assert_eq!(l.approvals.len(), 1);
    assert_eq!(l.approvals[0].approver, "Release Managers");
    assert_eq!(
        l.approvals[0].web_url.as_deref(),
        Some("https://x/_release?releaseId=7")
    );
    assert!(l
        .summary()
        .contains("waiting for approval by Release Managers"));
    let mut no_approval = env;
    no_approval["preDeployApprovals"] = json!([]);
    assert_eq!(
        live(&release(no_approval), 11, 2).unwrap().phase,
        DeployPhase::Queued
    );
    assert!(live(&release(json!({"id": 12})), 11, 1).is_none());
}

#[test]
fn cancelling_then_canceled() {
    let mut env = json!({"id": 11, "name": "P", "status": "inProgress",
        "deploySteps": [{"attempt": 1, "status": "inProgress", "operationStatus": "Cancelling", "releaseDeployPhases": []}]});
    assert_eq!(
        live(&release(env.clone()), 11, 1).unwrap().phase,
        DeployPhase::Cancelling
    );
    env["status"] = json!("canceled");
    env["deploySteps"][0]["status"] = json!("notDeployed");
    env["deploySteps"][0]["operationStatus"] = json!("Canceled");
    let l = live(&release(env), 11, 1).unwrap();
    assert_eq!(
        (l.phase, l.result),
        (DeployPhase::Finished, Some(DeployResult::Canceled))
    );
    assert_eq!(
        attempts(&json!({"deploySteps": [{"attempt": 2}, {"attempt": 1}]})),
        vec![1, 2]
    );
}
