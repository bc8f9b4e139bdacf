import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBackoffPoller } from './poller';

function setVisibility(state: 'visible' | 'hidden'): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('createBackoffPoller', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    setVisibility('visible');
  });
  afterEach(() => {
    vi.useRealTimers();
    setVisibility('visible');
  });

  it('polls at once, then waits at least 5 s and doubles the delay up to 60 s while nothing changes', async () => {
    const calls: number[] = [];
    const poller = createBackoffPoller(async () => {
      calls.push(Date.now());
      return false;
    });
    const t0 = Date.now();
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4999);
    expect(calls).toHaveLength(1);
    // Gaps: 10 s, 20 s, 40 s, 60 s, 60 s (the first scheduled delay is already doubled from 5 s).
    await vi.advanceTimersByTimeAsync(10_000 + 20_000 + 40_000 + 60_000 + 60_000);
    const gaps = calls.map((t, i) => t - (i === 0 ? t0 : (calls[i - 1] ?? 0)));
    expect(gaps).toEqual([0, 10_000, 20_000, 40_000, 60_000, 60_000]);
    expect(poller.delayMs).toBe(60_000);
    poller.stop();
  });

  it('drops back to 5 s after a change', async () => {
    let changed = false;
    let count = 0;
    const poller = createBackoffPoller(async () => {
      count++;
      return changed;
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(10_000 + 20_000);
    expect(count).toBe(3);
    expect(poller.delayMs).toBe(40_000);
    changed = true;
    await vi.advanceTimersByTimeAsync(40_000);
    expect(count).toBe(4);
    expect(poller.delayMs).toBe(5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(count).toBe(5);
    poller.stop();
  });

  it('makes no call while the page is hidden and resumes on visibilitychange', async () => {
    let count = 0;
    const poller = createBackoffPoller(async () => {
      count++;
      return false;
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(count).toBe(1);
    setVisibility('hidden');
    expect(poller.paused).toBe(true);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(count).toBe(1);
    setVisibility('visible');
    expect(poller.paused).toBe(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(count).toBe(2);
    expect(poller.delayMs).toBe(10_000);
    poller.stop();
  });

  it('never calls twice within 5 s even when the page flips visible right after a call', async () => {
    let count = 0;
    const poller = createBackoffPoller(async () => {
      count++;
      return false;
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    setVisibility('hidden');
    await vi.advanceTimersByTimeAsync(1_000);
    setVisibility('visible');
    await vi.advanceTimersByTimeAsync(3_999);
    expect(count).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(count).toBe(2);
    poller.stop();
  });

  it('keeps polling with back-off after a failed call and reports the error', async () => {
    const errors: unknown[] = [];
    let count = 0;
    const poller = createBackoffPoller(
      async () => {
        count++;
        throw new Error('offline');
      },
      { onError: (e) => errors.push(e) },
    );
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(count).toBe(2);
    expect(errors).toHaveLength(2);
    poller.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(count).toBe(2);
  });

  it('soon() polls as early as the 5 s minimum allows', async () => {
    let count = 0;
    const poller = createBackoffPoller(async () => {
      count++;
      return false;
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(10_000 + 20_000);
    expect(count).toBe(3);
    await vi.advanceTimersByTimeAsync(2_000);
    poller.soon();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(count).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(count).toBe(4);
    poller.stop();
  });
});
