import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import History from './History.svelte';
import { appError, mockCommands, type Call } from '../lib/wizard/testing/fixtures';
import { entry } from '../lib/wizard/testing/cleanup';
import { router } from '../lib/router.svelte';

afterEach(() => {
  cleanup();
  clearMocks();
  router.navigate({ name: 'profiles' }, { force: true });
});

const finished = entry();
const unfinished = entry({
  runId: 'run-2',
  status: 'active',
  currentStep: 'fix',
  currentStepTitle: 'Fix',
  currentStepState: 'active',
  finishedAt: undefined,
  finishedBy: undefined,
  cleanup: undefined,
  startedAt: '2026-11-27T09:00:00Z',
});
const abandoned = entry({
  runId: 'run-3',
  profileId: 'p-other',
  profileName: 'Other team',
  status: 'abandoned',
  release: undefined,
  hotfixBranch: undefined,
  fixCommits: [],
  cleanup: undefined,
  runAvailable: false,
  startedAt: '2026-11-28T09:00:00Z',
});

function setup(extra: Record<string, (a: Record<string, unknown>) => unknown> = {}, runId?: string) {
  const calls: Call[] = mockCommands({
    history_list: () => [abandoned, unfinished, finished],
    history_export: (a) => ({ path: `/home/me/Downloads/export.${a.format === 'json' ? 'json' : 'md'}`, runs: a.runId ? 1 : 3 }),
    open_url: () => null,
    ...extra,
  });
  render(History, runId ? { runId } : {});
  return calls;
}

describe('History screen', () => {
  it('lists every run, finished or not, and filters by profile and status', async () => {
    setup();
    const list = await screen.findByTestId('history-list');
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);
    expect(screen.getByTestId('history-item-run-3')).toHaveTextContent('Hotfix in contoso-synapse-prod (release not picked)');
    expect(screen.getByTestId('history-item-run-3')).toHaveTextContent('Abandoned');
    expect(screen.getByTestId('history-item-run-3')).toHaveTextContent('Run file deleted');
    expect(screen.getByTestId('history-item-run-2')).toHaveTextContent('In progress');

    await fireEvent.change(screen.getByTestId('history-filter-profile'), { target: { value: 'p-demo' } });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    await fireEvent.change(screen.getByTestId('history-filter-status'), { target: { value: 'completed' } });
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    expect(screen.getByTestId('history-item-run-1')).toBeInTheDocument();
    await fireEvent.change(screen.getByTestId('history-filter-status'), { target: { value: 'abandoned' } });
    expect(screen.getByTestId('history-none-match')).toBeInTheDocument();
  });

  it('opens a run’s change record with its links and exports it as Markdown and JSON', async () => {
    const calls = setup();
    await fireEvent.click(await screen.findByTestId('history-open-run-1'));
    const pane = screen.getByTestId('history-detail-pane');
    expect(within(pane).getByTestId('history-fact-branch')).toHaveTextContent('Release3_Hotfixes');
    await fireEvent.click(within(pane).getByTestId('history-release-link'));
    await waitFor(() => expect(calls.some((c) => c.cmd === 'open_url')).toBe(true));
    expect(calls.find((c) => c.cmd === 'open_url')?.args.url).toContain('releaseId=3');

    await fireEvent.click(screen.getByTestId('history-export-md'));
    expect(await screen.findByTestId('history-exported')).toHaveTextContent('One run written to /home/me/Downloads/export.md');
    expect(calls.find((c) => c.cmd === 'history_export')?.args).toEqual({ runId: 'run-1', filter: {}, format: 'markdown' });
    await fireEvent.click(screen.getByTestId('history-export-json'));
    await waitFor(() => expect(screen.getByTestId('history-exported-path')).toHaveTextContent('export.json'));
  });

  it('exports the runs shown with the filter, and says when an export failed', async () => {
    let fail = true;
    const calls = setup({
      history_export: (a) => {
        if (fail) {
          fail = false;
          throw appError('storage', 'Could not write the export to /x. Check that the folder exists and can be written to, then export again; the history itself is unchanged.');
        }
        return { path: '/home/me/Downloads/all.json', runs: 2 };
      },
    });
    await screen.findByTestId('history-list');
    await fireEvent.change(screen.getByTestId('history-filter-profile'), { target: { value: 'p-demo' } });
    await fireEvent.click(screen.getByTestId('history-export-all-json'));
    expect(await screen.findByTestId('history-export-error')).toHaveTextContent('history itself is unchanged');
    await fireEvent.click(screen.getByTestId('history-export-all-json'));
    expect(await screen.findByTestId('history-exported')).toHaveTextContent('2 runs written');
    const exports = calls.filter((c) => c.cmd === 'history_export');
    expect(exports[1]?.args).toEqual({ runId: null, filter: { profileId: 'p-demo' }, format: 'json' });
  });

  it('opens the run it was asked for, offers to continue an unfinished one, and says when there is none', async () => {
    setup({}, 'run-2');
    await screen.findByTestId('history-detail');
    expect(screen.getByTestId('history-fact-status')).toHaveTextContent('In progress — at step 3: Fix');
    await fireEvent.click(screen.getByTestId('history-continue'));
    expect(router.route).toEqual({ name: 'wizard', runId: 'run-2' });
    cleanup();
    mockCommands({ history_list: () => [] });
    render(History, {});
    expect(await screen.findByTestId('history-empty')).toBeInTheDocument();
  });
});
