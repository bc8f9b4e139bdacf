import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Step3Fix from './Step3Fix.svelte';
import {
  FIX_SHA,
  RELEASE_SHA,
  appError,
  branchRun,
  fixedRun,
  mockCommands,
  profile,
  withStep,
} from './testing/fixtures';
import type { BranchPoll, HotfixRun } from './types';

function setVisibility(state: 'visible' | 'hidden'): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

beforeEach(() => {
  vi.useFakeTimers();
  setVisibility('visible');
});

afterEach(() => {
  cleanup();
  clearMocks();
  vi.useRealTimers();
  setVisibility('visible');
});

function poll(head: string | undefined, changed: boolean): BranchPoll {
  return {
    head,
    changed,
    hasNewCommits: head !== RELEASE_SHA,
    fromCache: false,
    polledAt: new Date().toISOString(),
    nextPollInMs: 5000,
  };
}

const studio = {
  url: 'https://web.azuresynapse.net/en/home?workspace=%2Fsubscriptions%2Fs%2FresourceGroups%2Frg%2Fproviders%2FMicrosoft.Synapse%2Fworkspaces%2Fcontoso-synapse-dev',
  instruction: 'In Synapse Studio, open the branch picker at the top left and switch from main to Release3_Hotfixes.',
  note: 'The link assumes the development workspace lives in the production subscription.',
};

type Handlers = Record<string, (a: Record<string, unknown>) => unknown>;

function setup(run: HotfixRun, handlers: Handlers = {}) {
  const calls = mockCommands({
    hotfix_poll_branch: () => poll(run.steps.fix.head, false),
    hotfix_refresh_changes: () => fixedRun(),
    hotfix_studio_url: () => studio,
    hotfix_open_studio: () => studio,
    hotfix_demo_push_sample_fix: () => FIX_SHA,
    hotfix_complete_fix: () => withStep(run, 3, 'done'),
    open_url: () => null,
    ...handlers,
  });
  const onrun = vi.fn();
  const result = render(Step3Fix, { run, onrun });
  return { calls, onrun, ...result };
}

const count = (calls: { cmd: string }[], cmd: string) => calls.filter((c) => c.cmd === cmd).length;

