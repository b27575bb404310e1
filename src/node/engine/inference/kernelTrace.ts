/**
 * The trace of a large model on the fused kernel's forward pass (float32, the kernels'
 * tanh and σ), for the worker that traces what is too large for the event loop: an LSTM-1024
 * takes about a quarter of the reference's time. Same result shape as the reference
 * Tracer (trace.ts), which it is tested against; padded units are dropped.
 */
import { readShape } from '../../../shared/reads';
import { CLASSES, GATES, PIXELS, type TraceResult } from '../../../shared/types';
import { Sequencer } from '../data/sequence';
import { resizeHidden } from '../kernels/padding';
import { RecurrentKernel } from '../kernels/recurrentKernel';
import type { KernelRuntime } from '../kernels/runtime';
import type { Weights } from '../model/weights';
import { argmax, DenseHead } from './head';

/** Which gate block of the kernel's activations each traced gate is. */
const GATE_BLOCKS = { rnn: {}, gru: { z: 0, r: 1 }, lstm: { i: 0, f: 1, o: 3 } } as const;

export class KernelTracer {
  readonly #w: Weights;
  readonly #seq: Sequencer;
  readonly #kernel: RecurrentKernel;
  readonly #head: DenseHead;
  readonly #labels = new Uint8Array(1);

  constructor(runtime: KernelRuntime, weights: Weights) {
    this.#w = weights;
    this.#seq = new Sequencer(weights.read);
    const padded = resizeHidden(weights, runtime.padded(weights.hidden));
    this.#kernel = new RecurrentKernel(runtime, { cell: weights.cell, hidden: padded.hidden, maxBatch: 1, read: weights.read });
    this.#kernel.load(padded);
    this.#head = new DenseHead(weights.hidden, weights.Wd, weights.bd);
  }

  /** Run the read's steps on one 28×28 image (values in [0, 1]). */
  trace(pixels: ArrayLike<number>): TraceResult {
    if (pixels.length !== PIXELS) throw new Error(`trace needs ${PIXELS} pixels (28×28), got ${pixels.length}`);
    const { cell, hidden: H, read, Wd } = this.#w;
    const { steps: T, inputs } = readShape(read);
    const Hp = this.#kernel.layout.H;
    const G = GATES[cell] * Hp;
    this.#kernel.setBatch(this.#seq.fromImages(Float32Array.from(pixels), 1), this.#labels, 1);
    const hs = this.#kernel.forward(1);
    const act = this.#kernel.activations(1);
    const h = new Float32Array(T * H);
    const c = cell === 'lstm' ? new Float32Array(T * H) : undefined;
    const blocks: Partial<Record<'i' | 'f' | 'o' | 'z' | 'r', number>> = GATE_BLOCKS[cell];
    const gates: Partial<Record<'i' | 'f' | 'o' | 'z' | 'r', Float32Array>> = {};
    for (const g of Object.keys(blocks) as (keyof typeof blocks)[]) gates[g] = new Float32Array(T * H);
    const stepProbs = new Float32Array(T * CLASSES);
    for (let t = 0; t < T; t++) {
      h.set(hs.subarray(t * Hp, t * Hp + H), t * H);
      c?.set(act.cells.subarray(t * Hp, t * Hp + H), t * H);
      for (const [g, block] of Object.entries(blocks) as [keyof typeof blocks, number][]) {
        const at = t * G + block * Hp;
        gates[g]!.set(act.gates.subarray(at, at + H), t * H);
      }
      this.#head.probs(h, t * H, stepProbs, t * CLASSES);
    }
    const probs = stepProbs.slice((T - 1) * CLASSES);
    const prediction = argmax(probs);
    const readout = new Float32Array(H);
    for (let j = 0; j < H; j++) readout[j] = Wd[j * CLASSES + prediction];
    return {
      cell,
      hidden: H,
      read,
      steps: T,
      inputs,
      h,
      ...(c ? { c } : {}),
      ...(cell === 'rnn' ? {} : { gates }),
      stepProbs,
      probs,
      prediction,
      readout,
    };
  }
}
