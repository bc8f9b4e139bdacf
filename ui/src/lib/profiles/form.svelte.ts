/**
 * The profile being edited and everything derived from it: the connection target for the API,
 * the picker options (saved choice alone until the lists load), and what picking an item does to
 * the dependent fields (a new project clears repository, pipeline, connection and queue; a
 * pipeline preselects its production-looking stage; a service connection fills the subscription).
 */
import * as api from '../api';
import type { ConnectionTarget, FieldIssue, Profile, ServiceConnectionItem } from '../api';
import type { PickerOption } from '../components/Select.svelte';
import { PickerLists } from './pickers.svelte';

type Ref = { id: string | number; name: string } | null;

/** Options of a picker: the loaded list, or the saved choice alone until the list is loaded. */
function options<T>(list: T[] | null, current: Ref, map: (item: T) => PickerOption): PickerOption[] {
  if (list) return list.map(map);
  return current ? [{ value: String(current.id), label: current.name }] : [];
}

/** Feature branch patterns as typed ("feature/*, release/*") to the saved list. */
function splitPatterns(typed: string): string[] {
  return typed
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean);
}

export class ProfileForm {
  profile: Profile;
  /** The token typed in this form; empty = keep (or use) the stored one. */
  token = $state('');
  /** Feature branch patterns as typed, comma-separated. */
  patterns = $state('');
  issues = $state<FieldIssue[]>([]);
  /** What publish_config.json says, once a repository is picked. */
  publishHint = $state<string | null>(null);
  readonly lists = new PickerLists();

  /** What the form held when it was opened (or last saved), to tell whether anything changed. */
  #baseline = $state('');

  constructor(profile: Profile) {
    this.profile = $state(profile);
    this.patterns = profile.featureBranchPatterns.join(', ');
    this.#baseline = this.#fingerprint();
  }

  #fingerprint(): string {
    return JSON.stringify({ ...this.profile, featureBranchPatterns: splitPatterns(this.patterns) });
  }

  /** True when a field differs from what was loaded, or a token was typed. */
  readonly dirty = $derived.by(() => this.token.trim() !== '' || this.#fingerprint() !== this.#baseline);

  issue(field: string): string | null {
    return this.issues.find((i) => i.field === field)?.message ?? null;
  }

  /** The connection for API calls: the typed token, else the saved profile's stored one. */
  target(): ConnectionTarget {
    const p = this.profile;
    return {
      organizationUrl: p.organizationUrl,
      profileId: p.id || undefined,
      token: this.token.trim() || undefined,
      simulated: p.simulated,
      method: p.signIn.method,
    };
  }

  /** The profile was saved without leaving the form (before signing in): take its id. */
  markSaved(saved: Profile): void {
    this.profile = saved;
    this.patterns = saved.featureBranchPatterns.join(', ');
    this.#baseline = this.#fingerprint();
  }

  /** The profile to save, with the typed patterns applied. */
  toProfile(): Profile {
    this.profile.featureBranchPatterns = splitPatterns(this.patterns);
    return this.profile;
  }

  async pickProject(id: string): Promise<void> {
    const p = this.profile;
    const item = this.lists.projects?.find((x) => x.id === id);
    const changed = p.project?.id !== id;
    p.project = item ? { id: item.id, name: item.name } : null;
    if (!changed) return;
    p.repository = null;
    p.releaseDefinition = null;
    p.productionStage = null;
    p.serviceConnection = null;
    p.agentQueue = null;
    this.lists.clearProjectLists();
    if (item) await this.lists.loadForProject(this.target(), item.name);
  }

  async pickRepository(id: string): Promise<void> {
    const p = this.profile;
    const item = this.lists.repositories?.find((r) => r.id === id);
    p.repository = item ? { id: item.id, name: item.name } : null;
    this.publishHint = null;
    if (!item || !p.project) return;
    try {
      const info = await api.readPublishBranch(this.target(), p.project.name, item.name, p.collaborationBranch);
      this.publishHint = info.message;
    } catch {
      // The hint is a nicety; the field keeps its own explanation.
      this.publishHint = null;
    }
  }

  pickDefinition(id: string): void {
    const item = this.lists.definitions?.find((d) => String(d.id) === id);
    this.profile.releaseDefinition = item ? { id: item.id, name: item.name } : null;
    const production = item?.stages.find((s) => /prod/i.test(s.name)) ?? null;
    this.profile.productionStage = production ? { ...production } : null;
  }

  pickStage(id: string): void {
    const definition = this.lists.definitions?.find((d) => d.id === this.profile.releaseDefinition?.id);
    const stage = definition?.stages.find((s) => String(s.id) === id);
    this.profile.productionStage = stage ? { ...stage } : null;
  }

  pickServiceConnection(id: string): void {
    const item = this.lists.serviceConnections?.find((c) => c.id === id);
    this.profile.serviceConnection = item ? { id: item.id, name: item.name } : null;
    if (item?.subscriptionId && !this.profile.prodSubscriptionId) {
      this.profile.prodSubscriptionId = item.subscriptionId;
    }
  }

  pickQueue(id: string): void {
    const item = this.lists.queues?.find((q) => String(q.id) === id);
    this.profile.agentQueue = item ? { id: item.id, name: item.name } : null;
  }

  readonly projectOptions = $derived.by(() =>
    options(this.lists.projects, this.profile.project, (p) => ({ value: p.id, label: p.name })),
  );

  readonly repositoryOptions = $derived.by(() =>
    options(this.lists.repositories, this.profile.repository, (r) => ({
      value: r.id,
      label: r.name,
      hint: r.isDisabled ? 'disabled' : r.defaultBranch ? `default branch ${r.defaultBranch}` : undefined,
      disabled: r.isDisabled,
    })),
  );

  readonly definitionOptions = $derived.by(() =>
    options(this.lists.definitions, this.profile.releaseDefinition, (d) => ({
      value: String(d.id),
      label: d.path && d.path !== '\\' ? `${d.path}\\${d.name}` : d.name,
    })),
  );

  readonly stageOptions = $derived.by((): PickerOption[] => {
    const definition = this.lists.definitions?.find((d) => d.id === this.profile.releaseDefinition?.id);
    if (definition) return definition.stages.map((s) => ({ value: String(s.id), label: s.name }));
    const current = this.profile.productionStage;
    return current ? [{ value: String(current.id), label: current.name }] : [];
  });

  readonly serviceConnectionOptions = $derived.by(() =>
    options(this.lists.serviceConnections, this.profile.serviceConnection, (c) => ({
      value: c.id,
      label: c.name,
      hint: [
        c.scheme,
        c.supported ? null : 'workload identity: not supported by the Synapse task',
        c.isReady ? null : 'not ready',
      ]
        .filter(Boolean)
        .join(' · '),
      disabled: !c.supported,
    })),
  );

  readonly selectedConnection = $derived.by(
    (): ServiceConnectionItem | null =>
      this.lists.serviceConnections?.find((c) => c.id === this.profile.serviceConnection?.id) ?? null,
  );

  readonly queueOptions = $derived.by(() =>
    options(this.lists.queues, this.profile.agentQueue, (q) => ({
      value: String(q.id),
      label: q.name,
      hint: q.isHosted ? 'Microsoft-hosted' : 'self-hosted',
    })),
  );
}
