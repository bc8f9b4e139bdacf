// Test data for steps 5 and 6 shaped like the back end's answers on the demo organization: a run
// whose hotfix pipeline is saved, a review of production (a trigger stopped on purpose, a hand
// change, a dev-valued parameter), deployments running, waiting for an approval, succeeded and
// failed, and the confirmations after them.
import type { ConfirmState } from '../../bindings/ConfirmState';
import type { DeployAttempt } from '../../bindings/DeployAttempt';
import type { DeployState } from '../../bindings/DeployState';
import type { FailureReport } from '../../bindings/FailureReport';
import type { LiveDeployment } from '../../bindings/LiveDeployment';
import type { ProductionReview } from '../../bindings/ProductionReview';
import type { HotfixRun } from '../types';
import { FIX_SHA, RELEASE_SHA, steps } from './fixtures';
import { pipelineRun, report, saved } from './pipeline';

export const PROD = 'contoso-synapse-prod';

export const review = (checkedAt = new Date().toISOString()): ProductionReview => ({
  checkedAt,
  workspace: PROD,
  releaseCommit: RELEASE_SHA,
  fixCommit: FIX_SHA,
  tokenSource: 'simulator',
  triggers: {
    status: 'ran',
    result: [
      { name: 'tr_daily_sales', runtimeState: 'Started', triggerType: 'ScheduleTrigger' },
      { name: 'tr_sales_file_arrival', runtimeState: 'Stopped', triggerType: 'BlobEventsTrigger' },
    ],
  },
  drift: {
    status: 'ran',
    result: [
      {
        kind: 'pipeline',
        name: 'pl_ingest_customers',
        change: 'changed',
        diff: '--- release\n+++ production\n-  "timeout": "0.01:00:00"\n+  "timeout": "0.02:00:00"\n',
      },
    ],
  },
  parameters: {
    status: 'ran',
    result: [
      {
        parameter: 'tr_sales_file_arrival_properties_typeProperties_scope',
        artifact: 'tr_sales_file_arrival',
        kind: 'trigger',
        path: 'properties.typeProperties.scope',
        devValue: '/subscriptions/dev/resourceGroups/rg-dev/providers/Microsoft.Storage/storageAccounts/contosodev',
        why: 'The blob trigger scope reaches production with its development value.',
        secure: false,
        defaultKept: 'developmentValue',
        overridable: true,
      },
    ],
  },
  customParameterTemplate: false,
  overrideNotes: [],
});

export const attempt = (over: Partial<DeployAttempt> = {}): DeployAttempt => ({
  kind: 'deploy',
  releaseId: 7,
  releaseName: 'Synapse-Hotfix-Release3_Hotfixes-1',
  webUrl: 'http://127.0.0.1:9999/contoso/DataPlatform/_releaseProgress?releaseId=7',
  environmentId: 11,
  stageName: 'Production_Hotfix',
  attempt: 1,
  requestedAt: '2026-11-26T10:00:00Z',
  ...over,
});

export function live(over: Partial<LiveDeployment> = {}): LiveDeployment {
  return {
    phase: 'running',
    stageName: 'Production_Hotfix',
    stageStatus: 'inProgress',
    attempt: 1,
    operationStatus: 'PhaseInProgress',
    approvals: [],
    readAt: '2026-11-26T10:00:10Z',
    phases: [
      {
        id: 31,
        name: 'Agent job',
        status: 'inProgress',
        jobs: [
          {
            name: 'Agent job',
            status: 'inProgress',
            tasks: [
              { id: 2, name: 'Initialize job', status: 'succeeded', durationMs: 2000, lineCount: 5, issues: [] },
              { id: 3, name: 'Stop triggers', status: 'succeeded', durationMs: 2500, lineCount: 4, issues: [] },
              { id: 4, name: 'Synapse deployment', status: 'inProgress', lineCount: 2, issues: [] },
            ],
          },
        ],
      },
    ],
    ...over,
  };
}

