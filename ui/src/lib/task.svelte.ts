/**
 * One "busy / error / retry" state for an asynchronous action, instead of hand-rolled `loading`,
 * `error` and `seq` variables in every screen:
 *
 *     const save = task((name: string) => api.hotfixCreateBranch(runId, name));
 *     await save.run('Release3_Hotfixes');   // the value, or undefined after an error
 *     save.busy; save.error; save.retry();   // reactive ($state) in Svelte 5 components
 *
 * Only the latest call counts: when a call starts while an earlier one is still running, the earlier
 * one's result and error are dropped (it resolves `undefined`), so a slow answer never overwrites a
 * newer one.
 */
import { toAppError, type AppError } from './errors';

export interface Task<A extends unknown[], T> {
  /** True while the latest call runs. */
  readonly busy: boolean;
  /** The latest call's error, until the next call or `clear()`. */
  readonly error: AppError | null;
  /** Runs the action; resolves with its value, or `undefined` after an error or when superseded. */
  run(...args: A): Promise<T | undefined>;
  /** Runs the action again with the arguments of the last call. */
  retry(): Promise<T | undefined>;
  /** Forgets the error (and makes a running call's outcome be dropped). */
  clear(): void;
}

export interface TaskOptions {
  /** Start as busy (for a screen that loads in `onMount`, so the first paint shows the placeholder). */
  busy?: boolean;
}

export function task<A extends unknown[], T>(
  action: (...args: A) => Promise<T>,
  options: TaskOptions = {},
): Task<A, T> {
  let busy = $state(options.busy ?? false);
  let error = $state<AppError | null>(null);
  let last: A | null = null;
  let seq = 0;

  async function run(...args: A): Promise<T | undefined> {
    const mine = ++seq;
    last = args;
    busy = true;
    error = null;
    try {
      const value = await action(...args);
      return mine === seq ? value : undefined;
    } catch (e) {
      if (mine === seq) error = toAppError(e);
      return undefined;
    } finally {
      if (mine === seq) busy = false;
    }
  }

  return {
    get busy() {
      return busy;
    },
    get error() {
      return error;
    },
    run,
    retry() {
      return last === null ? Promise.resolve(undefined) : run(...last);
    },
    clear() {
      seq++;
      busy = false;
      error = null;
    },
  };
}
