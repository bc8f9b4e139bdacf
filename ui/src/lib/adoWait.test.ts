import { cleanup, render, screen } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adoWaits, listenToAdoWaits, waitMessage } from './adoWait.svelte';
import type { RetryWait } from './api';
import Skeleton from './wizard/Skeleton.svelte';
import Progress from './components/Progress.svelte';
import { mockCommands } from './testing/ipc';

afterEach(() => {
  adoWaits.clear();
  cleanup();
  vi.useRealTimers();
});

function rateLimit(over: Partial<RetryWait> = {}): RetryWait {
  return {
    reason: 'rateLimited',
    status: 429,
    method: 'GET',
    url: 'https://vsrm.dev.azure.com/contoso/DataPlatform/_apis/release/deployments',
    waitMs: 12_000,
    attempt: 1,
    serverAsked: true,
    ...over,
  };
}

describe('Azure DevOps waits', () => {
  it('the loading placeholder says that Azure DevOps asked to wait, and for how long, until the wait is over', async () => {
    mockCommands({}, { events: true });
    await listenToAdoWaits();
    vi.useFakeTimers();
    render(Skeleton, { label: 'Loading the releases deployed in production', testid: 'step1-loading' });
    expect(screen.queryByTestId('ado-wait')).toBeNull();
    await emit('ado:wait', rateLimit());
    flushSync();
    expect(screen.getByTestId('ado-wait')).toHaveTextContent(
      'Azure DevOps asked us to wait 12 s (rate limit) — retrying automatically',
    );
    vi.advanceTimersByTime(11_000);
    flushSync();
    expect(screen.getByTestId('ado-wait')).toBeInTheDocument();
    vi.advanceTimersByTime(1_001);
    flushSync();
    expect(screen.queryByTestId('ado-wait')).toBeNull();
  });

  it('progress bars show the wait too', () => {
    render(Progress, { label: 'Testing the connection to Azure DevOps…' });
    adoWaits.report(rateLimit({ reason: 'connectionDropped', status: undefined, waitMs: 500, serverAsked: false }));
    flushSync();
    expect(screen.getByTestId('ado-wait')).toHaveTextContent('The connection to Azure DevOps broke');
  });

  it('says what each kind of wait is', () => {
    expect(waitMessage(rateLimit({ waitMs: 1500 }))).toContain('wait 2 s (rate limit)');
    expect(waitMessage(rateLimit({ reason: 'serverError', status: 502, serverAsked: false, waitMs: 1000 }))).toBe(
      'Azure DevOps had a problem answering (HTTP 502) — retrying automatically in 1 s',
    );
    expect(waitMessage(rateLimit({ reason: 'serverError', status: 503, waitMs: 3000 }))).toContain(
      'asked us to wait 3 s',
    );
    expect(waitMessage(rateLimit({ reason: 'slowDown', attempt: 0, waitMs: 800 }))).toContain('slow down');
  });
});
