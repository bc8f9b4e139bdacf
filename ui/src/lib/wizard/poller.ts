// Polls with back-off: at least `minMs` between two calls, the delay grows by `factor` (up to `maxMs`)
// while nothing changes and drops back to `minMs` when something does. Paused while the page is hidden
// (no call at all), resumed on `visibilitychange` — the user coming back from Synapse Studio is the
// moment a new commit is most likely, so the delay is reset then. Never two calls in flight.

export interface BackoffOptions {
  minMs?: number;
  maxMs?: number;
  factor?: number;
  /** The document whose visibility pauses polling (tests pass their own). */
  doc?: Document;
  /** Called when a tick throws; polling continues with back-off. */
  onError?: (error: unknown) => void;
  /** Called with the wait before the next call each time one is scheduled. */
  onSchedule?: (ms: number) => void;
}

export interface BackoffPoller {
  start(): void;
  stop(): void;
  /** Poll as soon as the minimum gap since the last call allows (e.g. after a demo push). */
  soon(): void;
  readonly delayMs: number;
  readonly paused: boolean;
  readonly running: boolean;
}

/** `tick` resolves to true when it saw a change (which resets the delay). */
export function createBackoffPoller(
  tick: () => Promise<boolean>,
  options: BackoffOptions = {},
): BackoffPoller {
  const minMs = Math.max(options.minMs ?? 5000, 0);
  const maxMs = Math.max(options.maxMs ?? 60000, minMs);
  const factor = Math.max(options.factor ?? 2, 1);
  const doc = options.doc ?? (typeof document === 'undefined' ? undefined : document);

  let delay = minMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let inFlight = false;
  let lastCallAt = Number.NEGATIVE_INFINITY;
  let wantSoon = false;

  const hidden = (): boolean => doc?.visibilityState === 'hidden';

  function clear(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  function schedule(ms: number): void {
    clear();
    if (!running || hidden()) return;
    timer = setTimeout(run, Math.max(ms, 0));
    options.onSchedule?.(Math.max(ms, 0));
  }

  function untilAllowed(): number {
    return Math.max(lastCallAt + minMs - Date.now(), 0);
  }

  async function run(): Promise<void> {
    timer = undefined;
    if (!running || hidden() || inFlight) return;
    inFlight = true;
    lastCallAt = Date.now();
    let changed = false;
    try {
      changed = await tick();
    } catch (error) {
      options.onError?.(error);
    } finally {
      inFlight = false;
    }
    delay = changed ? minMs : Math.min(delay * factor, maxMs);
    if (wantSoon) {
      wantSoon = false;
      delay = minMs;
    }
    schedule(delay);
  }

  function onVisibility(): void {
    if (!running) return;
    if (hidden()) {
      clear();
      return;
    }
    delay = minMs;
    if (!inFlight) schedule(untilAllowed());
  }

  return {
    start() {
      if (running) return;
      running = true;
      delay = minMs;
      doc?.addEventListener('visibilitychange', onVisibility);
      schedule(untilAllowed());
    },
    stop() {
      running = false;
      clear();
      doc?.removeEventListener('visibilitychange', onVisibility);
    },
    soon() {
      if (!running) return;
      delay = minMs;
      if (inFlight) wantSoon = true;
      else schedule(untilAllowed());
    },
    get delayMs() {
      return delay;
    },
    get paused() {
      return running && hidden();
    },
    get running() {
      return running;
    },
  };
}
