/**
 * The live prediction: the latest drawing (or a test digit loaded from the
 * evaluation view), its 28×28 input and its trace. Pointer moves are coalesced
 * to at most one request per animation frame, and only the newest reply is kept.
 */
import type { TraceResult } from '$shared/types';
import type { Stroke } from '../draw/ink';
import { preprocess, type Raster } from '$shared/preprocess';
import { api } from '../api';
import { notices } from './notices.svelte';

export class DrawingState {
  /** The strokes on the canvas, kept here so they survive switching views. */
  strokes = $state.raw<Stroke[]>([]);
  /** The 28×28 input the model sees; null for an empty canvas. */
  input = $state.raw<Float32Array | null>(null);
  trace = $state.raw<TraceResult | null>(null);
  /** Where the input came from. */
  source = $state.raw<{ kind: 'drawing' } | { kind: 'test'; index: number; label: number }>({ kind: 'drawing' });
  #readRaster: (() => Raster) | null = null;
  #frame = 0;
  #inFlight = false;
  #dirty = false;
  #sent = 0;
  #applied = 0;

  /** The canvas changed; `read` returns its pixels and is called at most once per frame. */
  inkChanged(read: () => Raster): void {
    this.#readRaster = read;
    this.#dirty = true;
    if (!this.#frame) this.#frame = requestAnimationFrame(() => this.#flush());
  }

  /** Show a test digit instead of a drawing. */
  loadDigit(pixels: ArrayLike<number>, index: number, label: number): void {
    this.#readRaster = null;
    this.strokes = [];
    this.#dirty = false;
    this.source = { kind: 'test', index, label };
    this.#send(Float32Array.from(pixels));
  }

  clear(): void {
    this.#readRaster = null;
    this.strokes = [];
    this.#dirty = false;
    this.#sent++;
    this.#applied = this.#sent;
    this.input = null;
    this.trace = null;
    this.source = { kind: 'drawing' };
  }

  /** Recompute the trace for the current input (after the active model changed). */
  refresh(): void {
    if (this.input) this.#send(this.input);
  }

  #flush(): void {
    this.#frame = 0;
    if (!this.#dirty || !this.#readRaster) return;
    if (this.#inFlight) return; // sent again when the reply arrives
    this.#dirty = false;
    this.source = { kind: 'drawing' };
    const r = preprocess(this.#readRaster());
    if (r.empty) {
      this.#sent++;
      this.#applied = this.#sent;
      this.input = null;
      this.trace = null;
      return;
    }
    this.#send(r.pixels);
  }

  #send(pixels: Float32Array): void {
    const seq = ++this.#sent;
    this.input = pixels;
    this.#inFlight = true;
    api
      .call('model:trace', { pixels: Array.from(pixels) })
      .then((t) => {
        if (seq > this.#applied) {
          this.#applied = seq;
          this.trace = t;
        }
      })
      .catch((err) => {
        if (seq >= this.#applied) notices.error(err);
      })
      .finally(() => {
        this.#inFlight = false;
        if (this.#dirty && !this.#frame) this.#frame = requestAnimationFrame(() => this.#flush());
      });
  }
}

export const drawing = new DrawingState();
