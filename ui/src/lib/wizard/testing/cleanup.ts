// Step 8 and history test data shaped like the back end's answers for the demo organization:
// Release1_Hotfixes (not merged, an active pull request) and Release2_Hotfixes (safe).
import type { CleanupBranch } from '../../bindings/CleanupBranch';
import type { CleanupState } from '../../bindings/CleanupState';
import type { HistoryEntry } from '../../bindings/HistoryEntry';
import type { HotfixRun } from '../types';
import { branchRun, fixCommit, releaseCommit, steps } from './fixtures';

const GIT = 'http://127.0.0.1:9999/contoso/DataPlatform/_git/synapse-analytics';
export const SAFE_HEAD = 'b2c3d4e5f60718293a4b5c6d7e8f901234567890';
export const UNSAFE_HEAD = 'c3d4e5f60718293a4b5c6d7e8f90123456789012';

export const safeBranch: CleanupBranch = {
  name: 'Release2_Hotfixes',
  objectId: SAFE_HEAD,
  webUrl: `${GIT}?version=GBRelease2_Hotfixes`,
  releaseLabel: '2',
  release: { id: 2, name: 'Release-2', webUrl: 'http://127.0.0.1:9999/contoso/DataPlatform/_releaseProgress?releaseId=2' },
  releaseIsCurrent: false,
  aheadCount: 0,
  behindCount: 5,
  merged: true,
  activePullRequests: [],
  isLocked: false,
  safe: true,
  reasons: [],
};

export const unsafeBranch: CleanupBranch = {
  name: 'Release1_Hotfixes',
  objectId: UNSAFE_HEAD,
  webUrl: `${GIT}?version=GBRelease1_Hotfixes`,
  releaseLabel: '1',
  release: { id: 1, name: 'Release-1' },
  releaseIsCurrent: false,
  aheadCount: 1,
  behindCount: 9,
  merged: false,
  activePullRequests: [
    { id: 1, title: 'Release-1 hotfix: pl_ingest_sales retries the copy 5 times', targetBranch: 'main', webUrl: `${GIT}/pullrequest/1` },
  ],
  isLocked: false,
  safe: false,
  reasons: [
    '1 commit(s) on this branch are not in main: merge them back first, or the next release undoes the fix.',
    'Active pull request !1 from this branch: complete or abandon it first (deleting the branch would break it).',
  ],
};

export function listedCleanup(over: Partial<CleanupState> = {}): CleanupState {
  return {
    listedAt: '2026-11-26T12:00:00Z',
    currentRelease: { id: 3, name: 'Release-3' },
    collaborationBranch: 'main',
    branches: [unsafeBranch, safeBranch],
    deleted: [],
    ...over,
  };
}

/** A run with steps 1–7 done and step 8 active. */
export function cleanupRun(cleanup: CleanupState = { collaborationBranch: '', branches: [], deleted: [] }): HotfixRun {
  return branchRun({
    currentStep: 8,
    steps: steps(['done', 'done', 'done', 'done', 'done', 'done', 'done', 'active']),
    fix: { head: fixCommit.commitId, commits: [fixCommit], acknowledged: false },
    cleanup,
  });
}

export function completedRun(): HotfixRun {
  return {
    ...cleanupRun(listedCleanup({ branches: [unsafeBranch], deleted: [{ name: 'Release2_Hotfixes', objectId: SAFE_HEAD, releaseName: 'Release-2', at: '2026-11-26T12:01:00Z', alreadyGone: false }], finishedBy: 'Maya Lopez', finishedAt: '2026-11-26T12:02:00Z' })),
    status: 'completed',
    progress: steps(['done', 'done', 'done', 'done', 'done', 'done', 'done', 'done']),
  };
}

export function entry(over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    runId: 'run-1',
    profileId: 'p-demo',
    profileName: 'Contoso demo',
    organizationUrl: 'http://127.0.0.1:9999/contoso',
    project: 'DataPlatform',
    repository: 'synapse-analytics',
    prodWorkspace: 'contoso-synapse-prod',
    status: 'completed',
    currentStep: 'cleanup',
    currentStepTitle: 'Clean up',
    currentStepState: 'done',
    startedBy: 'Maya Lopez (maya.lopez@contoso.com)',
    finishedBy: 'Maya Lopez (maya.lopez@contoso.com)',
    startedAt: '2026-11-26T09:00:00Z',
    updatedAt: '2026-11-26T12:02:00Z',
    finishedAt: '2026-11-26T12:02:00Z',
    release: { id: 3, name: 'Release-3', definitionId: 1, definitionName: 'Synapse-Release', webUrl: 'http://127.0.0.1:9999/contoso/DataPlatform/_releaseProgress?releaseId=3' },
    releaseCommit: { commitId: releaseCommit.commitId, message: 'Add the sales pipeline', author: 'Dana Engineer', webUrl: releaseCommit.webUrl },
    hotfixBranch: { name: 'Release3_Hotfixes', webUrl: `${GIT}?version=GBRelease3_Hotfixes` },
    fixCommits: [{ commitId: fixCommit.commitId, message: fixCommit.message, author: 'Synapse Studio', webUrl: fixCommit.webUrl }],
    plan: { create: ['notebook Clean'], update: ['pipeline LoadSales'], delete: [] },
    hotfixPipeline: { definitionId: 7, name: 'Synapse-Hotfix-Release3_Hotfixes', revision: 1, webUrl: 'http://127.0.0.1:9999/contoso/DataPlatform/_release?definitionId=7' },
    cleanup: {
      deleted: [{ name: 'Release2_Hotfixes', objectId: SAFE_HEAD, releaseName: 'Release-2', at: '2026-11-26T12:01:00Z' }],
      kept: [{ name: 'Release1_Hotfixes', reason: unsafeBranch.reasons[0] ?? '' }],
    },
    runAvailable: true,
    ...over,
  };
}
