// Issue #10 end to end in demo mode on the real window, from a hotfix deployed in part 2: the
// deployment confirmed (`toConfirmed()`: steps 1–6 on their screens), the merge-back pull requests
// opened in step 7 and main's completed in Azure DevOps; the history of the run still in progress
// with its deployment, the triggers as kept and the pull requests, exported as Markdown; step 8
// listing the demo's old hotfix branches (Release2_Hotfixes safe, Release1_Hotfixes kept with its
// reasons), deleting the safe one after the typed confirmation; Finish and the closing change
// record; the completed run in the history, exported as JSON.
import { browser, expect } from '@wdio/globals';
import fs from 'node:fs';
import { adoGet } from '../helpers/ado.js';
import { appHome } from '../helpers/app.js';
import { invoke } from '../helpers/demo.js';
import { byTestId, fill, textOf } from '../helpers/ui.js';
import { openDemoRuns, PROJECT, PROD_WORKSPACE, REPO, toConfirmed, type Demo } from '../helpers/wizard.js';

const SAFE = 'Release2_Hotfixes';
const KEEP = 'Release1_Hotfixes';
/** The demo's production triggers: one running, one stopped on purpose before the hotfix. */
const RUNNING_TRIGGER = 'tr_daily_0600';
const STOPPED_TRIGGER = 'tr_sales_file_arrival';

interface PullRequest {
  pullRequestId: number;
  targetRefName: string;
}

/** The branches of the demo repository named `name` (0 or 1). */
async function branchesNamed(demo: Demo, name: string): Promise<unknown[]> {
  const refs = await adoGet<{ value: { name: string }[] }>(
    demo.orgUrl,
    demo.pat,
    `${PROJECT}/_apis/git/repositories/${REPO}/refs`,
    { filter: `heads/${name}` },
  );
  return refs.value.filter((r) => r.name === `refs/heads/${name}`);
}

/** The merge-back pull requests of `branch`, whatever their status. */
async function pullRequestsOf(demo: Demo, branch: string): Promise<PullRequest[]> {
  const prs = await adoGet<{ value: PullRequest[] }>(
    demo.orgUrl,
    demo.pat,
    `${PROJECT}/_apis/git/repositories/${REPO}/pullrequests`,
    { 'searchCriteria.status': 'all', 'searchCriteria.sourceRefName': `refs/heads/${branch}` },
  );
  return prs.value;
}

/** The element's text with runs of white space made one space, as it reads on screen. */
async function lineOf(id: string): Promise<string> {
  return (await textOf(byTestId(id))).replace(/\s+/g, ' ');
}

/** Waits for the export banner and returns the written file's text. */
async function exportedText(): Promise<string> {
  const where = byTestId('history-exported-path');
  await where.waitForDisplayed({ timeout: 15_000 });
  const file = await textOf(where);
  expect(file.startsWith(appHome())).toBe(true);
  return fs.readFileSync(file, 'utf8');
}

