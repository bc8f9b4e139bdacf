// TEMPORARY visual preview harness (not committed).
import { mount } from 'svelte';
import '../../../app.css';
import Wizard from '../../../routes/Wizard.svelte';
import { fixedRun, mockCommands, productionReleases, resolvedRun, newRun, RELEASE_SHA } from './fixtures';

const params = new URLSearchParams(location.search);
const kind = params.get('run') ?? 'fixed';
const run =
  kind === 'resolved'
    ? resolvedRun()
    : kind === 'choice'
      ? newRun({
          release: { id: 3, name: 'Release-3', definitionId: 1, definitionEnvironmentId: 2, wasCurrent: true },
          artifactChoice: {
            why: 'Release-3 has two Git artifacts of synapse-analytics on branches that are not the publish branch; the app cannot tell which one holds the Synapse source.',
            candidates: [
              { alias: '_src_a', artifactType: 'Git', branch: 'main', version: RELEASE_SHA, looksLike: 'source folders' },
              { alias: '_src_b', artifactType: 'Git', branch: 'release', version: 'b'.repeat(40), looksLike: 'ARM template' },
            ],
          },
        })
      : fixedRun();
mockCommands({
  hotfix_get_run: () => run,
  hotfix_list_production_releases: () => productionReleases,
  hotfix_check_branch_name: (a) =>
    a.name === 'taken'
      ? { name: 'taken', ok: false, problem: 'A branch taken already exists and points at commit c0ffee00, not at the release commit 3f2a9c1d. The app never moves or overwrites a branch: pick another name.', existing: { name: 'taken', objectId: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00', atReleaseCommit: false }, suggestion: 'taken_2' }
      : { name: (a.name as string | null) ?? 'Release3_Hotfixes', ok: true },
  hotfix_poll_branch: () => ({ head: run.fix.head, changed: false, hasNewCommits: true, fromCache: false, polledAt: new Date().toISOString(), nextPollInMs: 5000 }),
});
if (params.get('dark')) document.documentElement.style.colorScheme = 'dark';
mount(Wizard, { target: document.getElementById('app')!, props: { runId: 'run-1' } });
setTimeout(() => {
  if (params.get('open')) document.querySelectorAll('details').forEach((d) => (d.open = true));
  const step = params.get('step');
  if (step) (document.querySelector(`[data-testid="rail-step-${step}-open"]`) as HTMLElement | null)?.click();
  const type = params.get('type');
  if (type) {
    const input = document.querySelector('[data-testid="step2-branch-input"]') as HTMLInputElement;
    input.value = type;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  setTimeout(() => window.scrollTo(0, Number(params.get('y') ?? 0)), 300);
}, 500);
