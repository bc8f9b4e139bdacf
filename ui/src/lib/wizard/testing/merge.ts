// Test data for step 7 shaped like the back end's answers on the demo organization: the listing
// (main and two feature branches), conflict previews, and merge-back pull requests.
import type { ConflictPreview, HotfixRun, MergeBackState, MergePullRequest, TargetListing } from '../types';
import { FIX_SHA, steps } from './fixtures';
import { pipelineRun, saved } from './pipeline';

const REPO = 'http://127.0.0.1:9999/contoso/DataPlatform/_git/synapse-analytics';
const MAIN_HEAD = '1111111111111111111111111111111111111111';
const CHURN_HEAD = '2222222222222222222222222222222222222222';
const VIEWS_HEAD = '3333333333333333333333333333333333333333';

export function listing(over: Partial<TargetListing> = {}): TargetListing {
  return {
    listedAt: '2026-11-27T09:00:00Z',
    hotfixBranch: 'Release3_Hotfixes',
    hotfixHead: FIX_SHA,
    fixCommit: FIX_SHA,
    undeployedCommits: 0,
    targets: [
      { name: 'main', kind: 'collaboration', head: MAIN_HEAD, ahead: 2, behind: 1, containsFix: false, webUrl: `${REPO}?version=GBmain` },
      { name: 'feature/customer-churn', kind: 'feature', pattern: 'feature/*', head: CHURN_HEAD, ahead: 2, behind: 1, containsFix: false },
      { name: 'feature/sql-pool-views', kind: 'feature', pattern: 'feature/*', head: VIEWS_HEAD, ahead: 3, behind: 0, containsFix: true },
    ],
    unmatchedPatterns: [],
    notes: [],
    ...over,
  };
}

export function preview(target: string, over: Partial<ConflictPreview> = {}): ConflictPreview {
  return {
    target,
    targetHead: MAIN_HEAD,
    hotfixHead: FIX_SHA,
    computedAt: '2026-11-27T09:01:00Z',
    upToDate: false,
    conflicts: [],
    changedArtifacts: [{ kind: 'pipeline', name: 'LoadSales' }],
    changedFiles: 3,
    ...over,
  };
}

export const churnConflict = (): ConflictPreview =>
  preview('feature/customer-churn', {
    targetHead: CHURN_HEAD,
    conflicts: [{ path: '/pipeline/LoadSales.json', kind: 'bothModified', artifact: { kind: 'pipeline', name: 'LoadSales' } }],
    changedArtifacts: [],
    changedFiles: 0,
  });

export function pr(target: string, id: number, over: Partial<MergePullRequest> = {}): MergePullRequest {
  return {
    target,
    pullRequestId: id,
    title: `Merge hotfix of Release-3 (Release3_Hotfixes) into ${target}`,
    status: 'active',
    mergeStatus: 'succeeded',
    webUrl: `${REPO}/pullrequest/${id}`,
    origin: 'created',
    readAt: '2026-11-27T09:02:00Z',
    ...over,
  };
}

export function mergeState(over: Partial<MergeBackState> = {}): MergeBackState {
  return { selected: [], previews: [], pullRequests: [], workItems: [], ...over };
}

/** The pipeline run with steps 5 and 6 done, at step 7 with `mergeBack` as its state. */
export function mergeRun(mergeBack: MergeBackState = mergeState(), done = false): HotfixRun {
  const base = pipelineRun({ definition: saved() }, true);
  const states = ['done', 'done', 'done', 'done', 'done', 'done', done ? 'done' : 'active'] as const;
  return {
    ...base,
    currentStep: done ? 'cleanup' : 'mergeBack',
    progress: steps([...states, ...(done ? (['active'] as const) : [])]),
    steps: { ...base.steps, mergeBack },
  };
}

/** A run at step 5 (deployment not confirmed): step 7 waits. */
export function unconfirmedRun(): HotfixRun {
  return pipelineRun({ definition: saved() }, true);
}
