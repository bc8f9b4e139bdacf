import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Step1Release from './Step1Release.svelte';
import {
  RELEASE_SHA,
  appError,
  mockCommands,
  newRun,
  productionReleases,
  resolvedRun,
} from './testing/fixtures';
import type { HotfixRun } from './types';

afterEach(() => {
  cleanup();
  clearMocks();
});

function setup(run: HotfixRun, handlers: Record<string, (a: Record<string, unknown>) => unknown> = {}) {
  const calls = mockCommands({
    hotfix_list_production_releases: () => productionReleases,
    open_url: () => null,
    ...handlers,
  });
  const onrun = vi.fn();
  const result = render(Step1Release, { run, onrun, oncontinue: () => {} });
  return { calls, onrun, ...result };
}

describe('Step 1 — what runs in production', () => {
  it('shows the release in production now with who deployed it, and older ones to pick', async () => {
    setup(newRun());
    const current = await screen.findByTestId('step1-current-release');
    expect(current).toHaveTextContent('Release-3');
    expect(current).toHaveTextContent('In production now');
    expect(current).toHaveTextContent('Dana Engineer');
    expect(current).toHaveTextContent('Nightly sales load');
    expect(screen.getByTestId('step1-release-2')).toHaveTextContent('Release-2');
    expect(screen.getByTestId('step1-release-radio-3')).toBeChecked();
  });

  it('sends the picked release and shows its source artifact and full commit', async () => {
    const { calls, onrun, rerender } = setup(newRun(), {
      hotfix_select_release: () => resolvedRun(),
    });
    await screen.findByTestId('step1-current-release');
    await fireEvent.click(screen.getByTestId('step1-release-radio-2'));
    await fireEvent.click(screen.getByTestId('step1-select'));
    await waitFor(() => expect(onrun).toHaveBeenCalled());
    expect(calls.find((c) => c.cmd === 'hotfix_select_release')?.args).toEqual({ runId: 'run-1', releaseId: 2 });

    await rerender({ run: onrun.mock.calls[0]![0] as HotfixRun, onrun, oncontinue: () => {} });
    expect(screen.getByTestId('step1-resolved-release')).toHaveTextContent('Release-3');
    expect(screen.getByTestId('step1-commit-sha')).toHaveTextContent(RELEASE_SHA);
    expect(RELEASE_SHA).toHaveLength(40);
    expect(screen.getByTestId('step1-commit-message')).toHaveTextContent('Add the sales pipeline');
    expect(screen.getByTestId('step1-commit-author')).toHaveTextContent('Dana Engineer');
    expect(screen.getByTestId('step1-artifact')).toHaveTextContent('_synapse-analytics');
    expect(screen.getByTestId('step1-continue')).toBeEnabled();
  });

  it('opens the commit in Azure DevOps through the back end, not the webview', async () => {
    const { calls } = setup(resolvedRun());
    await screen.findByTestId('step1-current-release');
    await fireEvent.click(screen.getByTestId('step1-commit-link'));
    await waitFor(() => expect(calls.some((c) => c.cmd === 'open_url')).toBe(true));
    expect(calls.find((c) => c.cmd === 'open_url')?.args.url).toContain(`/commit/${RELEASE_SHA}`);
  });

  it('asks which artifact holds the source when the back end cannot decide', async () => {
    const run = newRun({
      release: { id: 3, name: 'Release-3', definitionId: 1, definitionEnvironmentId: 2, wasCurrent: true },
      artifactChoice: {
        why: 'Two Git artifacts of the same repository on branches that are not the publish branch.',
        candidates: [
          { alias: '_src_a', artifactType: 'Git', branch: 'main', version: RELEASE_SHA, looksLike: 'source folders' },
          { alias: '_src_b', artifactType: 'Git', branch: 'release', version: 'b'.repeat(40) },
        ],
      },
    });
    const { calls, onrun } = setup(run, { hotfix_choose_artifact: () => resolvedRun() });
    const question = await screen.findByTestId('step1-artifact-choice');
    expect(question).toHaveTextContent('Two Git artifacts');
    const a = screen.getByTestId('step1-candidate-_src_a');
    expect(a).toHaveTextContent('_src_a');
    expect(a).toHaveTextContent('Git');
    expect(a).toHaveTextContent('main');
    expect(a).toHaveTextContent(RELEASE_SHA);
    expect(a).toHaveTextContent('source folders');
    expect(screen.getByTestId('step1-choose-artifact')).toBeDisabled();
    await fireEvent.click(screen.getByTestId('step1-candidate-radio-_src_b'));
    await fireEvent.click(screen.getByTestId('step1-choose-artifact'));
    await waitFor(() => expect(onrun).toHaveBeenCalled());
    expect(calls.find((c) => c.cmd === 'hotfix_choose_artifact')?.args).toEqual({ runId: 'run-1', alias: '_src_b' });
  });

  it('explains a release without a usable Git source where the user is looking', async () => {
    setup(newRun(), {
      hotfix_select_release: () => {
        throw appError('notFound', 'Release-3 has no Git or Build artifact of the repository synapse-analytics.');
      },
    });
    await screen.findByTestId('step1-current-release');
    await fireEvent.click(screen.getByTestId('step1-select'));
    const banner = await screen.findByTestId('step1-select-error');
    expect(banner).toHaveTextContent('Not found');
    expect(screen.getByTestId('step1-select-error-message')).toHaveTextContent('has no Git or Build artifact');
    expect(screen.getByTestId('step1-select-hint')).toHaveTextContent('Pick another release');
    expect(screen.queryByTestId('step1-resolved')).toBeNull();
  });

  it('warns when production moved to another release since this hotfix picked one', async () => {
    const run = resolvedRun();
    const moved = {
      current: { ...productionReleases.current!, releaseId: 4, releaseName: 'Release-4' },
      previous: [{ ...productionReleases.current!, isCurrent: false }],
    };
    setup(run, { hotfix_list_production_releases: () => moved });
    const banner = await screen.findByTestId('step1-production-moved');
    expect(banner).toHaveTextContent('production now runs Release-4');
  });

  it('shows an empty state when nothing was deployed to production', async () => {
    setup(newRun(), { hotfix_list_production_releases: () => ({ previous: [] }) });
    expect(await screen.findByTestId('step1-empty')).toHaveTextContent('Nothing deployed to production yet');
  });

  it('shows loading, then a load error by code with a retry that works', async () => {
    let fail = true;
    const { calls } = setup(newRun(), {
      hotfix_list_production_releases: () => {
        if (fail) throw appError('tokenRejected', 'Azure DevOps rejected the token (HTTP 401).');
        return productionReleases;
      },
    });
    expect(screen.getByTestId('step1-loading')).toBeInTheDocument();
    const banner = await screen.findByTestId('step1-load-error');
    expect(banner).toHaveTextContent('Azure DevOps rejected the token');
    fail = false;
    await fireEvent.click(screen.getByTestId('step1-load-error-retry'));
    expect(await screen.findByTestId('step1-current-release')).toBeInTheDocument();
    expect(calls.filter((c) => c.cmd === 'hotfix_list_production_releases')).toHaveLength(2);
  });
});
