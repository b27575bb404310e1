/** The evaluation view: accuracy, confusion matrix, and the digits behind a chosen cell. */
import type { Evaluation } from '$shared/contract';
import { api } from '../api';
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
  #forGeneration = -1;

  async run(generation: number): Promise<void> {
    if (this.running || this.#forGeneration === generation) return;
    this.running = true;
    try {
      this.result = await api.call('eval:run', {});
      this.#forGeneration = generation;
      await this.select(this.selected);
    } catch (err) {
      notices.error(err);
    } finally {
      this.running = false;
    }
  }

  /** Show the test digits for one confusion cell, or up to 60 mistakes of any kind. */
  async select(cell: [number, number] | null): Promise<void> {
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
    try {
      const { digits } = indices.length ? await api.call('dataset:digits', { indices }) : { digits: [] };
      this.gallery = digits.map((d) => ({ ...d, predicted: r.predictions[d.index] }));
    } catch (err) {
      notices.error(err);
    }
  }
}

export const evaluation = new EvaluationState();
