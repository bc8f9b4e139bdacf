// The Azure DevOps simulator from a spec: start the `ado-sim` binary, and talk to the admin API of
// any simulator (this one, or the one the app starts in demo mode). The routes are those of
// `src-tauri/ado-sim/src/admin.rs` (under `{admin_url}` = `/_admin`, no auth); the start-up line is
// `ado_sim::SimInfo` printed as JSON by `src-tauri/ado-sim/src/main.rs`.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { SIM_BINARY } from './paths.js';
import { specDir } from './app.js';

/** The JSON line `ado-sim` prints on start (serde field names of `ado_sim::SimInfo`). */
export interface SimInfo {
  base_url: string;
  org_url: string;
  release_url: string;
  extmgmt_url: string;
  admin_url: string;
  pat: string;
  synapse_url_template: string;
  synapse_token: string;
  project: string;
  repository: string;
  /** The Entra-like authority: `{base_url}/_entra`. */
  authority_url: string;
  /** The tenant that backs the simulated organization. */
  tenant_id: string;
}

export interface JournalEntry {
  seq: number;
  method: string;
  path: string;
  query: string;
  status: number;
  ms: number;
}

export interface Fault {
  method: string;
  path: string;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  drop?: boolean;
  times?: number;
}

export interface PushFiles {
  project?: string;
  repository?: string;
  branch: string;
  message: string;
  author?: { name: string; email: string };
  /** path → JSON value, text, or null to delete the file */
  files: Record<string, unknown>;
}

/** Client for a simulator's admin API (`{admin_url}`, no auth). */
export class SimAdmin {
  constructor(readonly adminUrl: string) {}

  private async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.adminUrl}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new Error(`simulator admin ${method} ${route} answered HTTP ${res.status}: ${text}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  addFault(fault: Fault): Promise<{ id: unknown }> {
    return this.call('POST', '/faults', fault);
  }
  clearFaults(): Promise<void> {
    return this.call('DELETE', '/faults');
  }
  journal(): Promise<JournalEntry[]> {
    return this.call('GET', '/journal');
  }
  clearJournal(): Promise<void> {
    return this.call('DELETE', '/journal');
  }
  state<T = Record<string, unknown>>(): Promise<T> {
    return this.call('GET', '/state');
  }
  reset(): Promise<void> {
    return this.call('POST', '/reset');
  }
  addToken(token: string, scopes: string[]): Promise<void> {
    return this.call('POST', '/tokens', { token, scopes });
  }
  revokeToken(token: string): Promise<void> {
    return this.call('DELETE', `/tokens/${encodeURIComponent(token)}`);
  }
  pauseDeployments(): Promise<void> {
    return this.call('POST', '/deployments/pause');
  }
  resumeDeployments(): Promise<void> {
    return this.call('POST', '/deployments/resume');
  }
  advanceDeployments(): Promise<void> {
    return this.call('POST', '/deployments/advance');
  }
  /** Enables, disables or uninstalls an extension of the organization (the pre-flight's first check). */
  setExtension(publisher: string, extension: string, state: 'enabled' | 'disabled' | 'uninstalled'): Promise<unknown> {
    return this.call('POST', `/extensions/${encodeURIComponent(publisher)}/${encodeURIComponent(extension)}`, { state });
  }
  /** Commits files on top of a branch head as Synapse Studio would; returns the new commit id. */
  async pushFiles(push: PushFiles): Promise<string> {
    const body = {
      project: 'DataPlatform',
      repository: 'synapse-analytics',
      author: { name: 'E2E Engineer', email: 'e2e@contoso.example' },
      ...push,
    };
    const res = await this.call<{ commitId: string }>('POST', '/git/push-files', body);
    return res.commitId;
  }
}

/** A simulator process started by a spec. */
export class Sim {
  readonly admin: SimAdmin;
  constructor(
    readonly info: SimInfo,
    private readonly proc: ChildProcess,
  ) {
    this.admin = new SimAdmin(info.admin_url);
  }

  /** Stops the simulator and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.kill('SIGTERM');
    await exited;
  }
}

export interface StartSimOptions {
  seed?: 'empty' | 'demo' | 'scale';
  taskDelayMs?: number;
  /** Persisted state folder; defaults to `<spec dir>/sim`. */
  stateDir?: string;
}

/** Starts `ado-sim` on a free loopback port and resolves with its SimInfo. */
export async function startSim(opts: StartSimOptions = {}): Promise<Sim> {
  if (!fs.existsSync(SIM_BINARY)) {
    throw new Error(`${SIM_BINARY} does not exist: build it with 'cargo build -p ado-sim'`);
  }
  const stateDir = opts.stateDir ?? path.join(specDir(), 'sim');
  fs.mkdirSync(stateDir, { recursive: true });
  const log = fs.openSync(path.join(specDir(), 'sim.log'), 'a');
  const proc = spawn(
    SIM_BINARY,
    [
      '--seed', opts.seed ?? 'demo',
      '--port', '0',
      '--state-dir', stateDir,
      '--task-delay-ms', String(opts.taskDelayMs ?? 50),
    ],
    { stdio: ['ignore', 'pipe', log] },
  );
  const lines = readline.createInterface({ input: proc.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ado-sim printed nothing within 20 s')), 20_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ado-sim exited with ${code} before printing its address; see sim.log`));
    });
  });
  lines.close();
  return new Sim(JSON.parse(first) as SimInfo, proc);
}
