import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ConnectionResult from './ConnectionResult.svelte';
import type { ConnectionReport } from '../api';
import { mockCommands } from '../testing/ipc';

afterEach(() => {
  cleanup();
  clearMocks();
});

const TOKENS = 'https://dev.azure.com/contoso/_usersSettings/tokens';

const report = (over: Partial<ConnectionReport> = {}): ConnectionReport => ({
  organizationUrl: 'https://dev.azure.com/contoso',
  releaseUrl: 'https://vsrm.dev.azure.com/contoso',
  user: 'Jamal Hartnett (jamal@contoso.com)',
  ok: true,
  checks: [
    { scope: 'vso.project', label: 'Project and Team (Read)', ok: true },
    { scope: 'vso.code', label: 'Code (Read)', ok: true },
  ],
  unverified: [],
  requiredScopes: [
    { scope: 'vso.project', label: 'Project and Team (Read)', why: 'list projects' },
    { scope: 'vso.release_execute', label: 'Release (Read, write & execute)', why: 'deploy' },
  ],
  tokensUrl: TOKENS,
  summary: 'Connected. The token can read everything the wizard needs.',
  ...over,
});

const problems = (): ConnectionReport =>
  report({
    ok: false,
    summary: 'Connected, but 2 check(s) failed; see below.',
    checks: [
      { scope: 'vso.project', label: 'Project and Team (Read)', ok: true },
      {
        scope: 'vso.release',
        label: 'Release (Read)',
        ok: false,
        error: {
          code: 'missingScope',
          message: `The token is valid but lacks the scope Release (Read) (vso.release). Create a token that includes it at ${TOKENS}.`,
        },
      },
      { scope: 'vso.code', label: 'Code (Read)', ok: true },
      {
        scope: 'vso.serviceendpoint',
        label: 'Service Connections (Read & query)',
        ok: false,
        error: { code: 'noPermission', message: 'You do not have permission to read service connections; ask a project administrator.' },
      },
    ],
  });

describe('Connection result', () => {
  it('names the signed-in account next to the organization', () => {
    render(ConnectionResult, { report: report() });
    expect(screen.getByTestId('connection-status')).toHaveTextContent('Connected');
    const result = screen.getByTestId('connection-result');
    expect(result).toHaveTextContent('Signed in as');
    expect(screen.getByTestId('connection-user')).toHaveTextContent('Jamal Hartnett (jamal@contoso.com)');
    expect(screen.getByTestId('connection-org')).toHaveTextContent('https://dev.azure.com/contoso');
    expect(screen.queryByTestId('connection-failures')).toBeNull();
    expect(screen.getAllByTestId('connection-check').map((c) => c.dataset.ok)).toEqual(['true', 'true']);
  });

  it('leaves the account out when the server does not say who signed in', () => {
    render(ConnectionResult, { report: report({ user: undefined }) });
    expect(screen.queryByTestId('connection-user')).toBeNull();
    expect(screen.getByTestId('connection-result')).not.toHaveTextContent('Signed in as');
  });

  it('lists every failed check first, with what is wrong and what to do', () => {
    render(ConnectionResult, { report: problems() });
    expect(screen.getByTestId('connection-status')).toHaveTextContent('Connected with problems');

    const failures = screen.getByTestId('connection-failures');
    expect(failures).toHaveTextContent('2 checks failed');
    const failed = within(failures).getAllByTestId('connection-check');
    expect(failed.map((c) => c.dataset.scope)).toEqual(['vso.release', 'vso.serviceendpoint']);
    expect(failed.every((c) => c.dataset.ok === 'false')).toBe(true);
    expect(failed[0]).toHaveTextContent('Release (Read)');
    expect(failed[0]).toHaveTextContent('scope missing');
    expect(failed[0]).toHaveTextContent('lacks this scope (vso.release)');
    // Compact: the generic back-end sentence with the raw tokens URL is not repeated per scope.
    expect(failed[0]).not.toHaveTextContent(`includes it at ${TOKENS}`);
    expect(failed[1]).toHaveTextContent('no permission');
    expect(failed[1]).toHaveTextContent('ask a project administrator');

    // A missing scope is fixed by a new token: the failure links to the tokens page; a missing
    // permission is not, so it has no such link.
    expect(within(failed[0]!).getByTestId('connection-check-action')).toHaveAttribute('href', TOKENS);
    expect(within(failed[1]!).queryByTestId('connection-check-action')).toBeNull();

    // The passed checks stay listed, after the failures.
    const all = screen.getAllByTestId('connection-check');
    expect(all.map((c) => c.dataset.ok)).toEqual(['false', 'false', 'true', 'true']);
  });

  it('opens the tokens page in the browser, not in the window', async () => {
    const calls = mockCommands({ open_url: () => null });
    render(ConnectionResult, { report: problems() });
    const link = screen.getByTestId('connection-tokens-link');
    expect(screen.getByTestId('connection-result')).toHaveTextContent(
      'The token needs every one of these scopes: Project and Team (Read), Release (Read, write & execute).',
    );
    await fireEvent.click(link);
    expect(calls).toEqual([{ cmd: 'open_url', args: { url: TOKENS } }]);
  });
});
