// Small conveniences over WebdriverIO selectors for the app's `data-testid` attributes.
import { $, $$ } from '@wdio/globals';
import type { ChainablePromiseElement } from 'webdriverio';

/** `[data-testid="id"]`, optionally with more attribute selectors appended. */
export function tid(id: string, extra = ''): string {
  return `[data-testid="${id}"]${extra}`;
}

/** The first element with this test id (waits like any WebdriverIO `$`). */
export function byTestId(id: string, extra = '') {
  return $(tid(id, extra));
}

/** Every element with this test id. */
export function allByTestId(id: string, extra = '') {
  return $$(tid(id, extra));
}

/** Clears an input and types `value` into it (as a person would, key by key). */
export async function fill(id: string, value: string): Promise<void> {
  const input = await byTestId(id);
  await input.waitForDisplayed();
  await input.clearValue();
  await input.setValue(value);
}

/**
 * The element's text content, trimmed. Prefer this to `getText()` for text that may be clipped:
 * WebKitWebDriver answers "" for elements styled `overflow: hidden; text-overflow: ellipsis`.
 */
export async function textOf(el: ChainablePromiseElement): Promise<string> {
  return String(await el.getProperty('textContent')).trim();
}
