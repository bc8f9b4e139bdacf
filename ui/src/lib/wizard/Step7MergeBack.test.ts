import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Step7MergeBack from './Step7MergeBack.svelte';
import { appError, mockCommands, type Call } from './testing/fixtures';
import { churnConflict, listing, mergeRun, mergeState, pr, preview, unconfirmedRun } from './testing/merge';
import type { HotfixRun } from './types';

afterEach(() => {
  cleanup();
  clearMocks();
  vi.useRealTimers();
});

type Handlers = Record<string, (a: Record<string, unknown>) => unknown>;

function setup(run: HotfixRun, handlers: Handlers = {}, props: Record<string, unknown> = {}) {
  const calls = mockCommands({ open_url: () => null, ...handlers });
  const onrun = vi.fn();
  const result = render(Step7MergeBack, { run, onrun, ...props });
  onrun.mockImplementation((next: HotfixRun) => result.rerender({ run: next, onrun, ...props }));
  return { calls, onrun, ...result };
}

const count = (calls: Call[], cmd: string) => calls.filter((c) => c.cmd === cmd).length;
const listed = mergeState({ listing: listing(), selected: ['main', 'feature/customer-churn'] });
const previewed = mergeState({
  listing: listing(),
  selected: ['main', 'feature/customer-churn'],
  previews: [preview('main'), churnConflict()],
});

describe('Step 7 — merge back: targets', () => {
  it('waits for step 6 and asks nothing before', () => {
    const { calls } = setup(unconfirmedRun());
    expect(screen.getByTestId('step7-needs-step6')).toHaveTextContent('Confirm the deployment first');
    // Only the progress event subscription, no command.
    expect(calls.filter((c) => !c.cmd.startsWith('plugin:'))).toHaveLength(0);
  });

  it('lists the targets on open, with progress, ahead/behind, the fix marked and the ticks', async () => {
    let finish: (run: HotfixRun) => void = () => undefined;
    const { calls } = setup(mergeRun(), { hotfix_merge_back_list_targets: () => new Promise<HotfixRun>((r) => (finish = r)) });
    expect(await screen.findByTestId('step7-git-progress')).toHaveTextContent('Fetching the repository');
    finish(mergeRun(listed));
    const main = await screen.findByTestId('step7-target-main');
    expect(count(calls, 'hotfix_merge_back_list_targets')).toBe(1);
    expect(main).toHaveTextContent('Collaboration branch');
    expect(screen.getByTestId('step7-target-main-counts')).toHaveTextContent('2 commits ahead · 1 hotfix commit missing');
    expect(screen.getByTestId('step7-target-main-check')).toBeChecked();
    const views = screen.getByTestId('step7-target-feature-sql-pool-views');
    expect(views).toHaveAttribute('data-contains-fix', 'true');
    expect(within(views).getByTestId('step7-target-feature-sql-pool-views-has-fix')).toHaveTextContent('Already contains the fix');
    expect(screen.getByTestId('step7-target-feature-sql-pool-views-check')).not.toBeChecked();
    expect(screen.queryByTestId('step7-git-progress')).toBeNull();
  });

  it('shows the listing notes, e.g. a feature pattern that matched nothing', () => {
    const note = 'No branch matches the feature branch pattern release/* of the profile, so only main is offered.';
    setup(mergeRun(mergeState({ listing: listing({ notes: [note], targets: [listing().targets[0]!] }), selected: ['main'] })));
    expect(screen.getByTestId('step7-note-0')).toHaveTextContent('only main is offered');
  });

  it('previews the ticked branches and shows conflicts as Synapse artifacts', async () => {
    const { calls } = setup(mergeRun(listed), {
      hotfix_merge_back_preview: (a) => mergeRun({ ...previewed, selected: a.targets as string[] }),
    });
    // Untick nothing, tick nothing else: preview what is ticked.
    await fireEvent.click(screen.getByTestId('step7-preview'));
    const churn = await screen.findByTestId('step7-preview-feature-customer-churn');
    expect(calls.find((c) => c.cmd === 'hotfix_merge_back_preview')?.args).toEqual({
      runId: 'run-1',
      targets: ['main', 'feature/customer-churn'],
    });
    expect(churn).toHaveAttribute('data-state', 'conflicts');
    expect(churn).toHaveTextContent('1 conflict');
    expect(within(churn).getByTestId('step7-preview-feature-customer-churn-conflict')).toHaveTextContent('Pipeline LoadSales — changed on both branches');
    expect(screen.getByTestId('step7-preview-main')).toHaveAttribute('data-state', 'clean');
    expect(screen.getByTestId('step7-preview-main-brings')).toHaveTextContent('Brings 3 files: pipeline LoadSales.');
    expect(screen.getByTestId('step7-open')).toBeEnabled();
  });

  it('needs a new preview when the ticks change, and at least one tick', async () => {
    setup(mergeRun(previewed));
    expect(screen.getByTestId('step7-open')).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId('step7-target-feature-customer-churn-check'));
    expect(screen.queryByTestId('step7-open')).toBeNull();
    expect(screen.getByTestId('step7-preview')).toHaveTextContent('Preview the merges');
    await fireEvent.click(screen.getByTestId('step7-target-main-check'));
    expect(screen.getByTestId('step7-preview')).toBeDisabled();
    expect(screen.getByText('Tick at least one branch.')).toBeInTheDocument();
  });

  it('shows a listing error where the list goes, and retries', async () => {
    let fail = true;
    setup(mergeRun(), {
      hotfix_merge_back_list_targets: () => {
        if (fail) throw appError('storage', 'The app cannot write to its cache folder /h/cache/git (permission denied). Make the folder writable.');
        return mergeRun(listed);
      },
    });
    expect(await screen.findByTestId('step7-list-error')).toHaveTextContent('Make the folder writable');
    fail = false;
    await fireEvent.click(screen.getByTestId('step7-list-error-retry'));
    await screen.findByTestId('step7-target-main');
  });
});

