// The hotfix run types the wizard uses, re-exported from the ts-rs bindings (ui/src/lib/bindings/,
// generated from src-tauri/core/src/hotfix/ and synapse/). The bindings are the single source of
// truth: nothing is declared here.

export type { ArtifactCandidate } from '../bindings/ArtifactCandidate';
export type { ArtifactChange } from '../bindings/ArtifactChange';
export type { ArtifactChoice } from '../bindings/ArtifactChoice';
export type { ArtifactDiff } from '../bindings/ArtifactDiff';
export type { ArtifactKind } from '../bindings/ArtifactKind';
export type { ArtifactRef } from '../bindings/ArtifactRef';
export type { BranchNameCheck } from '../bindings/BranchNameCheck';
export type { BranchOutcome } from '../bindings/BranchOutcome';
export type { BranchPoll } from '../bindings/BranchPoll';
export type { BranchState } from '../bindings/BranchState';
export type { ChangeKind } from '../bindings/ChangeKind';
export type { ChangeSummary } from '../bindings/ChangeSummary';
export type { CommitInfo } from '../bindings/CommitInfo';
export type { DeployPlan } from '../bindings/DeployPlan';
export type { DeployedRelease } from '../bindings/DeployedRelease';
export type { DiffHunk } from '../bindings/DiffHunk';
export type { DiffLine } from '../bindings/DiffLine';
export type { DiffLineKind } from '../bindings/DiffLineKind';
export type { ExistingBranch } from '../bindings/ExistingBranch';
export type { FileChange } from '../bindings/FileChange';
export type { FixState } from '../bindings/FixState';
export type { HotfixBranch } from '../bindings/HotfixBranch';
export type { HotfixRun } from '../bindings/HotfixRun';
export type { PlanItem } from '../bindings/PlanItem';
export type { PlanWarning } from '../bindings/PlanWarning';
export type { ProductionReleases } from '../bindings/ProductionReleases';
export type { ReleaseState } from '../bindings/ReleaseState';
export type { RunStatus } from '../bindings/RunStatus';
export type { RunSteps } from '../bindings/RunSteps';
export type { RunSummary } from '../bindings/RunSummary';
export type { SelectedRelease } from '../bindings/SelectedRelease';
export type { SourceArtifact } from '../bindings/SourceArtifact';
export type { StepId } from '../bindings/StepId';
export type { StepInfo } from '../bindings/StepInfo';
export type { StepMeta } from '../bindings/StepMeta';
export type { StepState } from '../bindings/StepState';
export type { StudioLink } from '../bindings/StudioLink';
export type { WarningKind } from '../bindings/WarningKind';
export type { WatchProgress } from '../bindings/WatchProgress';
export type { WatchState } from '../bindings/WatchState';
