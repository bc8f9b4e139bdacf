// The hotfix wizard's steps in demo mode, shared by the specs that walk through them: open the app
// on its runs screen, resolve Release-3 (step 1), create the hotfix branch (step 2), push a fix as
// Synapse Studio would and record it (step 3). Each helper waits for its own outcome; the specs
// assert what they are about.
import { browser, expect } from '@wdio/globals';
import { restartApp } from './app.js';
import { fileOnBranch } from './ado.js';
import { demoAdmin, demoPat, demoStatus } from './demo.js';
import type { SimAdmin } from './sim.js';
import { byTestId } from './ui.js';

export const PROJECT = 'DataPlatform';
export const REPO = 'synapse-analytics';
/** The pipeline the fix edits. */
export const PIPELINE = 'pl_ingest_sales';

interface StateRelease {
  name: string;
  artifacts: { alias: string; definition_reference: { version?: { id?: string } } }[];
}

/** The source commit the simulator deployed as `name` (alias `_synapse-analytics`). */
export async function releaseCommit(admin: SimAdmin, name: string): Promise<string> {
  const state = await admin.state<{ release: { releases: Record<string, StateRelease> } }>();
  const release = Object.values(state.release.releases).find((r) => r.name === name);
  const artifact = release?.artifacts.find((a) => a.alias === `_${REPO}`);
  const sha = artifact?.definition_reference.version?.id;
  if (!sha) throw new Error(`the simulator has no ${name} with a _${REPO} artifact`);
  return sha;
}

/** The demo simulator as the app runs it now (it gets a new port each time the app starts). */
export interface Demo {
  admin: SimAdmin;
  orgUrl: string;
  pat: string;
}

/** Restarts the app with --demo (same home), waits for the runs screen, returns its simulator. */
export async function openDemoRuns(): Promise<Demo> {
  await restartApp({ args: ['--demo'] });
  await byTestId('runs-screen').waitForDisplayed({ timeout: 60_000 });
  const status = await demoStatus();
  return {
    admin: await demoAdmin(),
    orgUrl: status.organizationUrl!,
    pat: await demoPat(),
  };
}

/** From the runs screen: starts a hotfix and waits until step 1 shows the release in production. */
export async function startRun(): Promise<void> {
  await byTestId('runs-start').click();
  await byTestId('wizard-screen').waitForDisplayed();
  await byTestId('step1').waitForDisplayed();
  await byTestId('step1-current-release').waitForDisplayed({ timeout: 30_000 });
}

/** Step 1: picks the release in production and waits for its source commit. */
export async function resolveRelease(): Promise<void> {
  await byTestId('step1-select').click();
  await byTestId('step1-resolved').waitForDisplayed({ timeout: 30_000 });
}

/** Step 1 → 2: creates the hotfix branch under the proposed name; returns that name. */
export async function createBranch(): Promise<string> {
  await byTestId('step1-continue').click();
  await byTestId('step2').waitForDisplayed();
  const input = byTestId('step2-branch-input');
  await input.waitForDisplayed({ timeout: 30_000 });
  await byTestId('step2-check-new').waitForDisplayed({ timeout: 30_000 });
  const branch = String(await input.getValue());
  await byTestId('step2-create').click();
  await byTestId('step2-result').waitForDisplayed({ timeout: 30_000 });
  return branch;
}

/** Edits the pipeline on the hotfix branch, as Synapse Studio does on save; returns the commit. */
export async function pushPipelineFix(demo: Demo, branch: string): Promise<string> {
  const path = `pipeline/${PIPELINE}.json`;
  const pipeline = JSON.parse(await fileOnBranch(demo.orgUrl, demo.pat, PROJECT, REPO, branch, `/${path}`));
  pipeline.properties.description = 'Hotfix: skip order lines without a customer';
  return demo.admin.pushFiles({
    branch,
    message: `Fix ${PIPELINE}: skip order lines without a customer`,
    files: { [path]: pipeline },
  });
}

