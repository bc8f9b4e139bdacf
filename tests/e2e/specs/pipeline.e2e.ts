// Issue #8, step 4 of a hotfix in demo mode, from the fixed hotfix branch of steps 1–3: the
// pre-flight with the Synapse extension disabled (the fix and its link shown), enabled again and
// checked again; the definition preview (tasks and JSON); creating it; and a restart that finds the
// same definition without creating a second one.
import { $$, browser, expect } from '@wdio/globals';
import { invoke } from '../helpers/demo.js';
import { byTestId, textOf } from '../helpers/ui.js';
import { openDemoRuns, reachFixedBranch, type Demo } from '../helpers/wizard.js';

// The Synapse Workspace Deployment extension as the simulator's catalogue names it.
const PUBLISHER = 'AzureSynapseWorkspace';
const EXTENSION = 'synapsecicd-deploy';

interface StateDefinition {
  id: number;
  revision: number;
  is_deleted: boolean;
  revisions: { name?: string }[];
}

/** The simulator's live release definitions named `name`. */
async function definitionsNamed(demo: Demo, name: string): Promise<StateDefinition[]> {
  const state = await demo.admin.state<{ release: { definitions: StateDefinition[] } }>();
  return state.release.definitions.filter((d) => !d.is_deleted && d.revisions[d.revisions.length - 1]?.name === name);
}

/** Every check on screen with its outcome, by check id. */
async function outcomes(): Promise<Record<string, string>> {
  const items = await $$('[data-testid="step4-preflight-report"] li[data-outcome]');
  const result: Record<string, string> = {};
  for (const item of items) {
    const id = String(await item.getAttribute('data-testid')).replace('step4-check-', '');
    result[id] = String(await item.getAttribute('data-outcome'));
  }
  return result;
}

describe('hotfix pipeline, step 4 (demo)', () => {
  let demo: Demo;
  let runId = '';
  let definitionName = '';

  before(async () => {
    demo = await openDemoRuns();
    await reachFixedBranch(demo);
    const runs = await invoke<{ id: string }[]>('hotfix_list_runs', { includeFinished: false });
    expect(runs).toHaveLength(1);
    runId = runs[0]!.id;
  });

  it('pre-flight shows the disabled extension as the one failing check, with what to do and a link', async () => {
    await demo.admin.setExtension(PUBLISHER, EXTENSION, 'disabled');
    await byTestId('step3-continue').click();
    await byTestId('step4').waitForDisplayed();
    const report = byTestId('step4-preflight-report');
    await report.waitForDisplayed({ timeout: 60_000 });
    await expect(report).toHaveAttribute('data-ok', 'false');

    const found = await outcomes();
    expect(found.extension).toBe('fail');
    expect(Object.entries(found).filter(([id, o]) => id !== 'extension' && o !== 'pass')).toEqual([]);
    expect(await textOf(byTestId('step4-check-extension-outcome'))).toBe('Failed');
    expect(await textOf(byTestId('step4-check-extension-fix'))).toMatch(/\S{10,}/);
    await expect(byTestId('step4-check-extension-link')).toBeDisplayed();
    await expect(byTestId('step4-preview-button')).not.toBeExisting();
  });

  it('after the extension is enabled again, Check again passes every check', async () => {
    await demo.admin.setExtension(PUBLISHER, EXTENSION, 'enabled');
    await byTestId('step4-check-again').click();
    const report = byTestId('step4-preflight-report');
    await browser.waitUntil(async () => (await report.getAttribute('data-ok')) === 'true', {
      timeout: 60_000,
      timeoutMsg: 'the pre-flight did not pass after the extension was enabled',
    });
    const found = await outcomes();
    expect(Object.keys(found).length).toBeGreaterThan(4);
    expect(Object.values(found).every((o) => o === 'pass')).toBe(true);
    await expect(byTestId('step4-check-extension-fix')).not.toBeExisting();
  });

  it('previews the definition: the tasks in order and the JSON it will send', async () => {
    await byTestId('step4-preview-button').click();
    const preview = byTestId('step4-preview');
    await preview.waitForDisplayed({ timeout: 60_000 });
    await expect(preview).toHaveAttribute('data-action', 'create');
    expect(await textOf(byTestId('step4-preview-stage'))).toBe('Production_Hotfix');

    const tasks = await $$('[data-testid="step4-preview-tasks"] > li');
    expect(tasks).toHaveLength(3);
    const tasksText = await textOf(byTestId('step4-preview-tasks'));
    expect(tasksText).toContain('validateDeploy');
    expect(tasksText).toMatch(/toggle/i);

    const json = byTestId('step4-preview-json');
    await json.$('summary').click();
    const pre = json.$('pre');
    await pre.waitForDisplayed();
    const body = JSON.parse(await textOf(pre)) as { environments: { name: string }[] };
    expect(body.environments.map((e) => e.name)).toEqual(['Production_Hotfix']);
  });

  it('creates the pipeline and links it', async () => {
    const save = byTestId('step4-save');
    expect(await textOf(save)).toBe('Create pipeline');
    await save.click();
    const link = byTestId('step4-definition-link');
    await link.waitForDisplayed({ timeout: 60_000 });
    definitionName = await textOf(link);
    definitionName = definitionName.replace(/↗.*$/s, '').trim();
    expect(definitionName).not.toBe('');
    expect(String(await link.getAttribute('href'))).toMatch(/definitionId=\d+/);
    await expect(byTestId('rail-step-4')).toHaveAttribute('data-state', 'done');
    await expect(byTestId('step4-next')).toHaveText(expect.stringContaining('Deploy'));
    expect(await definitionsNamed(demo, definitionName)).toHaveLength(1);
    // The same journal filter the restart below relies on sees this create.
    const creates = (await demo.admin.journal()).filter((e) => e.method === 'POST' && /release\/definitions/i.test(e.path));
    expect(creates).toHaveLength(1);
  });

  it('after a restart the run opens at step 4 done with the same definition, and none is created again', async () => {
    const before = await definitionsNamed(demo, definitionName);
    demo = await openDemoRuns();
    await byTestId(`run-continue-${runId}`).click();
    // The run continues where it stands, step 5 (deploy); step 4 is opened from the rail.
    await byTestId('step5').waitForDisplayed({ timeout: 30_000 });
    await byTestId('rail-step-4-open').click();
    await byTestId('step4-done').waitForDisplayed({ timeout: 30_000 });
    expect((await textOf(byTestId('step4-definition-link'))).replace(/↗.*$/s, '').trim()).toBe(definitionName);
    await expect(byTestId('rail-step-4')).toHaveAttribute('data-state', 'done');

    const after = await definitionsNamed(demo, definitionName);
    expect(after.map((d) => [d.id, d.revision])).toEqual(before.map((d) => [d.id, d.revision]));
    const writes = (await demo.admin.journal()).filter(
      (e) => e.method !== 'GET' && /release\/definitions/i.test(e.path),
    );
    expect(writes).toEqual([]);
  });
});
