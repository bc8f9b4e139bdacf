import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ProfileEditor from './ProfileEditor.svelte';
import { navigate, router } from '../lib/router.svelte';
import type { ConnectionReport, Profile } from '../lib/api';
import { appError, emptyProfile, mockCommands, profile, type Handler } from '../lib/testing/ipc';

afterEach(() => {
  cleanup();
  clearMocks();
  router.navigate({ name: 'profiles' });
});

const report = (over: Partial<ConnectionReport> = {}): ConnectionReport => ({
  organizationUrl: 'https://dev.azure.com/contoso',
  releaseUrl: 'https://vsrm.dev.azure.com/contoso',
  ok: true,
  checks: [{ scope: 'vso.project', label: 'Project and Team (Read)', ok: true }],
  unverified: [],
  requiredScopes: [],
  tokensUrl: 'https://dev.azure.com/contoso/_usersSettings/tokens',
  summary: 'Signed in; every read scope the app needs is there.',
  ...over,
});

const pickers: Record<string, Handler> = {
  list_projects: () => [
    { id: 'proj-1', name: 'DataPlatform' },
    { id: 'proj-2', name: 'Other' },
  ],
  list_repositories: () => [{ id: 'repo-1', name: 'synapse-analytics', defaultBranch: 'main', isDisabled: false }],
  list_release_definitions: () => [
    {
      id: 1,
      name: 'Synapse-Release',
      path: '\\',
      stages: [
        { id: 1, name: 'Test' },
        { id: 2, name: 'Production' },
      ],
    },
  ],
  list_service_connections: () => [
    { id: 'sc-1', name: 'contoso-prod-arm', scheme: 'ServicePrincipal', isReady: true, supported: true, subscriptionId: 'sub-123' },
    {
      id: 'sc-2',
      name: 'contoso-wif',
      scheme: 'WorkloadIdentityFederation',
      isReady: true,
      supported: false,
      warning: 'Workload identity federation is not supported by the Synapse deployment task.',
    },
  ],
  list_agent_queues: () => [{ id: 7, name: 'Azure Pipelines', isHosted: true }],
  read_publish_branch: () => ({ branch: 'workspace_publish', fromConfig: true, message: 'publish_config.json names workspace_publish.' }),
};

