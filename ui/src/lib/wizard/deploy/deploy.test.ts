import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ConfirmTyping from './ConfirmTyping.svelte';
import DeployProgress from './DeployProgress.svelte';
import FailurePanel from './FailurePanel.svelte';
import type { DeployAttempt } from '../../bindings/DeployAttempt';
import type { LiveDeployment } from '../../bindings/LiveDeployment';

afterEach(() => {
  cleanup();
  clearMocks();
});

const attempt: DeployAttempt = {
  kind: 'deploy',
  releaseId: 7,
  releaseName: 'Hotfix-1',
  environmentId: 11,
  stageName: 'Production_Hotfix',
  attempt: 1,
  requestedAt: '2026-11-26T10:00:00Z',
};

function live(over: Partial<LiveDeployment> = {}): LiveDeployment {
  return {
    phase: 'running',
    stageName: 'Production_Hotfix',
    stageStatus: 'inProgress',
    attempt: 1,
    operationStatus: 'PhaseInProgress',
    approvals: [],
    readAt: '2026-11-26T10:00:10Z',
    phases: [
      {
        id: 31,
        name: 'Agent job',
        status: 'inProgress',
        jobs: [
          {
            name: 'Agent job',
            status: 'inProgress',
            tasks: [
              { id: 2, name: 'Initialize job', status: 'succeeded', durationMs: 2000, lineCount: 5, issues: [] },
              { id: 3, name: 'Stop Synapse triggers', status: 'inProgress', lineCount: 2, issues: [] },
            ],
          },
        ],
      },
    ],
    ...over,
  };
}

describe('ConfirmTyping', () => {
  it('does nothing for a wrong name and says what to type; the exact name confirms', async () => {
    const onconfirm = vi.fn();
    render(ConfirmTyping, { expected: 'contoso-synapse-prod', action: 'Deploy', testid: 't', onconfirm });
    const input = screen.getByTestId('t-input');
    await fireEvent.input(input, { target: { value: 'contoso-synapse-dev' } });
    await fireEvent.click(screen.getByTestId('t-submit'));
    expect(onconfirm).not.toHaveBeenCalled();
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText(/Type contoso-synapse-prod exactly; nothing was sent/)).toBeInTheDocument();
    await fireEvent.input(input, { target: { value: 'contoso-synapse-prod' } });
    await fireEvent.click(screen.getByTestId('t-submit'));
    expect(onconfirm).toHaveBeenCalledWith('contoso-synapse-prod');
  });
});

describe('DeployProgress', () => {
  it('shows each task with its state in words and its duration, the log tail and cancel', async () => {
    const oncancel = vi.fn();
    render(DeployProgress, {
      attempt,
      live: live(),
      tail: { taskId: 3, taskName: 'Stop Synapse triggers', lines: ['Stopping 2 trigger(s)', '##[error]boom'], nextLine: 2 },
      progress: null,
      oncancel,
    });
    const tasks = screen.getAllByTestId('deploy-task');
    expect(tasks.map((t) => t.dataset.status)).toEqual(['succeeded', 'inprogress']);
    expect(tasks[0]).toHaveTextContent('Succeeded');
    expect(tasks[0]).toHaveTextContent('2 s');
    expect(tasks[1]).toHaveTextContent('Running');
    expect(screen.getByTestId('deploy-log-task')).toHaveTextContent('Stop Synapse triggers');
    const lines = screen.getAllByTestId('deploy-log-line');
    expect(lines[1]).toHaveTextContent('ERROR');
    await fireEvent.click(screen.getByTestId('deploy-cancel'));
    expect(oncancel).toHaveBeenCalledOnce();
  });

  it('lists pending approvals with who can approve and a link', () => {
    render(DeployProgress, {
      attempt,
      live: live({
        phase: 'awaitingApproval',
        phases: [],
        approvals: [{ id: 9, approver: 'Release Managers', webUrl: 'http://127.0.0.1:9/contoso/_release?releaseId=7' }],
      }),
      tail: null,
      progress: null,
    });
    const a = screen.getByTestId('deploy-approval-9');
    expect(within(a).getByTestId('deploy-approval-9-approver')).toHaveTextContent('Release Managers');
    expect(within(a).getByTestId('deploy-approval-9-link')).toBeInTheDocument();
    expect(screen.queryByTestId('deploy-cancel')).toBeNull();
  });
});

describe('FailurePanel', () => {
  it('shows the first error, marks its line and explains it', () => {
    render(FailurePanel, {
      failure: {
        taskName: 'Synapse deployment: contoso-synapse-prod',
        firstError: "Validation failed for pipeline 'pl_ingest_returns': it references dataset 'ds_raw_returns_csv'",
        excerpt: [
          { number: 4, text: 'Validating…', error: false },
          { number: 5, text: "##[error]Validation failed for pipeline 'pl_ingest_returns'", error: true },
        ],
        explanations: [{ code: 'Validation failed', meaning: 'An artifact refers to one that does not exist.', whatToDo: 'Fix it, then deploy again.' }],
      },
    });
    expect(screen.getByTestId('step6-failure-first-error')).toHaveTextContent('ds_raw_returns_csv');
    const lines = screen.getAllByTestId('step6-log-line');
    expect(lines.map((l) => l.dataset.error)).toEqual(['false', 'true']);
    expect(lines[1]).toHaveTextContent('ERROR');
    expect(screen.getByTestId('step6-explanation')).toHaveAttribute('data-code', 'Validation failed');
  });
});
