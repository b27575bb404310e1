/** The person's correct-and-teach drawings. */
import type { Sample } from '$shared/contract';
import { api } from '../api';
import { notices } from './notices.svelte';
import { t } from '../i18n/index.svelte';

export class SamplesState {
  list = $state.raw<Sample[]>([]);

  async load(): Promise<void> {
    try {
      this.list = await api.call('samples:list', {});
    } catch (err) {
      notices.error(err);
    }
  }

  async add(pixels: Float32Array, label: number): Promise<void> {
    try {
      const s = await api.call('samples:add', { pixels: Array.from(pixels), label });
      this.list = [s, ...this.list];
      notices.info(t('notice.sampleSaved', { k: label, count: this.list.length }));
    } catch (err) {
      notices.error(err);
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await api.call('samples:delete', { id });
      this.list = this.list.filter((s) => s.id !== id);
    } catch (err) {
      notices.error(err);
    }
  }
}

export const samples = new SamplesState();
