import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import StepRail from './StepRail.svelte';
import { steps } from './testing/fixtures';

afterEach(() => cleanup());

describe('StepRail', () => {
  it('shows each step with its state, and the steps without a screen as upcoming with what they will do', () => {
    render(StepRail, { steps: steps(['done', 'done', 'active']), viewing: 3, onselect: () => {} });
    expect(screen.getByTestId('rail-step-1')).toHaveAttribute('data-state', 'done');
    expect(screen.getByTestId('rail-step-2')).toHaveAttribute('data-state', 'done');
    expect(screen.getByTestId('rail-step-3')).toHaveAttribute('data-state', 'active');
    // Step 4 has a screen: not started yet, so pending (and not openable).
    expect(screen.getByTestId('rail-step-4')).toHaveAttribute('data-state', 'pending');
    expect(screen.queryByTestId('rail-step-4-open')).toBeNull();
    // Steps 7 and 8 have a screen too: pending until reached.
    expect(screen.getByTestId('rail-step-7')).toHaveAttribute('data-state', 'pending');
    expect(screen.getByTestId('rail-step-8')).toHaveAttribute('data-state', 'pending');
    for (const n of [5, 6]) {
      const row = screen.getByTestId(`rail-step-${n}`);
      expect(row).toHaveAttribute('data-state', 'upcoming');
      expect(row.querySelector('button')).toBeNull();
      expect(screen.getByTestId(`rail-step-${n}-description`).textContent).not.toBe('');
    }
    expect(screen.getByTestId('rail-step-4')).toHaveTextContent('Hotfix pipeline');
    expect(screen.getByTestId('rail-step-5')).toHaveTextContent('typing the production workspace name');
    expect(screen.getByTestId('rail-step-3-open')).toHaveAttribute('aria-current', 'step');
  });

  it('opens reached steps but not the ones not started yet', async () => {
    const onselect = vi.fn();
    render(StepRail, { steps: steps(['done', 'active']), viewing: 2, onselect });
    await fireEvent.click(screen.getByTestId('rail-step-1-open'));
    expect(onselect).toHaveBeenCalledWith(1);
    expect(screen.getByTestId('rail-step-3')).toHaveAttribute('data-state', 'pending');
    expect(screen.queryByTestId('rail-step-3-open')).toBeNull();
  });

  it('marks a failed step with a short pointer, not the whole error message', () => {
    const s = steps(['done', 'failed']);
    const message =
      'The connection to Azure DevOps (127.0.0.1:4000) broke while the app was reading the answer; nothing was changed. Try again.';
    s[1] = { ...s[1]!, note: message };
    s[0] = { ...s[0]!, note: 'Release-3' };
    render(StepRail, { steps: s, viewing: 2, onselect: () => {} });
    const row = screen.getByTestId('rail-step-2');
    expect(row).toHaveAttribute('data-state', 'failed');
    expect(row).toHaveTextContent('Failed');
    expect(row).toHaveTextContent('See the error on the step');
    expect(row).not.toHaveTextContent('broke while');
    // Other steps keep their notes.
    expect(screen.getByTestId('rail-step-1')).toHaveTextContent('Release-3');
  });
});
