// Test data shaped like the back end's answers for the demo organization (Release-3 in production).
import type { Profile } from '../../bindings/Profile';
import { profile as baseProfile } from '../../testing/ipc';
import type { CommitInfo, DeployPlan, HotfixRun, ProductionReleases, StepState } from '../types';
import type { BranchState } from '../../bindings/BranchState';
import type { CleanupState } from '../../bindings/CleanupState';
import type { FixState } from '../../bindings/FixState';
import type { MergeBackState } from '../../bindings/MergeBackState';
import type { PipelineState } from '../../bindings/PipelineState';
import type { ReleaseState } from '../../bindings/ReleaseState';
import { STEPS, type StepId } from '../steps';

export { appError, mockCommands, type Call } from '../../testing/ipc';

export const RELEASE_SHA = '3f2a9c1d7e8b4a6f0c5d2e1b9a8f7c6d5e4b3a21';
export const FIX_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

/** The shell's profile fixture with the demo organization's values (simulated, local URL). */
export function profile(over: Partial<Profile> = {}): Profile {
  return baseProfile({
    id: 'p-demo',
    name: 'Contoso demo',
    organizationUrl: 'http://127.0.0.1:9999/contoso',
    project: { id: 'proj', name: 'DataPlatform' },
    repository: { id: 'repo', name: 'synapse-analytics' },
    prodSubscriptionId: '00000000-0000-0000-0000-000000000000',
    serviceConnection: { id: 'sc', name: 'contoso-prod-arm' },
    agentQueue: { id: 3, name: 'Azure Pipelines' },
    simulated: true,
    ...over,
  });
}

/** The run's progress list with the given states, in step order (the rest pending). */
export function steps(states: StepState[]): HotfixRun['progress'] {
  return STEPS.map((meta, i) => ({ id: meta.id, state: states[i] ?? 'pending' }));
}



export const releaseCommit: CommitInfo = {
  commitId: RELEASE_SHA,
  message: 'Add the sales pipeline\n\nWith the nightly trigger.',
  authorName: 'Dana Engineer',
  authorEmail: 'dana@contoso.example',
  authorDate: '2026-11-20T09:30:00Z',
  webUrl: `http://127.0.0.1:9999/contoso/DataPlatform/_git/synapse-analytics/commit/${RELEASE_SHA}`,
};

export const fixCommit: CommitInfo = {
  commitId: FIX_SHA,
  message: 'Fix the LoadSales timeout',
  authorName: 'Synapse Studio',
  authorDate: '2026-11-26T10:00:00Z',
  webUrl: `http://127.0.0.1:9999/contoso/DataPlatform/_git/synapse-analytics/commit/${FIX_SHA}`,
};

/**
 * Overrides for the run fixtures, named as the tests think of them: the run's own fields, the rail
 * as `steps` (each step's state), the current step by number or id, and each step's results flat
 * (`commit`, `branch`, `fix`, `pipeline`, `cleanup` …), which `run()` files under `run.steps.{release,branch,fix,pipeline,cleanup}`.
 */
export interface RunOver extends Partial<Omit<HotfixRun, 'steps' | 'progress' | 'currentStep'>> {
  currentStep?: StepId | number;
  steps?: HotfixRun['progress'];
  currentProductionReleaseId?: number;
  release?: ReleaseState['release'];
  artifact?: ReleaseState['artifact'];
  artifactChoice?: ReleaseState['artifactChoice'];
  commit?: ReleaseState['commit'];
  branchIntent?: string;
  branch?: BranchState['branch'];
  fix?: FixState;
  pipeline?: PipelineState;
  mergeBack?: MergeBackState;
  cleanup?: CleanupState;
}

function build(base: HotfixRun, over: RunOver): HotfixRun {
  const {
    currentStep,
    steps: progress,
    currentProductionReleaseId,
    release,
    artifact,
    artifactChoice,
    commit,
    branchIntent,
    branch,
    fix,
    pipeline,
    mergeBack,
    cleanup,
    ...rest
  } = over;
  const pick = <T,>(key: keyof RunOver, value: T, fallback: T): T => (key in over ? value : fallback);
  const r = base.steps.release;
  const b = base.steps.branch;
  return {
    ...base,
    ...rest,
    currentStep:
      currentStep === undefined
        ? base.currentStep
        : typeof currentStep === 'number'
          ? (STEPS[currentStep - 1]?.id ?? 'release')
          : currentStep,
    progress: progress ?? base.progress,
    steps: {
      release: {
        currentProductionReleaseId: pick('currentProductionReleaseId', currentProductionReleaseId, r.currentProductionReleaseId),
        release: pick('release', release, r.release),
        artifact: pick('artifact', artifact, r.artifact),
        artifactChoice: pick('artifactChoice', artifactChoice, r.artifactChoice),
        commit: pick('commit', commit, r.commit),
      },
      branch: {
        intent: pick('branchIntent', branchIntent, b.intent),
        branch: pick('branch', branch, b.branch),
      },
      fix: fix ?? base.steps.fix,
      pipeline: pipeline ?? base.steps.pipeline,
      mergeBack: mergeBack ?? base.steps.mergeBack,
      cleanup: cleanup ?? base.steps.cleanup,
    },
  };
}