/** The run at step 5 (the hotfix pipeline saved) with `deploy` as its step-5 state. */
export function deployRun(deploy: Partial<DeployState> = {}, confirm: Partial<ConfirmState> = {}): HotfixRun {
  const base = pipelineRun({ preflight: report(), definition: saved() }, true);
  return {
    ...base,
    steps: {
      ...base.steps,
      deploy: { attempts: [], ...deploy },
      confirm: { attempt: 0, checks: [], triggerDiffs: [], ...confirm },
    },
  };
}

/** Reviewed now for the fix commit and the saved definition. */
export function reviewedRun(): HotfixRun {
  const r = review();
  return deployRun({
    review: r,
    basis: {
      checkedAt: r.checkedAt,
      fixCommit: FIX_SHA,
      definitionId: saved().id,
      triggers: [
        { name: 'tr_daily_sales', runtimeState: 'Started' },
        { name: 'tr_sales_file_arrival', runtimeState: 'Stopped' },
      ],
    },
    mainHead: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
  });
}

/** Deploying: the release created, its stage running. */
export function runningRun(over: Partial<LiveDeployment> = {}): HotfixRun {
  const r = reviewedRun();
  return {
    ...r,
    steps: { ...r.steps, deploy: { ...r.steps.deploy, attempts: [attempt()], live: live(over) } },
  };
}

/** The deployment ended with `result`, the wizard at step 6. */
export function endedRun(result: DeployAttempt['result'], kind: DeployAttempt['kind'] = 'deploy'): HotfixRun {
  const r = reviewedRun();
  const a = attempt({ result, finishedAt: '2026-11-26T10:01:00Z', kind });
  return {
    ...r,
    currentStep: 'confirm',
    progress: steps(['done', 'done', 'done', 'done', result === 'succeeded' ? 'done' : 'failed', 'active']),
    steps: {
      ...r.steps,
      deploy: { ...r.steps.deploy, attempts: [a], live: live({ phase: 'finished', result: result ?? undefined }) },
    },
  };
}

export const failure: FailureReport = {
  taskName: 'Synapse deployment',
  firstError:
    "Validation failed for pipeline 'pl_ingest_returns' (pipeline/pl_ingest_returns.json): it references dataset 'ds_raw_returns_csv', which does not exist in artifact '_hotfix'.",
  excerpt: [
    { number: 11, text: '2026-11-26T10:00:31.1Z Validating artifacts', error: false },
    {
      number: 12,
      text: "2026-11-26T10:00:31.2Z ##[error]Validation failed for pipeline 'pl_ingest_returns' (pipeline/pl_ingest_returns.json): it references dataset 'ds_raw_returns_csv', which does not exist in artifact '_hotfix'.",
      error: true,
    },
  ],
  explanations: [
    {
      code: 'Validation failed',
      meaning: 'An artifact on the hotfix branch refers to another one that does not exist there.',
      whatToDo: 'Fix the reference in Synapse Studio on the hotfix branch, then deploy a new release.',
    },
  ],
};

/** The confirmation of `run`'s latest attempt with every point passed. */
export function confirmedPass(run: HotfixRun): ConfirmState {
  const a = run.steps.deploy.attempts[run.steps.deploy.attempts.length - 1];
  return {
    checkedAt: '2026-11-26T10:02:00Z',
    releaseId: a?.releaseId,
    attempt: a?.attempt ?? 0,
    checks: [
      { id: 'stage', title: 'The stage and every task succeeded', outcome: 'pass', detail: 'Stage Production_Hotfix succeeded: all 6 tasks succeeded.' },
      { id: 'triggers', title: 'Every trigger has the state it had before', outcome: 'pass', detail: 'All 2 triggers are as before (1 running, 1 stopped).' },
      { id: 'artifacts', title: "Production holds the deployed commit's artifacts", outcome: 'pass', detail: 'Every artifact of production matches commit a1b2c3d4 as deployed.' },
      { id: 'mainHead', title: "The dev main head is the one of the run's start", outcome: 'pass', detail: 'main is still at c0ffee00.' },
    ],
    triggerDiffs: [],
  };
}