function typeInto(testid: string, value: string) {
  return fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

describe('Profile editor', () => {
  it('tests the connection with the typed token, then fills the pickers from the API', async () => {
    const calls = mockCommands({
      new_profile: () => emptyProfile(),
      test_connection: () => report(),
      ...pickers,
    });
    render(ProfileEditor, { profileId: null });
    await screen.findByTestId('profile-name');
    expect(screen.getByTestId('pick-project')).toBeDisabled();

    await typeInto('profile-org-url', 'https://dev.azure.com/contoso');
    await typeInto('profile-token', 'secret-pat');
    await fireEvent.click(screen.getByTestId('test-connection'));

    const result = await screen.findByTestId('connection-result');
    expect(within(result).getByTestId('connection-status')).toHaveTextContent('Connected');
    expect(within(result).getByTestId('connection-org')).toHaveTextContent('https://dev.azure.com/contoso');
    const test = calls.find((c) => c.cmd === 'test_connection');
    expect(test?.args.target).toEqual({
      organizationUrl: 'https://dev.azure.com/contoso',
      token: 'secret-pat',
      simulated: false,
      method: 'pat',
    });

    const project = screen.getByTestId('pick-project') as HTMLSelectElement;
    await waitFor(() => expect(project).toBeEnabled());
    expect([...project.options].map((o) => o.text)).toEqual(['Choose…', 'DataPlatform', 'Other']);
    await fireEvent.change(project, { target: { value: 'proj-1' } });

    const definition = screen.getByTestId('pick-release-definition') as HTMLSelectElement;
    await waitFor(() => expect(definition).toBeEnabled());
    await fireEvent.change(definition, { target: { value: '1' } });
    // The stage named like production is preselected.
    expect((screen.getByTestId('pick-stage') as HTMLSelectElement).value).toBe('2');

    const connection = screen.getByTestId('pick-service-connection') as HTMLSelectElement;
    const wif = [...connection.options].find((o) => o.value === 'sc-2');
    expect(wif?.disabled).toBe(true);
    expect(wif?.text).toContain('workload identity');
    await fireEvent.change(connection, { target: { value: 'sc-1' } });
    expect(screen.getByTestId('profile-subscription')).toHaveValue('sub-123');
  });

  it('shows why the connection failed and what to do, next to the button', async () => {
    mockCommands({
      new_profile: () => emptyProfile(),
      test_connection: () => {
        throw appError(
          'tokenRejected',
          'Azure DevOps rejected the token (HTTP 401). Create a new one at https://dev.azure.com/contoso/_usersSettings/tokens.',
        );
      },
    });
    render(ProfileEditor, { profileId: null });
    await screen.findByTestId('profile-name');
    await typeInto('profile-org-url', 'https://dev.azure.com/contoso');
    await typeInto('profile-token', 'expired');
    await fireEvent.click(screen.getByTestId('test-connection'));
    const error = await screen.findByTestId('connection-error');
    expect(error).toHaveTextContent('Azure DevOps rejected the token');
    expect(error).toHaveTextContent('Create a new one at https://dev.azure.com/contoso/_usersSettings/tokens.');
    expect(screen.queryByTestId('connection-result')).toBeNull();
  });

  it('shows validation messages next to their fields and does not save', async () => {
    const calls = mockCommands({
      new_profile: () => emptyProfile(),
      validate_profile: () => [
        { field: 'name', message: 'Give the profile a name.' },
        { field: 'organizationUrl', message: 'The organization URL is required.' },
      ],
    });
    render(ProfileEditor, { profileId: null });
    await screen.findByTestId('profile-name');
    await fireEvent.click(screen.getByTestId('profile-save'));
    expect(await screen.findByTestId('profile-name-error')).toHaveTextContent('Give the profile a name.');
    expect(screen.getByTestId('profile-org-url-error')).toHaveTextContent('The organization URL is required.');
    expect(screen.getByTestId('profile-name')).toHaveAttribute('aria-invalid', 'true');
    expect(calls.some((c) => c.cmd === 'save_profile')).toBe(false);
  });

  it('saves the profile, then stores the typed token under the saved id', async () => {
    const saved: Profile[] = [];
    const calls = mockCommands({
      new_profile: () => emptyProfile(),
      validate_profile: () => [],
      save_profile: (args) => {
        const p = { ...(args.profile as Profile), id: 'p-new' };
        saved.push(p);
        return p;
      },
      set_token: () => ({ persisted: true, keychain: { available: true, backend: 'OS keychain', message: '' } }),
    });
    router.navigate({ name: 'profileEditor', profileId: null });
    render(ProfileEditor, { profileId: null });
    await screen.findByTestId('profile-name');
    await typeInto('profile-name', 'Sales');
    await typeInto('profile-token', 'secret-pat');
    await typeInto('profile-feature-patterns', 'feature/*, release/*');
    await typeInto('profile-dev-subscription', '00000000-0000-0000-0000-0000000000d2');
    await typeInto('profile-dev-resource-group', 'rg-synapse-dev');
    await fireEvent.submit(screen.getByTestId('profile-save').closest('form')!);
    await waitFor(() => expect(router.route).toEqual({ name: 'profiles' }));
    expect(saved[0]?.name).toBe('Sales');
    expect(saved[0]?.devSubscriptionId).toBe('00000000-0000-0000-0000-0000000000d2');
    expect(saved[0]?.devResourceGroup).toBe('rg-synapse-dev');
    expect(saved[0]?.featureBranchPatterns).toEqual(['feature/*', 'release/*']);
    expect(JSON.stringify(saved[0])).not.toContain('secret-pat');
    expect(calls.find((c) => c.cmd === 'set_token')?.args).toEqual({ profileId: 'p-new', token: 'secret-pat' });
  });

  it('says whether a token is stored for an existing profile, and never shows it', async () => {
    mockCommands({
      get_profile: () => profile(),
      token_status: () => ({ stored: true, keychain: { available: true, backend: 'OS keychain', message: '' } }),
    });
    render(ProfileEditor, { profileId: 'p-1' });
    const status = await screen.findByTestId('token-status');
    expect(status).toHaveTextContent('Token stored');
    expect(screen.getByTestId('profile-token')).toHaveValue('');
    expect(screen.getByTestId('profile-token')).toHaveAttribute('type', 'password');
    // Saved choices show in the pickers before any API call.
    expect((screen.getByTestId('pick-project') as HTMLSelectElement).value).toBe('proj-1');
  });

  describe('unsaved changes', () => {
    function openSaved() {
      mockCommands({
        get_profile: () => profile(),
        token_status: () => ({ stored: true, keychain: { available: true, backend: 'OS keychain', message: '' } }),
      });
      router.navigate({ name: 'profileEditor', profileId: 'p-1' });
      render(ProfileEditor, { profileId: 'p-1' });
      return screen.findByTestId('profile-name');
    }

    it('leaves at once when nothing was changed', async () => {
      await openSaved();
      await fireEvent.click(screen.getByTestId('profile-cancel'));
      expect(router.route).toEqual({ name: 'profiles' });
      expect(screen.queryByTestId('discard-dialog')).toBeNull();
    });

    it('asks before Cancel throws edits away; Esc keeps editing with the edits intact', async () => {
      await openSaved();
      await typeInto('profile-prod-workspace', 'contoso-synapse-prod2');
      await fireEvent.click(screen.getByTestId('profile-cancel'));

      const dialog = await screen.findByTestId('discard-dialog');
      expect(dialog).toHaveTextContent('Discard changes?');
      expect(dialog).toHaveTextContent('Your changes to "Sales analytics" are not saved.');
      expect(router.route).toEqual({ name: 'profileEditor', profileId: 'p-1' });
      // Keyboard first: the safe button has the focus, and Esc is "keep editing".
      expect(screen.getByTestId('discard-dialog-cancel')).toHaveFocus();
      expect(screen.getByTestId('discard-dialog-cancel')).toHaveTextContent('Keep editing');
      await fireEvent.keyDown(dialog, { key: 'Escape' });

      expect(screen.queryByTestId('discard-dialog')).toBeNull();
      expect(router.route).toEqual({ name: 'profileEditor', profileId: 'p-1' });
      expect(screen.getByTestId('profile-prod-workspace')).toHaveValue('contoso-synapse-prod2');
    });

    it('holds back the header navigation too, and goes where the user wanted after "Discard"', async () => {
      await openSaved();
      await typeInto('profile-token', 'new-pat');
      expect(navigate({ name: 'about' })).toBe(false);

      const dialog = await screen.findByTestId('discard-dialog');
      expect(dialog).toHaveTextContent('including the token you typed');
      await fireEvent.click(screen.getByTestId('discard-dialog-confirm'));
      expect(router.route).toEqual({ name: 'about' });
    });

    it('does not ask when the edit was undone', async () => {
      await openSaved();
      await typeInto('profile-feature-patterns', 'feature/*, hotfix/*');
      await typeInto('profile-feature-patterns', ' feature/* ');
      await fireEvent.click(screen.getByTestId('profile-cancel'));
      expect(router.route).toEqual({ name: 'profiles' });
    });

    it('a successful save leaves without asking', async () => {
      mockCommands({
        get_profile: () => profile(),
        token_status: () => ({ stored: false, keychain: { available: true, backend: 'OS keychain', message: '' } }),
        validate_profile: () => [],
        save_profile: (args) => args.profile,
      });
      router.navigate({ name: 'profileEditor', profileId: 'p-1' });
      render(ProfileEditor, { profileId: 'p-1' });
      await screen.findByTestId('profile-name');
      await typeInto('profile-name', 'Sales analytics (EU)');
      await fireEvent.submit(screen.getByTestId('profile-save').closest('form')!);
      await waitFor(() => expect(router.route).toEqual({ name: 'profiles' }));
      expect(screen.queryByTestId('discard-dialog')).toBeNull();
    });
  });
});
