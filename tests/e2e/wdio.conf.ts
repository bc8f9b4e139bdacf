// WebdriverIO configuration for the real Synapse Hotfix window.
//
// tauri-driver (a WebDriver proxy in front of WebKitWebDriver) is started once in onPrepare and
// stopped in onComplete. Every spec file runs in its own worker and gets its own scratch folder and
// SYNAPSE_HOTFIX_HOME (beforeSession). A display (Xvfb) and a D-Bus session with an unlocked keyring
// must already be there: scripts/e2e.sh provides both.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { browser } from '@wdio/globals';
import { APP_BINARY, ARTIFACTS_DIR } from './helpers/paths.js';
import {
  appCapabilities,
  baseCapabilities,
  appLogFile,
  createSpecDir,
  rememberLaunch,
  specDir,
  waitForApp,
} from './helpers/app.js';

const DRIVER_PORT = Number(process.env.E2E_DRIVER_PORT ?? 4444);
const NATIVE_PORT = DRIVER_PORT + 1;
let tauriDriver: ChildProcess | undefined;

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
}

export const config: WebdriverIO.Config = {
  runner: 'local',
  hostname: '127.0.0.1',
  port: DRIVER_PORT,
  specs: ['./specs/**/*.e2e.ts'],
  // One window at a time: two cores, one display, one WebKitWebDriver.
  maxInstances: 1,
  capabilities: [baseCapabilities()],
  logLevel: 'warn',
  outputDir: path.join(ARTIFACTS_DIR, 'wdio-logs'),
  bail: 0,
  waitforTimeout: 10_000,
  connectionRetryTimeout: 60_000,
  connectionRetryCount: 1,
  framework: 'mocha',
  reporters: ['spec'],
  mochaOpts: { ui: 'bdd', timeout: 120_000 },

  onPrepare() {
    if (!fs.existsSync(APP_BINARY)) {
      throw new Error(
        `${APP_BINARY} does not exist. Build it with 'make app' ` +
          `(ui/node_modules/.bin/tauri build --debug --no-bundle) and run the e2e tests again.`,
      );
    }
    if (!process.env.DISPLAY) {
      throw new Error('No DISPLAY: run the e2e tests through scripts/e2e.sh (it starts Xvfb).');
    }
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const log = fs.openSync(path.join(ARTIFACTS_DIR, 'tauri-driver.log'), 'w');
    tauriDriver = spawn(
      'tauri-driver',
      ['--port', String(DRIVER_PORT), '--native-port', String(NATIVE_PORT)],
      { stdio: ['ignore', log, log] },
    );
    tauriDriver.once('error', (e) => {
      throw new Error(`could not start tauri-driver (install it with scripts/install-deps.sh): ${e}`);
    });
    const deadline = Date.now() + 15_000;
    const wait = async (): Promise<void> => {
      while (Date.now() < deadline) {
        if (await portOpen(DRIVER_PORT)) return;
        if (tauriDriver?.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(
        `tauri-driver did not listen on 127.0.0.1:${DRIVER_PORT}; see ${ARTIFACTS_DIR}/tauri-driver.log`,
      );
    };
    return wait();
  },

  onComplete() {
    tauriDriver?.kill('SIGTERM');
  },

  // Runs in the spec's worker before its first session: give the spec its own home.
  beforeSession(_config, capabilities) {
    createSpecDir();
    Object.assign(capabilities, appCapabilities());
    rememberLaunch({});
  },

  async before() {
    await waitForApp();
  },

  async afterTest(test, _context, { passed }) {
    if (!passed) await keepEvidence(`${test.parent} ${test.title}`);
  },

  async afterHook(test, _context, { passed }) {
    if (!passed) await keepEvidence(`${test.parent} ${test.title}`);
  },

  after(result) {
    // Keep the scratch folder of a failed spec for inspection; remove it otherwise.
    if (result === 0) fs.rmSync(specDir(), { recursive: true, force: true });
  },
};

/** A screenshot of the window and the app's log, named after the failed test or hook. */
async function keepEvidence(name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const base = path.join(ARTIFACTS_DIR, safeName(name));
  // Grab the X display rather than asking WebKitWebDriver: its screenshot hangs (and takes
  // tauri-driver down with it) when the app runs without accelerated compositing, the app's
  // default on Linux. Under Xvfb the window sits at 0,0 with nothing else on screen.
  try {
    execFileSync('import', ['-window', 'root', `${base}.png`], { timeout: 15_000, stdio: 'ignore' });
  } catch (e) {
    console.error(`could not take a screenshot of the failure: ${e}`);
  }
  if (fs.existsSync(appLogFile())) fs.copyFileSync(appLogFile(), `${base}.app.log`);
  console.error(`failure evidence: ${base}.png, ${base}.app.log; app home: ${specDir()}`);
}
