/** Short confirmations ("Profile saved") that disappear by themselves. */

export interface Toast {
  id: number;
  kind: 'success' | 'info' | 'danger';
  message: string;
}

class Toasts {
  items = $state<Toast[]>([]);
  private next = 1;

  show(message: string, kind: Toast['kind'] = 'success', ms = 4000): number {
    const id = this.next++;
    this.items.push({ id, kind, message });
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
    return id;
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();

export function toast(message: string, kind: Toast['kind'] = 'success'): number {
  return toasts.show(message, kind);
}
