//! Release logs: one task's log as text, and every log of a release as `application/zip`.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::api::{environment_of, int_param, release_of};
use super::links;
use crate::api::QueryParams;
use crate::auth::Principal;
use crate::errors::{ApiError, ApiResult};
use crate::state::AppState;

pub(super) async fn task_log(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, release_id, env_id, phase_id, task_id)): Path<(
        String,
        String,
        String,
        String,
        String,
        String,
    )>,
    q: QueryParams,
) -> ApiResult<Response> {
    principal.require("vso.release")?;
    let rid = int_param(&release_id, "releaseId")?;
    let eid = int_param(&env_id, "environmentId")?;
    let phid = int_param(&phase_id, "releaseDeployPhaseId")?;
    let tid = int_param(&task_id, "taskId")?;
    let start = q.int("startLine")?.unwrap_or(0).max(0);
    let end = q.int("endLine")?;
    let world = sim.world();
    let p = links::project(&world, &project)?;
    let r = release_of(&world, &p, rid)?;
    let e = environment_of(r, eid)?;
    let phase = e
        .deploy_steps
        .iter()
        .flat_map(|a| a.phases.iter())
        .find(|ph| ph.id == phid)
        .ok_or_else(|| {
            ApiError::not_found(
                format!("Deploy phase {phid} does not exist in stage {eid} of release {rid}."),
                "ReleaseDeployPhaseNotFoundException",
            )
        })?;
    let task = phase
        .jobs
        .iter()
        .flat_map(|j| std::iter::once(&j.job).chain(j.tasks.iter()))
        .find(|t| t.id == tid)
        .ok_or_else(|| ApiError::not_found(format!("Task {tid} does not exist in deploy phase {phid} of release {rid}. Read the release with $expand=tasks to get task ids."), "TaskNotFoundException"))?;
    let len = i64::try_from(task.log.len()).unwrap_or(i64::MAX);
    let end = end.unwrap_or(len).min(len);
    let text = if start >= end {
        String::new()
    } else {
        let (s, e) = (
            usize::try_from(start).unwrap_or(0),
            usize::try_from(end).unwrap_or(0),
        );
        let mut t = task.log[s..e].join("\n");
        t.push('\n');
        t
    };
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response())
}

/// Entry name of one log in the release logs zip. The reference documents only "`application/zip`
/// of all logs", not the layout; the simulator uses
/// `{stage}/Attempt {n}/{phase}/{rank}_{task}.log` (every attempt, job and task logs that have lines).
pub(super) fn zip_entry(stage: &str, attempt: i32, phase: &str, rank: i32, task: &str) -> String {
    let clean = |s: &str| s.replace(['/', '\\'], "_");
    format!(
        "{}/Attempt {attempt}/{}/{rank}_{}.log",
        clean(stage),
        clean(phase),
        clean(task)
    )
}

/// `GET {vsrm}/{project}/_apis/release/releases/{releaseId}/logs`: every log of the release as
/// `application/zip` (release.json `Releases_Get Logs`; entries are stored uncompressed: the `zip`
/// crate is used without its compression features).
pub(super) async fn release_logs(
    State(sim): State<AppState>,
    principal: Principal,
    Path((_org, project, release_id)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    principal.require("vso.release")?;
    let rid = int_param(&release_id, "releaseId")?;
    let entries: Vec<(String, String)> = {
        let world = sim.world();
        let p = links::project(&world, &project)?;
        let r = release_of(&world, &p, rid)?;
        let mut entries = Vec::new();
        for e in &r.environments {
            for a in &e.deploy_steps {
                for ph in &a.phases {
                    for j in &ph.jobs {
                        for t in std::iter::once(&j.job).chain(j.tasks.iter()) {
                            if t.log.is_empty() {
                                continue;
                            }
                            let mut text = t.log.join("\n");
                            text.push('\n');
                            entries.push((
                                zip_entry(&e.name, a.attempt, &ph.name, t.rank, &t.name),
                                text,
                            ));
                        }
                    }
                }
            }
        }
        entries
    };
    let bytes = tokio::task::spawn_blocking(move || -> zip::result::ZipResult<Vec<u8>> {
        use std::io::Write;
        let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, text) in entries {
            zw.start_file(name, options)?;
            zw.write_all(text.as_bytes())?;
        }
        Ok(zw.finish()?.into_inner())
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/zip")],
        bytes,
    )
        .into_response())
}
