/** Predicted classes from the kernels' forward pass: the whole test set without tfjs. */
import { CLASSES, STEPS } from '../../../shared/types';
import { pixelsOf, type TrainSplit } from '../dataset';
import type { RecurrentKernel } from './recurrentKernel';

/** argmax of the dense head over the last hidden state, for `n` images in chunks of the kernel's batch size. */
export function classify(kernel: RecurrentKernel, split: TrainSplit, n = split.n): Uint8Array {
  const B = kernel.maxB,
    H = kernel.layout.H;
  const { Wd, bd } = kernel.weights;
  const out = new Uint8Array(n);
  const labels = new Uint8Array(B);
  for (let start = 0; start < n; start += B) {
    const size = Math.min(B, n - start);
    kernel.setBatch(pixelsOf(split, start, size), labels, size);
    const hs = kernel.forward(size);
    const last = (STEPS - 1) * size * H;
    for (let r = 0; r < size; r++) {
      let best = 0,
        bestV = -Infinity;
      for (let k = 0; k < CLASSES; k++) {
        let s = bd[k];
        for (let j = 0; j < H; j++) s += hs[last + r * H + j] * Wd[j * CLASSES + k];
        if (s > bestV) {
          bestV = s;
          best = k;
        }
      }
      out[start + r] = best;
    }
  }
  return out;
}
