// The first screen in the light and the dark theme. The theme follows the desktop (GTK) setting, so
// the dark run starts the app with GTK_THEME=Adwaita:dark, which WebKitGTK reports to the page as
// `prefers-color-scheme: dark`. Screenshots go to tests/e2e/.artifacts/, and to docs/screenshots/
// (the README's) with E2E_UPDATE_SCREENSHOTS=1 (`make screenshots`).
//
// These two launches keep WebKit's accelerated compositing on (SYNAPSE_HOTFIX_GPU_COMPOSITING=1):
// WebKitWebDriver's screenshot hangs when the app runs without it, which is the app's Linux
// default (see BENCHMARKS.md). What is drawn is the same either way.
import { $, $$, browser, expect } from '@wdio/globals';
import fs from 'node:fs';
import path from 'node:path';
import { restartApp } from '../helpers/app.js';
import { ARTIFACTS_DIR, DOCS_SCREENSHOTS_DIR } from '../helpers/paths.js';
import { byTestId, fill } from '../helpers/ui.js';

async function pageColours(): Promise<{ dark: boolean; background: string }> {
  return browser.execute(() => ({
    dark: window.matchMedia('(prefers-color-scheme: dark)').matches,
    background: getComputedStyle(document.documentElement).backgroundColor,
  }));
}

async function capture(name: string): Promise<void> {
  // Let fonts and transitions settle so the picture is what a person sees.
  await browser.execute(() => document.fonts.ready.then(() => undefined));
  await browser.pause(300);
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await browser.saveScreenshot(file);
  if (process.env.E2E_UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync(DOCS_SCREENSHOTS_DIR, { recursive: true });
    fs.copyFileSync(file, path.join(DOCS_SCREENSHOTS_DIR, `${name}.png`));
  }
}

describe('themes', () => {
  let light: { dark: boolean; background: string };

  before(async () => {
    // Something to look at: a profile made in the editor, and the demo profile.
    await byTestId('profile-new').click();
    await fill('profile-name', 'Contoso — Sales analytics');
    await fill('profile-org-url', 'https://dev.azure.com/contoso');
    await fill('profile-dev-workspace', 'contoso-sales-dev');
    await fill('profile-prod-workspace', 'contoso-sales-prod');
    await byTestId('profile-save').click();
    await byTestId('profiles-page').waitForDisplayed();
    await byTestId('demo-try').click();
    // Trying the demo opens the demo profile's runs once its simulated organization is up.
    await byTestId('runs-screen').waitForDisplayed({ timeout: 60_000 });
  });

  it('renders the profile screen in the light theme', async () => {
    await restartApp({ env: { GTK_THEME: 'Adwaita', SYNAPSE_HOTFIX_GPU_COMPOSITING: '1' } });
    await expect($('[data-testid="profiles-page"]')).toBeDisplayed();
    await expect($$('[data-testid="profile-card"]')).toBeElementsArrayOfSize(2);
    light = await pageColours();
    expect(light.dark).toBe(false);
    expect(light.background).not.toBe('rgba(0, 0, 0, 0)');
    await capture('profiles-light');
  });

  it('follows the desktop into the dark theme', async () => {
    await restartApp({ env: { GTK_THEME: 'Adwaita:dark', SYNAPSE_HOTFIX_GPU_COMPOSITING: '1' } });
    await expect($('[data-testid="profiles-page"]')).toBeDisplayed();
    const dark = await pageColours();
    expect(dark.dark).toBe(true);
    expect(dark.background).not.toBe(light.background);
    await capture('profiles-dark');
  });
});
