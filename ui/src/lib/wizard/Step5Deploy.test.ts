import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Step5Deploy from './Step5Deploy.svelte';
import { mockCommands, type Call } from './testing/fixtures';
import { PROD, attempt, deployRun, endedRun, live, review, reviewedRun, runningRun } from './testing/deploy';
import type { HotfixRun } from './types';

afterEach(() => {
  cleanup();
  clearMocks();
});

type Handlers = Record<string, (a: Record<string, unknown>) => unknown>;

function setup(run: HotfixRun, handlers: Handlers = {}) {
  const calls = mockCommands({ hotfix_window_visible: () => null, open_url: () => null, ...handlers }, { events: true });
  const onrun = vi.fn();
  const oncontinue = vi.fn();
  const result = render(Step5Deploy, { run, onrun, oncontinue });
  onrun.mockImplementation((next: HotfixRun) => result.rerender({ run: next, onrun, oncontinue }));
  return { calls, onrun, oncontinue, ...result };
}

const count = (calls: Call[], cmd: string) => calls.filter((c) => c.cmd === cmd).length;

describe('Step 5 — deploy', () => {
  it('shows the plan and the pre-flight, and reviews production on request before offering the deployment', async () => {
    const { calls } = setup(deployRun(), { hotfix_deploy_review: () => reviewedRun() });
    expect(screen.getByTestId('step3-plan')).toBeInTheDocument();
    expect(screen.getByTestId('step4-preflight-report')).toBeInTheDocument();
    expect(screen.queryByTestId('step5-confirm')).toBeNull();
    await fireEvent.click(screen.getByTestId('step5-review-button'));
    await screen.findByTestId('review-panel');
    expect(count(calls, 'hotfix_deploy_review')).toBe(1);
    expect(screen.getByTestId('step5-review-time')).toHaveTextContent('for commit a1b2c3d4');
    expect(screen.getByTestId('step5-confirm')).toBeInTheDocument();
    // The hand change and the value without a production override are pointed at before confirming.
    expect(screen.getByTestId('step5-attention')).toHaveTextContent('2 points');
  });

  it('sends nothing for a wrong workspace name and deploys with the exact one', async () => {
    const running = runningRun({ phase: 'queued', phases: [] });
    const { calls } = setup(reviewedRun(), {
      hotfix_deploy: () => running,
      hotfix_deploy_attach: () => null,
    });
    const input = screen.getByTestId('step5-typed-input');
    await fireEvent.input(input, { target: { value: 'contoso-synapse-dev' } });
    await fireEvent.click(screen.getByTestId('step5-typed-submit'));
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(count(calls, 'hotfix_deploy')).toBe(0);
    await fireEvent.input(input, { target: { value: PROD } });
    await fireEvent.click(screen.getByTestId('step5-typed-submit'));
    await screen.findByTestId('deploy-progress');
    expect(calls.find((c) => c.cmd === 'hotfix_deploy')?.args).toEqual({ runId: 'run-1', typed: PROD });
    // While it runs, the review and the confirmation are gone: nothing can be sent twice.
    expect(screen.queryByTestId('step5-typed')).toBeNull();
  });

  it('a review that is out of date offers a new review, not the deployment', () => {
    const old = reviewedRun();
    const stale = new Date(Date.now() - 20 * 60 * 1000).toISOString();
    const run: HotfixRun = {
      ...old,
      steps: {
        ...old.steps,
        deploy: { ...old.steps.deploy, review: review(stale), basis: { ...old.steps.deploy.basis!, checkedAt: stale } },
      },
    };
    setup(run);
    expect(screen.getByTestId('step5-review-time')).toHaveTextContent('out of date');
    expect(screen.queryByTestId('step5-confirm')).toBeNull();
  });

  it('follows a deployment in progress when it opens, with its tasks and a cancel', async () => {
    const { calls } = setup(runningRun(), {
      hotfix_deploy_attach: () => ({ runId: 'run-1', step: 'deploy', state: 'running', message: 'Task 3 of 6 running', elapsedMs: 10 }),
      hotfix_deploy_cancel: () => true,
    });
    await waitFor(() => expect(count(calls, 'hotfix_deploy_attach')).toBe(1));
    const tasks = screen.getAllByTestId('deploy-task');
    expect(tasks).toHaveLength(3);
    expect(tasks[2]).toHaveAttribute('data-status', 'inprogress');
    await fireEvent.click(screen.getByTestId('deploy-cancel'));
    await waitFor(() => expect(count(calls, 'hotfix_deploy_cancel')).toBe(1));
  });

  it('shows who may approve a stage waiting for an approval', () => {
    setup(
      runningRun({
        phase: 'awaitingApproval',
        phases: [],
        approvals: [
          { id: 41, approver: 'Maya Lopez', approverUniqueName: 'maya.lopez@contoso.com', webUrl: 'http://127.0.0.1:9999/r/7' },
        ],
      }),
      { hotfix_deploy_attach: () => null },
    );
    expect(screen.getByTestId('deploy-approval-41-approver')).toHaveTextContent('Maya Lopez');
    expect(screen.getByTestId('deploy-approval-41-link')).toBeInTheDocument();
  });

  it('tells the back end when the window is hidden or shown again', async () => {
    const { calls } = setup(reviewedRun());
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor(() => expect(calls.find((c) => c.cmd === 'hotfix_window_visible')?.args).toEqual({ visible: false }));
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor(() => expect(calls.filter((c) => c.cmd === 'hotfix_window_visible').at(-1)?.args).toEqual({ visible: true }));
  });

  it('says how it ended and goes on to the confirmation', async () => {
    const { oncontinue } = setup(endedRun('failed'));
    expect(screen.getByTestId('step5-result')).toHaveTextContent('Deployment failed');
    expect(screen.getByTestId('deploy-progress')).toHaveAttribute('data-phase', 'finished');
    await fireEvent.click(screen.getByTestId('step5-continue'));
    expect(oncontinue).toHaveBeenCalled();
  });

  it('a rollback in progress is shown as one', () => {
    const r = runningRun();
    const run: HotfixRun = {
      ...r,
      steps: {
        ...r.steps,
        deploy: { ...r.steps.deploy, attempts: [attempt({ result: 'failed' }), attempt({ kind: 'rollback', releaseName: 'Release-3', attempt: 2 })], live: live({ attempt: 2 }) },
      },
    };
    setup(run, { hotfix_deploy_attach: () => null });
    expect(screen.getByTestId('deploy-progress-title')).toHaveTextContent('Rollback to Release-3');
  });
});
