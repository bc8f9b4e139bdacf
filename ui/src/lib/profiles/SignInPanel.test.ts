import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ProfileEditor from '../../routes/ProfileEditor.svelte';
import { router } from '../router.svelte';
import type { Profile, SignInStatus } from '../api';
import { appError, emptyProfile, mockCommands, profile, type Handler } from '../testing/ipc';

afterEach(() => {
  cleanup();
  clearMocks();
  router.navigate({ name: 'profiles' });
});

const ENTRA = { method: 'entra' as const, tenant: 'organizations', clientId: '872cd9fa-d31f-45e0-9eab-6e460a02d1f1' };
const keychain = { available: true, backend: 'OS keychain', message: 'Tokens are kept in the OS keychain.' };
const ACCOUNT = { username: 'maya@contoso.com', name: 'Maya Lopez', tenantId: 't-1' };

function status(over: Partial<SignInStatus> = {}): SignInStatus {
  return { method: 'entra', pending: false, keychain, ...over };
}

/** A sign_in that resolves or rejects when the test says so. */
function pendingSignIn() {
  let finish: (r: { ok: true } | { ok: false; error: unknown }) => void = () => {};
  const handler: Handler = () =>
    new Promise((resolve, reject) => {
      finish = (r) => (r.ok ? resolve(ACCOUNT) : reject(r.error));
    });
  return { handler, finish: (r: Parameters<typeof finish>[0]) => finish(r) };
}

