import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Step2Branch from './Step2Branch.svelte';
import { RELEASE_SHA, appError, mockCommands, newRun, resolvedRun } from './testing/fixtures';
import type { BranchNameCheck, HotfixRun } from './types';

afterEach(() => {
  cleanup();
  clearMocks();
});

const OTHER_SHA = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';

function taken(n: string): BranchNameCheck {
  return {
    name: n,
    ok: false,
    problem: `A branch ${n} already exists and points at commit c0ffee00, not at the release commit 3f2a9c1d.`,
    existing: { name: n, objectId: OTHER_SHA, atReleaseCommit: false },
    suggestion: `${n}_2`,
  };
}

function checkFor(name: string | null): BranchNameCheck {
  const n = name ?? 'Release3_Hotfixes';
  if (n.startsWith('refs/heads/')) {
    const short = n.slice('refs/heads/'.length);
    return { name: short, ok: true, note: `"refs/heads/" is added for you: the branch is called ${short}.` };
  }
  if (n === 'taken') return taken(n);
  if (n === 'Release3_Hotfixes_again')
    return { name: n, ok: true, existing: { name: n, objectId: RELEASE_SHA, atReleaseCommit: true } };
  if (n === 'release3_hotfixes')
    return { name: n, ok: false, problem: 'A branch Release3_Hotfixes exists that differs only in letter case.', suggestion: 'release3_hotfixes_2' };
  return { name: n, ok: true };
}

function setup(run: HotfixRun, handlers: Record<string, (a: Record<string, unknown>) => unknown> = {}) {
  const calls = mockCommands({
    hotfix_check_branch_name: (a) => checkFor(a.name as string | null),
    open_url: () => null,
    ...handlers,
  });
  const onrun = vi.fn();
  const result = render(Step2Branch, { run, onrun, oncontinue: () => {}, debounceMs: 0 });
  return { calls, onrun, ...result };
}

const input = () => screen.getByTestId('step2-branch-input') as HTMLInputElement;
const checks = (calls: { cmd: string; args: Record<string, unknown> }[]) =>
  calls.filter((c) => c.cmd === 'hotfix_check_branch_name').map((c) => c.args.name);

