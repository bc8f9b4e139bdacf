// Display helpers of the production review.

import type { ReviewCheck } from '../../bindings/ReviewCheck';

/** Git folder names of Synapse artifact kinds (what the review's items carry) → labels. */
const FOLDER_LABEL: Record<string, string> = {
  pipeline: 'Pipeline',
  notebook: 'Notebook',
  dataset: 'Dataset',
  linkedService: 'Linked service',
  trigger: 'Trigger',
  sqlscript: 'SQL script',
  dataflow: 'Data flow',
  integrationRuntime: 'Integration runtime',
  credential: 'Credential',
  managedVirtualNetwork: 'Managed virtual network',
  managedPrivateEndpoint: 'Managed private endpoint',
  sparkJobDefinition: 'Spark job definition',
  sparkConfiguration: 'Spark configuration',
  kqlscript: 'KQL script',
  database: 'Lake database',
};

/** "Linked service" for `linkedService`; the folder name itself when unknown. */
export function folderLabel(folder: string): string {
  return FOLDER_LABEL[folder] ?? folder;
}

/** The result of a check that ran, else null. */
export function resultOf<T>(check: ReviewCheck<T>): T | null {
  return check.status === 'ran' ? check.result : null;
}

/** A test id fragment for any name (artifact and parameter names may hold spaces or dots). */
export function idOf(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}
