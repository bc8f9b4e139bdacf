// What the OS keychain (Secret Service, via `secret-tool`) and the disk hold. The e2e run starts
// its own gnome-keyring-daemon inside a private D-Bus session (scripts/e2e.sh), so these calls
// never touch a developer's real keychain.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** One item of `secret-tool search --all` (its attributes go to stderr, so they are not here). */
export interface SecretItem {
  label: string;
  secret: string;
}

/** Every keychain item whose attributes match `attrs`, with its label and secret. */
export function searchSecrets(attrs: Record<string, string>): SecretItem[] {
  const args = ['search', '--all', ...Object.entries(attrs).flat()];
  let out: string;
  try {
    out = execFileSync('secret-tool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    // secret-tool exits 1 when nothing matches.
    if ((e as { status?: number }).status === 1) return [];
    throw e;
  }
  const items: SecretItem[] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('[')) {
      items.push({ label: '', secret: '' });
      continue;
    }
    const m = /^(label|secret) = (.*)$/.exec(line);
    const item = items.at(-1);
    if (item && m) item[m[1] as 'label' | 'secret'] = m[2];
  }
  return items;
}

/** `secret-tool lookup`: the secret stored under `attrs`, or undefined. */
export function lookupSecret(attrs: Record<string, string>): string | undefined {
  try {
    return execFileSync('secret-tool', ['lookup', ...Object.entries(attrs).flat()], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    if ((e as { status?: number }).status === 1) return undefined;
    throw e;
  }
}

/** Every file under `root` (recursively) whose bytes contain `needle`. */
export function filesContaining(root: string, needle: string): string[] {
  const hits: string[] = [];
  const bytes = Buffer.from(needle, 'utf8');
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && fs.readFileSync(p).includes(bytes)) hits.push(p);
    }
  };
  if (fs.existsSync(root)) walk(root);
  return hits;
}

/** Every file under `root`, relative to it (for assertions that something was written at all). */
export function listFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}