describe('Step 2 — hotfix branch', () => {
  it('pre-fills the name from the profile template and says a new branch will be created', async () => {
    const { calls } = setup(resolvedRun());
    await waitFor(() => expect(input().value).toBe('Release3_Hotfixes'));
    expect(checks(calls)).toEqual([null]);
    expect(await screen.findByTestId('step2-check-new')).toHaveTextContent('created at 3f2a9c1d');
    expect(screen.getByTestId('step2-create')).toBeEnabled();
  });

  it('checks git ref rules as the user types and sends nothing for an invalid name', async () => {
    const { calls } = setup(resolvedRun());
    await waitFor(() => expect(input().value).toBe('Release3_Hotfixes'));
    await fireEvent.input(input(), { target: { value: 'hot fix..' } });
    expect(screen.getByTestId('step2-branch-name-error')).toHaveTextContent('cannot contain ".."');
    expect(screen.getByTestId('step2-problems')).toHaveTextContent('cannot end with "."');
    expect(screen.getByTestId('step2-problems')).toHaveTextContent('cannot contain a space');
    expect(input()).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByTestId('step2-create')).toBeDisabled();
    expect(checks(calls)).toEqual([null]);
  });

  it('asks the back end about a valid name and says when it will be reused', async () => {
    const { calls } = setup(resolvedRun());
    await waitFor(() => expect(input().value).toBe('Release3_Hotfixes'));
    await fireEvent.input(input(), { target: { value: 'Release3_Hotfixes_again' } });
    expect(await screen.findByTestId('step2-check-reuse')).toHaveTextContent('will be reused');
    expect(checks(calls)).toEqual([null, 'Release3_Hotfixes_again']);
    expect(screen.getByTestId('step2-create')).toBeEnabled();
  });

  it('shows where an existing branch points and offers another name', async () => {
    const { calls } = setup(resolvedRun());
    await waitFor(() => expect(input().value).toBe('Release3_Hotfixes'));
    await fireEvent.input(input(), { target: { value: 'taken' } });
    const conflict = await screen.findByTestId('step2-conflict');
    expect(screen.getByTestId('step2-conflict-commit')).toHaveTextContent(OTHER_SHA);
    expect(screen.getByTestId('step2-conflict-message')).toHaveTextContent('already exists and points at commit c0ffee00');
    expect(conflict).toHaveTextContent('3f2a9c1d');
    expect(screen.getByTestId('step2-create')).toBeDisabled();
    await fireEvent.click(screen.getByTestId('step2-use-suggestion'));
    await waitFor(() => expect(input().value).toBe('taken_2'));
    expect(await screen.findByTestId('step2-check-new')).toBeInTheDocument();
    expect(checks(calls)).toEqual([null, 'taken', 'taken_2']);
  });

  it('shows the back end\'s own objection in the field and offers its suggestion', async () => {
    setup(resolvedRun());
    await waitFor(() => expect(input().value).toBe('Release3_Hotfixes'));
    await fireEvent.input(input(), { target: { value: 'release3_hotfixes' } });
    await waitFor(() =>
      expect(screen.getByTestId('step2-branch-name-error')).toHaveTextContent('differs only in letter case'),
    );
    expect(screen.queryByTestId('step2-conflict')).toBeNull();
    expect(screen.getByTestId('step2-create')).toBeDisabled();
    await fireEvent.click(screen.getByTestId('step2-use-suggestion'));
    await waitFor(() => expect(input().value).toBe('release3_hotfixes_2'));
  });

  it('creates the branch with the typed name and shows created vs reused', async () => {
    const created = resolvedRun({
      currentStep: 3,
      branch: { name: 'Release3_Hotfixes', objectId: RELEASE_SHA, outcome: 'created', webUrl: 'http://x/branch' },
    });
    const { calls, onrun, rerender } = setup(resolvedRun(), { hotfix_create_branch: () => created });
    await screen.findByTestId('step2-check-new');
    await fireEvent.click(screen.getByTestId('step2-create'));
    await waitFor(() => expect(onrun).toHaveBeenCalledWith(created));
    expect(calls.find((c) => c.cmd === 'hotfix_create_branch')?.args).toEqual({ runId: 'run-1', name: 'Release3_Hotfixes' });
    await rerender({ run: created, onrun, oncontinue: () => {}, debounceMs: 0 });
    expect(screen.getByTestId('step2-result')).toHaveTextContent('Branch Release3_Hotfixes created');
    expect(screen.getByTestId('step2-outcome')).toHaveAttribute('data-outcome', 'created');
    await rerender({ run: resolvedRun({ currentStep: 3, branch: { ...created.steps.branch.branch!, outcome: 'reused' } }), onrun, oncontinue: () => {}, debounceMs: 0 });
    expect(screen.getByTestId('step2-result')).toHaveTextContent('Branch Release3_Hotfixes reused');
  });

  it('on a conflict while creating, re-reads the name and offers another one', async () => {
    let exists = false;
    const { calls } = setup(resolvedRun(), {
      hotfix_check_branch_name: (a) => (exists ? taken((a.name as string | null) ?? 'Release3_Hotfixes') : checkFor(a.name as string | null)),
      hotfix_create_branch: () => {
        exists = true;
        throw appError('conflict', 'The branch Release3_Hotfixes already exists and points at c0ffee00.');
      },
    });
    await screen.findByTestId('step2-check-new');
    await fireEvent.click(screen.getByTestId('step2-create'));
    expect(await screen.findByTestId('step2-conflict-commit')).toHaveTextContent(OTHER_SHA);
    expect(screen.getByTestId('step2-use-suggestion')).toHaveTextContent('Use Release3_Hotfixes_2');
    expect(checks(calls)).toEqual([null, 'Release3_Hotfixes']);
  });

  it('shows other create errors by code with a retry', async () => {
    setup(resolvedRun(), {
      hotfix_create_branch: () => {
        throw appError('noPermission', 'You lack "Create branch" on synapse-analytics.');
      },
    });
    await screen.findByTestId('step2-check-new');
    await fireEvent.click(screen.getByTestId('step2-create'));
    const err = await screen.findByTestId('step2-create-error');
    expect(err).toHaveTextContent('No permission');
    expect(err).toHaveTextContent('Create branch');
    expect(screen.getByTestId('step2-create-error-retry')).toBeInTheDocument();
  });

  it('resumes a run that was creating a branch with the name it was creating', async () => {
    const { calls } = setup(resolvedRun({ branchIntent: 'Release3_Hotfixes_again' }));
    await waitFor(() => expect(input().value).toBe('Release3_Hotfixes_again'));
    expect(checks(calls)).toEqual(['Release3_Hotfixes_again']);
    expect(await screen.findByTestId('step2-check-reuse')).toBeInTheDocument();
  });

  it('shows an existing result without asking Azure DevOps again', async () => {
    const { calls } = setup(
      resolvedRun({ branch: { name: 'Release3_Hotfixes', objectId: RELEASE_SHA, outcome: 'reused' } }),
    );
    expect(await screen.findByTestId('step2-result')).toHaveTextContent('reused');
    expect(calls).toHaveLength(0);
  });

  it('waits for step 1 before offering anything', () => {
    setup(newRun());
    expect(screen.getByTestId('step2-needs-step1')).toBeInTheDocument();
    expect(screen.queryByTestId('step2-branch-input')).toBeNull();
  });

  it('accepts a typed refs/heads/ prefix, says it is added for the user, and creates the short name', async () => {
    const { calls } = setup(resolvedRun(), { hotfix_create_branch: () => resolvedRun() });
    await waitFor(() => expect(input().value).toBe('Release3_Hotfixes'));
    await fireEvent.input(input(), { target: { value: 'refs/heads/hotfix/x' } });
    const note = await screen.findByTestId('step2-prefix-note');
    await waitFor(() => expect(note).toHaveTextContent('"refs/heads/" is added for you: the branch is called hotfix/x.'));
    expect(await screen.findByTestId('step2-check-new')).toBeInTheDocument();
    expect(screen.getByTestId('step2-create')).toBeEnabled();
    await fireEvent.click(screen.getByTestId('step2-create'));
    await waitFor(() => expect(calls.some((c) => c.cmd === 'hotfix_create_branch')).toBe(true));
    expect(calls.find((c) => c.cmd === 'hotfix_create_branch')?.args.name).toBe('hotfix/x');
  });

  it('labels the button by what it will do: create a new branch or use the existing one', async () => {
    setup(resolvedRun());
    await waitFor(() => expect(input().value).toBe('Release3_Hotfixes'));
    expect(await screen.findByTestId('step2-check-new')).toBeInTheDocument();
    expect(screen.getByTestId('step2-create')).toHaveTextContent('Create branch');
    await fireEvent.input(input(), { target: { value: 'Release3_Hotfixes_again' } });
    expect(await screen.findByTestId('step2-check-reuse')).toBeInTheDocument();
    expect(screen.getByTestId('step2-create')).toHaveTextContent('Use existing branch');
  });
});
