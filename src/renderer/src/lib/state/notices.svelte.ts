/** Messages shown to the person: errors from main and short confirmations. */
import { describeError } from '../i18n/index.svelte';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

class Notices {
  list = $state<Notice[]>([]);
  #next = 1;

  push(kind: Notice['kind'], text: string, ttlMs = kind === 'error' ? 9000 : 3500): void {
    const id = this.#next++;
    // The same message twice in a row is shown once.
    if (this.list.some((n) => n.text === text)) return;
    this.list = [...this.list.slice(-3), { id, kind, text }];
    setTimeout(() => this.dismiss(id), ttlMs);
  }

  error(err: unknown): void {
    this.push('error', describeError(err));
  }

  info(text: string): void {
    this.push('info', text);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}

export const notices = new Notices();
