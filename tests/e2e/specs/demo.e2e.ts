// Issue #3: "Try the demo" gives a ready, simulated profile without any set-up, and `--demo` /
// SYNAPSE_HOTFIX_DEMO=1 open it straight away.
import { $$, browser, expect } from '@wdio/globals';
import { restartApp } from '../helpers/app.js';
import { demoAdmin, demoPat, demoStatus } from '../helpers/demo.js';
import { lsRemote } from '../helpers/ado.js';
import { lookupSecret } from '../helpers/secrets.js';
import { byTestId, textOf } from '../helpers/ui.js';

const DEMO_NAME = 'Contoso demo (simulated)';

describe('demo mode', () => {
  it('"Try the demo" on an empty profile list opens a ready simulated profile', async () => {
    await byTestId('profiles-empty').waitForDisplayed();
    await byTestId('demo-try').click();
    await byTestId('runs-screen').waitForDisplayed({ timeout: 60_000 });
    await expect(byTestId('runs-profile')).toHaveText(expect.stringContaining(DEMO_NAME));

    const status = await demoStatus();
    expect(status.running).toBe(true);
    expect(status.organizationUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/contoso$/);
  });

  it('lists the demo profile as simulated, signed in with Entra ID (refresh token in the keychain)', async () => {
    const { profileId, organizationUrl } = await demoStatus();
    await byTestId('nav-profiles').click();
    const card = byTestId('profile-card', `[data-profile-id="${profileId}"]`);
    await expect(card).toBeDisplayed();
    expect(await textOf(card.$('[data-testid="profile-card-name"]'))).toBe(DEMO_NAME);
    await expect(card.$('[data-testid="badge-simulated"]')).toBeDisplayed();
    // Only one demo profile, and no "Try the demo" button once it exists.
    expect(await $$('[data-testid="badge-simulated"]').length).toBe(1);
    await expect(byTestId('demo-try')).not.toBeExisting();

    // The demo profile signed in with (simulated) Entra ID: its refresh token is in the keychain,
    // and no PAT is stored for it.
    const signIn = lookupSecret({ service: 'synapse-hotfix', username: `${profileId!}:entra` });
    expect(signIn).toContain('refreshToken');
    expect(lookupSecret({ service: 'synapse-hotfix', username: profileId! })).toBeUndefined();
    // The simulated repository answers real git.
    const refs = lsRemote(`${organizationUrl}/DataPlatform/_git/synapse-analytics`, await demoPat());
    expect(refs.get('refs/heads/main')).toMatch(/^[0-9a-f]{40}$/);
    expect(refs.has('refs/heads/workspace_publish')).toBe(true);
  });

  it('the app filled the demo profile from the simulated organization', async () => {
    const journal = await (await demoAdmin()).journal();
    // It talked to the organization (discovery, projects, repositories, release definitions...).
    expect(journal.some((e) => /\/_apis\/projects/i.test(e.path) && e.status === 200)).toBe(true);
    await byTestId('profile-card', `[data-profile-name="${DEMO_NAME}"] [data-testid="profile-edit"]`).click();
    await byTestId('editor-sim-banner').waitForDisplayed();
    await expect(byTestId('signin-status')).toHaveAttribute('data-signed-in', 'true');
  });

  it('--demo starts straight in the demo, on the same profile after a restart', async () => {
    const before = (await demoStatus()).profileId;
    await restartApp({ args: ['--demo'] });
    await byTestId('runs-screen').waitForDisplayed({ timeout: 60_000 });
    await expect(byTestId('runs-profile')).toHaveText(expect.stringContaining(DEMO_NAME));
    await expect(byTestId('demo-indicator')).toBeDisplayed();
    expect((await demoStatus()).profileId).toBe(before);
  });

  it('SYNAPSE_HOTFIX_DEMO=1 does the same', async () => {
    await restartApp({ env: { SYNAPSE_HOTFIX_DEMO: '1' } });
    await byTestId('runs-screen').waitForDisplayed({ timeout: 60_000 });
    await expect(byTestId('demo-indicator')).toBeDisplayed();
    expect(await browser.execute(() => document.title)).toBe('Synapse Hotfix');
  });
});
