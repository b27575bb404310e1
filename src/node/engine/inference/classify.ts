/** Predicted classes from the kernels' forward pass: the whole test set without tfjs, on this thread and any kernel workers. */
import { PIXELS } from '../../../shared/types';
import type { TrainSplit } from '../data/dataset';
import { Sequencer } from '../data/sequence';
import type { KernelWorker } from '../kernels/kernelWorker';
import type { RecurrentKernel } from '../kernels/recurrentKernel';
import { DenseHead } from './head';

/** The dense head's class for `size` last hidden states (size × H) into out[at..]. */
function classes(head: DenseHead, last: Float32Array, size: number, out: Uint8Array, at: number): void {
  for (let r = 0; r < size; r++) out[at + r] = head.classOf(last, r * head.H);
}

/**
 * argmax of the dense head over the last hidden state, for `n` images in chunks of the kernel's
 * batch size. With `workers` (kernel workers of the same layout), each round hands one chunk to
 * every worker while this thread runs its own.
 */
export function classify(kernel: RecurrentKernel, split: TrainSplit, n = split.n, workers: readonly KernelWorker[] = []): Uint8Array {
  const B = kernel.maxB,
    { H, T, read } = kernel.layout;
  const seq = new Sequencer(read);
  const head = new DenseHead(H, kernel.weights.Wd, kernel.weights.bd);
  const out = new Uint8Array(n);
  const noLabels = new Uint8Array(B);
  const chunk = new Float32Array(B * PIXELS); // reused: no garbage per chunk
  const [w0, w1] = kernel.layout.weights;
  const weights = workers.length ? kernel.bytes.slice(w0, w1) : new Uint8Array(0);
  for (let start = 0; start < n;) {
    const given: [KernelWorker, number, number][] = [];
    let at = start + Math.min(B, n - start);
    for (const w of workers) {
      if (at >= n) break;
      const size = Math.min(B, n - at);
      w.startForward(weights, seq.fromSplit(split, at, size, chunk), size);
      given.push([w, at, size]);
      at += size;
    }
    const size = Math.min(B, n - start);
    kernel.setBatch(seq.fromSplit(split, start, size, chunk), noLabels, size);
    const hs = kernel.forward(size);
    classes(head, hs.subarray((T - 1) * size * H, T * size * H), size, out, start);
    for (const [w, from, count] of given) {
      w.finish();
      classes(head, w.last, count, out, from);
    }
    start = at;
  }
  return out;
}
