//! The deployment engine: deploying a stage queues an attempt (holding it on pending approvals),
//! then a background task runs the job's steps one by one, `task_delay_ms` each, writing task logs
//! line by line and moving statuses queued → inProgress → succeeded / failed at stage, deploy step,
//! phase, job and task level. The admin API pauses, resumes and single-steps it ([`control`]).
//!
//! `queue` owns queueing an attempt (phases, cancel), `approvals` its approval records and
//! decisions; `run` owns executing it, `steps` what each step does, `variables` the `$(Name)`
//! expansion of task inputs, `offline` the instant completion and the restart after a crash. This
//! file holds the admin controls, the step names and the definition snapshot they use.

mod approvals;
mod offline;
mod queue;
mod run;
mod steps;
mod variables;

pub use approvals::approval_decided;
pub use offline::{complete_as_succeeded, resume_interrupted};
pub use queue::{cancel, finish_cancel, is_cancelling, queue_deployment};
pub use run::spawn;

use serde_json::Value;

use crate::state::{Sim, World};

/// Engine commands of the admin API (`POST /_admin/deployments/{pause,resume,advance}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Hold every deployment before its next step.
    Pause,
    /// Let deployments run at their normal pace again.
    Resume,
    /// Run the next pending step of one waiting deployment now (paused or not).
    Advance,
}

/// Applies an engine command and wakes the waiting deployments.
pub fn control(sim: &Sim, c: Control) {
    {
        let mut world = sim.world();
        let e = &mut world.release.engine;
        match c {
            Control::Pause => e.paused = true,
            Control::Resume => {
                e.paused = false;
                e.advance = 0;
            }
            Control::Advance => e.advance += 1,
        }
    }
    sim.notify.notify_waiters();
}

/// Whether the engine is paused.
pub fn is_paused(sim: &Sim) -> bool {
    sim.world().release.engine.paused
}

const INIT: &str = "Initialize job";
const FINALIZE: &str = "Finalize Job";
const DOWNLOAD: &str = "Download artifact - ";

/// The definition-environment snapshot of a release stage.
pub(in crate::release) fn snapshot_env(world: &World, rid: i32, eid: i32) -> Option<Value> {
    let r = world.release.releases.get(&rid)?;
    let e = r.environments.iter().find(|e| e.id == eid)?;
    let d = world
        .release
        .definitions
        .iter()
        .find(|d| d.id == r.definition_id)?;
    d.snapshot(r.definition_revision)["environments"]
        .as_array()?
        .iter()
        .find(|x| x["id"].as_i64() == Some(i64::from(e.definition_environment_id)))
        .cloned()
}
