import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { router } from './lib/router.svelte';
import { appInfo, mockCommands, profile } from './lib/testing/ipc';

afterEach(() => {
  cleanup();
  clearMocks();
  router.navigate({ name: 'profiles' });
});

describe('App shell', () => {
  it('tells the back end the UI is ready, and opens the Profiles screen', async () => {
    const calls = mockCommands({
      app_ready: () => null,
      app_info: () => appInfo(),
      list_profiles: () => ({ profiles: [], warnings: [], readOnly: false }),
    });
    render(App);
    await screen.findByTestId('profiles-page');
    expect(screen.getByRole('main')).not.toHaveFocus();
    await waitFor(() => expect(calls.filter((c) => c.cmd === 'app_ready')).toHaveLength(1));
    expect(screen.getByTestId('nav-profiles')).toHaveAttribute('aria-current', 'page');
    await fireEvent.click(screen.getByTestId('nav-about'));
    expect(router.route).toEqual({ name: 'about' });
    // Focus leaves the nav button for the new screen.
    expect(screen.getByRole('main')).toHaveFocus();
  });

  it('started with --demo: starts the demo and opens its runs', async () => {
    const calls = mockCommands({
      app_ready: () => null,
      app_info: () => appInfo({ demoRequested: true }),
      list_profiles: () => ({ profiles: [], warnings: [], readOnly: false }),
      demo_start: () => profile({ id: 'p-demo', simulated: true }),
      get_profile: () => profile({ id: 'p-demo', simulated: true }),
      hotfix_list_runs: () => [],
    });
    render(App);
    await waitFor(() => expect(router.route).toEqual({ name: 'runs', profileId: 'p-demo' }));
    expect(calls.filter((c) => c.cmd === 'demo_start')).toHaveLength(1);
    expect(await screen.findByTestId('demo-indicator')).toHaveTextContent('Demo organization running');
  });
});
