//! The Synapse side of a hotfix: which repository files are Synapse artifacts ([`artifacts`]), a
//! readable per-artifact JSON diff ([`diff`]), what a deployment would do to production
//! ([`plan`]), which values are template parameters ([`parameters`]), how the deployment task
//! reads `OverrideArmParameters` ([`overrides`]) and what an artifact looks like once deployed
//! ([`deployed`]): pure logic, unit-tested here. [`dataplane`] is the one part with I/O: the
//! live workspace.

pub mod artifacts;
pub mod dataplane;
pub mod deployed;
pub mod diff;
pub mod overrides;
pub mod parameters;
pub mod plan;

pub use artifacts::{classify, ArtifactKind, ArtifactRef, PathClass, RootFolder};
pub use diff::{json_diff, ArtifactDiff, DiffHunk, DiffLine, DiffLineKind};
pub use plan::{
    build_plan, ArtifactChange, ChangeKind, ChangeSummary, DeployPlan, FileChange, PlanItem,
    PlanWarning, WarningKind,
};
