import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import Runs from '../../routes/Runs.svelte';
import { router } from '../router.svelte';
import { appError, mockCommands, newRun, profile } from './testing/fixtures';
import type { RunSummary } from './types';

afterEach(() => {
  cleanup();
  clearMocks();
  router.navigate({ name: 'profiles' });
});

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 'run-1',
    profileId: 'p-demo',
    profileName: 'Contoso demo',
    prodWorkspace: 'contoso-synapse-prod',
    status: 'active',
    currentStep: 'branch',
    currentStepNumber: 2,
    currentStepTitle: 'Hotfix branch',
    releaseName: 'Release-3',
    createdAt: '2026-11-26T09:00:00Z',
    updatedAt: '2026-11-26T09:05:00Z',
    notMergedBack: false,
    mergeBackPending: [],
    ...over,
  };
}

describe('Runs screen', () => {
  it('lists unfinished runs with the step they stopped at, and continues one', async () => {
    mockCommands({
      get_profile: () => profile(),
      hotfix_list_runs: () => [summary(), summary({ id: 'run-9', profileId: 'p-other', profileName: 'Other' })],
    });
    render(Runs, { profileId: 'p-demo' });
    expect(screen.getByTestId('runs-loading')).toBeInTheDocument();
    const item = await screen.findByTestId('run-item-run-1');
    expect(item).toHaveTextContent('Hotfix of Release-3');
    expect(screen.getByTestId('run-item-run-1-step')).toHaveTextContent('Step 2 of 8: Hotfix branch');
    expect(screen.getByTestId('runs-other-list')).toHaveTextContent('Other');
    await fireEvent.click(screen.getByTestId('run-continue-run-1'));
    expect(router.route).toEqual({ name: 'wizard', runId: 'run-1' });
  });

  it('shows an empty state and starts a run', async () => {
    const calls = mockCommands({
      get_profile: () => profile(),
      hotfix_list_runs: () => [],
      hotfix_start_run: () => newRun({ id: 'run-new' }),
    });
    render(Runs, { profileId: 'p-demo' });
    expect(await screen.findByTestId('runs-empty')).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId('runs-start'));
    await waitFor(() => expect(router.route).toEqual({ name: 'wizard', runId: 'run-new' }));
    expect(calls.find((c) => c.cmd === 'hotfix_start_run')?.args).toEqual({ profileId: 'p-demo' });
  });

  it('refuses a second run for the same workspace with a link to the first', async () => {
    mockCommands({
      get_profile: () => profile(),
      hotfix_list_runs: () => [summary({ id: 'run-old' })],
      hotfix_start_run: () => {
        throw appError(
          'precondition',
          'A hotfix for contoso-synapse-prod is already in progress (started 26 Nov). Continue it or abandon it first.',
          'run-old',
        );
      },
    });
    render(Runs, { profileId: 'p-demo' });
    await screen.findByTestId('run-item-run-old');
    await fireEvent.click(screen.getByTestId('runs-start'));
    const refused = await screen.findByTestId('runs-start-refused');
    expect(refused).toHaveTextContent('already in progress');
    await fireEvent.click(screen.getByTestId('runs-existing-link'));
    expect(router.route).toEqual({ name: 'wizard', runId: 'run-old' });
  });

  it('shows other start errors by their code, not as a refusal', async () => {
    mockCommands({
      get_profile: () => profile(),
      hotfix_list_runs: () => [],
      hotfix_start_run: () => {
        throw appError('storage', 'Could not save the hotfix run: disk full.');
      },
    });
    render(Runs, { profileId: 'p-demo' });
    await screen.findByTestId('runs-empty');
    await fireEvent.click(screen.getByTestId('runs-start'));
    expect(await screen.findByTestId('runs-start-error')).toHaveTextContent('A file could not be read or written');
    expect(screen.queryByTestId('runs-start-refused')).toBeNull();
  });

  it('marks a hotfix not merged back, also once it is finished, with the branches still missing it', async () => {
    const calls = mockCommands({
      get_profile: () => profile(),
      hotfix_list_runs: () => [
        summary({ currentStep: 'mergeBack', currentStepNumber: 7, notMergedBack: true, mergeBackPending: ['main'] }),
        summary({ id: 'run-done', status: 'completed', notMergedBack: true, mergeBackPending: ['feature/x'] }),
        summary({ id: 'run-merged', status: 'completed' }),
      ],
    });
    render(Runs, { profileId: 'p-demo' });
    expect(await screen.findByTestId('run-item-run-1-not-merged')).toHaveTextContent('Not merged back');
    expect(screen.getByTestId('run-item-run-1-not-merged')).toHaveTextContent('not yet in main');
    expect(screen.getByTestId('runs-unmerged-list')).toHaveTextContent('Still missing in feature/x');
    expect(screen.queryByTestId('run-item-run-merged')).toBeNull();
    // Finished runs are asked for too, so the mark survives the end of the run.
    expect(calls.find((c) => c.cmd === 'hotfix_list_runs')?.args).toEqual({ includeFinished: true });
    await fireEvent.click(screen.getByTestId('run-open-run-done'));
    expect(router.route).toEqual({ name: 'wizard', runId: 'run-done' });
  });

  it('abandons a run after confirmation', async () => {
    let list = [summary()];
    const calls = mockCommands({
      get_profile: () => profile(),
      hotfix_list_runs: () => list,
      hotfix_abandon_run: () => {
        list = [];
        return newRun({ status: 'abandoned' });
      },
    });
    render(Runs, { profileId: 'p-demo' });
    await fireEvent.click(await screen.findByTestId('run-abandon-run-1'));
    expect(calls.some((c) => c.cmd === 'hotfix_abandon_run')).toBe(false);
    await fireEvent.click(screen.getByTestId('run-abandon-dialog-confirm'));
    expect(await screen.findByTestId('runs-empty')).toBeInTheDocument();
    expect(calls.find((c) => c.cmd === 'hotfix_abandon_run')?.args).toEqual({ runId: 'run-1' });
  });
});