describe('Step 3 — fix', () => {
  it('lists the new commits, the changed artifacts with diffs and the plan with its warnings', async () => {
    setup(fixedRun());
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId('step3-commit-count')).toHaveTextContent('1 commit since the release commit');
    expect(screen.getByTestId(`step3-commit-${FIX_SHA}-sha`)).toHaveTextContent(FIX_SHA);
    expect(screen.getByTestId(`step3-commit-${FIX_SHA}-message`)).toHaveTextContent('Fix the LoadSales timeout');

    const edited = screen.getByTestId('step3-change-pipeline-LoadSales');
    expect(edited).toHaveAttribute('data-change', 'edited');
    expect(edited).toHaveTextContent('Pipeline');
    expect(screen.getByTestId('step3-change-notebook-Clean')).toHaveAttribute('data-change', 'created');
    const diff = screen.getByTestId('step3-change-pipeline-LoadSales-diff');
    expect(diff).toHaveTextContent('"timeout": "0.12:00:00"');
    expect(diff).toHaveTextContent('"timeout": "0.01:00:00"');
    expect(edited.querySelector('details')).not.toHaveAttribute('open');

    expect(screen.getByTestId('step3-plan-create')).toHaveTextContent('Clean');
    expect(screen.getByTestId('step3-plan-update')).toHaveTextContent('LoadSales');
    expect(screen.getByTestId('step3-plan-delete')).toHaveTextContent('OldBlob');
    expect(screen.getByTestId('step3-plan-warning-deletion')).toHaveTextContent('OldBlob');
    expect(screen.getByTestId('step3-plan-warning-trigger')).toHaveTextContent('Nightly');
    expect(screen.getByTestId('step3-plan-warning-linkedService')).toBeInTheDocument();
    expect(screen.getByTestId('step3-outside-root')).toHaveTextContent('/README.md');
    expect(screen.queryByTestId('step3-no-commits')).toBeNull();
  });

  it('lets the user continue only after acknowledging changes outside the root folder', async () => {
    const { calls, onrun } = setup(fixedRun());
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId('step3-complete')).toBeDisabled();
    await fireEvent.click(screen.getByTestId('step3-acknowledge'));
    expect(screen.getByTestId('step3-complete')).toBeEnabled();
    await fireEvent.click(screen.getByTestId('step3-complete'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.find((c) => c.cmd === 'hotfix_complete_fix')?.args).toEqual({ runId: 'run-1', acknowledgeWarnings: true });
    expect(onrun).toHaveBeenCalled();
  });

  it('says "no new commits yet" and keeps the step open while the branch is at the release commit', async () => {
    setup(branchRun());
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId('step3-no-commits')).toHaveTextContent('No new commits yet');
    expect(screen.getByTestId('step3-complete')).toBeDisabled();
    expect(screen.getByTestId('step3-instruction')).toHaveTextContent('Release3_Hotfixes');
  });

  it('polls with back-off (≥ 5 s, growing) and not at all while the window is hidden', async () => {
    const { calls } = setup(branchRun());
    await vi.advanceTimersByTimeAsync(0);
    expect(count(calls, 'hotfix_poll_branch')).toBe(1);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(count(calls, 'hotfix_poll_branch')).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000 - 4_999);
    expect(count(calls, 'hotfix_poll_branch')).toBe(2);
    expect(screen.getByTestId('step3-watch-status')).toHaveTextContent('next check in about 20 s');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(count(calls, 'hotfix_poll_branch')).toBe(3);

    setVisibility('hidden');
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId('step3-watch-paused')).toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(count(calls, 'hotfix_poll_branch')).toBe(3);

    setVisibility('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(count(calls, 'hotfix_poll_branch')).toBe(4);
    expect(screen.queryByTestId('step3-watch-paused')).toBeNull();
    expect(count(calls, 'hotfix_refresh_changes')).toBe(0);
  });

  it('reads the changes when a poll sees a new head', async () => {
    let head = RELEASE_SHA;
    const { calls, onrun } = setup(branchRun(), {
      hotfix_poll_branch: () => poll(head, head !== RELEASE_SHA),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(count(calls, 'hotfix_refresh_changes')).toBe(0);
    head = FIX_SHA;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(count(calls, 'hotfix_refresh_changes')).toBe(1);
    expect(onrun).toHaveBeenCalledWith(fixedRun());
  });

  it('in demo mode, simulates Studio saving a fix and checks the branch again within 5 s', async () => {
    const { calls } = setup(branchRun());
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(10_000 + 20_000); // back-off is now 40 s
    expect(count(calls, 'hotfix_poll_branch')).toBe(3);
    await fireEvent.click(screen.getByTestId('step3-demo-push'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.find((c) => c.cmd === 'hotfix_demo_push_sample_fix')?.args).toEqual({ runId: 'run-1' });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(count(calls, 'hotfix_poll_branch')).toBe(4);
  });

  it('in demo mode, opens the simulated Studio page; the demo button keeps the label the instruction quotes', async () => {
    setup(branchRun());
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId('step3-open-studio')).toHaveTextContent('Open the simulated Studio');
    // hotfix_core::hotfix::step3_fix::DEMO_PUSH_BUTTON quotes this label in the demo instruction.
    expect(screen.getByTestId('step3-demo-push').textContent?.trim()).toBe('Simulate Synapse Studio saving a fix');
  });

  it('numbers both how-to steps (open Studio, then switch branch) as items of one list', async () => {
    setup(branchRun({ profile: profile({ simulated: false }) }));
    await vi.advanceTimersByTimeAsync(0);
    const open = screen.getByTestId('step3-open-studio').closest('li');
    const instruction = screen.getByTestId('step3-instruction');
    expect(open?.parentElement?.tagName).toBe('OL');
    expect(instruction.parentElement).toBe(open?.parentElement);
    // A flex <li> loses its marker and its number (the second step was shown as "1."), so the
    // button and its URL are laid out in a wrapper and the <li> itself stays a plain list item.
    expect(screen.getByTestId('step3-open-studio').parentElement).not.toBe(open);
    expect(open?.className).toBe(instruction.className);
  });

  it('has no demo button for a real profile', async () => {
    setup(branchRun({ profile: profile({ simulated: false }) }));
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.queryByTestId('step3-demo-push')).toBeNull();
  });

  it('shows the back end\'s instruction, then opens Synapse Studio through it and says where', async () => {
    const { calls } = setup(branchRun({ profile: profile({ simulated: false }) }));
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId('step3-studio-instruction')).toHaveTextContent('switch from main to Release3_Hotfixes');
    expect(screen.getByTestId('step3-studio-note')).toHaveTextContent('production subscription');
    expect(screen.getByTestId('step3-studio-url')).toHaveTextContent('contoso-synapse-dev');
    expect(screen.getByTestId('step3-open-studio')).toHaveTextContent('Open Synapse Studio');
    await fireEvent.click(screen.getByTestId('step3-open-studio'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.find((c) => c.cmd === 'hotfix_open_studio')?.args).toEqual({ runId: 'run-1' });
    expect(screen.getByTestId('step3-studio-opened')).toHaveTextContent('Opened https://web.azuresynapse.net');
    expect(count(calls, 'open_url')).toBe(0);
  });

  it('shows a failed poll by its code and keeps watching', async () => {
    let fail = true;
    const run = branchRun();
    const { calls } = setup(run, {
      hotfix_poll_branch: () => {
        if (fail) throw appError('unreachable', 'Could not reach http://127.0.0.1:9999: connection refused.');
        return poll(run.steps.fix.head, false);
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId('step3-poll-error')).toHaveTextContent('Azure DevOps could not be reached');
    expect(screen.getByTestId('step3-poll-error-message')).toHaveTextContent('connection refused');
    fail = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(count(calls, 'hotfix_poll_branch')).toBe(2);
    expect(screen.queryByTestId('step3-poll-error')).toBeNull();
  });

  it('stops polling when the user leaves the screen', async () => {
    const { calls, unmount } = setup(branchRun());
    await vi.advanceTimersByTimeAsync(0);
    expect(count(calls, 'hotfix_poll_branch')).toBe(1);
    unmount();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(count(calls, 'hotfix_poll_branch')).toBe(1);
  });

  it('says so when the branch disappeared', async () => {
    setup(branchRun(), { hotfix_poll_branch: () => poll(undefined, false) });
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId('step3-branch-gone')).toHaveTextContent('Release3_Hotfixes no longer exists');
  });

  it('stops watching once the step is done', async () => {
    const run = fixedRun();
    const done = withStep(run, 3, 'done');
    const { calls } = setup(done);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(count(calls, 'hotfix_poll_branch')).toBe(0);
    expect(screen.queryByTestId('step3-complete')).toBeNull();
  });

  it('offers to continue to the hotfix pipeline once the fix is recorded', async () => {
    mockCommands({ hotfix_studio_url: () => studio, hotfix_poll_branch: () => poll(FIX_SHA, false) });
    const oncontinue = vi.fn();
    render(Step3Fix, { run: withStep(fixedRun(), 3, 'done'), onrun: vi.fn(), oncontinue });
    await vi.advanceTimersByTimeAsync(0);
    await fireEvent.click(screen.getByTestId('step3-continue'));
    expect(oncontinue).toHaveBeenCalledTimes(1);
  });

  it('has no continue while the fix is still open', async () => {
    setup(fixedRun());
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.queryByTestId('step3-continue')).toBeNull();
  });
});
