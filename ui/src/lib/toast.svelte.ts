/**
 * Short confirmations ("Profile saved") that disappear by themselves, and errors that stay until
 * dismissed. The toaster is a strip under the screen, never over it (components/Toaster.svelte).
 */

export interface Toast {
  id: number;
  kind: 'success' | 'info' | 'danger';
  message: string;
}

/** How long a toast stays, by kind; 0 = until dismissed (an error must not vanish unread). */
export const TOAST_MS: Record<Toast['kind'], number> = {
  success: 5000,
  info: 8000,
  danger: 0,
};

class Toasts {
  items = $state<Toast[]>([]);
  private next = 1;
  private timers = new Map<number, ReturnType<typeof setTimeout>>();

  show(message: string, kind: Toast['kind'] = 'success', ms = TOAST_MS[kind]): number {
    const id = this.next++;
    this.items = [...this.items, { id, kind, message }];
    if (ms > 0) this.timers.set(id, setTimeout(() => this.dismiss(id), ms));
    return id;
  }

  dismiss(id: number): void {
    const timer = this.timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(id);
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();

export function toast(message: string, kind: Toast['kind'] = 'success'): number {
  return toasts.show(message, kind);
}