/** A fresh run at step 1. */
export function newRun(over: RunOver = {}): HotfixRun {
  return build(
    {
      version: 2,
      id: 'run-1',
      profileId: 'p-demo',
      profile: profile(),
      prodWorkspace: 'contoso-synapse-prod',
      createdAt: '2026-11-26T09:00:00Z',
      updatedAt: '2026-11-26T09:05:00Z',
      status: 'active',
      currentStep: 'release',
      progress: steps(['active']),
      steps: {
        release: {},
        branch: {},
        fix: { commits: [], acknowledged: false },
        pipeline: {},
        mergeBack: { selected: [], previews: [], pullRequests: [], workItems: [] },
        cleanup: { collaborationBranch: '', branches: [], deleted: [] },
      },
      log: [],
    },
    over,
  );
}

/** A run whose step 1 resolved Release-3. */
export function resolvedRun(over: RunOver = {}): HotfixRun {
  return build(
    newRun({
      currentStep: 2,
      steps: steps(['done', 'active']),
      release: {
        id: 3,
        name: 'Release-3',
        definitionId: 1,
        definitionEnvironmentId: 2,
        webUrl: 'http://127.0.0.1:9999/contoso/DataPlatform/_releaseProgress?releaseId=3',
        wasCurrent: true,
      },
      artifact: {
        alias: '_synapse-analytics',
        artifactType: 'Git',
        branch: 'main',
        repositoryId: 'repo',
        repositoryName: 'synapse-analytics',
        reason: 'Git artifact on the collaboration branch main (the other one is on the publish branch).',
      },
      commit: releaseCommit,
    }),
    over,
  );
}

/** A run at step 3 with the branch created. */
export function branchRun(over: RunOver = {}): HotfixRun {
  return build(
    resolvedRun({
      currentStep: 3,
      steps: steps(['done', 'done', 'active']),
      branch: {
        name: 'Release3_Hotfixes',
        objectId: RELEASE_SHA,
        outcome: 'created',
        webUrl: 'http://127.0.0.1:9999/contoso/DataPlatform/_git/synapse-analytics?version=GBRelease3_Hotfixes',
      },
      fix: { head: RELEASE_SHA, commits: [], acknowledged: false },
    }),
    over,
  );
}

/** `run` with step `n` (1-based) in `state`. */
export function withStep(run: HotfixRun, n: number, state: StepState): HotfixRun {
  return { ...run, progress: run.progress.map((s, i) => (i === n - 1 ? { ...s, state } : s)) };
}

export const riskyPlan: DeployPlan = {
  create: [{ artifact: { kind: 'notebook', name: 'Clean' }, path: '/notebook/Clean.json' }],
  update: [
    { artifact: { kind: 'pipeline', name: 'LoadSales' }, path: '/pipeline/LoadSales.json' },
    { artifact: { kind: 'trigger', name: 'Nightly' }, path: '/trigger/Nightly.json' },
  ],
  delete: [{ artifact: { kind: 'linkedService', name: 'OldBlob' }, path: '/linkedService/OldBlob.json' }],
  warnings: [
    { kind: 'deletion', artifact: { kind: 'linkedService', name: 'OldBlob' }, message: 'Linked service `OldBlob` is deleted on the hotfix branch.' },
    { kind: 'trigger', artifact: { kind: 'trigger', name: 'Nightly' }, message: 'Trigger `Nightly` is edited.' },
    { kind: 'linkedService', artifact: { kind: 'linkedService', name: 'OldBlob' }, message: 'Linked service `OldBlob` is deleted: it decides what production connects to.' },
    { kind: 'outsideRoot', message: '1 file(s) changed outside the Synapse root folder (README.md).' },
  ],
  needsAcknowledgement: true,
};

export function fixedRun(): HotfixRun {
  return branchRun({
    fix: {
      head: FIX_SHA,
      commits: [fixCommit],
      acknowledged: false,
      changes: {
        baseCommit: RELEASE_SHA,
        targetCommit: FIX_SHA,
        artifacts: [
          {
            artifact: { kind: 'pipeline', name: 'LoadSales' },
            path: '/pipeline/LoadSales.json',
            change: 'edited',
            diff: {
              added: 1,
              removed: 1,
              json: true,
              hunks: [
                {
                  lines: [
                    { kind: 'context', oldLine: 4, newLine: 4, text: '        "name": "Copy",' },
                    { kind: 'removed', oldLine: 5, newLine: null, text: '        "timeout": "0.12:00:00"' },
                    { kind: 'added', oldLine: null, newLine: 5, text: '        "timeout": "0.01:00:00"' },
                  ],
                },
              ],
            },
          },
          {
            artifact: { kind: 'notebook', name: 'Clean' },
            path: '/notebook/Clean.json',
            change: 'created',
            diff: { added: 3, removed: 0, json: true, hunks: [{ lines: [{ kind: 'added', oldLine: null, newLine: 1, text: '{' }] }] },
          },
        ],
        outsideRoot: [{ path: '/README.md', change: 'edited' }],
        otherFiles: [],
      },
      plan: riskyPlan,
    },
  });
}

export const productionReleases: ProductionReleases = {
  current: {
    releaseId: 3,
    releaseName: 'Release-3',
    deploymentId: 30,
    description: 'Nightly sales load',
    deployedOn: '2026-11-20T10:00:00Z',
    deployedBy: 'Dana Engineer',
    webUrl: 'http://127.0.0.1:9999/contoso/DataPlatform/_releaseProgress?releaseId=3',
    isCurrent: true,
  },
  previous: [
    { releaseId: 2, releaseName: 'Release-2', deploymentId: 20, deployedOn: '2026-11-10T10:00:00Z', deployedBy: 'Lee Ops', isCurrent: false },
    { releaseId: 1, releaseName: 'Release-1', deploymentId: 10, deployedOn: '2026-11-01T10:00:00Z', deployedBy: 'Lee Ops', isCurrent: false },
  ],
};
