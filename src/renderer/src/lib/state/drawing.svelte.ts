/**
 * The live prediction: the latest drawing (or a test digit loaded from the
 * evaluation view), its 28×28 input and its trace. Pointer moves are coalesced
 * to at most one request per animation frame, and the newest reply wins (see lib/latest.ts).
 */
import type { TraceResult } from '$shared/types';
import { preprocess, type Raster } from '$shared/preprocess';
import type { Stroke } from '../draw/ink';
import { api } from '../api';
import { Latest } from '../latest';
import { notices } from './notices.svelte';

type Source = { kind: 'drawing' } | { kind: 'test'; index: number; label: number };

/** How long after a trace without a verdict (its statistics still being fitted) the drawing is traced again. */
const VERDICT_RETRY_MS = 1500;

export class DrawingState {
  /** The strokes on the canvas, kept here so they survive switching views. */
  strokes = $state.raw<Stroke[]>([]);
  /** The 28×28 input the model sees; null for an empty canvas. */
  input = $state.raw<Float32Array | null>(null);
  trace = $state.raw<TraceResult | null>(null);
  /** Where the input came from. */
  source = $state.raw<Source>({ kind: 'drawing' });
  #readRaster: (() => Raster) | null = null;
  #again: ReturnType<typeof setTimeout> | undefined;
  #frame = 0;
  // Replies to earlier strokes still show while the newest waits, so the prediction follows the pen.
  readonly #traces = new Latest<{ pixels: Float32Array; source: Source }, TraceResult>({
    send: ({ pixels }) => api.call('model:trace', { pixels: Array.from(pixels) }),
    show: (trace, { pixels, source }) => {
      this.input = pixels;
      this.source = source;
      this.trace = trace;
      // The model's verdict statistics are fitted on first use: ask again shortly for the verdict.
      clearTimeout(this.#again);
      if (!trace.verdict) this.#again = setTimeout(() => this.input === pixels && this.#traces.push({ pixels, source }), VERDICT_RETRY_MS);
    },
    fail: (err) => notices.error(err),
    superseded: 'show',
  });

  /** The canvas changed; `read` returns its pixels and is called at most once per frame. */
  inkChanged(read: () => Raster): void {
    this.#readRaster = read;
    if (!this.#frame) this.#frame = requestAnimationFrame(() => this.#flush());
  }

  /** Show a test digit instead of a drawing. */
  loadDigit(pixels: ArrayLike<number>, index: number, label: number): void {
    this.#stopDrawing();
    this.strokes = [];
    this.#traces.cancel();
    this.#traces.push({ pixels: Float32Array.from(pixels), source: { kind: 'test', index, label } });
  }

  clear(): void {
    this.#stopDrawing();
    this.strokes = [];
    this.#empty();
  }

  /** Recompute the trace for the current input (after the active model changed). */
  refresh(): void {
    // A drawing is read again from the canvas, so a stroke still waiting for its trace is not lost.
    if (this.#readRaster) this.inkChanged(this.#readRaster);
    else if (this.input) this.#traces.push({ pixels: this.input, source: this.source });
  }

  /** No input: nothing for the model to read. */
  #empty(): void {
    this.#traces.cancel();
    this.input = null;
    this.trace = null;
    this.source = { kind: 'drawing' };
  }

  #stopDrawing(): void {
    this.#readRaster = null;
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  #flush(): void {
    this.#frame = 0;
    if (!this.#readRaster) return;
    const r = preprocess(this.#readRaster());
    if (r.empty) this.#empty();
    else this.#traces.push({ pixels: r.pixels, source: { kind: 'drawing' } });
  }
}

export const drawing = new DrawingState();
