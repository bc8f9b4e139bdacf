//! The wizard's eight steps (DESIGN §1). [`StepId`] names them, [`CATALOG`] gives each its title
//! and description (the only copy: the UI reads it from the generated
//! `ui/src/lib/bindings/stepCatalog.ts`), and one module per implemented step owns its saved state
//! (a field of [`RunSteps`]), its preconditions and its [`Action`]s. The service runs every action
//! through one generic path (lock → load → preconditions → remote reads → at most the one write →
//! save → event, [`super::service::HotfixService::advance`]); a long-running step (the deployment)
//! runs as a [`super::watch::Watch`] with progress and cancel instead.
//!
//! ## Adding a step
//! 1. Write its module here (`step4_pipeline.rs`): its state struct (`Default`, camelCase, every
//!    field `#[serde(default)]`), `impl Action` for each thing the user can ask of it (its
//!    `preconditions` and `advance`), and, when it waits for something long, a `Watch`.
//! 2. Register it in this file: `pub mod step4_pipeline;` and its state as a field of
//!    [`RunSteps`] with `#[serde(default)]` (runs saved before the step existed load unchanged, so
//!    no migration is needed).
//!
//! Then a thin command per action in `src-tauri/app/commands/hotfix.rs` and the screen in the UI's
//! step registry (`ui/src/lib/wizard/registry.ts`). The step's id, title and description are
//! already in [`CATALOG`].

use std::future::Future;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::run::HotfixRun;
use super::session::Session;
use super::store::RunStore;
use crate::error::AppResult;

pub mod branch_name;
pub mod step1_commit;
pub mod step1_release;
pub mod step1_resolve;
pub mod step2_branch;
pub mod step2_refs;
pub mod step3_changes;
pub mod step3_fix;
pub mod step4_pipeline;
pub mod step4_save;
pub mod step5_deploy;
pub mod step5_pacing;
pub mod step5_release;
pub mod step5_resume;
pub mod step5_review;
pub mod step5_service;
pub mod step5_stage;
pub mod step5_status;
pub mod step5_watch;
pub mod step6_checks;
pub mod step6_confirm;
pub mod step6_failure;
pub mod step6_rollback;
pub mod step6_service;
pub mod step7_merge;
pub mod step7_pulls;
pub mod step7_service;
pub mod step7_state;
pub mod step7_tag;
#[cfg(test)]
mod step7_tests;
pub mod step7_text;
pub mod step8_cleanup;
pub mod step8_delete;
pub mod step8_judge;
pub mod step8_service;
pub mod step8_template;

pub use step1_release::ReleaseState;
pub use step2_branch::BranchState;
pub use step3_fix::FixState;
pub use step4_pipeline::PipelineState;
pub use step5_deploy::DeployState;
pub use step6_confirm::ConfirmState;
pub use step7_state::MergeBackState;
pub use step8_cleanup::CleanupState;

/// One step of the wizard. Saved as its camelCase name (`"mergeBack"`), never as a number, so the
/// names are part of the run file format: do not rename a variant's serde name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum StepId {
    /// 1 — find what runs in production.
    Release,
    /// 2 — branch from it.
    Branch,
    /// 3 — make and review the fix.
    Fix,
    /// 4 — the hotfix release pipeline.
    Pipeline,
    /// 5 — deploy the fix.
    Deploy,
    /// 6 — confirm production.
    Confirm,
    /// 7 — merge the fix back.
    MergeBack,
    /// 8 — clean up old hotfix branches.
    Cleanup,
}

/// How the UI shows a step: its number, title and one-line description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StepMeta {
    pub id: StepId,
    /// 1-based position in the wizard.
    pub number: u8,
    pub title: String,
    /// One line saying what the step does.
    pub description: String,
}

/// Every step in order with its title and description.
pub const CATALOG: [(StepId, &str, &str); 8] = [
    (
        StepId::Release,
        "What runs in production",
        "Pick the release deployed in production and resolve the exact commit of its source code.",
    ),
    (
        StepId::Branch,
        "Hotfix branch",
        "Create the hotfix branch from that commit, or reuse it if it already exists.",
    ),
    (
        StepId::Fix,
        "Fix",
        "Fix in Synapse Studio on the hotfix branch; review the changes and the deploy plan.",
    ),
    (
        StepId::Pipeline,
        "Hotfix pipeline",
        "Check the prerequisites and create or reuse the Production_Hotfix release pipeline.",
    ),
    (
        StepId::Deploy,
        "Deploy",
        "Confirm by typing the production workspace name, then deploy the fix commit with live progress.",
    ),
    (
        StepId::Confirm,
        "Confirm",
        "Verify every task succeeded, triggers run again in production and main is unchanged.",
    ),
    (
        StepId::MergeBack,
        "Merge back",
        "Open pull requests into main and the feature branches you pick, with a conflict preview.",
    ),
    (
        StepId::Cleanup,
        "Clean up",
        "Delete hotfix branches whose release is no longer the one in production.",
    ),
];

impl StepId {
    /// Every step, in wizard order.
    pub const ALL: [StepId; 8] = [
        StepId::Release,
        StepId::Branch,
        StepId::Fix,
        StepId::Pipeline,
        StepId::Deploy,
        StepId::Confirm,
        StepId::MergeBack,
        StepId::Cleanup,
    ];

    fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// 1-based position in the wizard (what the user reads as "step 2").
    pub fn number(self) -> u8 {
        u8::try_from(self.index() + 1).unwrap_or(u8::MAX)
    }

    /// The step with 1-based `number` (run files of version 1 saved numbers).
    pub fn from_number(number: u8) -> Option<Self> {
        usize::from(number)
            .checked_sub(1)
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// The step after this one.
    pub fn next(self) -> Option<Self> {
        Self::ALL.get(self.index() + 1).copied()
    }

    pub fn title(self) -> &'static str {
        CATALOG[self.index()].1
    }

    pub fn description(self) -> &'static str {
        CATALOG[self.index()].2
    }

    /// The serde name (`"mergeBack"`), e.g. for crash points and logs.
    pub fn key(self) -> &'static str {
        match self {
            Self::Release => "release",
            Self::Branch => "branch",
            Self::Fix => "fix",
            Self::Pipeline => "pipeline",
            Self::Deploy => "deploy",
            Self::Confirm => "confirm",
            Self::MergeBack => "mergeBack",
            Self::Cleanup => "cleanup",
        }
    }

    pub fn meta(self) -> StepMeta {
        StepMeta {
            id: self,
            number: self.number(),
            title: self.title().to_owned(),
            description: self.description().to_owned(),
        }
    }
}

impl std::fmt::Display for StepId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "step {} ({})", self.number(), self.title())
    }
}

/// The catalogue as the UI gets it.
pub fn catalog() -> Vec<StepMeta> {
    StepId::ALL.iter().map(|s| s.meta()).collect()
}

/// What each step found and did, one field per implemented step (the registry of step states).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunSteps {
    #[serde(default)]
    pub release: ReleaseState,
    #[serde(default)]
    pub branch: BranchState,
    #[serde(default)]
    pub fix: FixState,
    #[serde(default)]
    pub pipeline: PipelineState,
    #[serde(default)]
    pub deploy: DeployState,
    #[serde(default)]
    pub confirm: ConfirmState,
    /// Boxed: every future holding a run would otherwise carry it inline.
    #[serde(default)]
    pub merge_back: Box<MergeBackState>,
    #[serde(default)]
    pub cleanup: CleanupState,
}

/// What a step's `advance` may use besides the run: the session, and a save of the run *before*
/// the step's one write (so a resumed run knows what was about to be created).
pub struct StepCtx<'a> {
    pub session: &'a Session,
    pub(crate) store: &'a RunStore,
}

impl StepCtx<'_> {
    /// Saves the run as it is now (e.g. the branch name about to be created), before the write.
    pub fn save_intent(&self, run: &mut HotfixRun) -> AppResult<()> {
        self.store.save(run)
    }
}

/// One thing the user asks of a step. The service runs it under the run's lock: `preconditions`
/// first (nothing sent yet), then `advance`, which reads the remote state, makes at most one write,
/// and records the result on the run; the service then saves the run and announces it. On error
/// nothing of `advance`'s changes is kept: the step is marked failed (or left active when the
/// user can fix the cause) on the run as saved.
pub trait Action: Send {
    /// The step this action belongs to (its state is marked failed when the action fails).
    const STEP: StepId;
    /// What the action answers besides the saved run.
    type Output: Send;

    /// What must hold before anything is read (e.g. the previous step is done).
    fn preconditions(&self, run: &HotfixRun) -> AppResult<()>;

    /// Reads the remote state, makes at most one write and records the outcome on `run`.
    fn advance(
        self,
        ctx: &StepCtx<'_>,
        run: &mut HotfixRun,
    ) -> impl Future<Output = AppResult<Self::Output>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_ids_keep_their_saved_names_and_numbers() {
        let names: Vec<String> = StepId::ALL
            .iter()
            .map(|s| {
                serde_json::to_value(s)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "release",
                "branch",
                "fix",
                "pipeline",
                "deploy",
                "confirm",
                "mergeBack",
                "cleanup"
            ]
        );
        for (i, s) in StepId::ALL.iter().enumerate() {
            assert_eq!(usize::from(s.number()), i + 1);
            assert_eq!(StepId::from_number(s.number()), Some(*s));
            assert_eq!(s.key(), names[i]);
            assert_eq!(CATALOG[i].0, *s, "the catalogue is in step order");
        }
        assert_eq!(StepId::from_number(0), None);
        assert_eq!(StepId::from_number(9), None);
        assert_eq!(StepId::Fix.next(), Some(StepId::Pipeline));
        assert_eq!(StepId::Cleanup.next(), None);
    }

    /// Writes the catalogue for the UI (`cargo test export_bindings`; CI fails when it is stale).
    #[test]
    fn export_bindings_step_catalog() {
        let dir = std::env::var("TS_RS_EXPORT_DIR").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/lib/bindings").to_owned()
        });
        let json = serde_json::to_string_pretty(&catalog()).unwrap();
        let text = format!(
            "// Generated from src-tauri/core/src/hotfix/steps/mod.rs (CATALOG) by `cargo test \
             export_bindings`. Do not edit.\nimport type {{ StepMeta }} from './StepMeta';\n\n\
             export const STEP_CATALOG: readonly StepMeta[] = {json};\n"
        );
        let path = std::path::Path::new(&dir).join("stepCatalog.ts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&path, text).unwrap();
    }
}
