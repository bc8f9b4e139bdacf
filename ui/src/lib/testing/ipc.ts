/**
 * Test helpers for every screen (the wizard's fixtures build on them): a command table on top of
 * `mockIPC` that records every call, fixtures for profiles, and an `AppError` factory (thrown by a
 * handler = rejected invoke).
 */
import { mockIPC } from '@tauri-apps/api/mocks';
import type { AppError, ErrorCode } from '../errors';
import type { AppInfo, Profile } from '../api';

export type Handler = (args: Record<string, unknown>) => unknown;

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

/**
 * Answers each command from `table` and records every call. A handler may throw an `AppError`
 * object to simulate a rejected command; an unknown command rejects like the real IPC
 * (`command X not found`). `events: true` also mocks the event plugin (`listen`/`emit`).
 */
export function mockCommands(
  table: Record<string, Handler>,
  options: { events?: boolean } = {},
): Call[] {
  const calls: Call[] = [];
  mockIPC(
    async (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      const handler = table[cmd];
      if (!handler) throw `command ${cmd} not found`;
      return handler(args);
    },
    { shouldMockEvents: options.events ?? false },
  );
  return calls;
}

export function appError(code: ErrorCode, message: string, detail?: string): AppError {
  return detail === undefined ? { code, message } : { code, message, detail };
}

export function profile(over: Partial<Profile> = {}): Profile {
  return {
    id: 'p-1',
    name: 'Sales analytics',
    organizationUrl: 'https://dev.azure.com/contoso',
    project: { id: 'proj-1', name: 'DataPlatform' },
    repository: { id: 'repo-1', name: 'synapse-analytics' },
    rootFolder: '/',
    collaborationBranch: 'main',
    publishBranch: null,
    releaseDefinition: { id: 1, name: 'Synapse-Release' },
    productionStage: { id: 2, name: 'Production' },
    devWorkspace: 'contoso-synapse-dev',
    prodWorkspace: 'contoso-synapse-prod',
    prodSubscriptionId: '',
    prodResourceGroup: 'rg-prod',
    devSubscriptionId: '',
    devResourceGroup: '',
    serviceConnection: { id: 'sc-1', name: 'contoso-prod-arm' },
    agentQueue: { id: 7, name: 'Azure Pipelines' },
    branchTemplate: 'Release{release}_Hotfixes',
    featureBranchPatterns: ['feature/*'],
    hotfixTagTemplate: 'Release-{release}-hotfix-{n}',
    simulated: false,
    // Profiles saved before sign-in existed use a PAT; new ones default to Entra ID.
    signIn: { method: 'pat', tenant: 'organizations', clientId: '872cd9fa-d31f-45e0-9eab-6e460a02d1f1' },
    ...over,
  };
}

export function emptyProfile(): Profile {
  return profile({
    id: '',
    name: '',
    organizationUrl: '',
    project: null,
    repository: null,
    releaseDefinition: null,
    productionStage: null,
    devWorkspace: '',
    prodWorkspace: '',
    prodResourceGroup: '',
    serviceConnection: null,
    agentQueue: null,
  });
}

export function appInfo(over: Partial<AppInfo> = {}): AppInfo {
  return {
    version: '0.1.0',
    paths: { config: '/h/config', data: '/h/data', logs: '/h/logs', cache: '/h/cache' },
    keychain: { available: true, backend: 'OS keychain', message: 'Tokens are kept in the OS keychain.' },
    demo: { running: false, starting: false, profileId: null, organizationUrl: null, stateDir: '/h/data/demo-sim' },
    demoRequested: false,
    ...over,
  };
}
