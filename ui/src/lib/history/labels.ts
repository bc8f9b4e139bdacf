// Words for the history's values (the UI never shows a raw enum).
import type { RunStatus } from '../bindings/RunStatus';

const STATUS: Record<RunStatus, string> = {
  active: 'In progress',
  completed: 'Completed',
  abandoned: 'Abandoned',
};

export function statusLabel(status: RunStatus): string {
  return STATUS[status] ?? status;
}

/** "Hotfix of Release-3 in contoso-synapse-prod", as the Markdown record titles it. */
export function entryTitle(e: { release?: { name: string }; prodWorkspace: string }): string {
  return e.release ? `Hotfix of ${e.release.name} in ${e.prodWorkspace}` : `Hotfix in ${e.prodWorkspace} (release not picked)`;
}
