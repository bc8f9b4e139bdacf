// Issue #4, steps 1–3 of a hotfix in demo mode, with the app closed and reopened half-way:
// find Release-3 and its full source commit, create the hotfix branch from it, push a fix as
// Synapse Studio would, and see the commit, the changed artifact and the deploy plan.
import { $, browser, expect } from '@wdio/globals';
import { lsRemote } from '../helpers/ado.js';
import { byTestId, textOf } from '../helpers/ui.js';
import {
  PIPELINE,
  PROJECT,
  REPO,
  completeFix,
  createBranch,
  openDemoRuns,
  pushPipelineFix,
  releaseCommit,
  resolveRelease,
  startRun,
  waitForFix,
  type Demo,
} from '../helpers/wizard.js';

describe('hotfix wizard (demo)', () => {
  let demo: Demo;
  let releaseSha = '';
  let branch = '';
  let runId = '';
  let fixSha = '';

  before(async () => {
    demo = await openDemoRuns();
    releaseSha = await releaseCommit(demo.admin, 'Release-3');
  });

  it('step 1 shows Release-3 in production and resolves its full source commit', async () => {
    await startRun();
    const current = byTestId('step1-current-release');
    expect(await textOf(current.$('[data-testid="step1-release-name"]'))).toBe('Release-3');

    await resolveRelease();
    expect(await textOf(byTestId('step1-resolved-release'))).toBe('Release-3');
    const sha = await textOf(byTestId('step1-commit-sha'));
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(sha).toBe(releaseSha);
    // main has moved on since Release-3: the hotfix must not start from it.
    expect(lsRemote(`${demo.orgUrl}/${PROJECT}/_git/${REPO}`, demo.pat).get('refs/heads/main')).not.toBe(releaseSha);
  });

  it('step 2 creates the hotfix branch at that commit', async () => {
    branch = await createBranch();
    expect(branch).not.toBe('');
    await expect(byTestId('step2-outcome')).toHaveAttribute('data-outcome', 'created');

    const refs = lsRemote(`${demo.orgUrl}/${PROJECT}/_git/${REPO}`, demo.pat);
    expect(refs.get(`refs/heads/${branch}`)).toBe(releaseSha);
  });

  it('after a restart the run continues at step 3 on the same branch', async () => {
    demo = await openDemoRuns();
    const cont = $('[data-testid^="run-continue-"]');
    await cont.waitForDisplayed();
    runId = String(await cont.getAttribute('data-testid')).replace('run-continue-', '');
    await expect(byTestId(`run-item-${runId}-step`)).toHaveText(expect.stringContaining('Step 3'));
    await cont.click();
    await byTestId('step3').waitForDisplayed({ timeout: 30_000 });
    expect(await textOf(byTestId('step3-branch-name'))).toBe(branch);
    await expect(byTestId('rail-step-1')).toHaveAttribute('data-state', 'done');
    await expect(byTestId('rail-step-2')).toHaveAttribute('data-state', 'done');
    await expect(byTestId('step3-no-commits')).toBeDisplayed();
  });

  it('step 3 sees a fix pushed to the branch, what it changes, and the deploy plan', async () => {
    // Edit the pipeline on the hotfix branch, as Synapse Studio does when the user saves.
    fixSha = await pushPipelineFix(demo, branch);
    await waitForFix(fixSha);
    await expect(byTestId('step3-commit-count')).toHaveText(expect.stringContaining('1 commit'));

    const change = byTestId(`step3-change-pipeline-${PIPELINE}`);
    await change.waitForDisplayed({ timeout: 30_000 });
    const planUpdate = byTestId('step3-plan-update');
    await planUpdate.waitForDisplayed();
    expect(await textOf(planUpdate)).toContain(PIPELINE);
    await expect(byTestId('step3-plan-delete')).not.toBeExisting();
  });

  it('keeps the fix and the plan across another restart, then records the fix', async () => {
    demo = await openDemoRuns();
    await byTestId(`run-continue-${runId}`).click();
    await byTestId('step3').waitForDisplayed({ timeout: 30_000 });
    await byTestId('step3-commit-item', `[data-commit="${fixSha}"]`).waitForDisplayed();
    expect(await textOf(byTestId('step3-plan-update'))).toContain(PIPELINE);

    await completeFix();
    expect(await browser.execute(() => document.title)).toBe('Synapse Hotfix');
  });
});
