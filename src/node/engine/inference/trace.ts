/**
 * The reference forward pass: step by step in plain TypeScript (float64) over a snapshot
 * of the model's weights. Every fast path (the fused kernels, batched inference) is
 * tested against it. It allocates no tensors, so it cannot leak them, and it is cheap
 * enough to run on every stroke. Semantics follow the tfjs-layers cells:
 *   SimpleRNN: h = tanh(xW + hU + b)
 *   GRU (reset before): z,r = σ(xW + hU + b); ĥ = tanh(xW_h + b_h + (r⊙h)U_h); h = z⊙h + (1−z)⊙ĥ
 *   LSTM: i,f,o = σ(·), g = tanh(·); c = f⊙c + i⊙g; h = o⊙tanh(c)
 */
import type * as tf from '@tensorflow/tfjs';
import type { CellTerms } from '../../../shared/contract';
import { CLASSES, GATES, PIXELS, SIDE, type CellType, type TraceResult } from '../../../shared/types';
import { copyWeights, weightsOf, type Weights } from '../model/weights';
import { argmax, DenseHead } from './head';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Multiply-adds of one trace of a model: every step's input and recurrent products. */
export function traceCost(cell: CellType, hidden: number): number {
  return SIDE * (SIDE + hidden) * GATES[cell] * hidden;
}

/**
 * Most multiply-adds a trace may take on a thread that also answers requests: about 15 ms
 * at the half a billion a second measured here (an LSTM-256 is just under; a GRU-512 is over).
 */
export const INLINE_TRACE_COST = 8e6;

/** A change to the recurrence, for the memory experiments (see experiments.ts). */
export interface TraceChange {
  /** Reset the state to h₀ before this step (0-based). */
  resetAt?: number;
  /** Reset it before every step: no state is carried from one step to the next. */
  noMemory?: boolean;
}

/** A frozen copy of a model's weights that can trace any number of inputs: the reference implementation. */
export class Tracer {
  readonly cell: CellType;
  readonly hidden: number;
  readonly #w: Weights;
  readonly #head: DenseHead;

  constructor(source: tf.LayersModel | Weights) {
    this.#w = 'getWeights' in source ? weightsOf(source) : copyWeights(source);
    this.cell = this.#w.cell;
    this.hidden = this.#w.hidden;
    this.#head = new DenseHead(this.hidden, this.#w.Wd, this.#w.bd);
  }

