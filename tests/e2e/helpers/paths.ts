// Where the harness finds the repository, the binaries under test and its own scratch space.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

/** tests/e2e */
export const E2E_DIR = path.resolve(here, '..');
/** The repository root. */
export const REPO_ROOT = path.resolve(E2E_DIR, '..', '..');
/** Cargo's target folder (CARGO_TARGET_DIR wins, as for cargo itself). */
export const TARGET_DIR = process.env.CARGO_TARGET_DIR
  ? path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR)
  : path.join(REPO_ROOT, 'target');
/** The app under test: `tauri build --debug --no-bundle` output, or E2E_APP to test another build. */
export const APP_BINARY = process.env.E2E_APP
  ? path.resolve(process.env.E2E_APP)
  : path.join(TARGET_DIR, 'debug', 'synapse-hotfix');
/** The simulator binary (`cargo build -p ado-sim`). */
export const SIM_BINARY = process.env.E2E_SIM
  ? path.resolve(process.env.E2E_SIM)
  : path.join(TARGET_DIR, 'debug', 'ado-sim');
/** Wrapper that gives each launched app its own environment (see bin/launch-app.sh). */
export const LAUNCHER = path.join(E2E_DIR, 'bin', 'launch-app.sh');
/** Screenshots and app logs of failed tests. */
export const ARTIFACTS_DIR = path.join(E2E_DIR, '.artifacts');
/** Committed README screenshots (written only when E2E_UPDATE_SCREENSHOTS=1). */
export const DOCS_SCREENSHOTS_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');
