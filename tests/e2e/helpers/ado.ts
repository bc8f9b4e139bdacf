// Reading the (simulated) Azure DevOps organization the way any client would: REST with the PAT,
// and real git over smart HTTP. Used to check what the app did, independently of the app.
import { execFileSync } from 'node:child_process';

/** Basic auth header for a PAT (any user name, the PAT as password). */
export function basicAuth(pat: string): string {
  return `Basic ${Buffer.from(`:${pat}`).toString('base64')}`;
}

/** GET `{orgUrl}/{path}` with api-version 7.1; throws with the body on a non-2xx answer. */
export async function adoGet<T>(orgUrl: string, pat: string, path: string, query: Record<string, string> = {}): Promise<T> {
  const url = new URL(`${orgUrl.replace(/\/$/, '')}/${path}`);
  for (const [k, v] of Object.entries({ ...query, 'api-version': '7.1' })) url.searchParams.set(k, v);
  const res = await fetch(url, { headers: { authorization: basicAuth(pat), accept: 'application/json' } });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url} answered HTTP ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Text of a file on a branch (Git Items API). */
export async function fileOnBranch(orgUrl: string, pat: string, project: string, repo: string, branch: string, path: string): Promise<string> {
  const url = new URL(`${orgUrl.replace(/\/$/, '')}/${project}/_apis/git/repositories/${repo}/items`);
  url.searchParams.set('path', path);
  url.searchParams.set('versionDescriptor.version', branch);
  url.searchParams.set('versionDescriptor.versionType', 'branch');
  url.searchParams.set('$format', 'text');
  url.searchParams.set('api-version', '7.1');
  const res = await fetch(url, { headers: { authorization: basicAuth(pat) } });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url} answered HTTP ${res.status}: ${text}`);
  return text;
}

/** `git ls-remote` over smart HTTP: ref name → object id. */
export function lsRemote(repoUrl: string, pat: string): Map<string, string> {
  const out = execFileSync(
    'git',
    ['-c', `http.extraHeader=Authorization: ${basicAuth(pat)}`, 'ls-remote', repoUrl],
    { encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
  );
  const refs = new Map<string, string>();
  for (const line of out.trim().split('\n')) {
    const [sha, ref] = line.split('\t');
    if (sha && ref) refs.set(ref, sha);
  }
  return refs;
}