  /** The weights, copied, to hand to another thread or a kernel. */
  snapshot(): Weights {
    return copyWeights(this.#w);
  }

  /**
   * Run the 28 steps on one 28×28 image (values in [0, 1]). With `terms`, also record each
   * step's input term x·W + b and recurrent term (h·U; (r⊙h)·U_h for the GRU candidate),
   * steps × gates × hidden each. `change` alters the recurrence for an experiment: the state
   * is reset to h₀ = 0 (and an LSTM's cell to 0) before step `resetAt`, or before every step
   * with `noMemory`, so each step sees its own row only.
   */
  trace(pixels: ArrayLike<number>, terms?: { input: Float32Array; recurrent: Float32Array }, change: TraceChange = {}): TraceResult {
    if (pixels.length !== PIXELS) throw new Error(`trace needs ${PIXELS} pixels (28×28), got ${pixels.length}`);
    const H = this.hidden;
    const G = GATES[this.cell] * H;
    const { W, U, b } = this.#w;
    const hs = new Float32Array(SIDE * H);
    const stepProbs = new Float32Array(SIDE * CLASSES);
    const lstm = this.cell === 'lstm',
      gru = this.cell === 'gru';
    const cs = lstm ? new Float32Array(SIDE * H) : undefined;
    const gateNames = lstm ? (['i', 'f', 'o'] as const) : gru ? (['z', 'r'] as const) : [];
    const gates: Partial<Record<'i' | 'f' | 'o' | 'z' | 'r', Float32Array>> = {};
    for (const g of gateNames) gates[g] = new Float32Array(SIDE * H);

    const h = new Float64Array(H);
    const c = new Float64Array(H);
    const ax = new Float64Array(G); // input projection + bias
    const ah = new Float64Array(G); // recurrent projection
    const rh = new Float64Array(H);
    const z = new Float64Array(H);

    for (let t = 0; t < SIDE; t++) {
      if (t === change.resetAt || change.noMemory) {
        h.fill(0);
        c.fill(0);
      }
      ax.set(b);
      for (let i = 0; i < SIDE; i++) {
        const xi = pixels[t * SIDE + i];
        if (xi === 0) continue;
        const row = i * G;
        for (let j = 0; j < G; j++) ax[j] += xi * W[row + j];
      }
      ah.fill(0);
      // GRU multiplies only the z and r blocks by h here; the candidate block uses r⊙h below.
      const recCols = gru ? 2 * H : G;
      for (let k = 0; k < H; k++) {
        const hk = h[k];
        if (hk === 0) continue;
        const row = k * G;
        for (let j = 0; j < recCols; j++) ah[j] += hk * U[row + j];
      }
      const o = t * H;
      if (terms) {
        for (let j = 0; j < G; j++) terms.input[t * G + j] = ax[j];
        for (let j = 0; j < recCols; j++) terms.recurrent[t * G + j] = ah[j];
      }
      if (this.cell === 'rnn') {
        for (let j = 0; j < H; j++) h[j] = Math.tanh(ax[j] + ah[j]);
      } else if (lstm) {
        for (let j = 0; j < H; j++) {
          const ig = sigmoid(ax[j] + ah[j]);
          const fg = sigmoid(ax[H + j] + ah[H + j]);
          const gg = Math.tanh(ax[2 * H + j] + ah[2 * H + j]);
          const og = sigmoid(ax[3 * H + j] + ah[3 * H + j]);
          c[j] = fg * c[j] + ig * gg;
          h[j] = og * Math.tanh(c[j]);
          gates.i![o + j] = ig;
          gates.f![o + j] = fg;
          gates.o![o + j] = og;
          cs![o + j] = c[j];
        }
      } else {
        for (let j = 0; j < H; j++) {
          z[j] = sigmoid(ax[j] + ah[j]);
          const r = sigmoid(ax[H + j] + ah[H + j]);
          rh[j] = r * h[j];
          gates.z![o + j] = z[j];
          gates.r![o + j] = r;
        }
        const cand = ax.subarray(2 * H, 3 * H);
        for (let k = 0; k < H; k++) {
          const v = rh[k];
          if (v === 0) continue;
          const row = k * G + 2 * H;
          for (let j = 0; j < H; j++) cand[j] += v * U[row + j];
        }
        if (terms) for (let j = 0; j < H; j++) terms.recurrent[t * G + 2 * H + j] = cand[j] - terms.input[t * G + 2 * H + j];
        for (let j = 0; j < H; j++) h[j] = z[j] * h[j] + (1 - z[j]) * Math.tanh(cand[j]);
      }
      for (let j = 0; j < H; j++) hs[o + j] = h[j];
      this.#head.probs(h, 0, stepProbs, t * CLASSES);
    }
    const probs = stepProbs.slice((SIDE - 1) * CLASSES);
    const prediction = argmax(probs);
    const readout = new Float32Array(H);
    for (let j = 0; j < H; j++) readout[j] = this.#w.Wd[j * CLASSES + prediction];
    return {
      cell: this.cell,
      hidden: H,
      steps: SIDE,
      h: hs,
      ...(cs ? { c: cs } : {}),
      ...(gateNames.length ? { gates } : {}),
      stepProbs,
      probs,
      prediction,
      readout,
    };
  }

  /** The input and recurrent terms of every step (see `trace`), and the bias inside the input term. */
  terms(pixels: ArrayLike<number>): CellTerms {
    const G = GATES[this.cell] * this.hidden;
    const terms = { input: new Float32Array(SIDE * G), recurrent: new Float32Array(SIDE * G) };
    this.trace(pixels, terms);
    return { cell: this.cell, hidden: this.hidden, blocks: GATES[this.cell], ...terms, bias: this.#w.b.slice() };
  }
}
