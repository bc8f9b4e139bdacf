// Issue #10, step 7 of a hotfix in demo mode: from a confirmed deployment, the targets (main and
// the two feature branches) with the fix marked missing, a colleague's conflicting change on a
// feature branch shown in the conflict preview as the Synapse pipeline it is, one pull request per
// target opened with its link and merge status, main's completed in Azure DevOps and read again,
// and the run list and profile card saying "not merged back" for the branches still waiting.
import fs from 'node:fs';
import path from 'node:path';
import { browser, expect } from '@wdio/globals';
import { adoGet, fileOnBranch } from '../helpers/ado.js';
import { appHome } from '../helpers/app.js';
import { invoke } from '../helpers/demo.js';
import { byTestId, textOf } from '../helpers/ui.js';
import { openDemoRuns, PIPELINE, PROJECT, REPO, toConfirmed, type Demo } from '../helpers/wizard.js';

const CHURN = 'feature/customer-churn';

interface PullRequest {
  pullRequestId: number;
  targetRefName: string;
  mergeStatus: string;
}

describe('merge back, step 7 (demo)', () => {
  let demo: Demo;
  let runId = '';
  let branch = '';

  before(async () => {
    demo = await openDemoRuns();
    ({ branch } = await toConfirmed(demo));
    const runs = await invoke<{ id: string }[]>('hotfix_list_runs', { includeFinished: false });
    expect(runs).toHaveLength(1);
    runId = runs[0]!.id;
    await byTestId('step6-continue').click();
    await byTestId('step7').waitForDisplayed({ timeout: 30_000 });
  });

  it('lists main and the two feature branches, each missing the fix, and ticks them', async () => {
    await byTestId('step7-target-main').waitForDisplayed({ timeout: 60_000 });
    for (const id of ['main', 'feature-customer-churn', 'feature-sql-pool-views']) {
      const row = byTestId(`step7-target-${id}`);
      await expect(row).toHaveAttribute('data-contains-fix', 'false');
      expect(await textOf(byTestId(`step7-target-${id}-counts`))).toMatch(/1 hotfix commit missing/);
      await expect(byTestId(`step7-target-${id}-check`)).toBeSelected();
    }
    expect(await textOf(byTestId('step7-target-main'))).toContain('Collaboration branch');
    // The app's copy of the repository is in its cache folder.
    expect(fs.existsSync(path.join(appHome(), 'cache', 'git'))).toBe(true);
  });

  it('shows a colleague’s conflicting change on a feature branch as the pipeline it is', async () => {
    const file = `pipeline/${PIPELINE}.json`;
    const theirs = JSON.parse(await fileOnBranch(demo.orgUrl, demo.pat, PROJECT, REPO, CHURN, `/${file}`));
    theirs.properties.description = 'Churn: the copy feeds the churn model';
    await demo.admin.pushFiles({ branch: CHURN, message: 'Describe the copy for churn', files: { [file]: theirs } });

    await byTestId('step7-preview').click();
    const churn = byTestId('step7-preview-feature-customer-churn');
    await churn.waitForDisplayed({ timeout: 60_000 });
    await expect(churn).toHaveAttribute('data-state', 'conflicts');
    expect(await textOf(byTestId('step7-preview-feature-customer-churn-conflict'))).toContain(`Pipeline ${PIPELINE}`);
    await expect(byTestId('step7-preview-main')).toHaveAttribute('data-state', 'clean');
    await expect(byTestId('step7-preview-feature-sql-pool-views')).toHaveAttribute('data-state', 'clean');
  });

  it('opens one pull request per target with its link and the merge status Azure DevOps computed', async () => {
    await byTestId('step7-open').click();
    await byTestId('step7-pr-main').waitForDisplayed({ timeout: 60_000 });
    await expect(byTestId('rail-step-7')).toHaveAttribute('data-state', 'done');
    const prs = await adoGet<{ value: PullRequest[] }>(
      demo.orgUrl,
      demo.pat,
      `${PROJECT}/_apis/git/repositories/${REPO}/pullrequests`,
      // The demo has pull requests of older hotfix branches too.
      { 'searchCriteria.status': 'all', 'searchCriteria.sourceRefName': `refs/heads/${branch}` },
    );
    expect(prs.value.map((p) => p.targetRefName).sort()).toEqual([
      'refs/heads/feature/customer-churn',
      'refs/heads/feature/sql-pool-views',
      'refs/heads/main',
    ]);
    // The merge status is read again until the service has computed it.
    await browser.waitUntil(
      async () => (await byTestId('step7-pr-feature-customer-churn').getAttribute('data-merge-status')) === 'conflicts',
      { timeout: 60_000, timeoutMsg: 'the churn pull request never showed its conflicts' },
    );
    await byTestId('step7-refresh').click();
    await expect(byTestId('step7-pr-main')).toHaveAttribute('data-merge-status', 'succeeded');
    const link = byTestId('step7-pr-main-link');
    expect(String(await link.getAttribute('href'))).toMatch(/\/_git\/synapse-analytics\/pullrequest\/\d+$/);
    expect(await textOf(byTestId('step7-done'))).toContain('Not merged back yet');
  });

  it('main’s pull request completed in Azure DevOps shows as completed after a refresh', async () => {
    const prs = await adoGet<{ value: PullRequest[] }>(
      demo.orgUrl,
      demo.pat,
      `${PROJECT}/_apis/git/repositories/${REPO}/pullrequests`,
      { 'searchCriteria.targetRefName': 'refs/heads/main', 'searchCriteria.sourceRefName': `refs/heads/${branch}` },
    );
    const id = prs.value[0]!.pullRequestId;
    // What the simulator's pull request page does when its Complete button is pressed.
    const done = await fetch(`${demo.admin.adminUrl}/git/pullrequests/${id}/complete`, { method: 'POST' });
    expect(done.status).toBe(200);
    // The app reads the pull requests at most once per 5 s.
    await browser.waitUntil(
      async () => {
        await byTestId('step7-refresh').click();
        return (await byTestId('step7-pr-main').getAttribute('data-status')) === 'completed';
      },
      { timeout: 30_000, interval: 2_000, timeoutMsg: 'main’s pull request never showed as completed' },
    );
    expect(await textOf(byTestId('step7-done'))).not.toContain('Waiting for main');
  });

  it('the run list and the profile card say the hotfix is not merged back', async () => {
    await byTestId('wizard-back').click();
    const mark = byTestId(`run-item-${runId}-not-merged`);
    await mark.waitForDisplayed({ timeout: 30_000 });
    expect(await textOf(mark)).toContain('feature/customer-churn');
    expect(await textOf(mark)).not.toContain('main');
    await byTestId('runs-back').click();
    const card = byTestId('profile-not-merged');
    await card.waitForDisplayed({ timeout: 30_000 });
    expect(await textOf(card)).toContain('Not merged back');
  });
});
