/**
 * The visualisation's server-side answers for the renderer: the active model's
 * hidden-state map (fetched again when the model changes) and the current drawing's
 * row importance. For both, the newest reply wins (see lib/latest.ts).
 */
import type { CellTerms, RowImportance } from '$shared/contract';
import type { HiddenMap } from '$shared/projection';
import { projectStates } from '$shared/projection';
import type { TraceResult } from '$shared/types';
import { api } from '../api';
import { describeError } from '../i18n/index.svelte';
import { Latest } from '../latest';
import { models } from './models.svelte';

/** What the step viewer's heatmap can show: the state, an LSTM's cell, or one gate. */
export type Layer = 'h' | 'c' | 'i' | 'f' | 'o' | 'z' | 'r';

export class VizState {
  map = $state.raw<HiddenMap | null>(null);
  mapError = $state<string | null>(null);
  loadingMap = $state(false);
  importance = $state.raw<RowImportance | null>(null);
  /** Each step's input and recurrent terms for the equations panel. */
  terms = $state.raw<CellTerms | null>(null);
  /** Show the map's other projection (PCA where the discriminant is shown, or the other way round). */
  useOther = $state(false);
  /** Show the heatmap's units in the map's order (stored with the version's map). */
  orderUnits = $state(true);
  /** The unit the equations panel shows; hovering the heatmap picks it. */
  unit = $state(0);
  /** The layer the step viewer's heatmap shows (a gate only where the cell has it). */
  layer = $state<Layer>('h');
  /** A unit pointed at in the units that matter, outlined in the heatmap. */
  markedUnit = $state<number | null>(null);
  #impTrace: TraceResult | null = null;
  #termsTrace: TraceResult | null = null;
  readonly #maps = new Latest<void, HiddenMap>({
    send: () => api.call('viz:map', {}),
    show: (m) => {
      this.map = m;
      this.loadingMap = false;
    },
    fail: (err) => {
      this.mapError = describeError(err);
      this.loadingMap = false;
    },
  });
  readonly #importance = new Latest<Float32Array, RowImportance>({
    send: (input) => api.call('viz:importance', { pixels: Array.from(input) }),
    show: (r) => (this.importance = r),
    fail: () => (this.importance = null),
  });

  readonly #terms = new Latest<Float32Array, CellTerms>({
    send: (input) => api.call('viz:terms', { pixels: Array.from(input) }),
    show: (r) => (this.terms = r),
    fail: () => (this.terms = null),
  });

  /** Fetch the active model's map (fitted on first request for a version, then cached). */
  loadMap(): void {
    this.loadingMap = true;
    this.mapError = null;
    this.#maps.push();
  }

  /** Load the map now and again whenever the active model changes; returns the function that stops it. */
  followMap(): () => void {
    this.loadMap();
    return models.onActiveChange(() => this.loadMap());
  }

  /** The map as shown: its default projection, or the other one when switched. */
  get shown(): HiddenMap | null {
    const m = this.map;
    if (!m || !this.useOther) return m;
    const { other, ...first } = m;
    return { ...m, ...other, other: first };
  }

  /** The trace's states placed on the shown map (steps × 2), when the map belongs to the same-sized model. */
  path(trace: TraceResult | null): Float32Array | null {
    const m = this.shown;
    if (!trace || !m || m.hidden !== trace.hidden) return null;
    return projectStates(m, trace.h, trace.steps);
  }

  /** Where the blank state h₀ lies on the shown map. */
  origin(): [number, number] | null {
    const m = this.shown;
    if (!m) return null;
    const p = projectStates(m, new Float32Array(m.hidden), 1);
    return [p[0], p[1]];
  }

  /** Ask for the row importance of the input behind a new trace (null clears it). */
  updateImportance(trace: TraceResult | null, input: Float32Array | null): void {
    if (trace === this.#impTrace) return;
    this.#impTrace = trace;
    if (!trace || !input) {
      this.#importance.cancel();
      this.importance = null;
    } else this.#importance.push(input);
  }

  /** Ask for the equations' terms of the input behind a new trace (null clears them). */
  updateTerms(trace: TraceResult | null, input: Float32Array | null): void {
    if (trace === this.#termsTrace) return;
    this.#termsTrace = trace;
    if (!trace || !input) {
      this.#terms.cancel();
      this.terms = null;
    } else this.#terms.push(input);
  }
}

export const viz = new VizState();
