//! Step 5 — what a stage deployment looks like now, read from `GET release?$expand=tasks`
//! (`API.md` Step 5 status model): the stage (`environments[]`) → the attempt (`deploySteps[]`,
//! the one the app started) → phases (`releaseDeployPhases[]`, whose `id` the spec lacks) → jobs →
//! tasks, with state and duration, and the pending pre-deployment approvals with who may approve.
//! Enum casing varies (`PhaseFailed` / `phaseFailed`): every comparison ignores case.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::ado::release_deploy::TaskLogPath;

/// Where a deployment stands, as the wizard and the poller see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum DeployPhase {
    /// Asked for, not picked up by an agent yet (or the attempt is not created yet).
    Queued,
    /// Held by pre-deployment approvals.
    AwaitingApproval,
    Running,
    /// Cancel was asked for; the service is stopping it.
    Cancelling,
    /// Ended: see [`DeployResult`].
    Finished,
}

/// How a deployment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum DeployResult {
    Succeeded,
    PartiallySucceeded,
    Failed,
    Canceled,
    /// An approver rejected it.
    Rejected,
}

impl DeployResult {
    pub fn ok(self) -> bool {
        self == Self::Succeeded
    }

    pub fn word(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::PartiallySucceeded => "partially succeeded",
            Self::Failed => "failed",
            Self::Canceled => "was canceled",
            Self::Rejected => "was rejected by an approver",
        }
    }
}

/// One task (or a job's own record) of a phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LiveTask {
    /// `tasks[].id` (the `{taskId}` of the log URL).
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// As the service says it (`pending`, `inProgress`, `succeeded`, `failed`, `skipped`, …).
    pub status: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i64>,
    #[ts(type = "number")]
    #[serde(default)]
    pub line_count: u64,
    /// Error messages the task reported (`issues[]`).
    #[serde(default)]
    pub issues: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LiveJob {
    pub name: String,
    pub status: String,
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i64>,
    pub tasks: Vec<LiveTask>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LivePhase {
    /// `releaseDeployPhases[].id` (the `{releaseDeployPhaseId}` of the log URL).
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub status: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_log: Option<String>,
    pub jobs: Vec<LiveJob>,
}

/// A pre-deployment approval that holds the stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PendingApproval {
    #[ts(type = "number")]
    pub id: i64,
    /// Who may approve (a user or a group).
    pub approver: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver_unique_name: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Where to approve it (the release in Azure DevOps).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
}

/// The stage deployment as last read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LiveDeployment {
    pub phase: DeployPhase,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<DeployResult>,
    pub stage_name: String,
    /// `environments[].status`.
    pub stage_status: String,
    /// The attempt (`deploySteps[].attempt`); 0 while the service has not created it.
    pub attempt: i32,
    /// `deploySteps[].operationStatus` (`Queued`, `Pending`, `PhaseInProgress`, `Cancelling`, …).
    pub operation_status: String,
    pub phases: Vec<LivePhase>,
    pub approvals: Vec<PendingApproval>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    pub read_at: DateTime<Utc>,
}

