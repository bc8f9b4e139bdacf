import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Step4Pipeline from './Step4Pipeline.svelte';
import { appError, branchRun, mockCommands, type Call } from './testing/fixtures';
import {
  checksWith,
  disabledExtension,
  passingChecks,
  pipelineRun,
  preview,
  report,
  saved,
  stale,
  unknownQueue,
  updatePreview,
} from './testing/pipeline';
import type { HotfixRun } from './types';
import type { PipelineState } from '../bindings/PipelineState';

afterEach(() => {
  cleanup();
  clearMocks();
});

type Handlers = Record<string, (a: Record<string, unknown>) => unknown>;

/**
 * Renders step 4 on `run`, feeding every run the component reports back in as its new prop (as
 * the wizard does).
 */
function setup(run: HotfixRun, handlers: Handlers = {}) {
  const calls = mockCommands({ open_url: () => null, ...handlers });
  const onrun = vi.fn();
  const result = render(Step4Pipeline, { run, onrun });
  onrun.mockImplementation((next: HotfixRun) => result.rerender({ run: next, onrun }));
  return { calls, onrun, ...result };
}

const count = (calls: Call[], cmd: string) => calls.filter((c) => c.cmd === cmd).length;
const withPipeline = (p: PipelineState) => () => pipelineRun(p);

describe('Step 4 — hotfix pipeline: pre-flight', () => {
  it('runs the pre-flight on open and shows each outcome as an icon and words, not colour alone', async () => {
    const { calls } = setup(pipelineRun(), {
      hotfix_pipeline_preflight: withPipeline({ preflight: report(checksWith(disabledExtension, unknownQueue)) }),
    });
    await screen.findByTestId('step4-preflight-report');
    expect(count(calls, 'hotfix_pipeline_preflight')).toBe(1);
    expect(calls.find((c) => c.cmd === 'hotfix_pipeline_preflight')?.args).toEqual({ runId: 'run-1' });

    expect(screen.getByTestId('step4-check-extension')).toHaveAttribute('data-outcome', 'fail');
    expect(screen.getByTestId('step4-check-extension-outcome')).toHaveTextContent('Failed');
    expect(screen.getByTestId('step4-check-agentQueue-outcome')).toHaveTextContent('Could not check');
    expect(screen.getByTestId('step4-check-tasks-outcome')).toHaveTextContent('Passed');
    expect(screen.getByTestId('step4-check-serviceConnection-detail')).toHaveTextContent('deploys to resource group rg-prod');
    expect(screen.getByTestId('step4-preflight-summary')).toHaveTextContent('1 failed, 1 could not be checked');
    expect(screen.getByTestId('step4-extension-version')).toHaveTextContent('2.5.0');
    expect(screen.getByTestId('step4-effective-rg')).toHaveTextContent('rg-prod');
    // Nothing to preview while a check fails.
    expect(screen.queryByTestId('step4-preview-button')).toBeNull();
  });

  it('shows a failing check’s fix in plain words and opens its link in the browser', async () => {
    const { calls } = setup(pipelineRun({ preflight: report(checksWith(disabledExtension)) }));
    expect(screen.getByTestId('step4-check-extension-fix')).toHaveTextContent('Enable it in Organization settings → Extensions.');
    expect(screen.queryByTestId('step4-check-tasks-fix')).toBeNull();
    await fireEvent.click(screen.getByTestId('step4-check-extension-link'));
    await waitFor(() => expect(count(calls, 'open_url')).toBe(1));
    expect(calls.find((c) => c.cmd === 'open_url')?.args.url).toBe('http://127.0.0.1:9999/contoso/_settings/extensions');
    // A stored report is shown as it is: no new pre-flight until asked.
    expect(count(calls, 'hotfix_pipeline_preflight')).toBe(0);
  });

  it('checks again on request and then offers the preview', async () => {
    const { calls } = setup(pipelineRun({ preflight: report(checksWith(disabledExtension)) }), {
      hotfix_pipeline_preflight: withPipeline({ preflight: report() }),
    });
    await fireEvent.click(screen.getByTestId('step4-check-again'));
    await waitFor(() => expect(screen.getByTestId('step4-check-extension')).toHaveAttribute('data-outcome', 'pass'));
    expect(count(calls, 'hotfix_pipeline_preflight')).toBe(1);
    expect(screen.getByTestId('step4-preflight-summary')).toHaveTextContent(`All ${passingChecks.length} checks passed.`);
    expect(screen.getByTestId('step4-preview-button')).toHaveTextContent('Preview pipeline');
  });

  it('shows progress while the checks run', async () => {
    let finish: (run: HotfixRun) => void = () => undefined;
    setup(pipelineRun(), { hotfix_pipeline_preflight: () => new Promise<HotfixRun>((resolve) => (finish = resolve)) });
    await screen.findByTestId('step4-preflight-progress');
    expect(screen.getByTestId('step4-check-again')).toBeDisabled();
    finish(pipelineRun({ preflight: report() }));
    await waitFor(() => expect(screen.queryByTestId('step4-preflight-progress')).toBeNull());
    expect(screen.getByTestId('step4-preflight-report')).toHaveAttribute('data-ok', 'true');
  });

  it('shows an error where the checks are, and retries', async () => {
    let fail = true;
    const { calls } = setup(pipelineRun(), {
      hotfix_pipeline_preflight: () => {
        if (fail) throw appError('serverError', 'Azure DevOps answered HTTP 500 while reading the extensions. Try again.');
        return pipelineRun({ preflight: report() });
      },
    });
    const banner = await screen.findByTestId('step4-preflight-error');
    expect(banner).toHaveTextContent('HTTP 500');
    fail = false;
    await fireEvent.click(screen.getByTestId('step4-preflight-error-retry'));
    await screen.findByTestId('step4-preflight-report');
    expect(screen.queryByTestId('step4-preflight-error')).toBeNull();
    expect(count(calls, 'hotfix_pipeline_preflight')).toBe(2);
  });

  it('asks for the fix first when step 3 is not done', () => {
    const { calls } = setup(branchRun({ currentStep: 'pipeline' }));
    expect(screen.getByTestId('step4-needs-step3')).toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });
});

