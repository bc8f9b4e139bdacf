import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import Profiles from './Profiles.svelte';
import { router } from '../lib/router.svelte';
import { appError, appInfo, mockCommands, profile } from '../lib/testing/ipc';

afterEach(() => {
  cleanup();
  clearMocks();
  router.navigate({ name: 'profiles' });
});

const emptyList = () => ({ profiles: [], warnings: [], readOnly: false });

describe('Profiles screen', () => {
  it('offers to create a profile or try the demo when there is none', async () => {
    mockCommands({ list_profiles: emptyList, app_info: () => appInfo() });
    render(Profiles);
    const empty = await screen.findByTestId('profiles-empty');
    expect(within(empty).getByTestId('profile-create')).toHaveTextContent('Create profile');
    expect(within(empty).getByTestId('demo-try')).toHaveTextContent('Try the demo');
    await fireEvent.click(within(empty).getByTestId('profile-create'));
    expect(router.route).toEqual({ name: 'profileEditor', profileId: null });
  });

  it('starts the demo and opens its runs', async () => {
    const demo = profile({ id: 'p-demo', name: 'Contoso demo (simulated)', simulated: true });
    const calls = mockCommands({
      list_profiles: emptyList,
      app_info: () => appInfo(),
      demo_start: () => demo,
    });
    render(Profiles);
    await fireEvent.click(await screen.findByTestId('demo-try'));
    await waitFor(() => expect(router.route).toEqual({ name: 'runs', profileId: 'p-demo' }));
    expect(calls.filter((c) => c.cmd === 'demo_start')).toHaveLength(1);
  });

  it('shows each profile with where it points, and the Simulated badge only on the demo', async () => {
    mockCommands({
      list_profiles: () => ({
        profiles: [
          profile({ id: 'p-demo', name: 'Contoso demo (simulated)', simulated: true }),
          profile({ id: 'p-2', name: 'Sales' }),
        ],
        warnings: [],
        readOnly: false,
      }),
      app_info: () => appInfo(),
    });
    render(Profiles);
    const cards = await screen.findAllByTestId('profile-card');
    expect(cards).toHaveLength(2);
    expect(within(cards[0]!).getByTestId('badge-simulated')).toHaveTextContent('Simulated');
    expect(within(cards[1]!).queryByTestId('badge-simulated')).toBeNull();
    expect(cards[1]).toHaveTextContent('https://dev.azure.com/contoso / DataPlatform / synapse-analytics');
  });

  it('marks a profile whose deployed hotfix is not merged back everywhere yet', async () => {
    const run = (id: string, profileId: string, notMergedBack: boolean, mergeBackPending: string[]) => ({
      id,
      profileId,
      profileName: 'x',
      prodWorkspace: 'contoso-synapse-prod',
      status: 'completed' as const,
      currentStep: 'cleanup' as const,
      currentStepNumber: 8,
      currentStepTitle: 'Clean up',
      releaseName: 'Release-3',
      createdAt: '2026-11-26T09:00:00Z',
      updatedAt: '2026-11-26T09:05:00Z',
      notMergedBack,
      mergeBackPending,
    });
    const calls = mockCommands({
      list_profiles: () => ({ profiles: [profile({ id: 'p-1' }), profile({ id: 'p-2', name: 'Sales' })], warnings: [], readOnly: false }),
      app_info: () => appInfo(),
      hotfix_list_runs: () => [run('r1', 'p-1', true, ['main', 'feature/x']), run('r2', 'p-2', false, [])],
    });
    render(Profiles);
    const cards = await screen.findAllByTestId('profile-card');
    const mark = await within(cards[0]!).findByTestId('profile-not-merged');
    expect(mark).toHaveTextContent('Not merged back');
    expect(mark).toHaveTextContent('Release-3: main, feature/x');
    expect(within(cards[1]!).queryByTestId('profile-not-merged')).toBeNull();
    expect(calls.find((c) => c.cmd === 'hotfix_list_runs')?.args).toEqual({ includeFinished: true });
  });

  it('opens a real profile directly, and starts the simulator before opening the demo one', async () => {
    const calls = mockCommands({
      list_profiles: () => ({
        profiles: [profile({ id: 'p-demo', name: 'Demo', simulated: true }), profile({ id: 'p-2', name: 'Sales' })],
        warnings: [],
        readOnly: false,
      }),
      app_info: () => appInfo(),
      demo_start: () => profile({ id: 'p-demo', name: 'Demo', simulated: true }),
    });
    render(Profiles);
    const cards = await screen.findAllByTestId('profile-card');
    await fireEvent.click(within(cards[1]!).getByTestId('profile-open'));
    expect(router.route).toEqual({ name: 'runs', profileId: 'p-2' });
    expect(calls.some((c) => c.cmd === 'demo_start')).toBe(false);
    await fireEvent.click(within(cards[0]!).getByTestId('profile-open'));
    await waitFor(() => expect(router.route).toEqual({ name: 'runs', profileId: 'p-demo' }));
    expect(calls.filter((c) => c.cmd === 'demo_start')).toHaveLength(1);
  });

  it('deletes a profile only after confirming, and Esc cancels', async () => {
    let profiles = [profile({ id: 'p-1', name: 'Sales' })];
    const calls = mockCommands({
      list_profiles: () => ({ profiles, warnings: [], readOnly: false }),
      app_info: () => appInfo(),
      delete_profile: (args) => {
        profiles = profiles.filter((p) => p.id !== args.profileId);
        return null;
      },
    });
    render(Profiles);
    await fireEvent.click(await screen.findByTestId('profile-delete'));
    const dialog = screen.getByTestId('delete-dialog');
    expect(dialog).toHaveTextContent('Delete “Sales”?');
    // Destructive: Cancel has the focus, and Esc closes without deleting.
    expect(screen.getByTestId('delete-dialog-cancel')).toHaveFocus();
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByTestId('delete-dialog')).toBeNull();
    expect(calls.some((c) => c.cmd === 'delete_profile')).toBe(false);

    await fireEvent.click(screen.getByTestId('profile-delete'));
    await fireEvent.click(screen.getByTestId('delete-dialog-confirm'));
    await screen.findByTestId('profiles-empty');
    expect(calls.find((c) => c.cmd === 'delete_profile')?.args).toEqual({ profileId: 'p-1' });
  });

  it('shows what is left when the profile was deleted but its token could not be', async () => {
    let profiles = [profile({ id: 'p-1', name: 'Sales' })];
    mockCommands({
      list_profiles: () => ({ profiles, warnings: [], readOnly: false }),
      app_info: () => appInfo(),
      delete_profile: () => {
        profiles = [];
        throw appError('keychainUnavailable', 'The OS keychain is not available, so a token saved there earlier could not be deleted.');
      },
    });
    render(Profiles);
    await fireEvent.click(await screen.findByTestId('profile-delete'));
    await fireEvent.click(screen.getByTestId('delete-dialog-confirm'));
    expect(await screen.findByTestId('profiles-error')).toHaveTextContent('could not be deleted');
    expect(screen.queryByTestId('profile-card')).toBeNull();
  });

  it('warns that an unreadable profiles file was moved aside, with its new path', async () => {
    mockCommands({
      list_profiles: () => ({
        profiles: [],
        warnings: [
          {
            kind: 'movedAside',
            message: 'Your profiles file could not be read: it is not valid JSON.',
            path: '/h/config/profiles.json.corrupt-20261126T101500.000Z',
          },
        ],
        readOnly: false,
      }),
      app_info: () => appInfo(),
    });
    render(Profiles);
    const banner = await screen.findByTestId('profiles-file-banner');
    expect(banner).toHaveTextContent('Your profiles file was unreadable');
    expect(within(banner).getByTestId('profiles-file-path')).toHaveTextContent(
      '/h/config/profiles.json.corrupt-20261126T101500.000Z',
    );
  });

  it('warns when no keychain is available', async () => {
    mockCommands({
      list_profiles: emptyList,
      app_info: () =>
        appInfo({
          keychain: {
            available: false,
            backend: 'memory',
            message: 'No OS keychain is available: no Secret Service. Tokens are kept in memory for this session only.',
          },
        }),
    });
    render(Profiles);
    expect(await screen.findByTestId('keychain-banner')).toHaveTextContent('kept in memory for this session only');
  });

  it('imports the chosen file and reports what was imported and skipped', async () => {
    let imported: string | null = null;
    mockCommands({
      list_profiles: emptyList,
      app_info: () => appInfo(),
      import_profiles: (args) => {
        imported = args.json as string;
        return {
          imported: [{ id: 'p-9', name: 'Shared', newId: false }],
          skipped: [{ name: 'Broken', reason: 'The organization URL is required.' }],
          summary: 'Imported 1 profile; 1 was skipped.',
        };
      },
    });
    render(Profiles);
    await screen.findByTestId('profiles-empty');
    const input = screen.getByTestId('profile-import-input') as HTMLInputElement;
    const file = new File(['{"kind":"synapse-hotfix.profiles"}'], 'p.json', { type: 'application/json' });
    await fireEvent.change(input, { target: { files: [file] } });
    const report = await screen.findByTestId('import-report');
    expect(report).toHaveTextContent('Imported 1 profile; 1 was skipped.');
    expect(report).toHaveTextContent('Skipped “Broken”: The organization URL is required.');
    expect(imported).toBe('{"kind":"synapse-hotfix.profiles"}');
  });

  it('shows a failing command where the user is looking, with what to do', async () => {
    mockCommands({
      list_profiles: () => {
        throw appError('storage', 'The profiles could not be read. Check that the folder is readable.', 'EACCES');
      },
      app_info: () => appInfo(),
    });
    render(Profiles);
    const banner = await screen.findByTestId('profiles-error');
    expect(banner).toHaveTextContent('A file could not be read or written');
    expect(banner).toHaveTextContent('Check that the folder is readable.');
    expect(within(banner).getByTestId('profiles-error-detail')).toHaveTextContent('EACCES');
  });
});
