import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ConfirmDialog from './ConfirmDialog.svelte';

afterEach(cleanup);

const body = createRawSnippet(() => ({ render: () => '<p>Are you sure?</p>' }));

describe('ConfirmDialog', () => {
  it('keeps Tab inside the dialog and confirms with the confirm button', async () => {
    const onconfirm = vi.fn();
    render(ConfirmDialog, {
      title: 'Reset?',
      confirmLabel: 'Reset',
      onconfirm,
      oncancel: vi.fn(),
      children: body,
    });
    const dialog = screen.getByRole('dialog', { name: 'Reset?' });
    const cancel = screen.getByTestId('confirm-dialog-cancel');
    const confirm = screen.getByTestId('confirm-dialog-confirm');
    // Not destructive: the confirm button starts focused.
    expect(confirm).toHaveFocus();
    await fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(cancel).toHaveFocus();
    await fireEvent.keyDown(dialog, { key: 'Tab', shiftKey: true });
    expect(confirm).toHaveFocus();
    await fireEvent.click(confirm);
    expect(onconfirm).toHaveBeenCalledOnce();
  });
});
