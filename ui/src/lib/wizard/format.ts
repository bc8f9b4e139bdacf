// Small display helpers shared by the wizard screens.

import type { ArtifactKind } from './types';

/** A date and time in the user's locale ("26 Nov 2026, 10:07"); empty for no date. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The first 8 characters of a commit id, as Azure DevOps shows it. */
export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 8) : '';
}

/** The first line of a commit message. */
export function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? '';
}

/** A duration in seconds as "45 s" or "2 min 5 s"; empty for none. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** "1 commit", "3 commits". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

const KIND_LABEL: Record<ArtifactKind, string> = {
  pipeline: 'Pipeline',
  notebook: 'Notebook',
  dataset: 'Dataset',
  linkedService: 'Linked service',
  trigger: 'Trigger',
  sqlScript: 'SQL script',
  dataflow: 'Data flow',
  integrationRuntime: 'Integration runtime',
  credential: 'Credential',
  managedVirtualNetwork: 'Managed virtual network',
  managedPrivateEndpoint: 'Managed private endpoint',
  sparkJobDefinition: 'Spark job definition',
  sparkConfiguration: 'Spark configuration',
  kqlScript: 'KQL script',
  database: 'Lake database',
};

/** "Linked service", "Pipeline", … */
export function kindLabel(kind: ArtifactKind): string {
  return KIND_LABEL[kind] ?? kind;
}
