import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Step6Confirm from './Step6Confirm.svelte';
import { appError, mockCommands, type Call } from './testing/fixtures';
import { PROD, confirmedPass, endedRun, failure } from './testing/deploy';
import type { ConfirmState } from '../bindings/ConfirmState';
import type { HotfixRun } from './types';

afterEach(() => {
  cleanup();
  clearMocks();
});

type Handlers = Record<string, (a: Record<string, unknown>) => unknown>;

function setup(run: HotfixRun, handlers: Handlers = {}) {
  const calls = mockCommands(handlers);
  const onrun = vi.fn();
  const ongoto = vi.fn();
  const oncontinue = vi.fn();
  const result = render(Step6Confirm, { run, onrun, ongoto, oncontinue });
  onrun.mockImplementation((next: HotfixRun) => result.rerender({ run: next, onrun, ongoto, oncontinue }));
  return { calls, onrun, ongoto, oncontinue, ...result };
}

const count = (calls: Call[], cmd: string) => calls.filter((c) => c.cmd === cmd).length;
const withConfirm = (run: HotfixRun, confirm: ConfirmState): HotfixRun => ({ ...run, steps: { ...run.steps, confirm } });

describe('Step 6 — confirm production', () => {
  it('checks as soon as it opens after a deployment and shows every point passed', async () => {
    const run = endedRun('succeeded');
    const { calls, oncontinue } = setup(run, { hotfix_confirm: () => withConfirm(run, confirmedPass(run)) });
    await screen.findByTestId('step6-done');
    expect(count(calls, 'hotfix_confirm')).toBe(1);
    for (const id of ['stage', 'triggers', 'artifacts', 'mainHead']) {
      expect(screen.getByTestId(`step6-check-${id}`)).toHaveAttribute('data-outcome', 'pass');
    }
    expect(screen.getByTestId('step6-check-triggers')).toHaveTextContent('Passed');
    expect(screen.queryByTestId('step6-ways-forward')).toBeNull();
    await fireEvent.click(screen.getByTestId('step6-continue'));
    expect(oncontinue).toHaveBeenCalled();
  });

  it('lists a trigger in another state with a one-click restore, and checks again after it', async () => {
    const run = endedRun('succeeded');
    const pass = confirmedPass(run);
    const changed: ConfirmState = {
      ...pass,
      checks: pass.checks.map((c) =>
        c.id === 'triggers'
          ? { ...c, outcome: 'fail', detail: '1 trigger(s) differ: tr_sales_file_arrival was Stopped, now Started.', whatToDo: 'Restore each one below (one click; safe to repeat).' }
          : c,
      ),
      triggerDiffs: [{ name: 'tr_sales_file_arrival', before: 'Stopped', now: 'Started' }],
    };
    const { calls } = setup(withConfirm(run, changed), {
      hotfix_restore_trigger: () => withConfirm(run, pass),
    });
    expect(screen.getByTestId('step6-check-triggers')).toHaveAttribute('data-outcome', 'fail');
    expect(screen.getByTestId('step6-trigger-tr_sales_file_arrival')).toHaveTextContent('was Stopped, now Started');
    expect(screen.queryByTestId('step6-done')).toBeNull();
    const restore = screen.getByTestId('step6-restore-tr_sales_file_arrival');
    expect(restore).toHaveTextContent('Stop it again');
    await fireEvent.click(restore);
    await screen.findByTestId('step6-done');
    expect(calls.find((c) => c.cmd === 'hotfix_restore_trigger')?.args).toEqual({ runId: 'run-1', name: 'tr_sales_file_arrival' });
    // Already checked for this attempt: opening the screen did not check again.
    expect(count(calls, 'hotfix_confirm')).toBe(0);
  });

  it('says which checks did not run and what to do, never that they passed', () => {
    const run = endedRun('succeeded');
    const pass = confirmedPass(run);
    const notRun: ConfirmState = {
      ...pass,
      checks: pass.checks.map((c) =>
        c.id === 'triggers' || c.id === 'artifacts'
          ? { ...c, outcome: 'notRun', detail: 'No Synapse token: the app is not signed in to Entra ID.', whatToDo: 'Sign in with Entra ID, or run az login.' }
          : c,
      ),
    };
    setup(withConfirm(run, notRun));
    expect(screen.getByTestId('step6-check-artifacts')).toHaveAttribute('data-outcome', 'notRun');
    expect(screen.getByTestId('step6-check-artifacts')).toHaveTextContent('Did not run');
    expect(screen.getByTestId('step6-check-triggers')).toHaveTextContent('Sign in with Entra ID, or run az login.');
    expect(screen.queryByTestId('step6-done')).toBeNull();
  });

  it('explains a failed deployment and offers fixing again or a rollback after the typed name', async () => {
    const run = endedRun('failed');
    const confirm: ConfirmState = {
      ...confirmedPass(run),
      checks: [{ id: 'stage', title: 'The stage and every task succeeded', outcome: 'fail', detail: 'Stage Production_Hotfix failed.' }],
      failure,
      rollback: {
        releaseId: 3,
        releaseName: 'Release-3',
        environmentId: 5,
        stageName: 'Production',
        startsAllTriggers: true,
      },
    };
    const rolled: HotfixRun = { ...run, currentStep: 'deploy' };
    const { calls, ongoto } = setup(withConfirm(run, confirm), {
      hotfix_rollback: (a) => {
        if (a.typed !== PROD) throw appError('invalidInput', 'Type contoso-synapse-prod exactly; nothing was sent.');
        return rolled;
      },
    });
    expect(screen.getByTestId('step6-failure-first-error')).toHaveTextContent('ds_raw_returns_csv');
    expect(screen.getByTestId('step6-explanation')).toHaveAttribute('data-code', 'Validation failed');
    expect(screen.getAllByTestId('step6-log-line').some((l) => l.getAttribute('data-error') === 'true')).toBe(true);
    expect(screen.getByTestId('step6-fix-again')).toBeInTheDocument();

    await fireEvent.click(screen.getByTestId('step6-rollback'));
    await screen.findByTestId('rollback-dialog');
    const input = screen.getByTestId('rollback-typed-input');
    await fireEvent.input(input, { target: { value: 'contoso-synapse-dev' } });
    await fireEvent.click(screen.getByTestId('rollback-typed-submit'));
    expect(count(calls, 'hotfix_rollback')).toBe(0);
    await fireEvent.input(input, { target: { value: PROD } });
    await fireEvent.click(screen.getByTestId('rollback-typed-submit'));
    await waitFor(() => expect(ongoto).toHaveBeenCalledWith('deploy'));
    expect(calls.find((c) => c.cmd === 'hotfix_rollback')?.args).toEqual({ runId: 'run-1', typed: PROD });
  });

  it('fixing again opens step 3', async () => {
    const run = endedRun('failed');
    const confirm: ConfirmState = { ...confirmedPass(run), checks: [], failure };
    const { ongoto } = setup(withConfirm(run, confirm), {
      hotfix_reopen_fix: () => ({ ...run, currentStep: 'fix' }),
    });
    await fireEvent.click(screen.getByTestId('step6-fix-again'));
    await waitFor(() => expect(ongoto).toHaveBeenCalledWith('fix'));
  });

  it('shows a failed check where the user looks, with a retry', async () => {
    const run = endedRun('succeeded');
    setup(run, { hotfix_confirm: () => Promise.reject(appError('unreachable', 'Azure DevOps could not be reached. Check the connection and try again.')) });
    await screen.findByTestId('step6-check-error');
    expect(screen.getByTestId('step6-check-error')).toHaveTextContent('could not be reached');
  });
});