describe('Step 4 — hotfix pipeline: preview and save', () => {
  it('previews the tasks in order with their inputs, the risks, the variables and the JSON', async () => {
    const { calls } = setup(pipelineRun({ preflight: report() }), {
      hotfix_pipeline_preview: withPipeline({ preflight: report(), preview: preview() }),
    });
    await fireEvent.click(screen.getByTestId('step4-preview-button'));
    const section = await screen.findByTestId('step4-preview');
    expect(count(calls, 'hotfix_pipeline_preview')).toBe(1);
    expect(section).toHaveAttribute('data-action', 'create');
    expect(screen.getByTestId('step4-preview-action')).toHaveTextContent('A new release definition will be created.');
    expect(screen.getByTestId('step4-preview-stage')).toHaveTextContent('Production_Hotfix');
    expect(screen.getByTestId('step4-preview-name')).toHaveTextContent('\\Hotfix\\Release3_Hotfixes');

    const tasks = within(screen.getByTestId('step4-preview-tasks')).getAllByRole('listitem');
    expect(tasks.map((t) => t.querySelector('strong')?.textContent)).toEqual(['Stop triggers', 'Deploy the hotfix', 'Start triggers']);
    expect(screen.getByTestId('step4-preview-task-2-operation')).toHaveTextContent('validateDeploy');
    expect(screen.getByTestId('step4-preview-task-1-ToggleOn')).toHaveTextContent('false');
    expect(screen.getByTestId('step4-preview-task-2-OverrideArmParameters')).toHaveTextContent('(empty)');
    expect(screen.getByTestId('step4-preview-task-2')).toHaveTextContent('Validates the templates');

    expect(screen.getByTestId('step4-preview-risk-danger')).toHaveTextContent('DeleteArtifactsNotInTemplate is on');
    expect(screen.getByTestId('step4-preview-risk-warning')).toHaveTextContent('No OverrideArmParameters');
    expect(screen.getByTestId('step4-preview-variable-TriggersToStop')).toHaveTextContent('set per release');
    expect(screen.getByTestId('step4-preview-variable-TriggersToStart')).toBeInTheDocument();

    const json = screen.getByTestId('step4-preview-json');
    expect(json.tagName).toBe('DETAILS');
    expect(json).not.toHaveAttribute('open');
    expect(json.querySelector('pre')?.textContent).toContain('"name": "Release3_Hotfixes"');
    expect(screen.queryByTestId('step4-preview-changes')).toBeNull();
  });

  it.each([
    ['create', preview(), 'Create pipeline', null],
    ['update', updatePreview(), 'Update pipeline', 4],
    ['reuse', preview({ action: 'reuse', definitionId: 12, revision: 7 }), 'Use existing pipeline', 7],
  ] as const)('labels the confirm by the action (%s) and saves with the read revision', async (_action, plan, label, revision) => {
    const { calls } = setup(pipelineRun({ preflight: report(), preview: plan }), {
      hotfix_pipeline_save: () => pipelineRun({ preflight: report(), preview: plan, definition: saved() }, true),
    });
    const button = screen.getByTestId('step4-save');
    expect(button).toHaveTextContent(label);
    await fireEvent.click(button);
    await screen.findByTestId('step4-done');
    expect(calls.filter((c) => c.cmd === 'hotfix_pipeline_save').map((c) => c.args)).toEqual([
      { runId: 'run-1', expectedRevision: revision },
    ]);
  });

  it('shows the field changes of an update', () => {
    setup(pipelineRun({ preflight: report(), preview: updatePreview() }));
    const changes = screen.getByTestId('step4-preview-changes');
    expect(changes).toHaveTextContent('Synapse deployment › operation');
    expect(changes).toHaveTextContent('deploy');
    expect(changes).toHaveTextContent('validateDeploy');
    expect(screen.getByTestId('step4-preview-action')).toHaveTextContent('updated');
  });

  it('shows what changed in a stale definition and saves over the current revision on re-confirm', async () => {
    let call = 0;
    const { calls } = setup(pipelineRun({ preflight: report(), preview: updatePreview() }), {
      hotfix_pipeline_save: () =>
        ++call === 1
          ? pipelineRun({ preflight: report(), preview: updatePreview(), stale: stale() })
          : pipelineRun({ preflight: report(), definition: { ...saved(), revision: 6 } }, true),
    });
    await fireEvent.click(screen.getByTestId('step4-save'));
    const banner = await screen.findByTestId('step4-stale-banner');
    expect(banner).toHaveTextContent('revision 5, not 4: changed by Lee Ops');
    expect(banner).toHaveTextContent('Nothing was saved');
    expect(screen.getByTestId('step4-stale-their-changes')).toHaveTextContent('ArtifactsFolder');
    // The old preview gives way to the plan against the current revision.
    expect(screen.queryByTestId('step4-preview')).toBeNull();
    expect(screen.getByTestId('step4-stale-preview')).toHaveAttribute('data-action', 'update');

    await fireEvent.click(screen.getByTestId('step4-save'));
    await screen.findByTestId('step4-done');
    expect(calls.filter((c) => c.cmd === 'hotfix_pipeline_save').map((c) => c.args.expectedRevision)).toEqual([4, 5]);
    expect(screen.getByTestId('step4-definition-revision')).toHaveTextContent('revision 6');
  });

  it('shows a save error under the confirm and retries with the same revision', async () => {
    let fail = true;
    const { calls } = setup(pipelineRun({ preflight: report(), preview: updatePreview() }), {
      hotfix_pipeline_save: () => {
        if (fail) throw appError('noPermission', 'VS402904: you may not edit release definitions. Ask a project administrator.');
        return pipelineRun({ preflight: report(), definition: saved() }, true);
      },
    });
    await fireEvent.click(screen.getByTestId('step4-save'));
    expect(await screen.findByTestId('step4-save-error')).toHaveTextContent('VS402904');
    fail = false;
    await fireEvent.click(screen.getByTestId('step4-save-error-retry'));
    await screen.findByTestId('step4-done');
    expect(calls.filter((c) => c.cmd === 'hotfix_pipeline_save').map((c) => c.args.expectedRevision)).toEqual([4, 4]);
  });
});

describe('Step 4 — hotfix pipeline: done', () => {
  it('links the saved definition, shows its revision and names deploy as the next step', async () => {
    const { calls } = setup(pipelineRun({ preflight: report(), definition: saved() }, true));
    const link = screen.getByTestId('step4-definition-link');
    expect(link).toHaveTextContent('Release3_Hotfixes');
    expect(screen.getByTestId('step4-definition-revision')).toHaveTextContent('revision 1');
    const next = screen.getByTestId('step4-next');
    expect(next).toHaveTextContent('Step 5: Deploy');
    expect(within(next).queryByRole('button')).toBeNull();
    expect(screen.queryByTestId('step4-check-again')).toBeNull();
    await fireEvent.click(link);
    await waitFor(() => expect(count(calls, 'open_url')).toBe(1));
    expect(calls.find((c) => c.cmd === 'open_url')?.args.url).toBe(saved().webUrl);
    expect(count(calls, 'hotfix_pipeline_preflight')).toBe(0);
  });
});
