/**
 * The lists behind the profile form's pickers, loaded from Azure DevOps after a successful
 * connection test: projects, then (per project) repositories, release pipelines with their
 * stages, service connections and agent queues. Each list has its own loading flag and error, so
 * one failing call (a missing scope) does not hide the others.
 */
import * as api from '../api';
import type {
  AgentQueueItem,
  ConnectionTarget,
  ProjectItem,
  ReleaseDefinitionItem,
  RepositoryItem,
  ServiceConnectionItem,
} from '../api';
import { toAppError, type AppError } from '../errors';

export type ListName = 'projects' | 'repositories' | 'definitions' | 'serviceConnections' | 'queues';

export class PickerLists {
  projects = $state<ProjectItem[] | null>(null);
  repositories = $state<RepositoryItem[] | null>(null);
  definitions = $state<ReleaseDefinitionItem[] | null>(null);
  serviceConnections = $state<ServiceConnectionItem[] | null>(null);
  queues = $state<AgentQueueItem[] | null>(null);
  loading = $state<Record<ListName, boolean>>({
    projects: false,
    repositories: false,
    definitions: false,
    serviceConnections: false,
    queues: false,
  });
  errors = $state<Partial<Record<ListName, AppError>>>({});
  /** Bumped on every (re)load so answers to an older request are dropped. */
  private generation = 0;

  async loadProjects(target: ConnectionTarget): Promise<void> {
    const gen = ++this.generation;
    this.projects = await this.fetch('projects', gen, () => api.listProjects(target));
  }

  /** Loads every per-project list in parallel. */
  async loadForProject(target: ConnectionTarget, project: string): Promise<void> {
    const gen = this.generation;
    await Promise.all([
      this.fetch('repositories', gen, () => api.listRepositories(target, project)).then((v) => {
        if (gen === this.generation) this.repositories = v;
      }),
      this.fetch('definitions', gen, () => api.listReleaseDefinitions(target, project)).then((v) => {
        if (gen === this.generation) this.definitions = v;
      }),
      this.fetch('serviceConnections', gen, () => api.listServiceConnections(target, project)).then(
        (v) => {
          if (gen === this.generation) this.serviceConnections = v;
        },
      ),
      this.fetch('queues', gen, () => api.listAgentQueues(target, project)).then((v) => {
        if (gen === this.generation) this.queues = v;
      }),
    ]);
  }

  /** Forgets the per-project lists (another project was picked). */
  clearProjectLists(): void {
    this.repositories = null;
    this.definitions = null;
    this.serviceConnections = null;
    this.queues = null;
  }

  private async fetch<T>(name: ListName, gen: number, load: () => Promise<T[]>): Promise<T[] | null> {
    this.loading[name] = true;
    delete this.errors[name];
    try {
      const items = await load();
      return gen === this.generation ? items : null;
    } catch (e) {
      if (gen === this.generation) this.errors[name] = toAppError(e);
      return null;
    } finally {
      if (gen === this.generation) this.loading[name] = false;
    }
  }
}
