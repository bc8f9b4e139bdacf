//! The Synapse side of a hotfix: which repository files are Synapse artifacts ([`artifacts`]), a
//! readable per-artifact JSON diff ([`diff`]), and what a deployment would do to production
//! ([`plan`]). Pure logic: no I/O, so every rule is unit-tested here.

pub mod artifacts;
pub mod diff;
pub mod plan;

pub use artifacts::{classify, ArtifactKind, ArtifactRef, PathClass, RootFolder};
pub use diff::{json_diff, ArtifactDiff, DiffHunk, DiffLine, DiffLineKind};
pub use plan::{
    build_plan, ArtifactChange, ChangeKind, ChangeSummary, DeployPlan, FileChange, PlanItem,
    PlanWarning, WarningKind,
};
