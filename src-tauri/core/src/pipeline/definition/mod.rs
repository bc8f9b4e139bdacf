//! Wizard step 4: the hotfix classic release definition (`API.md` Step 4 and "Steps 4–6:
//! additions"), as a library the run calls.
//!
//! * [`spec`]: what the definition is built from (profile + run facts);
//! * [`inputs`]: task inputs checked against the organization's task catalogue;
//! * [`build`]: the definition JSON;
//! * [`merge`]: an update that writes only the fields the app owns;
//! * [`changes`]: what differs between two versions;
//! * [`summary`]: the readable preview (tasks, risks, changes, JSON);
//! * [`apply`]: find an existing definition for the branch, plan, save; stale revisions;
//! * [`errors`]: what each refusal of the service means and what to fix.

pub mod apply;
pub mod build;
pub mod changes;
pub mod errors;
pub mod inputs;
pub mod merge;
pub mod spec;
pub mod summary;

pub use apply::{
    apply, find_existing, plan, plan_on, ApplyOutcome, DefinitionPlan, ExistingDefinition,
    SavedDefinition, StaleDefinition,
};
pub use build::build_definition;
pub use changes::FieldChange;
pub use spec::{DefinitionFacts, DefinitionSpec};
pub use summary::{
    DefinitionPreview, InputSummary, PreviewAction, Risk, RiskLevel, TaskSummary, VariableSummary,
};
