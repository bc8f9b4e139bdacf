import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import RunSummary from './RunSummary.svelte';
import { appError, mockCommands } from './testing/fixtures';
import { entry } from './testing/cleanup';

afterEach(() => {
  cleanup();
  clearMocks();
  vi.restoreAllMocks();
});

const doc = { fileName: 'hotfix.md', content: '# Hotfix of Release-3 in contoso-synapse-prod\n', runs: 1 };

describe('closing summary', () => {
  it('reads like a change record with links: fixed, deployed, merged, cleaned up', async () => {
    mockCommands({ history_entry: () => entry(), history_document: () => doc });
    render(RunSummary, { runId: 'run-1' });
    expect(await screen.findByTestId('run-summary-done')).toHaveTextContent('Hotfix completed');
    expect(screen.getByTestId('history-fact-who')).toHaveTextContent('Maya Lopez');
    expect(screen.getByTestId('history-fact-release')).toHaveTextContent('Release-3');
    expect(screen.getByTestId('history-fact-release')).toHaveTextContent('(Synapse-Release 1, release 3)');
    expect(screen.getByTestId('history-release-link')).toHaveAttribute('href', expect.stringContaining('releaseId=3'));
    expect(screen.getByTestId('history-branch-link')).toHaveTextContent('Release3_Hotfixes');
    expect(screen.getByTestId('history-fixes')).toHaveTextContent('Fix the LoadSales timeout');
    expect(screen.getByTestId('history-fixes')).toHaveTextContent('Changed in production: pipeline LoadSales.');
    expect(screen.getByTestId('history-deployment')).toHaveTextContent('Not deployed by this run.');
    expect(screen.getByTestId('history-merged')).toHaveTextContent('No pull request recorded.');
    expect(screen.getByTestId('history-cleanup')).toHaveTextContent('Deleted Release2_Hotfixes of Release-2');
    expect(screen.getByTestId('history-cleanup')).toHaveTextContent('Kept Release1_Hotfixes');
  });

  it('shows the deployment with its duration and who confirmed, and each trigger as it was kept', async () => {
    const deployed = entry({
      deployment: {
        releaseId: 12,
        releaseName: 'Release-12',
        webUrl: 'http://127.0.0.1:9999/contoso/DataPlatform/_releaseProgress?releaseId=12',
        commitId: 'f1e2d3c4b5a6978812345678901234567890abcd',
        result: 'succeeded',
        startedAt: '2026-11-26T10:00:00Z',
        finishedAt: '2026-11-26T10:02:05Z',
        durationSeconds: 125,
        confirmedBy: 'Maya Lopez (maya.lopez@contoso.com)',
      },
      triggerChanges: [
        { trigger: 'tr_daily_sales', before: 'Started', after: 'Started', stoppedForDeployment: true },
        { trigger: 'tr_sales_file_arrival', before: 'Stopped', after: 'Stopped', stoppedForDeployment: false },
        { trigger: 'tr_hourly', before: 'Started', after: 'Stopped', stoppedForDeployment: true },
      ],
    });
    mockCommands({ history_entry: () => deployed, history_document: () => doc });
    render(RunSummary, { runId: 'run-1' });
    const result = await screen.findByTestId('history-deployment-result');
    expect(result).toHaveAttribute('data-result', 'succeeded');
    expect(result).toHaveTextContent('to contoso-synapse-prod: succeeded, started');
    expect(screen.getByTestId('history-deployment')).toContainElement(screen.getByRole('link', { name: /Release-12/ }));
    expect(result).toHaveTextContent('took 2 min 5 s');
    expect(screen.getByTestId('history-deployment')).toHaveTextContent('Deployed commit f1e2d3c4');
    expect(screen.getByTestId('history-confirmed-by')).toHaveTextContent('Confirmed by: Maya Lopez');
    expect(screen.getByTestId('history-trigger-tr_daily_sales')).toHaveTextContent('Started → stopped for the deployment → Started');
    expect(screen.getByTestId('history-trigger-tr_daily_sales')).toHaveAttribute('data-kept', 'true');
    expect(screen.getByTestId('history-trigger-tr_sales_file_arrival')).toHaveTextContent('Stopped → Stopped');
    expect(screen.getByTestId('history-trigger-tr_sales_file_arrival')).not.toHaveTextContent('stopped for the deployment');
    expect(screen.getByTestId('history-trigger-tr_hourly')).toHaveAttribute('data-kept', 'false');
    expect(screen.getByTestId('history-trigger-tr_hourly')).toHaveTextContent('(not as before)');
  });

  it('copies the Markdown the back end writes to the clipboard', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const calls = mockCommands({ history_entry: () => entry(), history_document: () => doc });
    render(RunSummary, { runId: 'run-1' });
    await screen.findByTestId('run-summary-title');
    expect(calls.find((c) => c.cmd === 'history_document')?.args).toEqual({ runId: 'run-1', filter: {}, format: 'markdown' });
    await fireEvent.click(screen.getByTestId('run-summary-copy'));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('# Hotfix of Release-3 in contoso-synapse-prod\n'));
    expect(screen.queryByTestId('run-summary-manual')).toBeNull();
  });

  it('shows the Markdown to copy by hand when the clipboard refuses', async () => {
    const writeText = vi.fn().mockRejectedValue(new Error('NotAllowedError'));
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    Object.defineProperty(document, 'execCommand', { value: () => false, configurable: true });
    mockCommands({ history_entry: () => entry(), history_document: () => doc });
    render(RunSummary, { runId: 'run-1' });
    await fireEvent.click(await screen.findByTestId('run-summary-copy'));
    expect(await screen.findByTestId('run-summary-manual')).toHaveTextContent('Ctrl+C');
    expect(screen.getByTestId('run-summary-markdown')).toHaveValue(doc.content);
  });

  it('shows a failed load with a retry', async () => {
    let fail = true;
    mockCommands({
      history_entry: () => {
        if (fail) {
          fail = false;
          throw appError('notFound', 'The history has no hotfix run run-1.');
        }
        return entry();
      },
      history_document: () => doc,
    });
    render(RunSummary, { runId: 'run-1' });
    expect(await screen.findByTestId('run-summary-error')).toHaveTextContent('no hotfix run');
    await fireEvent.click(screen.getByRole('button', { name: /try again|retry/i }));
    expect(await screen.findByTestId('run-summary-title')).toBeInTheDocument();
  });
});
