/**
 * The visualisation's server-side answers for the renderer: the active model's
 * hidden-state map (refetched when the model changes) and the current drawing's
 * row importance (only the newest reply is kept).
 */
import type { RowImportance } from '$shared/contract';
import type { HiddenMap } from '$shared/projection';
import { projectStates } from '$shared/projection';
import type { TraceResult } from '$shared/types';
import { api } from '../api';
import { describeError } from '../i18n/index.svelte';

export class VizState {
  map = $state.raw<HiddenMap | null>(null);
  mapError = $state<string | null>(null);
  loadingMap = $state(false);
  importance = $state.raw<RowImportance | null>(null);
  /** Show the heatmap's units in the map's order (stored with the version's map). */
  orderUnits = $state(true);
  /** The unit the equations panel shows; hovering the heatmap picks it. */
  unit = $state(0);
  #mapSeq = 0;
  #impSeq = 0;
  #impFor: Float32Array | null = null;
  #impBusy = false;
  #impAgain = false;
  #impTrace: TraceResult | null = null;

  /** Fetch the active model's map (fitted on first request for a version, then cached). */
  async loadMap(): Promise<void> {
    const seq = ++this.#mapSeq;
    this.loadingMap = true;
    this.mapError = null;
    try {
      const m = await api.call('viz:map', {});
      if (seq === this.#mapSeq) this.map = m;
    } catch (err) {
      if (seq === this.#mapSeq) this.mapError = describeError(err);
    } finally {
      if (seq === this.#mapSeq) this.loadingMap = false;
    }
  }

  /** The trace's 28 states placed on the map (28 × 2), when the map belongs to the same-sized model. */
  path(trace: TraceResult | null): Float32Array | null {
    const m = this.map;
    if (!trace || !m || m.hidden !== trace.hidden) return null;
    return projectStates(m, trace.h, trace.steps);
  }

  /** Ask for the row importance of the input behind a new trace (null clears it); one request in flight, then the newest input. */
  updateImportance(trace: TraceResult | null, input: Float32Array | null): void {
    if (trace === this.#impTrace) return;
    this.#impTrace = trace;
    this.#impFor = trace ? input : null;
    if (!trace || !input) {
      this.#impSeq++;
      this.importance = null;
      return;
    }
    if (this.#impBusy) this.#impAgain = true;
    else this.#sendImportance(input);
  }

  #sendImportance(input: Float32Array): void {
    const seq = ++this.#impSeq;
    this.#impBusy = true;
    api
      .call('viz:importance', { pixels: Array.from(input) })
      .then((r) => {
        if (seq === this.#impSeq && !this.#impAgain) this.importance = r;
      })
      .catch(() => {
        if (seq === this.#impSeq) this.importance = null;
      })
      .finally(() => {
        this.#impBusy = false;
        const again = this.#impAgain;
        this.#impAgain = false;
        if (again && this.#impFor) this.#sendImportance(this.#impFor);
      });
  }
}

export const viz = new VizState();
