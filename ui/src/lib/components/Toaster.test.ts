import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Toaster from './Toaster.svelte';
import { TOAST_MS, toast, toasts } from '../toast.svelte';

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  for (const t of [...toasts.items]) toasts.dismiss(t.id);
  cleanup();
  vi.useRealTimers();
});

describe('Toaster', () => {
  it('lets a success toast go by itself and keeps an error until it is dismissed', async () => {
    render(Toaster);
    toast('Demo ready: "Contoso demo" talks to a simulated Azure DevOps organization.');
    toast('The link could not be opened.', 'danger');
    flushSync();
    expect(screen.getAllByTestId('toast')).toHaveLength(2);
    vi.advanceTimersByTime(TOAST_MS.success + 1);
    flushSync();
    const left = screen.getAllByTestId('toast');
    expect(left).toHaveLength(1);
    expect(left[0]).toHaveAttribute('data-kind', 'danger');
    expect(left[0]).toHaveAttribute('role', 'alert');
    vi.advanceTimersByTime(60_000);
    flushSync();
    expect(screen.getAllByTestId('toast')).toHaveLength(1);
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('toast')).toBeNull();
  });

  it('takes no room when empty and a strip of its own when showing toasts', () => {
    render(Toaster);
    expect(screen.getByTestId('toaster')).not.toHaveClass('filled');
    toast('Saved "Contoso".');
    flushSync();
    expect(screen.getByTestId('toaster')).toHaveClass('filled');
  });

  it('a toast dismissed early does not take a later one with it', () => {
    render(Toaster);
    const first = toast('First.');
    toasts.dismiss(first);
    toast('Second.', 'info');
    vi.advanceTimersByTime(TOAST_MS.success + 1);
    flushSync();
    expect(screen.getByTestId('toast')).toHaveTextContent('Second.');
  });
});
