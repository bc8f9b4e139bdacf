// INTERIM mirror of the hotfix run types (src-tauri/core/src/hotfix/run.rs, synapse/*.rs) until
// ts-rs writes them to ui/src/lib/bindings/. Each type here is replaced by a re-export of its
// generated binding as soon as that file exists: the bindings are the single source of truth.

export type StepState = 'pending' | 'active' | 'done' | 'failed' | 'blocked';
export type RunStatus = 'active' | 'completed' | 'abandoned';

export interface StepInfo {
  number: number;
  title: string;
  state: StepState;
  note?: string;
}

export interface SelectedRelease {
  id: number;
  name: string;
  definitionId: number;
  definitionEnvironmentId: number;
  webUrl?: string;
  description?: string;
  wasCurrent: boolean;
}

export interface SourceArtifact {
  alias: string;
  artifactType: string;
  branch?: string;
  repositoryId: string;
  repositoryName?: string;
  buildId?: number;
  buildNumber?: string;
  reason: string;
}

export interface ArtifactCandidate {
  alias: string;
  artifactType: string;
  branch?: string;
  version: string;
  looksLike?: string;
}

export interface ArtifactChoice {
  candidates: ArtifactCandidate[];
  why: string;
}

export interface CommitInfo {
  commitId: string;
  message: string;
  authorName: string;
  authorEmail?: string;
  authorDate?: string;
  webUrl?: string;
}

export type BranchOutcome = 'created' | 'reused';

export interface HotfixBranch {
  name: string;
  objectId: string;
  outcome: BranchOutcome;
  webUrl?: string;
}

export type ArtifactKind =
  | 'pipeline'
  | 'notebook'
  | 'dataset'
  | 'linkedService'
  | 'trigger'
  | 'sqlScript'
  | 'dataflow'
  | 'integrationRuntime'
  | 'credential'
  | 'managedVirtualNetwork'
  | 'managedPrivateEndpoint'
  | 'sparkJobDefinition'
  | 'sparkConfiguration'
  | 'kqlScript'
  | 'database';

export interface ArtifactRef {
  kind: ArtifactKind;
  name: string;
}

export type DiffLineKind = 'context' | 'added' | 'removed';

export interface DiffLine {
  kind: DiffLineKind;
  oldLine: number | null;
  newLine: number | null;
  text: string;
}

export interface DiffHunk {
  lines: DiffLine[];
}

export interface ArtifactDiff {
  added: number;
  removed: number;
  hunks: DiffHunk[];
  json: boolean;
}

export type ChangeKind = 'created' | 'edited' | 'deleted';

export interface FileChange {
  path: string;
  change: ChangeKind;
}

export interface ArtifactChange {
  artifact: ArtifactRef;
  path: string;
  change: ChangeKind;
  diff: ArtifactDiff;
}

export interface ChangeSummary {
  baseCommit: string;
  targetCommit: string;
  artifacts: ArtifactChange[];
  outsideRoot: FileChange[];
  otherFiles: FileChange[];
}

export type WarningKind =
  | 'deletion'
  | 'trigger'
  | 'linkedService'
  | 'credential'
  | 'integrationRuntime'
  | 'managedNetwork'
  | 'outsideRoot'
  | 'nonArtifact'
  | 'noChanges';

export interface PlanWarning {
  kind: WarningKind;
  artifact?: ArtifactRef;
  message: string;
}

export interface PlanItem {
  artifact: ArtifactRef;
  path: string;
}

export interface DeployPlan {
  create: PlanItem[];
  update: PlanItem[];
  delete: PlanItem[];
  warnings: PlanWarning[];
  needsAcknowledgement: boolean;
}

export interface FixState {
  head?: string;
  commits: CommitInfo[];
  changes?: ChangeSummary;
  plan?: DeployPlan;
  lastPolled?: string;
  acknowledged: boolean;
}

export type EventLevel = 'info' | 'warning' | 'error';

export interface RunEvent {
  at: string;
  step: number;
  level: EventLevel;
  message: string;
}

export interface HotfixRun {
  version: number;
  id: string;
  profileId: string;
  profile: import('../bindings/Profile').Profile;
  prodWorkspace: string;
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  currentStep: number;
  steps: StepInfo[];
  currentProductionReleaseId?: number;
  release?: SelectedRelease;
  artifact?: SourceArtifact;
  artifactChoice?: ArtifactChoice;
  commit?: CommitInfo;
  branchIntent?: string;
  branch?: HotfixBranch;
  fix: FixState;
  log: RunEvent[];
}

export interface RunSummary {
  id: string;
  profileId: string;
  profileName: string;
  prodWorkspace: string;
  status: RunStatus;
  currentStep: number;
  currentStepTitle: string;
  releaseName?: string;
  branchName?: string;
  createdAt: string;
  updatedAt: string;
}

// hotfix/step1_release.rs
export interface DeployedRelease {
  releaseId: number;
  releaseName: string;
  deploymentId: number;
  deployedOn?: string;
  deployedBy?: string;
  description?: string;
  webUrl?: string;
  /** True for the release running in production now (the latest succeeded deployment). */
  isCurrent: boolean;
}

export interface ProductionReleases {
  current?: DeployedRelease;
  previous: DeployedRelease[];
}

// hotfix/step2_branch.rs
export interface ExistingBranch {
  name: string;
  objectId: string;
  /** True when it points at the release commit (it will be reused). */
  atReleaseCommit: boolean;
}

export interface BranchNameCheck {
  name: string;
  /** True when creating (or reusing) the branch can go ahead. */
  ok: boolean;
  problem?: string;
  existing?: ExistingBranch;
  /** A free name to offer when this one is taken. */
  suggestion?: string;
}

// hotfix/step3_fix.rs
export interface BranchPoll {
  head?: string;
  /** True when the head differs from the one the shown changes were computed for. */
  changed: boolean;
  hasNewCommits: boolean;
  fromCache: boolean;
  polledAt: string;
  nextPollInMs: number;
}

export interface StudioLink {
  url: string;
  instruction: string;
  note?: string;
}