describe('Step 7 — merge back: pull requests', () => {
  it('opens the pull requests with the work items and shows each with its link and merge status', async () => {
    const opened = mergeState({
      ...previewed,
      pullRequests: [pr('main', 11), pr('feature/customer-churn', 12, { mergeStatus: 'conflicts', mergeFailureMessage: 'The merge has conflicts in: /pipeline/LoadSales.json' })],
    });
    const { calls } = setup(mergeRun(previewed), { hotfix_merge_back_open_prs: () => mergeRun(opened, true), hotfix_merge_back_refresh: () => mergeRun(opened, true) });
    await fireEvent.input(screen.getByTestId('step7-work-items'), { target: { value: '4711, 4712' } });
    await fireEvent.click(screen.getByTestId('step7-open'));
    const main = await screen.findByTestId('step7-pr-main');
    expect(calls.find((c) => c.cmd === 'hotfix_merge_back_open_prs')?.args).toEqual({ runId: 'run-1', workItems: [4711, 4712] });
    expect(screen.getByTestId('step7-pr-main-merge')).toHaveTextContent('No conflicts');
    expect(screen.getByTestId('step7-pr-feature-customer-churn-merge')).toHaveTextContent('Conflicts to resolve');
    expect(screen.getByTestId('step7-pr-feature-customer-churn')).toHaveTextContent('/pipeline/LoadSales.json');
    expect(main).toHaveTextContent('opened now');
    await fireEvent.click(screen.getByTestId('step7-pr-main-link'));
    await waitFor(() => expect(count(calls, 'open_url')).toBe(1));
    expect(calls.find((c) => c.cmd === 'open_url')?.args.url).toBe('http://127.0.0.1:9999/contoso/DataPlatform/_git/synapse-analytics/pullrequest/11');
    expect(screen.getByTestId('step7-done')).toHaveTextContent('Not merged back yet');
    expect(screen.getByTestId('step7-done')).toHaveTextContent('main, feature/customer-churn');
    expect(screen.getByTestId('step7-next')).toHaveTextContent('Step 8: Clean up');
  });

  it('refuses work item ids that are not numbers before sending anything', async () => {
    const { calls } = setup(mergeRun(previewed));
    await fireEvent.input(screen.getByTestId('step7-work-items'), { target: { value: '4711, abc' } });
    expect(screen.getByText('Work item ids are numbers, separated by commas (e.g. 4711, 4712).')).toBeInTheDocument();
    expect(screen.getByTestId('step7-open')).toBeDisabled();
    expect(count(calls, 'hotfix_merge_back_open_prs')).toBe(0);
  });

  it('says a target branch is gone and shows the targets listed again', async () => {
    const relisted = mergeState({ listing: listing({ targets: [listing().targets[0]!], listedAt: '2026-11-27T09:05:00Z' }), selected: ['main'], previews: [preview('main')] });
    setup(mergeRun(previewed), {
      hotfix_merge_back_open_prs: () => {
        throw appError('conflict', 'The branch feature/customer-churn no longer exists in Azure DevOps (TF401398: it was deleted after the targets were listed).');
      },
      hotfix_get_run: () => mergeRun(relisted),
    });
    await fireEvent.click(screen.getByTestId('step7-open'));
    expect(await screen.findByTestId('step7-open-error')).toHaveTextContent('TF401398');
    await waitFor(() => expect(screen.queryByTestId('step7-target-feature-customer-churn')).toBeNull());
    expect(screen.getByTestId('step7-target-main-check')).toBeChecked();
  });

  it('polls the merge status with back-off and stops after its budget; Refresh still reads', async () => {
    vi.useFakeTimers();
    const opened = mergeState({ ...previewed, pullRequests: [pr('main', 11, { mergeStatus: 'queued' })] });
    let status = 'queued';
    const { calls } = setup(
      mergeRun(opened, true),
      { hotfix_merge_back_refresh: () => mergeRun({ ...opened, pullRequests: [pr('main', 11, { mergeStatus: status })] }, true) },
      { minPollMs: 1000, maxPollMs: 2000, pollBudget: 3 },
    );
    expect(screen.getByTestId('step7-pr-main-merge')).toHaveTextContent('Checking the merge');
    status = 'succeeded';
    await vi.advanceTimersByTimeAsync(0);
    expect(count(calls, 'hotfix_merge_back_refresh')).toBe(1);
    expect(screen.getByTestId('step7-pr-main-merge')).toHaveTextContent('No conflicts');
    await vi.advanceTimersByTimeAsync(999);
    expect(count(calls, 'hotfix_merge_back_refresh')).toBe(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(count(calls, 'hotfix_merge_back_refresh')).toBe(3);
    expect(screen.getByTestId('step7-refreshed')).toHaveTextContent('Automatic refresh stopped');
    await fireEvent.click(screen.getByTestId('step7-refresh'));
    await vi.advanceTimersByTimeAsync(0);
    expect(count(calls, 'hotfix_merge_back_refresh')).toBe(4);
  });

  it('says the fix is merged back when every pull request is completed, and stops polling', () => {
    const merged = mergeState({ ...previewed, pullRequests: [pr('main', 11, { status: 'completed' }), pr('feature/customer-churn', 12, { status: 'completed' })] });
    const { calls } = setup(mergeRun(merged, true));
    expect(screen.getByTestId('step7-done')).toHaveTextContent('The fix is merged back');
    expect(screen.getByTestId('step7-pr-main-status')).toHaveTextContent('Completed');
    expect(count(calls, 'hotfix_merge_back_refresh')).toBe(0);
  });

  it('tags the fix commit on request and shows the tag', async () => {
    const opened = mergeState({ ...previewed, pullRequests: [pr('main', 11, { status: 'completed' }), pr('feature/customer-churn', 12, { status: 'completed' })] });
    const { calls } = setup(mergeRun(opened, true), {
      hotfix_merge_back_tag: () => mergeRun({ ...opened, tag: { name: 'Release-3-hotfix-1', commit: 'a'.repeat(40), reused: false } }, true),
    });
    await fireEvent.click(screen.getByTestId('step7-tag-button'));
    expect(await screen.findByTestId('step7-tag')).toHaveTextContent('Release-3-hotfix-1');
    expect(count(calls, 'hotfix_merge_back_tag')).toBe(1);
  });
});
