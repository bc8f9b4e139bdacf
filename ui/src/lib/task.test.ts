import { describe, expect, it } from 'vitest';
import { task } from './task.svelte';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('task', () => {
  it('is busy while the action runs and hands back its value', async () => {
    const d = deferred<string>();
    const t = task((x: number) => d.promise.then((v) => `${v}${x}`));
    expect(t.busy).toBe(false);
    const running = t.run(1);
    expect(t.busy).toBe(true);
    d.resolve('ok');
    expect(await running).toBe('ok1');
    expect(t.busy).toBe(false);
    expect(t.error).toBeNull();
  });

  it('keeps a rejection as an AppError, and retry repeats the last call', async () => {
    const seen: number[] = [];
    let fail = true;
    const t = task(async (x: number) => {
      seen.push(x);
      if (fail) throw { code: 'serverError', message: 'Azure DevOps had a problem.' };
      return x * 2;
    });
    expect(await t.run(21)).toBeUndefined();
    expect(t.error).toEqual({ code: 'serverError', message: 'Azure DevOps had a problem.' });
    fail = false;
    expect(await t.retry()).toBe(42);
    expect(seen).toEqual([21, 21]);
    expect(t.error).toBeNull();
  });

  it('drops the outcome of a call overtaken by a newer one', async () => {
    const slow = deferred<string>();
    const fast = deferred<string>();
    const answers = [slow, fast];
    const t = task(() => answers.shift()!.promise);
    const first = t.run();
    const second = t.run();
    fast.resolve('new');
    expect(await second).toBe('new');
    slow.reject({ code: 'unreachable', message: 'late failure' });
    expect(await first).toBeUndefined();
    expect(t.error).toBeNull();
    expect(t.busy).toBe(false);
  });

  it('can start busy, and clear forgets an error', async () => {
    const t = task(async () => {
      throw { code: 'notFound', message: 'gone' };
    }, { busy: true });
    expect(t.busy).toBe(true);
    await t.run();
    expect(t.error?.code).toBe('notFound');
    t.clear();
    expect(t.error).toBeNull();
  });
});
