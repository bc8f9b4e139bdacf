// Test data for step 4 shaped like the back end's answers on the demo organization: pre-flight
// reports, definition previews, a stale definition and a saved one.
import type { DefinitionPreview } from '../../bindings/DefinitionPreview';
import type { PipelineState } from '../../bindings/PipelineState';
import type { PreflightCheck } from '../../bindings/PreflightCheck';
import type { PreflightReport } from '../../bindings/PreflightReport';
import type { SavedDefinition } from '../../bindings/SavedDefinition';
import type { StaleDefinition } from '../../bindings/StaleDefinition';
import type { HotfixRun } from '../types';
import { fixedRun, steps } from './fixtures';

const ORG = 'http://127.0.0.1:9999/contoso';

export const passingChecks: PreflightCheck[] = [
  { id: 'extension', title: 'Synapse Workspace Deployment extension', outcome: 'pass', detail: 'Installed and enabled, version 2.5.0.' },
  { id: 'tasks', title: 'Synapse tasks in the task catalogue', outcome: 'pass', detail: 'Synapse workspace deployment 2.5.0 and toggle triggers 2.5.0 found.' },
  {
    id: 'serviceConnection',
    title: 'Production service connection',
    outcome: 'pass',
    detail: 'contoso-prod-arm is ready, azurerm, service principal with a secret; deploys to resource group rg-prod.',
  },
  { id: 'agentQueue', title: 'Agent queue', outcome: 'pass', detail: 'Azure Pipelines exists in DataPlatform.' },
  { id: 'releaseScope', title: 'Token can create and run releases', outcome: 'pass', detail: 'The token has vso.release_execute.' },
  { id: 'fixCommits', title: 'Fix commits on the hotfix branch', outcome: 'pass', detail: '1 commit beyond the release commit.' },
];

export const disabledExtension: PreflightCheck = {
  id: 'extension',
  title: 'Synapse Workspace Deployment extension',
  outcome: 'fail',
  detail: 'Installed but disabled in the organization.',
  fix: 'Enable it in Organization settings → Extensions.',
  link: `${ORG}/_settings/extensions`,
};

export const unknownQueue: PreflightCheck = {
  id: 'agentQueue',
  title: 'Agent queue',
  outcome: 'couldNotCheck',
  detail: 'Azure DevOps answered HTTP 500 when listing the agent queues.',
  fix: 'Check again in a minute.',
};

export function report(checks: PreflightCheck[] = passingChecks): PreflightReport {
  return {
    ok: checks.every((c) => c.outcome === 'pass'),
    checks,
    effectiveResourceGroup: 'rg-prod',
    extensionVersion: '2.5.0',
  };
}

/** The passing checks with `replaced` in place of the check of the same id. */
export function checksWith(...replaced: PreflightCheck[]): PreflightCheck[] {
  return passingChecks.map((c) => replaced.find((r) => r.id === c.id) ?? c);
}

export function preview(over: Partial<DefinitionPreview> = {}): DefinitionPreview {
  return {
    action: 'create',
    name: 'Release3_Hotfixes',
    folder: '\\Hotfix',
    stageName: 'Production_Hotfix',
    repository: 'synapse-analytics',
    branch: 'Release3_Hotfixes',
    artifactAlias: '_synapse-analytics',
    agentQueue: 'Azure Pipelines',
    serviceConnection: 'contoso-prod-arm',
    approvers: [],
    tasks: [
      {
        order: 1,
        displayName: 'Stop triggers',
        task: 'Azure Synapse Toggle Triggers 2.5.0',
        purpose: 'Stops the triggers named in TriggersToStop so nothing runs during the deployment.',
        inputs: [
          { name: 'ToggleOn', label: 'Start triggers', value: 'false' },
          { name: 'Triggers', label: 'Triggers', value: '$(TriggersToStop)' },
        ],
      },
      {
        order: 2,
        displayName: 'Deploy the hotfix',
        task: 'Synapse workspace deployment 2.5.0',
        purpose: 'Validates the templates and deploys them to the production workspace.',
        inputs: [
          { name: 'operation', label: 'Operation', value: 'validateDeploy' },
          { name: 'ArtifactsFolder', label: 'Artifacts folder', value: '$(System.DefaultWorkingDirectory)/_synapse-analytics/' },
          { name: 'DeleteArtifactsNotInTemplate', label: 'Delete artifacts not in the template', value: 'true' },
          { name: 'OverrideArmParameters', label: 'Override template parameters', value: '' },
        ],
      },
      {
        order: 3,
        displayName: 'Start triggers',
        task: 'Azure Synapse Toggle Triggers 2.5.0',
        purpose: 'Starts the triggers named in TriggersToStart again.',
        inputs: [{ name: 'ToggleOn', label: 'Start triggers', value: 'true' }],
      },
    ],
    variables: [
      { name: 'TriggersToStop', value: '', settableAtRelease: true, purpose: 'Set per release: the triggers to stop.' },
      { name: 'TriggersToStart', value: '', settableAtRelease: true, purpose: 'Set per release: the triggers to start again.' },
    ],
    risks: [
      { level: 'danger', message: 'DeleteArtifactsNotInTemplate is on: artifacts missing from the branch are deleted in production.' },
      { level: 'warning', message: 'No OverrideArmParameters: production uses the values in the template.' },
    ],
    changes: [],
    json: '{\n  "name": "Release3_Hotfixes",\n  "environments": [{ "name": "Production_Hotfix" }]\n}',
    ...over,
  };
}

export const updatePreview = (): DefinitionPreview =>
  preview({
    action: 'update',
    definitionId: 12,
    revision: 4,
    webUrl: `${ORG}/DataPlatform/_release?definitionId=12`,
    changes: [
      { path: 'Production_Hotfix › Agent job › Synapse deployment › operation', before: 'deploy', after: 'validateDeploy' },
    ],
  });

export const stale = (): StaleDefinition => ({
  id: 12,
  name: 'Release3_Hotfixes',
  readRevision: 4,
  currentRevision: 5,
  modifiedBy: 'Lee Ops',
  modifiedOn: '2026-11-26T11:00:00Z',
  theirChanges: [{ path: 'Production_Hotfix › Agent job › Deploy the hotfix › ArtifactsFolder', before: '/a', after: '/b' }],
  preview: preview({ action: 'update', definitionId: 12, revision: 5, changes: [{ path: 'ArtifactsFolder', before: '/b', after: '/a' }] }),
});

export const saved = (): SavedDefinition => ({
  id: 12,
  name: 'Release3_Hotfixes',
  revision: 1,
  webUrl: `${ORG}/DataPlatform/_release?definitionId=12`,
  stageId: 1,
  recovered: false,
});

/** The fixed run (step 3 done) at step 4 with `pipeline` as its step-4 state. */
export function pipelineRun(pipeline: PipelineState = {}, done = false): HotfixRun {
  const base = fixedRun();
  return {
    ...base,
    currentStep: done ? 'deploy' : 'pipeline',
    progress: steps(done ? ['done', 'done', 'done', 'done', 'active'] : ['done', 'done', 'done', 'active']),
    steps: { ...base.steps, fix: { ...base.steps.fix, acknowledged: true }, pipeline },
  };
}