function typeInto(testid: string, value: string) {
  return fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

describe('Sign-in in the profile editor', () => {
  it('a new profile signs in with Entra ID by default; the PAT field appears only for PAT', async () => {
    mockCommands({ new_profile: () => ({ ...emptyProfile(), signIn: ENTRA }) });
    render(ProfileEditor, { profileId: null });
    await screen.findByTestId('profile-name');
    expect(screen.getByTestId('signin-method-entra')).toBeChecked();
    expect(screen.getByTestId('signin-tenant')).toHaveValue('organizations');
    expect(screen.getByTestId('signin-client-id')).toHaveValue(ENTRA.clientId);
    expect(screen.queryByTestId('profile-token')).toBeNull();
    expect(screen.getByTestId('signin-status')).toHaveAttribute('data-signed-in', 'false');

    await fireEvent.click(screen.getByTestId('signin-method-pat'));
    expect(screen.getByTestId('profile-token')).toBeInTheDocument();
    expect(screen.queryByTestId('signin-tenant')).toBeNull();
  });

  it('Sign in saves a new profile first, waits for the browser, then shows the account', async () => {
    const signIn = pendingSignIn();
    let signedIn = false;
    const calls = mockCommands({
      new_profile: () => ({ ...emptyProfile(), signIn: ENTRA }),
      validate_profile: () => [],
      save_profile: (args) => ({ ...(args.profile as Profile), id: 'p-new' }),
      sign_in: signIn.handler,
      sign_in_status: () => status(signedIn ? { account: ACCOUNT } : {}),
    });
    render(ProfileEditor, { profileId: null });
    await screen.findByTestId('profile-name');
    await typeInto('profile-name', 'Sales');
    await typeInto('profile-org-url', 'https://dev.azure.com/contoso');
    await typeInto('signin-tenant', 'contoso.onmicrosoft.com');
    await fireEvent.click(screen.getByTestId('signin-start'));

    expect(await screen.findByTestId('signin-waiting')).toHaveTextContent('browser');
    const saved = calls.find((c) => c.cmd === 'save_profile')?.args.profile as Profile;
    expect(saved.signIn).toEqual({ ...ENTRA, tenant: 'contoso.onmicrosoft.com' });
    expect(calls.find((c) => c.cmd === 'sign_in')?.args).toEqual({ profileId: 'p-new' });

    signedIn = true;
    signIn.finish({ ok: true });
    await waitFor(() => expect(screen.getByTestId('signin-status')).toHaveAttribute('data-signed-in', 'true'));
    expect(screen.getByTestId('signin-account')).toHaveTextContent('Maya Lopez (maya@contoso.com)');
    expect(screen.queryByTestId('signin-waiting')).toBeNull();
  });

  it('Cancel stops the wait without an error', async () => {
    const signIn = pendingSignIn();
    const calls = mockCommands({
      get_profile: () => profile({ signIn: ENTRA }),
      token_status: () => ({ stored: false, keychain }),
      sign_in_status: () => status(),
      sign_in: signIn.handler,
      sign_in_cancel: () => {
        signIn.finish({ ok: false, error: appError('cancelled', 'The sign-in was cancelled. Nothing was changed.') });
        return true;
      },
    });
    render(ProfileEditor, { profileId: 'p-1' });
    await fireEvent.click(await screen.findByTestId('signin-start'));
    await fireEvent.click(await screen.findByTestId('signin-cancel'));
    await waitFor(() => expect(screen.getByTestId('signin-start')).toBeInTheDocument());
    expect(calls.find((c) => c.cmd === 'sign_in_cancel')?.args).toEqual({ profileId: 'p-1' });
    expect(calls.some((c) => c.cmd === 'save_profile')).toBe(false);
    expect(screen.queryByTestId('signin-error')).toBeNull();
  });

  it.each([
    ['timeout', 'Waited too long', 'The browser did not come back from the sign-in page within 5 minute(s).'],
    ['signInRefused', 'Microsoft Entra ID refused the sign-in', 'The sign-in was refused: the permissions were declined in the browser.'],
    ['unreachable', 'could not be reached', 'The sign-in service login.microsoftonline.com could not be reached.'],
  ] as const)('a failed sign-in (%s) says what happened and what to do', async (code, title, message) => {
    mockCommands({
      get_profile: () => profile({ signIn: ENTRA }),
      token_status: () => ({ stored: false, keychain }),
      sign_in_status: () => status(),
      sign_in: () => {
        throw appError(code, message);
      },
    });
    render(ProfileEditor, { profileId: 'p-1' });
    await fireEvent.click(await screen.findByTestId('signin-start'));
    const error = await screen.findByTestId('signin-error');
    expect(error).toHaveTextContent(title);
    expect(error).toHaveTextContent(message);
    expect(screen.getByTestId('signin-status')).toHaveAttribute('data-signed-in', 'false');
  });

  it('a bad tenant is shown next to its field and nobody is asked to sign in', async () => {
    const calls = mockCommands({
      new_profile: () => ({ ...emptyProfile(), signIn: ENTRA }),
      validate_profile: () => [{ field: 'signInTenant', message: "'contoso' is not a tenant." }],
    });
    render(ProfileEditor, { profileId: null });
    await screen.findByTestId('profile-name');
    await typeInto('signin-tenant', 'contoso');
    await fireEvent.click(screen.getByTestId('signin-start'));
    expect(await screen.findByTestId('signin-tenant-error')).toHaveTextContent('is not a tenant');
    expect(calls.some((c) => c.cmd === 'save_profile' || c.cmd === 'sign_in')).toBe(false);
  });

  it('shows who is signed in and signs out', async () => {
    let signedIn = true;
    const calls = mockCommands({
      get_profile: () => profile({ signIn: ENTRA }),
      token_status: () => ({ stored: false, keychain }),
      sign_in_status: () => status(signedIn ? { account: ACCOUNT } : {}),
      sign_out: () => {
        signedIn = false;
        return null;
      },
    });
    render(ProfileEditor, { profileId: 'p-1' });
    expect(await screen.findByTestId('signin-account')).toHaveTextContent('maya@contoso.com');
    await fireEvent.click(screen.getByTestId('signin-signout'));
    await waitFor(() => expect(screen.getByTestId('signin-status')).toHaveAttribute('data-signed-in', 'false'));
    expect(calls.find((c) => c.cmd === 'sign_out')?.args).toEqual({ profileId: 'p-1' });
  });

  it('the Azure CLI choice names the account az found, or says to run az login', async () => {
    let loggedIn = true;
    mockCommands({
      get_profile: () => profile({ signIn: { ...ENTRA, method: 'azureCli' } }),
      token_status: () => ({ stored: false, keychain }),
      azure_cli_account: () => {
        if (!loggedIn) throw appError('notSignedIn', "The Azure CLI is not signed in. Run 'az login' in a terminal, then try again.");
        return { username: 'cli@contoso.com', name: '', tenantId: 't-9' };
      },
    });
    render(ProfileEditor, { profileId: 'p-1' });
    await fireEvent.click(await screen.findByTestId('signin-cli-check'));
    expect(await screen.findByTestId('signin-cli-account')).toHaveTextContent('signed in as cli@contoso.com');
    loggedIn = false;
    await fireEvent.click(screen.getByTestId('signin-cli-check'));
    expect(await screen.findByTestId('signin-cli-error')).toHaveTextContent("Run 'az login'");
  });

  it('Test connection shows the signed-in account', async () => {
    mockCommands({
      get_profile: () => profile({ signIn: ENTRA }),
      token_status: () => ({ stored: false, keychain }),
      sign_in_status: () => status({ account: ACCOUNT }),
      test_connection: (args) => {
        expect((args.target as { method: string }).method).toBe('entra');
        return {
          organizationUrl: 'https://dev.azure.com/contoso',
          releaseUrl: 'https://vsrm.dev.azure.com/contoso',
          signedInAs: 'Maya Lopez (maya@contoso.com)',
          ok: true,
          checks: [],
          unverified: [],
          requiredScopes: [],
          tokensUrl: 'https://dev.azure.com/contoso/_usersSettings/tokens',
          summary: 'Connected.',
        };
      },
      list_projects: () => [],
    });
    render(ProfileEditor, { profileId: 'p-1' });
    await fireEvent.click(await screen.findByTestId('test-connection'));
    expect(await screen.findByTestId('connection-signed-in-as')).toHaveTextContent('maya@contoso.com');
  });
});
