import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Step8Cleanup from './Step8Cleanup.svelte';
import { appError, branchRun, mockCommands, type Call } from './testing/fixtures';
import { cleanupRun, completedRun, entry, listedCleanup, SAFE_HEAD, safeBranch, unsafeBranch } from './testing/cleanup';
import type { HotfixRun } from './types';

afterEach(() => {
  cleanup();
  clearMocks();
});

type Handlers = Record<string, (a: Record<string, unknown>) => unknown>;

function setup(run: HotfixRun, handlers: Handlers = {}) {
  const calls = mockCommands({ open_url: () => null, hotfix_get_run: () => run, ...handlers });
  const onrun = vi.fn();
  const result = render(Step8Cleanup, { run, onrun });
  onrun.mockImplementation((next: HotfixRun) => result.rerender({ run: next, onrun }));
  return { calls, onrun, ...result };
}

const count = (calls: Call[], cmd: string) => calls.filter((c) => c.cmd === cmd).length;

describe('Step 8 — clean up', () => {
  it('waits for the earlier steps and reads nothing before', () => {
    const { calls } = setup(branchRun());
    expect(screen.getByTestId('step8-needs-earlier')).toHaveTextContent('Step 3 (Fix) is not done yet');
    expect(count(calls, 'hotfix_cleanup_list')).toBe(0);
    expect(screen.queryByTestId('step8-finish')).toBeNull();
  });

  it('lists on open and shows the safe branch and every reason against the unsafe one, in words', async () => {
    const { calls } = setup(cleanupRun(), {
      hotfix_cleanup_list: () => cleanupRun(listedCleanup()),
    });
    await screen.findByTestId('cleanup-table');
    expect(count(calls, 'hotfix_cleanup_list')).toBe(1);
    expect(calls.find((c) => c.cmd === 'hotfix_cleanup_list')?.args).toEqual({ runId: 'run-1' });
    expect(screen.getByTestId('step8-current')).toHaveTextContent('In production: Release-3');
    expect(screen.getByTestId('cleanup-verdict-Release2_Hotfixes')).toHaveTextContent('Safe to delete');
    expect(screen.getByTestId('cleanup-merged-Release2_Hotfixes')).toHaveTextContent('Merged');
    expect(screen.getByTestId('cleanup-release-Release2_Hotfixes')).toHaveTextContent('Release-2');
    expect(screen.getByTestId('cleanup-verdict-Release1_Hotfixes')).toHaveTextContent('Keep');
    expect(screen.getByTestId('cleanup-merged-Release1_Hotfixes')).toHaveTextContent('1 commit not in main');
    const reasons = screen.getByTestId('cleanup-reasons-Release1_Hotfixes');
    expect(within(reasons).getAllByRole('listitem')).toHaveLength(2);
    expect(reasons).toHaveTextContent('Active pull request !1');
    expect(screen.getByTestId('cleanup-prs-Release1_Hotfixes')).toHaveTextContent('!1 Release-1 hotfix');
    expect(screen.getByTestId('cleanup-pick-Release1_Hotfixes')).toBeDisabled();
    expect(screen.getByTestId('cleanup-pick-Release2_Hotfixes')).toBeEnabled();
    expect(screen.getByTestId('step8-delete')).toBeDisabled();
  });

  it('deletes only after the typed confirmation, sending the head the user saw', async () => {
    const after = cleanupRun(
      listedCleanup({
        branches: [unsafeBranch],
        deleted: [{ name: 'Release2_Hotfixes', objectId: SAFE_HEAD, releaseName: 'Release-2', at: '2026-11-26T12:01:00Z', alreadyGone: false }],
      }),
    );
    const { calls } = setup(cleanupRun(listedCleanup()), {
      hotfix_cleanup_delete: () => ({
        run: after,
        results: [{ name: 'Release2_Hotfixes', outcome: 'deleted', message: 'Release2_Hotfixes deleted (it was at b2c3d4e5).' }],
      }),
    });
    await fireEvent.click(screen.getByTestId('cleanup-pick-Release2_Hotfixes'));
    await fireEvent.click(screen.getByTestId('step8-delete'));
    const dialog = screen.getByTestId('cleanup-delete-dialog');
    expect(within(dialog).getByTestId('cleanup-delete-list')).toHaveTextContent('Release2_Hotfixes at b2c3d4e5');
    const confirm = within(dialog).getByTestId('cleanup-delete-dialog-confirm');
    expect(confirm).toBeDisabled();
    await fireEvent.input(within(dialog).getByTestId('cleanup-delete-typed'), { target: { value: 'delet' } });
    expect(confirm).toBeDisabled();
    await fireEvent.input(within(dialog).getByTestId('cleanup-delete-typed'), { target: { value: 'delete' } });
    expect(confirm).toBeEnabled();
    expect(count(calls, 'hotfix_cleanup_delete')).toBe(0);
    await fireEvent.click(confirm);
    await screen.findByTestId('step8-result-Release2_Hotfixes');
    expect(calls.find((c) => c.cmd === 'hotfix_cleanup_delete')?.args).toEqual({
      runId: 'run-1',
      picks: [{ name: 'Release2_Hotfixes', objectId: SAFE_HEAD }],
    });
    expect(screen.queryByTestId('cleanup-delete-dialog')).toBeNull();
    expect(screen.getByTestId('step8-deleted')).toHaveTextContent('Release2_Hotfixes (Release-2) was at b2c3d4e5');
    expect(screen.queryByTestId('cleanup-row-Release2_Hotfixes')).toBeNull();
  });

  it('shows a branch that moved again with its note, and an error where the user looks', async () => {
    const moved = { ...safeBranch, objectId: 'f'.repeat(40), merged: false, aheadCount: 1, safe: false, reasons: ['1 commit(s) on this branch are not in main: merge them back first, or the next release undoes the fix.'], note: 'Release2_Hotfixes moved from b2c3d4e5 to ffffffff since it was listed, so it was not deleted. Review it again.' };
    let fail = true;
    setup(cleanupRun(listedCleanup()), {
      hotfix_cleanup_delete: () => {
        if (fail) {
          fail = false;
          throw appError('serverError', 'Azure DevOps answered 500. The branch Release2_Hotfixes is still there: it was not deleted and nothing changed. Try again.');
        }
        return {
          run: cleanupRun(listedCleanup({ branches: [unsafeBranch, moved] })),
          results: [{ name: 'Release2_Hotfixes', outcome: 'moved', message: moved.note }],
        };
      },
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      await fireEvent.click(screen.getByTestId('cleanup-pick-Release2_Hotfixes'));
      await fireEvent.click(screen.getByTestId('step8-delete'));
      await fireEvent.input(screen.getByTestId('cleanup-delete-typed'), { target: { value: 'delete' } });
      await fireEvent.click(screen.getByTestId('cleanup-delete-dialog-confirm'));
      if (attempt === 0) {
        expect(await screen.findByTestId('step8-delete-error')).toHaveTextContent('still there');
      }
    }
    expect(await screen.findByTestId('step8-result-Release2_Hotfixes')).toHaveTextContent('moved from b2c3d4e5 to ffffffff');
    expect(screen.getByTestId('cleanup-note-Release2_Hotfixes')).toHaveTextContent('Review it again');
    expect(screen.getByTestId('cleanup-pick-Release2_Hotfixes')).toBeDisabled();
  });

  it('says when nothing matches the template', async () => {
    setup(cleanupRun(listedCleanup({ branches: [] })));
    expect(screen.getByTestId('step8-empty')).toHaveTextContent('Release{release}_Hotfixes');
  });

  it('finishes the run and then shows the closing summary', async () => {
    const { calls } = setup(cleanupRun(listedCleanup()), {
      hotfix_finish_run: () => completedRun(),
      history_entry: () => entry(),
      history_document: () => ({ fileName: 'hotfix.md', content: '# Hotfix\n', runs: 1 }),
    });
    await fireEvent.click(screen.getByTestId('step8-finish'));
    expect(await screen.findByTestId('run-summary-title')).toHaveTextContent('Hotfix of Release-3 in contoso-synapse-prod');
    expect(count(calls, 'hotfix_finish_run')).toBe(1);
    await waitFor(() => expect(calls.some((c) => c.cmd === 'history_entry' && c.args.runId === 'run-1')).toBe(true));
    expect(screen.queryByTestId('step8-finish')).toBeNull();
  });
});
