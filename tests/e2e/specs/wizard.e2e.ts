// Issue #4, steps 1–3 of a hotfix in demo mode, with the app closed and reopened half-way:
// find Release-3 and its full source commit, create the hotfix branch from it, push a fix as
// Synapse Studio would, and see the commit, the changed artifact and the deploy plan.
import { $, browser, expect } from '@wdio/globals';
import { restartApp } from '../helpers/app.js';
import { fileOnBranch, lsRemote } from '../helpers/ado.js';
import { demoAdmin, demoPat, demoStatus } from '../helpers/demo.js';
import type { SimAdmin } from '../helpers/sim.js';
import { byTestId, textOf } from '../helpers/ui.js';

const PROJECT = 'DataPlatform';
const REPO = 'synapse-analytics';
const PIPELINE = 'pl_ingest_sales';

interface StateRelease {
  name: string;
  artifacts: { alias: string; definition_reference: { version?: { id?: string } } }[];
}

/** The source commit the simulator deployed as `name` (alias `_synapse-analytics`). */
async function releaseCommit(admin: SimAdmin, name: string): Promise<string> {
  const state = await admin.state<{ release: { releases: Record<string, StateRelease> } }>();
  const release = Object.values(state.release.releases).find((r) => r.name === name);
  const artifact = release?.artifacts.find((a) => a.alias === `_${REPO}`);
  const sha = artifact?.definition_reference.version?.id;
  if (!sha) throw new Error(`the simulator has no ${name} with a _${REPO} artifact`);
  return sha;
}

/** The demo simulator as the app runs it now (it gets a new port each time the app starts). */
interface Demo {
  admin: SimAdmin;
  orgUrl: string;
  pat: string;
}

/** Restarts the app with --demo (same home), waits for the runs screen, returns its simulator. */
async function openDemoRuns(): Promise<Demo> {
  await restartApp({ args: ['--demo'] });
  await byTestId('runs-screen').waitForDisplayed({ timeout: 60_000 });
  const status = await demoStatus();
  return {
    admin: await demoAdmin(),
    orgUrl: status.organizationUrl!,
    pat: await demoPat(),
  };
}

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
    await byTestId('runs-start').click();
    await byTestId('wizard-screen').waitForDisplayed();
    await byTestId('step1').waitForDisplayed();
    const current = byTestId('step1-current-release');
    await current.waitForDisplayed({ timeout: 30_000 });
    expect(await textOf(current.$('[data-testid="step1-release-name"]'))).toBe('Release-3');

    await byTestId('step1-select').click();
    await byTestId('step1-resolved').waitForDisplayed({ timeout: 30_000 });
    expect(await textOf(byTestId('step1-resolved-release'))).toBe('Release-3');
    const sha = await textOf(byTestId('step1-commit-sha'));
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(sha).toBe(releaseSha);
    // main has moved on since Release-3: the hotfix must not start from it.
    expect(lsRemote(`${demo.orgUrl}/${PROJECT}/_git/${REPO}`, demo.pat).get('refs/heads/main')).not.toBe(releaseSha);
  });

  it('step 2 creates the hotfix branch at that commit', async () => {
    await byTestId('step1-continue').click();
    await byTestId('step2').waitForDisplayed();
    const input = byTestId('step2-branch-input');
    await input.waitForDisplayed({ timeout: 30_000 });
    await byTestId('step2-check-new').waitForDisplayed({ timeout: 30_000 });
    branch = String(await input.getValue());
    expect(branch).not.toBe('');
    await byTestId('step2-create').click();
    await byTestId('step2-result').waitForDisplayed({ timeout: 30_000 });
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
    const path = `pipeline/${PIPELINE}.json`;
    const pipeline = JSON.parse(await fileOnBranch(demo.orgUrl, demo.pat, PROJECT, REPO, branch, `/${path}`));
    pipeline.properties.description = 'Hotfix: skip order lines without a customer';
    fixSha = await demo.admin.pushFiles({
      branch,
      message: `Fix ${PIPELINE}: skip order lines without a customer`,
      files: { [path]: pipeline },
    });

    await byTestId('step3-check-now').click();
    const item = byTestId('step3-commit-item', `[data-commit="${fixSha}"]`);
    await item.waitForDisplayed({ timeout: 30_000 });
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

    const ack = byTestId('step3-acknowledge');
    if (await ack.isExisting()) await ack.click();
    await byTestId('step3-complete').click();
    await expect(byTestId('rail-step-3')).toHaveAttribute('data-state', 'done');
    expect(await browser.execute(() => document.title)).toBe('Synapse Hotfix');
  });
});
