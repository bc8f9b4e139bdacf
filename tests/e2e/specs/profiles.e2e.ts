// A profile created through the UI survives a restart; its token lives in the OS keychain
// (Secret Service: service "synapse-hotfix", user = profile id) and nowhere on disk or in the logs.
import { browser, expect } from '@wdio/globals';
import crypto from 'node:crypto';
import path from 'node:path';
import { appHome, appOutput, restartApp, xdgHome } from '../helpers/app.js';
import { filesContaining, listFiles, lookupSecret } from '../helpers/secrets.js';
import { byTestId, fill, textOf } from '../helpers/ui.js';

const NAME = `Contoso Sales ${crypto.randomBytes(3).toString('hex')}`;
// Shaped like an Azure DevOps PAT (52 base32 characters), unique to this run.
const TOKEN = crypto.randomBytes(40).toString('base64').replace(/[^a-z0-9]/gi, '').slice(0, 52).toLowerCase();

const card = () => byTestId('profile-card', `[data-profile-name="${NAME}"]`);

describe('profiles', () => {
  let profileId = '';

  it('creates a profile with a token from the editor', async () => {
    await byTestId('profiles-page').waitForDisplayed();
    await byTestId('profile-new').click();
    await byTestId('editor-page').waitForDisplayed();
    await fill('profile-name', NAME);
    await fill('profile-org-url', 'https://dev.azure.com/contoso-e2e');
    // A new profile signs in with Microsoft Entra ID unless told otherwise.
    expect(await byTestId('signin-method-entra').isSelected()).toBe(true);
    await byTestId('signin-method-pat').click();
    await fill('profile-token', TOKEN);
    await byTestId('profile-save').click();

    await byTestId('profiles-page').waitForDisplayed();
    await expect(card()).toBeDisplayed();
    profileId = (await card().getAttribute('data-profile-id')) ?? '';
    expect(profileId).not.toBe('');
    expect(await textOf(card().$('[data-testid="profile-card-name"]'))).toBe(NAME);
  });

  it('finds the profile and its stored token again after a restart', async () => {
    await restartApp();
    await byTestId('profiles-page').waitForDisplayed();
    await expect(card()).toBeDisplayed();
    expect(await card().getAttribute('data-profile-id')).toBe(profileId);

    await card().$('[data-testid="profile-edit"]').click();
    await byTestId('editor-page').waitForDisplayed();
    await expect(byTestId('profile-name')).toHaveValue(NAME);
    await expect(byTestId('token-status')).toHaveAttribute('data-stored', 'true');
    // The token is never shown back.
    await expect(byTestId('profile-token')).toHaveValue('');
    await expect(browser.$('body')).not.toHaveText(expect.stringContaining(TOKEN));
  });

  it('keeps the token in the keychain under the profile id', () => {
    expect(lookupSecret({ service: 'synapse-hotfix', username: profileId })).toBe(TOKEN);
  });

  it('writes the token to no file, no log and no web storage', () => {
    const home = appHome();
    // The profile itself is on disk (so the search looks in the right place)...
    const withName = filesContaining(home, NAME).map((f) => path.relative(home, f));
    expect(withName.some((f) => f.startsWith('config'))).toBe(true);
    // ...but its token is in none of the config, data, log or cache files, nor in the app output.
    expect(filesContaining(home, TOKEN)).toEqual([]);
    // Nor in the WebView's own storage (local storage, caches, IndexedDB).
    expect(listFiles(xdgHome()).length).toBeGreaterThan(0);
    expect(filesContaining(xdgHome(), TOKEN)).toEqual([]);
    expect(listFiles(path.join(home, 'logs')).length).toBeGreaterThan(0);
    expect(appOutput()).not.toContain(TOKEN);
  });
});