fn eq(v: &Value, s: &str) -> bool {
    v.as_str().is_some_and(|x| x.eq_ignore_ascii_case(s))
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_owned()
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn duration(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> Option<i64> {
    Some((end? - start?).num_milliseconds().max(0))
}

fn int(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

fn task(t: &Value) -> LiveTask {
    let started_at = time(&t["startTime"]).or_else(|| time(&t["dateStarted"]));
    let finished_at = time(&t["finishTime"]).or_else(|| time(&t["dateEnded"]));
    LiveTask {
        id: int(&t["id"]).unwrap_or(0),
        name: text(&t["name"]),
        status: text(&t["status"]),
        started_at,
        finished_at,
        duration_ms: duration(started_at, finished_at),
        line_count: t["lineCount"].as_u64().unwrap_or(0),
        issues: t["issues"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| !eq(&i["issueType"], "warning"))
            .filter_map(|i| i["message"].as_str().map(str::to_owned))
            .collect(),
    }
}

fn phase(p: &Value) -> LivePhase {
    let jobs = p["deploymentJobs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|j| {
            let job = task(&j["job"]);
            LiveJob {
                name: job.name.clone(),
                status: job.status.clone(),
                duration_ms: job.duration_ms,
                tasks: j["tasks"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(task)
                    .collect(),
            }
        })
        .collect();
    LivePhase {
        id: int(&p["id"]).unwrap_or(0),
        name: text(&p["name"]),
        status: text(&p["status"]),
        error_log: p["errorLog"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        jobs,
    }
}

/// The stage `environment_id` of `release`.
pub fn environment(release: &Value, environment_id: i32) -> Option<&Value> {
    release["environments"]
        .as_array()?
        .iter()
        .find(|e| int(&e["id"]) == Some(i64::from(environment_id)))
}

/// The attempts of a stage (`deploySteps[].attempt`), highest last.
pub fn attempts(env: &Value) -> Vec<i32> {
    let mut a: Vec<i32> = env["deploySteps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| int(&d["attempt"]).and_then(|n| i32::try_from(n).ok()))
        .collect();
    a.sort_unstable();
    a
}

fn result_of(stage_status: &str, step_status: &str, op: &str) -> Option<DeployResult> {
    let s = stage_status.to_ascii_lowercase();
    let st = step_status.to_ascii_lowercase();
    let op = op.to_ascii_lowercase();
    if st == "inprogress" && !matches!(s.as_str(), "canceled" | "rejected") {
        return None;
    }
    match s.as_str() {
        "succeeded" => Some(DeployResult::Succeeded),
        "partiallysucceeded" => Some(DeployResult::PartiallySucceeded),
        "canceled" => Some(DeployResult::Canceled),
        "rejected" if op == "rejected" => Some(DeployResult::Rejected),
        "rejected" => Some(DeployResult::Failed),
        _ => None,
    }
}

/// The deployment of attempt `attempt` (at least) of stage `environment_id`, as the release says
/// now. `None` when the release has no such stage. An attempt older than `attempt` (the service
/// has not created the one asked for yet) reads as queued.
pub fn live(release: &Value, environment_id: i32, attempt: i32) -> Option<LiveDeployment> {
    let env = environment(release, environment_id)?;
    let stage_status = text(&env["status"]);
    let web = release["_links"]["web"]["href"].as_str().map(str::to_owned);
    let step = env["deploySteps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| int(&d["attempt"]).unwrap_or(0) >= i64::from(attempt))
        .max_by_key(|d| int(&d["attempt"]).unwrap_or(0));
    let approvals: Vec<PendingApproval> = env["preDeployApprovals"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| eq(&a["status"], "pending"))
        .filter(|a| int(&a["attempt"]).is_none_or(|n| n >= i64::from(attempt)))
        .map(|a| PendingApproval {
            id: int(&a["id"]).unwrap_or(0),
            approver: a["approver"]["displayName"]
                .as_str()
                .unwrap_or("an approver")
                .to_owned(),
            approver_unique_name: a["approver"]["uniqueName"].as_str().map(str::to_owned),
            since: time(&a["createdOn"]),
            web_url: web.clone(),
        })
        .collect();
    let read_at = Utc::now();
    let Some(step) = step else {
        return Some(LiveDeployment {
            phase: if approvals.is_empty() {
                DeployPhase::Queued
            } else {
                DeployPhase::AwaitingApproval
            },
            result: None,
            stage_name: text(&env["name"]),
            stage_status,
            attempt: 0,
            operation_status: String::new(),
            phases: Vec::new(),
            approvals,
            started_at: None,
            finished_at: None,
            read_at,
        });
    };
    let op = text(&step["operationStatus"]);
    let step_status = text(&step["status"]);
    let phases: Vec<LivePhase> = step["releaseDeployPhases"]
        .as_array()
        .into_iter()
        .flatten()
        .map(phase)
        .collect();
    let result = result_of(&stage_status, &step_status, &op);
    let lower = op.to_ascii_lowercase();
    let phase = if result.is_some() {
        DeployPhase::Finished
    } else if lower == "cancelling"
        || phases
            .iter()
            .any(|p| p.status.eq_ignore_ascii_case("cancelling"))
    {
        DeployPhase::Cancelling
    } else if !approvals.is_empty() || matches!(lower.as_str(), "pending" | "evaluatinggates") {
        DeployPhase::AwaitingApproval
    } else if matches!(
        lower.as_str(),
        "queued"
            | "scheduled"
            | "queuedforagent"
            | "queuedforpipeline"
            | "approved"
            | "deferred"
            | ""
    ) {
        DeployPhase::Queued
    } else {
        DeployPhase::Running
    };
    let finished_at = result.and_then(|_| {
        time(&step["completedOn"])
            .or_else(|| time(&env["modifiedOn"]))
            .or(Some(read_at))
    });
    Some(LiveDeployment {
        phase,
        result,
        stage_name: text(&env["name"]),
        stage_status,
        attempt: i32::try_from(int(&step["attempt"]).unwrap_or(0)).unwrap_or(0),
        operation_status: op,
        started_at: phases
            .iter()
            .flat_map(|p| p.jobs.iter().flat_map(|j| j.tasks.iter()))
            .filter_map(|t| t.started_at)
            .min()
            .or_else(|| time(&step["queuedOn"])),
        finished_at,
        phases,
        approvals,
        read_at,
    })
}

impl LiveDeployment {
    /// Every task of every job, in order.
    pub fn tasks(&self) -> impl Iterator<Item = (&LivePhase, &LiveTask)> {
        self.phases.iter().flat_map(|p| {
            p.jobs
                .iter()
                .flat_map(move |j| j.tasks.iter().map(move |t| (p, t)))
        })
    }

    /// The running task (else the last one that started), with where its log is.
    pub fn current_task(
        &self,
        release_id: i32,
        environment_id: i32,
    ) -> Option<(TaskLogPath, &LiveTask)> {
        let running = self
            .tasks()
            .find(|(_, t)| t.status.eq_ignore_ascii_case("inProgress"));
        let picked =
            running.or_else(|| self.tasks().filter(|(_, t)| t.started_at.is_some()).last())?;
        Some((
            TaskLogPath {
                release_id,
                environment_id,
                phase_id: picked.0.id,
                task_id: picked.1.id,
            },
            picked.1,
        ))
    }

    /// The first task that failed, with where its log is.
    pub fn failed_task(
        &self,
        release_id: i32,
        environment_id: i32,
    ) -> Option<(TaskLogPath, &LiveTask)> {
        self.tasks()
            .find(|(_, t)| matches!(t.status.to_ascii_lowercase().as_str(), "failed" | "failure"))
            .map(|(p, t)| {
                (
                    TaskLogPath {
                        release_id,
                        environment_id,
                        phase_id: p.id,
                        task_id: t.id,
                    },
                    t,
                )
            })
    }

    /// Tasks done / all tasks, for a progress bar.
    pub fn fraction(&self) -> Option<f64> {
        let all = self.tasks().count();
        if all == 0 {
            return None;
        }
        let done = self
            .tasks()
            .filter(|(_, t)| t.finished_at.is_some() || t.status.eq_ignore_ascii_case("skipped"))
            .count();
        #[allow(clippy::cast_precision_loss)]
        Some(done as f64 / all as f64)
    }

    /// One line for the progress event ("Stage Production_Hotfix: task 3 of 6 running (Synapse
    /// deployment)").
    pub fn summary(&self) -> String {
        match self.phase {
            DeployPhase::Queued => {
                format!("Stage {}: queued, waiting for an agent.", self.stage_name)
            }
            DeployPhase::AwaitingApproval => {
                let who: Vec<&str> = self.approvals.iter().map(|a| a.approver.as_str()).collect();
                if who.is_empty() {
                    format!("Stage {}: waiting for approval.", self.stage_name)
                } else {
                    format!(
                        "Stage {}: waiting for approval by {}.",
                        self.stage_name,
                        who.join(" or ")
                    )
                }
            }
            DeployPhase::Cancelling => format!("Stage {}: cancelling.", self.stage_name),
            DeployPhase::Finished => format!(
                "Stage {} {}.",
                self.stage_name,
                self.result.map_or("ended", DeployResult::word)
            ),
            DeployPhase::Running => {
                let all: Vec<&LiveTask> = self.tasks().map(|(_, t)| t).collect();
                match all
                    .iter()
                    .position(|t| t.status.eq_ignore_ascii_case("inProgress"))
                {
                    Some(i) => format!(
                        "Stage {}: task {} of {} running ({}).",
                        self.stage_name,
                        i + 1,
                        all.len(),
                        all[i].name
                    ),
                    None => format!("Stage {}: running.", self.stage_name),
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "step5_status_tests.rs"]
mod tests;
