// Demo mode from a spec: the simulator the app runs inside itself, reached through the app's own
// `demo_status` command (called from the page, as the UI would) and its admin API.
import { browser } from '@wdio/globals';
import { SimAdmin } from './sim.js';

/** What the app's `demo_status` command answers (ts-rs `DemoStatus`). */
export interface DemoStatus {
  running: boolean;
  starting: boolean;
  profileId: string | null;
  organizationUrl: string | null;
  stateDir: string;
}

/** Calls a Tauri command from the page, exactly as ui/src/lib/api.ts does. */
export async function invoke<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  return browser.executeAsync(
    (cmd: string, a: Record<string, unknown>, done: (r: unknown) => void) => {
      const internals = (window as unknown as {
        __TAURI_INTERNALS__: { invoke: (c: string, a: unknown) => Promise<unknown> };
      }).__TAURI_INTERNALS__;
      internals.invoke(cmd, a).then(
        (value) => done({ ok: true, value }),
        (error) => done({ ok: false, error }),
      );
    },
    command,
    args,
  ).then((r) => {
    const res = r as { ok: boolean; value?: T; error?: unknown };
    if (!res.ok) throw new Error(`${command} failed: ${JSON.stringify(res.error)}`);
    return res.value as T;
  });
}

/** The app's demo simulator status. */
export function demoStatus(): Promise<DemoStatus> {
  return invoke<DemoStatus>('demo_status');
}

/** Waits until the app's demo simulator runs and returns a client for its admin API. */
export async function demoAdmin(timeout = 30_000): Promise<SimAdmin> {
  let org: string | null = null;
  await browser.waitUntil(
    async () => {
      const s = await demoStatus();
      org = s.running ? s.organizationUrl : null;
      return org !== null;
    },
    { timeout, interval: 250, timeoutMsg: `the demo simulator did not start within ${timeout} ms` },
  );
  return new SimAdmin(`${new URL(org!).origin}/_admin`);
}

/**
 * The simulator's own full-access PAT (from its admin state), for checking the organization
 * independently of the app (REST, git). The demo profile itself signs in with Entra ID.
 */
export async function demoPat(): Promise<string> {
  const state = await (await demoAdmin()).state<{ core: { tokens: { token: string; scopes: string[] }[] } }>();
  const grant = state.core.tokens.find((t) => t.scopes.includes('app_token'));
  if (!grant) throw new Error('the demo simulator has no full-access token');
  return grant.token;
}
