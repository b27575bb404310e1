/** The person's correct-and-teach drawings. */
import type { Sample } from '$shared/contract';
import { api } from '../api';
import { notices } from './notices.svelte';
import { t } from '../i18n/index.svelte';

export class SamplesState {
  /** The samples loaded so far, newest first: the first page, and more on request. */
  list = $state.raw<Sample[]>([]);
  /** Samples stored in all. */
  total = $state(0);

  async load(): Promise<void> {
    try {
      const page = await api.call('samples:list', {});
      this.list = page.samples;
      this.total = page.total;
    } catch (err) {
      notices.error(err);
    }
  }

  /** Load the next page. */
  async more(): Promise<void> {
    try {
      const page = await api.call('samples:list', { offset: this.list.length });
      const seen = this.list.map((s) => s.id);
      this.list = [...this.list, ...page.samples.filter((s) => !seen.includes(s.id))];
      this.total = page.total;
    } catch (err) {
      notices.error(err);
    }
  }

  async add(pixels: Float32Array, label: number): Promise<void> {
    try {
      const s = await api.call('samples:add', { pixels: Array.from(pixels), label });
      this.list = [s, ...this.list];
      this.total++;
      notices.info(t('notice.sampleSaved', { k: label, count: this.total }));
    } catch (err) {
      notices.error(err);
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await api.call('samples:delete', { id });
      this.list = this.list.filter((s) => s.id !== id);
      this.total = Math.max(0, this.total - 1);
    } catch (err) {
      notices.error(err);
    }
  }
}

export const samples = new SamplesState();
