// The window opens, shows the product name, and comes back after a restart.
import { $, browser, expect } from '@wdio/globals';
import { restartApp } from '../helpers/app.js';

describe('the app window', () => {
  it('opens and shows the product name', async () => {
    await expect(browser).toHaveTitle('Synapse Hotfix');
    await expect($('body')).toHaveText(expect.stringContaining('Synapse Hotfix'));
  });

  it('opens again after a restart', async () => {
    const before = browser.sessionId;
    await restartApp();
    expect(browser.sessionId).not.toBe(before);
    await expect($('body')).toHaveText(expect.stringContaining('Synapse Hotfix'));
  });
});
