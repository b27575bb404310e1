/**
 * Two models on one drawing: which pair is compared (before → after, see comparePair.ts), both
 * models' traces of the drawing, their maps, and the person's samples as each reads them.
 * Every request keeps only its newest reply (lib/latest.ts).
 */
import { untrack } from 'svelte';
import type { HiddenMap } from '$shared/projection';
import type { TraceResult } from '$shared/types';
import { api } from '../api';
import { comparePair } from '../comparePair';
import { describeError } from '../i18n/index.svelte';
import { Latest } from '../latest';
import { drawing } from './drawing.svelte';
import { models } from './models.svelte';
import { samples } from './samples.svelte';

/** Samples compared before → after at most. */
export const MAX_SAMPLES = 24;

/** One sample as both models read it. */
export interface SampleRow {
  id: string;
  label: number;
  a: number;
  b: number;
}

type Two<T> = [T | null, T | null];
const traceWith = (id: string, pixels: ArrayLike<number>) => api.call('viz:trace', { id, pixels: Array.from(pixels) });

export class CompareState {
  /** The person's choice for each side; null follows the default. */
  pick = $state<{ a: string | null; b: string | null }>({ a: null, b: null });
  readonly pair = $derived(comparePair(models.versions, models.active?.id ?? null, this.pick));
  readonly idA = $derived(this.pair?.a ?? null);
  readonly idB = $derived(this.pair?.b ?? null);
  traces = $state.raw<Two<TraceResult>>([null, null]);
  maps = $state.raw<Two<HiddenMap>>([null, null]);
  rows = $state.raw<SampleRow[]>([]);
  error = $state<string | null>(null);

  readonly #traces = new Latest<{ input: Float32Array; a: string; b: string }, Two<TraceResult>>({
    send: ({ input, a, b }) => Promise.all([traceWith(a, input), traceWith(b, input)]),
    show: (t) => ([this.traces, this.error] = [t, null]),
    fail: (err) => (this.error = describeError(err)),
  });
  // Each side's map on its own: a cached map shows while the other is still being fitted.
  readonly #maps = ([0, 1] as const).map(
    (side) =>
      new Latest<string, HiddenMap>({
        send: (id) => api.call('viz:map', { id }),
        show: (m) => this.#setMap(side, m),
        fail: () => this.#setMap(side, null),
      }),
  );
  readonly #rows = new Latest<{ list: typeof samples.list; a: string; b: string }, SampleRow[]>({
    send: ({ list, a, b }) =>
      Promise.all(
        list.map(async (s) => ({ id: s.id, label: s.label, a: (await traceWith(a, s.pixels)).prediction, b: (await traceWith(b, s.pixels)).prediction })),
      ),
    show: (r) => (this.rows = r),
    fail: () => (this.rows = []),
  });

  /** Keep the comparison in step with the drawing, the pair and the samples while it is shown; returns the function that stops it. */
  follow(): () => void {
    return $effect.root(() => {
      $effect(() => this.#trace(drawing.input, this.idA, this.idB));
      $effect(() => this.#loadMaps(this.idA, this.idB));
      $effect(() => this.#readSamples(samples.list.slice(0, MAX_SAMPLES), this.idA, this.idB));
    });
  }

  #trace(input: Float32Array | null, a: string | null, b: string | null): void {
    if (input && a && b) return this.#traces.push({ input, a, b });
    this.#traces.cancel();
    this.traces = [null, null];
  }

  #loadMaps(a: string | null, b: string | null): void {
    [a, b].forEach((id, side) => {
      if (id) return this.#maps[side].push(id);
      this.#maps[side].cancel();
      this.#setMap(side as 0 | 1, null);
    });
  }

  #setMap(side: 0 | 1, map: HiddenMap | null): void {
    const next: Two<HiddenMap> = [...untrack(() => this.maps)];
    next[side] = map;
    this.maps = next;
  }

  #readSamples(list: typeof samples.list, a: string | null, b: string | null): void {
    if (a && b && a !== b && list.length) return this.#rows.push({ list, a, b });
    this.#rows.cancel();
    this.rows = [];
  }
}

export const compare = new CompareState();
