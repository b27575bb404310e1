/**
 * Many inputs through one model at once, on the fused WebAssembly kernel's forward
 * pass: any hidden size, padded to the kernels' multiple (see kernels/padding.ts).
 * Used for the probe set and for occlusion.
 */
import { CLASSES, PIXELS, STEPS } from '../../../shared/types';
import { resizeHidden } from '../kernels/padding';
import { RecurrentKernel } from '../kernels/recurrentKernel';
import type { KernelRuntime } from '../kernels/runtime';
import type { Weights } from '../model/weights';
import { DenseHead } from './head';

export class BatchForward {
  /** The model's hidden units (the kernel may run more, padded). */
  readonly hidden: number;
  readonly maxBatch: number;
  readonly #kernel: RecurrentKernel;
  readonly #head: DenseHead;
  readonly #labels: Uint8Array;

  constructor(runtime: KernelRuntime, weights: Weights, maxBatch: number) {
    this.hidden = weights.hidden;
    this.maxBatch = maxBatch;
    const padded = resizeHidden(weights, runtime.padded(weights.hidden));
    this.#kernel = new RecurrentKernel(runtime, { cell: weights.cell, hidden: padded.hidden, maxBatch });
    this.#kernel.load(padded);
    this.#head = new DenseHead(padded.hidden, padded.Wd, padded.bd);
    this.#labels = new Uint8Array(maxBatch);
  }

  /** Every step's hidden state of B images (B × 784): T × B × H, time-major. */
  states(images: Float32Array, B: number): Float32Array {
    this.#kernel.setBatch(images, this.#labels, B);
    const hs = this.#kernel.forward(B);
    const Hp = this.#kernel.layout.H,
      H = this.hidden;
    if (Hp === H) return hs; // a view, valid until the next call
    // Drop the padded units: they are zero throughout.
    const out = new Float32Array(STEPS * B * H);
    for (let r = 0; r < STEPS * B; r++) out.set(hs.subarray(r * Hp, r * Hp + H), r * H);
    return out;
  }

  /** Class probabilities after the last step for B images: B × 10. */
  probs(images: Float32Array, B: number): Float32Array {
    this.#kernel.setBatch(images, this.#labels, B);
    const hs = this.#kernel.forward(B);
    const Hp = this.#kernel.layout.H;
    const out = new Float32Array(B * CLASSES);
    for (let b = 0; b < B; b++) this.#head.probs(hs, ((STEPS - 1) * B + b) * Hp, out, b * CLASSES);
    return out;
  }
}

/**
 * The hidden states of n images at some steps, side by side (n × steps.length·H), and their
 * probabilities after the last step (n × 10), batched through the fused kernel.
 */
export function statesAt(
  runtime: KernelRuntime,
  weights: Weights,
  images: Float32Array,
  n: number,
  steps: readonly number[],
  batch = 250,
): { states: Float32Array; probs: Float32Array } {
  const H = weights.hidden,
    k = steps.length;
  const fwd = new BatchForward(runtime, weights, Math.min(batch, Math.max(1, n)));
  const head = new DenseHead(H, weights.Wd, weights.bd);
  const states = new Float32Array(n * k * H);
  const probs = new Float32Array(n * CLASSES);
  for (let start = 0; start < n; start += fwd.maxBatch) {
    const B = Math.min(fwd.maxBatch, n - start);
    const hs = fwd.states(images.subarray(start * PIXELS, (start + B) * PIXELS), B);
    for (let b = 0; b < B; b++) {
      steps.forEach((t, j) => states.set(hs.subarray((t * B + b) * H, (t * B + b + 1) * H), ((start + b) * k + j) * H));
      head.probs(hs, ((STEPS - 1) * B + b) * H, probs, (start + b) * CLASSES);
    }
  }
  return { states, probs };
}
