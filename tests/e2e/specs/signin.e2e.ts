// Issue #11: a profile signs in with Microsoft Entra ID in the system browser. The spec plays the
// browser: the app writes the address it opens to SYNAPSE_HOTFIX_OPENED_URLS, the spec loads that
// (simulated) sign-in page, clicks "Sign in" and follows the redirect back to the app's loopback
// listener. Then Test connection names the account, a restart stays signed in, and Sign out
// removes the refresh token from the keychain. No token lands in a file or a log.
import { browser, expect } from '@wdio/globals';
import path from 'node:path';
import { appHome, appOutput, openedUrls, restartApp, xdgHome } from '../helpers/app.js';
import { filesContaining } from '../helpers/secrets.js';
import { lookupSecret } from '../helpers/secrets.js';
import { demoStatus } from '../helpers/demo.js';
import { byTestId, fill } from '../helpers/ui.js';

const COPY = 'Copy of Contoso demo (simulated)';

/** Waits for the app to open a sign-in page it had not opened before. */
async function nextSignInPage(seen: number): Promise<URL> {
  let found: string | undefined;
  await browser.waitUntil(
    () => {
      found = openedUrls().slice(seen).find((u) => u.includes('/oauth2/v2.0/authorize'));
      return Boolean(found);
    },
    { timeout: 15_000, timeoutMsg: 'the app did not open a sign-in page' },
  );
  return new URL(found!);
}

/** The browser's part: the page, a click on the link with this test id, back to the loopback. */
async function playBrowser(authorize: URL, decision: 'accept' | 'decline'): Promise<string> {
  const page = await (await fetch(authorize)).text();
  const match = page.match(new RegExp(`data-testid="entra-${decision}" href="([^"]+)"`));
  expect(match).not.toBeNull();
  const click = await fetch(match![1].replaceAll('&amp;', '&'), { redirect: 'manual' });
  expect(click.status).toBe(302);
  const back = new URL(click.headers.get('location')!);
  expect(back.hostname).toBe('localhost');
  back.hostname = '127.0.0.1';
  return (await fetch(back)).text();
}

async function openCopy(): Promise<string> {
  await byTestId('nav-profiles').click();
  const card = byTestId('profile-card', `[data-profile-name="${COPY}"]`);
  await card.waitForDisplayed();
  const id = (await card.getAttribute('data-profile-id')) ?? '';
  await card.$('[data-testid="profile-edit"]').click();
  await byTestId('editor-page').waitForDisplayed();
  return id;
}

describe('sign in with Microsoft Entra ID', () => {
  let profileId = '';
  let refreshToken = '';

  it('makes an Entra ID profile for the simulator that is not signed in yet', async () => {
    await restartApp({ args: ['--demo'] });
    await byTestId('runs-screen').waitForDisplayed({ timeout: 60_000 });
    const { profileId: demoId } = await demoStatus();
    await byTestId('nav-profiles').click();
    await byTestId('profile-card', `[data-profile-id="${demoId}"] [data-testid="profile-duplicate"]`).click();
    profileId = await openCopy();
    expect(profileId).not.toBe('');
    expect(await byTestId('signin-method-entra').isSelected()).toBe(true);
    await expect(byTestId('signin-status')).toHaveAttribute('data-signed-in', 'false');
    expect(lookupSecret({ service: 'synapse-hotfix', username: `${profileId}:entra` })).toBeUndefined();
  });

  it('Cancel stops a sign-in that waits for the browser', async () => {
    const seen = openedUrls().length;
    await byTestId('signin-start').click();
    await nextSignInPage(seen);
    await byTestId('signin-waiting').waitForDisplayed();
    await byTestId('signin-cancel').click();
    await byTestId('signin-start').waitForDisplayed();
    await expect(byTestId('signin-error')).not.toBeExisting();
    await expect(byTestId('signin-status')).toHaveAttribute('data-signed-in', 'false');
  });

  it('signs in through the browser: code + PKCE, state, the loopback page', async () => {
    const seen = openedUrls().length;
    await byTestId('signin-start').click();
    const authorize = await nextSignInPage(seen);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+\/$/);
    expect(authorize.searchParams.get('scope')).toContain('499b84ac-1321-427f-aa17-267ca6975798/.default');

    const page = await playBrowser(authorize, 'accept');
    expect(page).toContain('You can close this tab');
    await expect(byTestId('signin-status')).toHaveAttribute('data-signed-in', 'true');
    await expect(byTestId('signin-account')).toHaveText(expect.stringContaining('@'));
    const saved = lookupSecret({ service: 'synapse-hotfix', username: `${profileId}:entra` });
    refreshToken = JSON.parse(saved!).refreshToken;
    expect(refreshToken).toBeTruthy();
  });

  it('tests the connection with the Entra ID token and names the account', async () => {
    await byTestId('test-connection').click();
    await byTestId('connection-result').waitForDisplayed({ timeout: 30_000 });
    await expect(byTestId('connection-signed-in-as')).toHaveText(expect.stringContaining('@'));
  });

  it('stays signed in after a restart', async () => {
    await restartApp();
    await byTestId('runs-screen').waitForDisplayed({ timeout: 60_000 });
    await openCopy();
    await expect(byTestId('signin-status')).toHaveAttribute('data-signed-in', 'true');
    // The demo simulator listens on a new port after every start (only the demo profile itself
    // follows it): point the copy at it. The refresh token from before the restart still works.
    const { organizationUrl } = await demoStatus();
    await fill('profile-org-url', organizationUrl!);
    await byTestId('test-connection').click();
    await byTestId('connection-result').waitForDisplayed({ timeout: 30_000 });
    await expect(byTestId('connection-signed-in-as')).toHaveText(expect.stringContaining('@'));
    await byTestId('profile-save').click();
    await byTestId('profiles-page').waitForDisplayed();
    await openCopy();
  });

  it('keeps the refresh token out of every file and log', () => {
    const home = appHome();
    expect(filesContaining(home, profileId).some((f) => path.relative(home, f).startsWith('config'))).toBe(true);
    // The simulator is the authority: its own database (data/demo-sim/world.json) knows the tokens
    // it issued, as Microsoft's servers do. Nothing of the app's own holds it.
    const app = filesContaining(home, refreshToken).filter(
      (f) => !path.relative(home, f).startsWith(path.join('data', 'demo-sim')),
    );
    expect(app).toEqual([]);
    expect(filesContaining(xdgHome(), refreshToken)).toEqual([]);
    expect(appOutput()).not.toContain(refreshToken);
  });

  it('signs out: the keychain entry is gone', async () => {
    await byTestId('signin-signout').click();
    await expect(byTestId('signin-status')).toHaveAttribute('data-signed-in', 'false');
    expect(lookupSecret({ service: 'synapse-hotfix', username: `${profileId}:entra` })).toBeUndefined();
  });
});
