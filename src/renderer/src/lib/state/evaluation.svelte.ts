/** The evaluation view: accuracy, confusion matrix, and the digits behind a chosen cell. */
import type { Evaluation } from '$shared/contract';
import { api } from '../api';
import { Latest } from '../latest';
import { models } from './models.svelte';
import { notices } from './notices.svelte';

export interface GalleryDigit {
  index: number;
  label: number;
  predicted: number;
  pixels: number[];
}

export class EvaluationState {
  result = $state.raw<Evaluation | null>(null);
  running = $state(false);
  /** Selected confusion cell [true, predicted], or null for "all mistakes". */
  selected = $state.raw<[number, number] | null>(null);
  gallery = $state.raw<GalleryDigit[]>([]);
  /** Whether `result` belongs to the active model. */
  #fresh = false;
  // Clicking from cell to cell: only the digits of the last cell chosen are shown.
  readonly #digits = new Latest<{ indices: number[]; predictions: number[] }, GalleryDigit[]>({
    send: async ({ indices, predictions }) =>
      indices.length ? (await api.call('dataset:digits', { indices })).digits.map((d) => ({ ...d, predicted: predictions[d.index] })) : [],
    show: (g) => (this.gallery = g),
    fail: (err) => notices.error(err),
  });

  constructor() {
    models.onActiveChange(() => (this.#fresh = false));
  }

  /** Evaluate the active model now unless done already, and again whenever another model becomes active; returns the function that stops it. */
  follow(): () => void {
    void models.ready.then(() => this.run());
    return models.onActiveChange(() => void this.run());
  }

  /** Evaluate the active model on the test set, unless the result already belongs to it. */
  async run(): Promise<void> {
    if (this.running || !models.active) return;
    this.running = true;
    try {
      while (!this.#fresh) {
        this.#fresh = true;
        this.result = await api.call('eval:run', {});
      }
      this.select(this.selected);
    } catch (err) {
      this.#fresh = false;
      notices.error(err);
    } finally {
      this.running = false;
    }
  }

  /** Show the test digits for one confusion cell, or up to 60 mistakes of any kind. */
  select(cell: [number, number] | null): void {
    this.selected = cell;
    const r = this.result;
    if (!r) return;
    let indices: number[];
    if (cell) indices = (r.examples[`${cell[0]}-${cell[1]}`] ?? []).slice(0, 60);
    else {
      indices = [];
      for (const [key, list] of Object.entries(r.examples)) {
        const [t, p] = key.split('-');
        if (t !== p) indices.push(...list.slice(0, 8));
      }
      indices = indices.sort((a, b) => a - b).slice(0, 60);
    }
    this.#digits.push({ indices, predictions: r.predictions });
  }
}

export const evaluation = new EvaluationState();
