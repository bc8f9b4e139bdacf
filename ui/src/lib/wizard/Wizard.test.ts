import { emit } from '@tauri-apps/api/event';
import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import Wizard from '../../routes/Wizard.svelte';
import {
  RELEASE_SHA,
  appError,
  branchRun,
  mockCommands,
  newRun,
  productionReleases,
  resolvedRun,
} from './testing/fixtures';

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('Wizard screen', () => {
  it('continues a saved run at the step where it stopped', async () => {
    mockCommands({
      hotfix_get_run: () => resolvedRun(),
      hotfix_check_branch_name: () => ({ name: 'Release3_Hotfixes', ok: true }),
      hotfix_list_production_releases: () => productionReleases,
    });
    render(Wizard, { runId: 'run-1' });
    expect(screen.getByTestId('wizard-loading')).toBeInTheDocument();
    expect(await screen.findByTestId('step2')).toBeInTheDocument();
    expect(screen.getByTestId('wizard-title')).toHaveTextContent('Hotfix of Release-3');
    expect(screen.getByTestId('rail-step-2')).toHaveAttribute('data-state', 'active');
    await fireEvent.click(screen.getByTestId('rail-step-1-open'));
    expect(await screen.findByTestId('step1')).toBeInTheDocument();
  });

  it('keeps step 1 open after resolving, so the commit is seen, then continues to step 2', async () => {
    mockCommands({
      hotfix_get_run: () => newRun(),
      hotfix_list_production_releases: () => productionReleases,
      hotfix_select_release: () => resolvedRun(),
      hotfix_check_branch_name: () => ({ name: 'Release3_Hotfixes', ok: true }),
    });
    render(Wizard, { runId: 'run-1' });
    await screen.findByTestId('step1-current-release');
    expect(screen.getByTestId('wizard-title')).toHaveTextContent('New hotfix');
    await fireEvent.click(screen.getByTestId('step1-select'));
    expect(await screen.findByTestId('step1-commit-sha')).toHaveTextContent(RELEASE_SHA);
    expect(screen.getByTestId('wizard-title')).toHaveTextContent('Hotfix of Release-3');
    expect(screen.getByTestId('rail-step-1')).toHaveAttribute('data-state', 'done');
    expect(screen.getByTestId('rail-step-2')).toHaveAttribute('data-state', 'active');
    await fireEvent.click(screen.getByTestId('step1-continue'));
    expect(await screen.findByTestId('step2')).toBeInTheDocument();
  });

  it('shows step 3 for a run at step 3 and keeps steps 4–8 closed', async () => {
    mockCommands({
      hotfix_get_run: () => branchRun(),
      hotfix_studio_url: () => ({ url: 'http://127.0.0.1:9999/contoso/DataPlatform/_git/synapse-analytics?version=GBRelease3_Hotfixes', instruction: 'Demo mode has no Synapse Studio.' }),
      hotfix_poll_branch: () => ({
        head: branchRun().steps.fix.head,
        changed: false,
        hasNewCommits: false,
        fromCache: false,
        polledAt: '2026-11-26T10:00:00Z',
        nextPollInMs: 5000,
      }),
    });
    render(Wizard, { runId: 'run-1' });
    expect(await screen.findByTestId('step3')).toBeInTheDocument();
    expect(screen.queryByTestId('rail-step-4-open')).toBeNull();
  });

  it('follows hotfix:run-updated events for its own run only', async () => {
    mockCommands(
      {
        hotfix_get_run: () => newRun(),
        hotfix_list_production_releases: () => productionReleases,
      },
      { events: true },
    );
    render(Wizard, { runId: 'run-1' });
    await screen.findByTestId('step1-current-release');
    await emit('hotfix:run-updated', resolvedRun({ id: 'run-other' }));
    expect(screen.getByTestId('wizard-title')).toHaveTextContent('New hotfix');
    await emit('hotfix:run-updated', resolvedRun());
    await waitFor(() => expect(screen.getByTestId('wizard-title')).toHaveTextContent('Hotfix of Release-3'));
    expect(screen.getByTestId('rail-step-1')).toHaveAttribute('data-state', 'done');
  });

  it('shows a missing run by its code with a way back', async () => {
    mockCommands({
      hotfix_get_run: () => {
        throw appError('notFound', 'There is no hotfix run run-1. It may have been deleted; start a new hotfix.');
      },
    });
    render(Wizard, { runId: 'run-1' });
    const err = await screen.findByTestId('wizard-load-error');
    expect(err).toHaveTextContent('Not found');
    expect(err).toHaveTextContent('start a new hotfix');
    expect(screen.getByTestId('wizard-back')).toBeInTheDocument();
  });
});
