// Issue #10 §3–5 in demo mode on the real window: the history of an unfinished run and its
// Markdown export; step 8 listing the demo's old hotfix branches (Release2_Hotfixes safe,
// Release1_Hotfixes kept with its reasons), deleting the safe one after the typed confirmation;
// Finish and the closing change record; the completed run in the history, exported as JSON.
//
// Steps 4–7 are not walked here: step 4 has its own spec, and steps 5–7 are built in parallel
// (issue 9, issue 10 §1–2). Until their screens land, the run is moved past them the way the
// core's own tests do it — through the saved run file (the app reads runs from disk for every
// action) — and step 8 reads nothing they record. When they land, `toConfirmed()` and the step-7
// screen replace `markStepsDone`.
import { browser, expect } from '@wdio/globals';
import fs from 'node:fs';
import path from 'node:path';
import { adoGet } from '../helpers/ado.js';
import { appHome } from '../helpers/app.js';
import { invoke } from '../helpers/demo.js';
import { byTestId, fill, textOf } from '../helpers/ui.js';
import { openDemoRuns, PROJECT, reachFixedBranch, REPO, type Demo } from '../helpers/wizard.js';

const SAFE = 'Release2_Hotfixes';
const KEEP = 'Release1_Hotfixes';

interface RunFile {
  currentStep: string;
  progress: { id: string; state: string }[];
}

/** Marks steps 4–7 done and step 8 active in the run file, as a run that deployed would be. */
function markStepsDone(runId: string): void {
  const file = path.join(appHome(), 'data', 'runs', `${runId}.json`);
  const run = JSON.parse(fs.readFileSync(file, 'utf8')) as RunFile;
  for (const step of run.progress) {
    if (['pipeline', 'deploy', 'confirm', 'mergeBack'].includes(step.id)) step.state = 'done';
    if (step.id === 'cleanup') step.state = 'active';
  }
  run.currentStep = 'cleanup';
  fs.writeFileSync(file, JSON.stringify(run, null, 2));
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

/** Waits for the export banner and returns the written file's text. */
async function exportedText(): Promise<string> {
  const where = byTestId('history-exported-path');
  await where.waitForDisplayed({ timeout: 15_000 });
  const file = await textOf(where);
  expect(file.startsWith(appHome())).toBe(true);
  return fs.readFileSync(file, 'utf8');
}

describe('clean up and history (demo)', () => {
  let demo: Demo;
  let runId = '';

  before(async () => {
    demo = await openDemoRuns();
    await reachFixedBranch(demo);
    const runs = await invoke<{ id: string }[]>('hotfix_list_runs', { includeFinished: false });
    expect(runs).toHaveLength(1);
    runId = runs[0]!.id;
  });

  it('the history shows the unfinished run and exports it as a Markdown change record', async () => {
    await byTestId('nav-history').click();
    await byTestId('history-screen').waitForDisplayed();
    const item = byTestId(`history-item-${runId}`);
    await item.waitForDisplayed({ timeout: 15_000 });
    await expect(item).toHaveAttribute('data-status', 'active');
    expect(await textOf(item)).toContain('Hotfix of Release-3 in contoso-synapse-prod');
    await byTestId(`history-open-${runId}`).click();
    expect(await textOf(byTestId('history-fact-branch'))).toContain('Release3_Hotfixes');
    await byTestId('history-export-md').click();
    const md = await exportedText();
    expect(md.split('\n')[0]).toBe('# Hotfix of Release-3 in contoso-synapse-prod');
    expect(md).toContain('| Status | In progress — at step 4: Hotfix pipeline |');
    expect(md).toMatch(/\| Hotfix branch \| \[Release3_Hotfixes\]\(<http:\/\/127\.0\.0\.1:\d+\/contoso\/DataPlatform\/_git\/synapse-analytics\?version=GBRelease3_Hotfixes>\) \|/);
    expect(md).toContain('## What was fixed');
    expect(md).toContain('Not deployed by this run.');
  });

  it('step 8 lists the old hotfix branches: one safe to delete, one kept with every reason', async () => {
    markStepsDone(runId);
    await byTestId('history-continue').click();
    await byTestId('step8').waitForDisplayed({ timeout: 15_000 });
    await byTestId('cleanup-table').waitForDisplayed({ timeout: 30_000 });
    expect(await textOf(byTestId('step8-current'))).toContain('In production: Release-3');
    await expect(byTestId(`cleanup-row-${SAFE}`)).toHaveAttribute('data-safe', 'true');
    expect(await textOf(byTestId(`cleanup-verdict-${SAFE}`))).toContain('Safe to delete');
    expect(await textOf(byTestId(`cleanup-release-${SAFE}`))).toContain('Release-2');
    await expect(byTestId(`cleanup-row-${KEEP}`)).toHaveAttribute('data-safe', 'false');
    const reasons = await textOf(byTestId(`cleanup-reasons-${KEEP}`));
    expect(reasons).toContain('1 commit(s) on this branch are not in main');
    expect(reasons).toContain('Active pull request !1');
    await expect(byTestId(`cleanup-pick-${KEEP}`)).toBeDisabled();
    await expect(byTestId('cleanup-row-Release3_Hotfixes')).not.toBeExisting();
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
    expect(await branchesNamed(demo, 'Release3_Hotfixes')).toHaveLength(1);
  });

  it('Finish completes the run and shows the change record, copyable as Markdown', async () => {
    await byTestId('step8-finish').click();
    const title = byTestId('run-summary-title');
    await title.waitForDisplayed({ timeout: 30_000 });
    expect(await textOf(title)).toBe('Hotfix of Release-3 in contoso-synapse-prod');
    await expect(byTestId('run-summary-done')).toBeDisplayed();
    expect(await textOf(byTestId('history-fact-who'))).toMatch(/\S+/);
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
      cleanup: { deleted: { name: string }[] };
    };
    expect(entry.runId).toBe(runId);
    expect(entry.status).toBe('completed');
    expect(entry.release.name).toBe('Release-3');
    expect(entry.release.webUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(entry.hotfixBranch.webUrl).toContain('version=GBRelease3_Hotfixes');
    expect(entry.cleanup.deleted.map((d) => d.name)).toEqual([SAFE]);
  });
});