/** Step 3: checks the branch now and waits until it lists `sha` and the deploy plan. */
export async function waitForFix(sha: string): Promise<void> {
  await byTestId('step3-check-now').click();
  await byTestId('step3-commit-item', `[data-commit="${sha}"]`).waitForDisplayed({ timeout: 30_000 });
  await byTestId('step3-plan-update').waitForDisplayed({ timeout: 30_000 });
}

/** Step 3: acknowledges the warnings when asked, records the fix, waits for the step to be done. */
export async function completeFix(): Promise<void> {
  const ack = byTestId('step3-acknowledge');
  if (await ack.isExisting()) await ack.click();
  await byTestId('step3-complete').click();
  await expect(byTestId('rail-step-3')).toHaveAttribute('data-state', 'done');
}

/**
 * From the runs screen to a fixed hotfix branch: steps 1–3 done, the wizard still on step 3.
 * Returns the branch and the fix commit.
 */
export async function reachFixedBranch(demo: Demo): Promise<{ branch: string; fixSha: string }> {
  await startRun();
  await resolveRelease();
  const branch = await createBranch();
  await byTestId('step2-continue').click();
  await byTestId('step3').waitForDisplayed({ timeout: 30_000 });
  const fixSha = await pushPipelineFix(demo, branch);
  await waitForFix(fixSha);
  await completeFix();
  await browser.waitUntil(async () => (await byTestId('step3-continue').isExisting()), {
    timeout: 10_000,
    timeoutMsg: 'step 3 offers no way on to step 4 after the fix was recorded',
  });
  return { branch, fixSha };
}

/** The production workspace of the demo seed (what the deployment's typed confirmation asks for). */
export const PROD_WORKSPACE = 'contoso-synapse-prod';

/** Step 3 → 4: creates the hotfix pipeline (pre-flight, preview, create) and waits for it. */
export async function createPipeline(): Promise<void> {
  await byTestId('step3-continue').click();
  await byTestId('step4').waitForDisplayed();
  await browser.waitUntil(async () => (await byTestId('step4-preflight-report').getAttribute('data-ok')) === 'true', {
    timeout: 60_000,
    timeoutMsg: 'the pre-flight of step 4 did not pass',
  });
  await byTestId('step4-preview-button').click();
  await byTestId('step4-preview').waitForDisplayed({ timeout: 60_000 });
  await byTestId('step4-save').click();
  await byTestId('step4-done').waitForDisplayed({ timeout: 60_000 });
}

/** Step 4 → 5: reviews production and waits for the typed confirmation to be offered. */
export async function reviewProduction(): Promise<void> {
  await byTestId('step4-continue').click();
  await byTestId('step5').waitForDisplayed();
  await byTestId('step5-review-button').click();
  await byTestId('step5-typed').waitForDisplayed({ timeout: 60_000 });
}

/** Step 5: types `typed` and presses Deploy. */
export async function typeAndDeploy(typed = PROD_WORKSPACE): Promise<void> {
  const input = byTestId('step5-typed-input');
  await input.clearValue();
  await input.setValue(typed);
  await byTestId('step5-typed-submit').click();
}

/** Step 5: waits until the deployment ended and its result is shown; returns the result banner text. */
export async function waitForDeployment(timeout = 180_000): Promise<string> {
  const result = byTestId('step5-result');
  await result.waitForDisplayed({ timeout });
  return String(await result.getProperty('textContent')).trim();
}

/**
 * From the runs screen to a confirmed hotfix: steps 1–3, the pipeline (4), review, typed
 * confirmation and the deployment (5), and the confirmation (6) with every point passed. The
 * issue-10 specs start from here (merge back, clean up).
 */
export async function toConfirmed(demo: Demo): Promise<{ branch: string; fixSha: string }> {
  const fixed = await reachFixedBranch(demo);
  await createPipeline();
  await reviewProduction();
  await typeAndDeploy();
  const result = await waitForDeployment();
  if (!/succeeded/i.test(result)) throw new Error(`the demo deployment did not succeed: ${result}`);
  await byTestId('step5-continue').click();
  await byTestId('step6').waitForDisplayed();
  await byTestId('step6-done').waitForDisplayed({ timeout: 60_000 });
  return fixed;
}
