/**
 * Many inputs through one model at once: the fused WebAssembly kernel's
 * forward pass where the hidden size allows (a multiple of 8), else one
 * Tracer call per input. Used for the probe set and for occlusion.
 */
import { CLASSES, PIXELS, STEPS } from '../../../shared/types';
import { kernelSupports, PARAMS, RecurrentKernel } from '../kernels/recurrentKernel';
import type { Tracer } from './trace';

export class BatchForward {
  readonly hidden: number;
  readonly maxBatch: number;
  readonly #tracer: Tracer;
  readonly #kernel: RecurrentKernel | null;
  readonly #Wd: Float32Array;
  readonly #bd: Float32Array;
  readonly #labels: Uint8Array;

  constructor(tracer: Tracer, maxBatch: number, useKernel = true) {
    this.#tracer = tracer;
    this.hidden = tracer.hidden;
    this.maxBatch = maxBatch;
    const w = tracer.snapshot().weights;
    [this.#Wd, this.#bd] = [w[3], w[4]];
    this.#labels = new Uint8Array(maxBatch);
    this.#kernel = useKernel && kernelSupports(tracer.hidden) ? new RecurrentKernel({ cell: tracer.cell, hidden: tracer.hidden, maxBatch }) : null;
    if (this.#kernel) PARAMS.forEach((name, i) => this.#kernel!.weights[name].set(w[i]));
  }

  /** Every step's hidden state of B images (B × 784): T × B × H, time-major. The view is valid until the next call. */
  states(images: Float32Array, B: number): Float32Array {
    const H = this.hidden;
    if (this.#kernel) {
      this.#kernel.setBatch(images, this.#labels, B);
      return this.#kernel.forward(B);
    }
    const out = new Float32Array(STEPS * B * H);
    for (let b = 0; b < B; b++) {
      const h = this.#tracer.trace(images.subarray(b * PIXELS, (b + 1) * PIXELS)).h;
      for (let t = 0; t < STEPS; t++) out.set(h.subarray(t * H, (t + 1) * H), (t * B + b) * H);
    }
    return out;
  }

  /** Class probabilities after the last step for B images: B × 10. */
  probs(images: Float32Array, B: number): Float32Array {
    const H = this.hidden;
    const hs = this.states(images, B);
    const out = new Float32Array(B * CLASSES);
    const logits = new Float64Array(CLASSES);
    for (let b = 0; b < B; b++) {
      const o = ((STEPS - 1) * B + b) * H;
      for (let k = 0; k < CLASSES; k++) logits[k] = this.#bd[k];
      for (let j = 0; j < H; j++) {
        const hj = hs[o + j];
        for (let k = 0; k < CLASSES; k++) logits[k] += hj * this.#Wd[j * CLASSES + k];
      }
      let max = -Infinity;
      for (let k = 0; k < CLASSES; k++) max = Math.max(max, logits[k]);
      let sum = 0;
      for (let k = 0; k < CLASSES; k++) sum += logits[k] = Math.exp(logits[k] - max);
      for (let k = 0; k < CLASSES; k++) out[b * CLASSES + k] = logits[k] / sum;
    }
    return out;
  }
}
