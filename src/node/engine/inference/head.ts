/**
 * The dense softmax head, softmax(h·Wd + bd), in one place for every TypeScript path
 * (the reference trace, batched probabilities, test-set classification). The fused
 * training kernel has its own in WebAssembly and is tested against this.
 */
import { CLASSES } from '../../../shared/types';

/** The head's logits for the state h[at .. at+H) into `out` (length CLASSES). */
export function headLogits(h: ArrayLike<number>, at: number, H: number, Wd: ArrayLike<number>, bd: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let k = 0; k < CLASSES; k++) out[k] = bd[k];
  for (let j = 0; j < H; j++) {
    const hj = h[at + j];
    if (hj === 0) continue;
    const row = j * CLASSES;
    for (let k = 0; k < CLASSES; k++) out[k] += hj * Wd[row + k];
  }
  return out;
}

/** softmax of `logits` into out[at .. at+n), shifted by the largest logit so it cannot overflow. */
export function softmaxInto(logits: ArrayLike<number>, out: Float32Array | Float64Array, at = 0, n = logits.length): void {
  let max = -Infinity;
  for (let k = 0; k < n; k++) max = Math.max(max, logits[k]);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += Math.exp(logits[k] - max);
  for (let k = 0; k < n; k++) out[at + k] = Math.exp(logits[k] - max) / sum;
}

/** The first index of the largest value. */
export function argmax(values: ArrayLike<number>, at = 0, n = values.length - at): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (values[at + k] > values[at + best]) best = k;
  return best;
}

/** A dense head over states of H units: probabilities and classes for one state or many. */
export class DenseHead {
  readonly #logits = new Float64Array(CLASSES);

  constructor(
    readonly H: number,
    readonly Wd: Float32Array,
    readonly bd: Float32Array,
  ) {}

  /** Probabilities of the state at h[at ..] into out[outAt .. outAt+10). */
  probs(h: ArrayLike<number>, at: number, out: Float32Array, outAt = 0): void {
    softmaxInto(headLogits(h, at, this.H, this.Wd, this.bd, this.#logits), out, outAt, CLASSES);
  }

  /** The most likely class of the state at h[at ..] (the largest logit: softmax keeps the order). */
  classOf(h: ArrayLike<number>, at: number): number {
    return argmax(headLogits(h, at, this.H, this.Wd, this.bd, this.#logits));
  }
}