describe('merge back, clean up and history of a deployed hotfix (demo)', () => {
  let demo: Demo;
  let runId = '';
  let branch = '';
  let fixSha = '';

  before(async () => {
    demo = await openDemoRuns();
    ({ branch, fixSha } = await toConfirmed(demo));
    const runs = await invoke<{ id: string }[]>('hotfix_list_runs', { includeFinished: false });
    expect(runs).toHaveLength(1);
    runId = runs[0]!.id;
  });

  it('step 7 opens one pull request per target for the deployed fix; main’s is completed', async () => {
    await byTestId('step6-continue').click();
    await byTestId('step7').waitForDisplayed({ timeout: 30_000 });
    await byTestId('step7-target-main').waitForDisplayed({ timeout: 60_000 });
    await byTestId('step7-preview').click();
    await byTestId('step7-preview-main').waitForDisplayed({ timeout: 60_000 });
    await expect(byTestId('step7-preview-main')).toHaveAttribute('data-state', 'clean');
    await byTestId('step7-open').click();
    await byTestId('step7-pr-main').waitForDisplayed({ timeout: 60_000 });
    await expect(byTestId('rail-step-7')).toHaveAttribute('data-state', 'done');
    const prs = await pullRequestsOf(demo, branch);
    expect(prs.map((p) => p.targetRefName).sort()).toEqual([
      'refs/heads/feature/customer-churn',
      'refs/heads/feature/sql-pool-views',
      'refs/heads/main',
    ]);
    // What the simulator's pull request page does when its Complete button is pressed.
    const main = prs.find((p) => p.targetRefName === 'refs/heads/main')!;
    const done = await fetch(`${demo.admin.adminUrl}/git/pullrequests/${main.pullRequestId}/complete`, { method: 'POST' });
    expect(done.status).toBe(200);
    await browser.waitUntil(
      async () => {
        await byTestId('step7-refresh').click();
        return (await byTestId('step7-pr-main').getAttribute('data-status')) === 'completed';
      },
      { timeout: 30_000, interval: 2_000, timeoutMsg: 'main’s pull request never showed as completed' },
    );
    await byTestId('step7-continue').click();
    await byTestId('step8').waitForDisplayed({ timeout: 15_000 });
  });

  it('the history shows the run in progress with its deployment, triggers and pull requests', async () => {
    await byTestId('nav-history').click();
    await byTestId('history-screen').waitForDisplayed();
    const item = byTestId(`history-item-${runId}`);
    await item.waitForDisplayed({ timeout: 15_000 });
    await expect(item).toHaveAttribute('data-status', 'active');
    expect(await textOf(item)).toContain(`Hotfix of Release-3 in ${PROD_WORKSPACE}`);
    await byTestId(`history-open-${runId}`).click();
    expect(await textOf(byTestId('history-fact-branch'))).toContain(branch);
    await expect(byTestId('history-deployment-result')).toHaveAttribute('data-result', 'succeeded');
    expect(await textOf(byTestId('history-confirmed-by'))).not.toContain('not confirmed yet');
    expect(await lineOf(`history-trigger-${RUNNING_TRIGGER}`)).toContain(
      'Started → stopped for the deployment → Started',
    );
    const kept = await lineOf(`history-trigger-${STOPPED_TRIGGER}`);
    expect(kept).toContain('Stopped → Stopped');
    expect(kept).not.toContain('stopped for the deployment');
    await expect(byTestId(`history-trigger-${STOPPED_TRIGGER}`)).toHaveAttribute('data-kept', 'true');
    expect(await lineOf('history-merged')).toContain('into main: completed');

    await byTestId('history-export-md').click();
    const md = await exportedText();
    expect(md.split('\n')[0]).toBe(`# Hotfix of Release-3 in ${PROD_WORKSPACE}`);
    expect(md).toContain('| Status | In progress — at step 8: Clean up |');
    expect(md).toMatch(
      new RegExp(`\\| Hotfix branch \\| \\[${branch}\\]\\(<http://127\\.0\\.0\\.1:\\d+/contoso/DataPlatform/_git/synapse-analytics\\?version=GB${branch}>\\) \\|`),
    );
    expect(md).toContain(`\`${fixSha.slice(0, 8)}\``);
    expect(md).toMatch(new RegExp(`to \`${PROD_WORKSPACE}\`: \\*\\*succeeded\\*\\*, started [^,]+, took \\d+`));
    expect(md).toContain(`Deployed commit \`${fixSha.slice(0, 8)}\`.`);
    expect(md).not.toContain('Confirmed by: not confirmed yet.');
    expect(md).toContain(`- \`${RUNNING_TRIGGER}\`: Started → stopped for the deployment → Started`);
    expect(md).toContain(`- \`${STOPPED_TRIGGER}\`: Stopped → Stopped`);
    expect(md).toMatch(/into `main`: completed/);
    expect(md).toMatch(/into `feature\/customer-churn`: active/);
  });

  it('step 8 lists the old hotfix branches: one safe to delete, one kept with every reason', async () => {
    await byTestId('history-continue').click();
    await byTestId('step8').waitForDisplayed({ timeout: 15_000 });
    await byTestId('cleanup-table').waitForDisplayed({ timeout: 30_000 });
    expect(await textOf(byTestId('step8-current'))).toContain('In production: ');
    await expect(byTestId(`cleanup-row-${SAFE}`)).toHaveAttribute('data-safe', 'true');
    expect(await textOf(byTestId(`cleanup-verdict-${SAFE}`))).toContain('Safe to delete');
    expect(await textOf(byTestId(`cleanup-release-${SAFE}`))).toContain('Release-2');
    await expect(byTestId(`cleanup-row-${KEEP}`)).toHaveAttribute('data-safe', 'false');
    const reasons = await textOf(byTestId(`cleanup-reasons-${KEEP}`));
    expect(reasons).toContain('1 commit(s) on this branch are not in main');
    expect(reasons).toContain('Active pull request !1');
    await expect(byTestId(`cleanup-pick-${KEEP}`)).toBeDisabled();
    // The run's own hotfix branch is never offered for deletion.
    await expect(byTestId(`cleanup-row-${branch}`)).not.toBeExisting();
  });

  it('deletes the safe branch only after typing "delete", and only that one', async () => {
    await byTestId(`cleanup-pick-${SAFE}`).click();
    await byTestId('step8-delete').click();
    const dialog = byTestId('cleanup-delete-dialog');
    await dialog.waitForDisplayed();
    await expect(byTestId('cleanup-delete-dialog-confirm')).toBeDisabled();
    await fill('cleanup-delete-typed', 'delete');
    await byTestId('cleanup-delete-dialog-confirm').click();
    const result = byTestId(`step8-result-${SAFE}`);
    await result.waitForDisplayed({ timeout: 30_000 });
    expect(await textOf(result)).toContain(`${SAFE} deleted`);
    await expect(byTestId(`cleanup-row-${SAFE}`)).not.toBeExisting();
    expect(await textOf(byTestId('step8-deleted'))).toContain(SAFE);
    expect(await branchesNamed(demo, SAFE)).toHaveLength(0);
    expect(await branchesNamed(demo, KEEP)).toHaveLength(1);
    expect(await branchesNamed(demo, branch)).toHaveLength(1);
  });

  it('Finish completes the run and shows the change record, copyable as Markdown', async () => {
    await byTestId('step8-finish').click();
    const title = byTestId('run-summary-title');
    await title.waitForDisplayed({ timeout: 30_000 });
    expect(await textOf(title)).toBe(`Hotfix of Release-3 in ${PROD_WORKSPACE}`);
    await expect(byTestId('run-summary-done')).toBeDisplayed();
    expect(await textOf(byTestId('history-fact-who'))).toMatch(/\S+/);
    await expect(byTestId('history-deployment-result')).toHaveAttribute('data-result', 'succeeded');
    expect(await lineOf('history-merged')).toContain('into feature/sql-pool-views: active');
    expect(await textOf(byTestId('history-cleanup'))).toContain(`Deleted ${SAFE} of Release-2`);
    await byTestId('run-summary-copy').click();
    await browser.waitUntil(
      async () => (await textOf(byTestId('toaster'))).includes('copied as Markdown'),
      { timeout: 10_000, timeoutMsg: 'no confirmation that the change record was copied' },
    );
    const runs = await invoke<{ id: string }[]>('hotfix_list_runs', { includeFinished: false });
    expect(runs).toHaveLength(0);
  });

  it('the history lists the completed run and exports it as JSON with its links', async () => {
    await byTestId('run-summary-history').click();
    await byTestId('history-screen').waitForDisplayed();
    await byTestId('history-filter-status').selectByAttribute('value', 'completed');
    await byTestId(`history-item-${runId}`).waitForDisplayed();
    await expect(byTestId(`history-item-${runId}`)).toHaveAttribute('data-status', 'completed');
    await byTestId('history-export-json').click();
    const doc = JSON.parse(await exportedText()) as { format: string; entries: Record<string, unknown>[] };
    expect(doc.format).toBe('synapse-hotfix-history');
    const entry = doc.entries[0] as {
      runId: string;
      status: string;
      hotfixBranch: { name: string; webUrl: string };
      release: { name: string; webUrl: string };
      deployment: { result: string; releaseName: string; commitId: string; durationSeconds: number };
      triggerChanges: { trigger: string; before: string; after: string; stoppedForDeployment: boolean }[];
      pullRequests: { targetBranch: string; status: string; webUrl: string }[];
      cleanup: { deleted: { name: string }[] };
    };
    expect(entry.runId).toBe(runId);
    expect(entry.status).toBe('completed');
    expect(entry.release.name).toBe('Release-3');
    expect(entry.release.webUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(entry.hotfixBranch.webUrl).toContain(`version=GB${branch}`);
    expect(entry.deployment.result).toBe('succeeded');
    expect(entry.deployment.commitId).toBe(fixSha);
    expect(entry.deployment.durationSeconds).toBeGreaterThanOrEqual(0);
    const stopped = entry.triggerChanges.find((t) => t.trigger === STOPPED_TRIGGER);
    expect(stopped).toEqual({ trigger: STOPPED_TRIGGER, before: 'Stopped', after: 'Stopped', stoppedForDeployment: false });
    expect(entry.pullRequests.map((p) => `${p.targetBranch}:${p.status}`).sort()).toEqual([
      'feature/customer-churn:active',
      'feature/sql-pool-views:active',
      'main:completed',
    ]);
    expect(entry.pullRequests.every((p) => /\/pullrequest\/\d+$/.test(p.webUrl))).toBe(true);
    expect(entry.cleanup.deleted.map((d) => d.name)).toEqual([SAFE]);
  });
});
