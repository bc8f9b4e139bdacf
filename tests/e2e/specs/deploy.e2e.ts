// Issue #9, steps 5 and 6 in demo mode: from the hotfix pipeline of step 4 through the review of
// production, a wrong workspace name (nothing happens), the typed confirmation, the live progress
// of the stage, and the confirmation of every point. Then a fix that breaks an artifact: its
// deployment fails at validation, the failing log line is shown, explained, and a rollback is
// offered.
import { browser, expect } from '@wdio/globals';
import { byTestId, allByTestId, textOf } from '../helpers/ui.js';
import {
  PROD_WORKSPACE,
  PROJECT,
  REPO,
  createPipeline,
  openDemoRuns,
  completeFix,
  createBranch,
  pushPipelineFix,
  reachFixedBranch,
  resolveRelease,
  startRun,
  waitForFix,
  reviewProduction,
  typeAndDeploy,
  waitForDeployment,
  type Demo,
} from '../helpers/wizard.js';
import { invoke } from '../helpers/demo.js';
import { fileOnBranch } from '../helpers/ado.js';

describe('deploy and confirm, steps 5–6 (demo)', () => {
  let demo: Demo;

  before(async () => {
    demo = await openDemoRuns();
    await reachFixedBranch(demo);
    await createPipeline();
  });

  it('reviews production: the plan, the pre-flight and what production will receive', async () => {
    await reviewProduction();
    await expect(byTestId('step3-plan')).toBeDisplayed();
    await expect(byTestId('step4-preflight-report')).toBeDisplayed();
    await expect(byTestId('step5-review-time')).toBeDisplayed();
  });

  it('a wrong workspace name does nothing and says what to type', async () => {
    const before = (await demo.admin.journal()).filter((e) => e.method === 'POST' && /release\/releases/i.test(e.path));
    await typeAndDeploy('contoso-synapse-dev');
    const field = byTestId('step5-typed-input');
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    const after = (await demo.admin.journal()).filter((e) => e.method === 'POST' && /release\/releases/i.test(e.path));
    expect(after.length).toBe(before.length);
    await expect(byTestId('deploy-progress')).not.toBeExisting();
  });

  it('deploys after the typed confirmation with live progress and a log tail', async () => {
    await typeAndDeploy(PROD_WORKSPACE);
    await byTestId('deploy-progress').waitForDisplayed({ timeout: 30_000 });
    await browser.waitUntil(async () => (await allByTestId('deploy-task').length) > 2, {
      timeout: 60_000,
      timeoutMsg: 'no tasks shown',
    });
    await byTestId('deploy-log').waitForDisplayed({ timeout: 60_000 });
    const result = await waitForDeployment();
    expect(result).toMatch(/succeeded/i);
    const posts = (await demo.admin.journal()).filter((e) => e.method === 'POST' && /release\/releases/i.test(e.path));
    expect(posts).toHaveLength(1);
  });

  it('confirms production point by point', async () => {
    await byTestId('step5-continue').click();
    await byTestId('step6-done').waitForDisplayed({ timeout: 60_000 });
    for (const id of ['stage', 'triggers', 'artifacts', 'mainHead']) {
      await expect(byTestId(`step6-check-${id}`)).toHaveAttribute('data-outcome', 'pass');
    }
    await expect(byTestId('rail-step-6')).toHaveAttribute('data-state', 'done');
  });
});

describe('a failing deployment (demo, broken artifact)', () => {
  let demo: Demo;

  before(async () => {
    // A fresh demo organization, and the confirmed hotfix of the first part put aside.
    for (const r of await invoke<{ id: string }[]>('hotfix_list_runs', { includeFinished: false })) {
      await invoke('hotfix_abandon_run', { runId: r.id });
    }
    await invoke('demo_reset');
    demo = await openDemoRuns();
    await startRun();
    await resolveRelease();
    const branch = await createBranch();
    await byTestId('step2-continue').click();
    await byTestId('step3').waitForDisplayed({ timeout: 30_000 });
    // The fix also brings the broken pipeline of the seed's demo/broken-artifact branch: it refers
    // to a dataset that does not exist, so the deployment's validation fails.
    const path = 'pipeline/pl_ingest_returns.json';
    const broken = JSON.parse(await fileOnBranch(demo.orgUrl, demo.pat, PROJECT, REPO, 'demo/broken-artifact', `/${path}`));
    await pushPipelineFix(demo, branch);
    const sha = await demo.admin.pushFiles({ branch, message: 'Add pl_ingest_returns', files: { [path]: broken } });
    await waitForFix(sha);
    await completeFix();
    await createPipeline();
    await reviewProduction();
  });

  it('fails at validation, shows the failing log line explained, and offers the rollback', async () => {
    await typeAndDeploy(PROD_WORKSPACE);
    const result = await waitForDeployment();
    expect(result).toMatch(/failed/i);
    await byTestId('step5-continue').click();
    await byTestId('step6-failure').waitForDisplayed({ timeout: 60_000 });
    expect(await textOf(byTestId('step6-failure-first-error'))).toContain('ds_raw_returns_csv');
    await expect(byTestId('step6-explanation', '[data-code="Validation failed"]')).toBeDisplayed();
    await expect(byTestId('step6-rollback')).toBeDisplayed();
    await byTestId('step6-rollback').click();
    await byTestId('rollback-dialog').waitForDisplayed();
    await expect(byTestId('rollback-typed-input')).toBeDisplayed();
    await byTestId('rollback-dialog-cancel').click();
  });
});
