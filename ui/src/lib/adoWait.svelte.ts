/**
 * The wait the Azure DevOps client is in right now (a 429's `Retry-After`, a back-off after a 5xx
 * or a dropped connection), fed by the `ado:wait` event and cleared when the wait is over. Loading
 * placeholders show it (components/AdoWaitNote.svelte) instead of spinning silently.
 */
import { onAdoWait, type RetryWait } from './api';

class AdoWaits {
  current = $state<RetryWait | null>(null);
  private timer: ReturnType<typeof setTimeout> | undefined;

  report(wait: RetryWait): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.current = wait;
    this.timer = setTimeout(() => this.clear(), wait.waitMs);
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.current = null;
  }
}

export const adoWaits = new AdoWaits();

/** Subscribes `adoWaits` to the back end's `ado:wait` event (once, at start-up). */
export function listenToAdoWaits(): Promise<() => void> {
  return onAdoWait((wait) => adoWaits.report(wait));
}

/** Whole seconds, at least 1, for a wait in milliseconds. */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** What the screen says during a wait. */
export function waitMessage(wait: RetryWait): string {
  const s = seconds(wait.waitMs);
  switch (wait.reason) {
    case 'rateLimited':
      return wait.serverAsked
        ? `Azure DevOps asked us to wait ${s} s (rate limit) — retrying automatically`
        : `Azure DevOps is limiting requests (rate limit) — retrying automatically in ${s} s`;
    case 'serverError':
      return wait.serverAsked
        ? `Azure DevOps is unavailable (HTTP ${wait.status ?? 503}) and asked us to wait ${s} s — retrying automatically`
        : `Azure DevOps had a problem answering (HTTP ${wait.status ?? 500}) — retrying automatically in ${s} s`;
    case 'connectionDropped':
      return `The connection to Azure DevOps broke while reading — retrying automatically in ${s} s`;
    case 'slowDown':
      return `Azure DevOps asked us to slow down — the next request waits ${s} s`;
  }
}
