// Starting, restarting and inspecting the app under test.
//
// Every spec file runs in its own worker with its own scratch folder (`specDir()`): the app's
// SYNAPSE_HOTFIX_HOME (config, data, logs, cache) lives in it, so specs never share state, and a
// restart keeps the same home, like a person closing and reopening the app.
import { browser } from '@wdio/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { APP_BINARY, LAUNCHER } from './paths.js';

/** How to launch the app: extra environment and command-line arguments. */
export interface AppLaunch {
  env?: Record<string, string>;
  args?: string[];
}

const SPEC_DIR_ENV = 'E2E_SPEC_DIR';
let lastLaunch: AppLaunch = {};

/** Creates this worker's scratch folder (called once per spec file by wdio.conf.ts). */
export function createSpecDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synapse-e2e-'));
  fs.mkdirSync(path.join(dir, 'home'));
  process.env[SPEC_DIR_ENV] = dir;
  return dir;
}

/** This spec's scratch folder. */
export function specDir(): string {
  const dir = process.env[SPEC_DIR_ENV];
  if (!dir) throw new Error('E2E_SPEC_DIR is not set: specs must run through wdio.conf.ts');
  return dir;
}

/** The app's SYNAPSE_HOTFIX_HOME for this spec. */
export function appHome(): string {
  return path.join(specDir(), 'home');
}

/**
 * The XDG folders the app's WebView (WebKitGTK) and GTK use for their own data, caches and
 * settings, so that specs never share web storage and never write into the real home.
 */
export function xdgHome(): string {
  return path.join(specDir(), 'xdg');
}

/** File that receives the app's stdout and stderr (appended across restarts). */
export function appLogFile(): string {
  return path.join(specDir(), 'app.log');
}

/**
 * File the app appends every address it opens to instead of starting a browser
 * (SYNAPSE_HOTFIX_OPENED_URLS): the sign-in page, Studio links. The spec plays the browser.
 */
export function openedUrlsFile(): string {
  return path.join(specDir(), 'opened-urls.txt');
}

/** Every address the app opened so far, oldest first. */
export function openedUrls(): string[] {
  const file = openedUrlsFile();
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** What the app printed so far (stdout + stderr, all launches of this spec). */
export function appOutput(): string {
  return fs.existsSync(appLogFile()) ? fs.readFileSync(appLogFile(), 'utf8') : '';
}

/** WebDriver capabilities that launch the app with this spec's home plus `launch`. */
export function appCapabilities(launch: AppLaunch = {}): WebdriverIO.Capabilities {
  const env = {
    SYNAPSE_HOTFIX_HOME: appHome(),
    XDG_DATA_HOME: path.join(xdgHome(), 'data'),
    XDG_CACHE_HOME: path.join(xdgHome(), 'cache'),
    XDG_CONFIG_HOME: path.join(xdgHome(), 'config'),
    E2E_APP_LOG: appLogFile(),
    SYNAPSE_HOTFIX_OPENED_URLS: openedUrlsFile(),
    // The demo profile signs in with (simulated) Entra ID; the app clicks the sign-in page itself so
    // specs about other things start signed in. specs/signin.e2e.ts plays the browser instead.
    SYNAPSE_HOTFIX_DEMO_SIGN_IN: 'auto',
    RUST_LOG: process.env.RUST_LOG ?? 'info',
    ...launch.env,
  };
  const args = [
    APP_BINARY,
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    '--',
    ...(launch.args ?? []),
  ];
  return {
    'wdio:enforceWebDriverClassic': true,
    'tauri:options': { application: LAUNCHER, args },
  } as WebdriverIO.Capabilities;
}

/** Capabilities for the config file, before any spec folder exists (beforeSession replaces them). */
export function baseCapabilities(): WebdriverIO.Capabilities {
  return {
    'wdio:enforceWebDriverClassic': true,
    'tauri:options': { application: LAUNCHER, args: [APP_BINARY] },
  } as WebdriverIO.Capabilities;
}

/** Remembers how the first session of this spec was launched (wdio.conf.ts beforeSession). */
export function rememberLaunch(launch: AppLaunch): void {
  lastLaunch = launch;
}

/** Waits until the window has loaded the front end and mounted it. */
export async function waitForApp(timeout = 20_000): Promise<void> {
  await browser.waitUntil(
    async () => {
      const page = await browser.execute(() => ({
        ready:
          document.readyState === 'complete' &&
          (document.getElementById('app')?.childElementCount ?? 0) > 0,
        text: document.body?.innerText ?? '',
      }));
      if (/Could not connect to (127\.0\.0\.1|localhost)/.test(page.text)) {
        throw new Error(
          `${APP_BINARY} is a development build that loads the Vite dev server (built with plain ` +
            "'cargo build', which leaves out the custom-protocol feature). Rebuild it with 'make app'.",
        );
      }
      return page.ready;
    },
    { timeout, interval: 100, timeoutMsg: `the app did not render within ${timeout} ms` },
  );
}

/**
 * Closes the app and starts it again with the same home (and `launch`, when given, instead of the
 * previous environment and arguments). Resolves when the new window has rendered.
 */
export async function restartApp(launch?: AppLaunch): Promise<void> {
  if (launch) lastLaunch = launch;
  await browser.reloadSession(appCapabilities(lastLaunch));
  await waitForApp();
}
