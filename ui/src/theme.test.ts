/**
 * The colour tokens in app.css, light and dark: every text/background pair the components use
 * must be readable (WCAG AA: 4.5:1 for text). A palette edit that makes a badge, banner or button
 * unreadable in one theme fails here instead of in a screenshot review.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const css = readFileSync(join(__dirname, 'app.css'), 'utf8');

function tokens(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of block.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)) out[m[1]!] = m[2]!;
  return out;
}

const light = tokens(css.slice(css.indexOf(':root'), css.indexOf('@media (prefers-color-scheme: dark)')));
const dark = { ...light, ...tokens(css.slice(css.indexOf('@media (prefers-color-scheme: dark)'))) };

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** [text token, background token, where it is used]. */
const PAIRS: [string, string, string][] = [
  ['text', 'bg', 'page text'],
  ['text', 'surface', 'card text'],
  ['text-muted', 'bg', 'hints on the page'],
  ['text-muted', 'surface', 'hints in cards'],
  ['text-muted', 'surface-2', 'neutral badge'],
  ['accent', 'surface', 'links'],
  ['accent-text', 'accent', 'primary button'],
  ['danger-text', 'danger', 'danger button'],
  ['danger', 'surface', 'error text, Delete'],
  ['danger', 'danger-soft', 'danger badge / banner'],
  ['warning', 'warning-soft', 'warning badge'],
  ['warning', 'surface', 'warning text'],
  ['success', 'success-soft', 'success badge'],
  ['sim', 'sim-soft', 'simulated badge'],
  ['text', 'info-soft', 'info banner'],
  ['text', 'warning-soft', 'warning banner'],
  ['text', 'danger-soft', 'danger banner'],
  ['text', 'success-soft', 'success banner, connection result'],
];

describe.each([
  ['light', light],
  ['dark', dark],
])('%s theme', (_name, palette) => {
  it.each(PAIRS)('%s on %s (%s) is readable', (fg, bg) => {
    expect(palette[fg], `--${fg}`).toBeDefined();
    expect(palette[bg], `--${bg}`).toBeDefined();
    expect(contrast(palette[fg]!, palette[bg]!)).toBeGreaterThanOrEqual(4.5);
  });
});
