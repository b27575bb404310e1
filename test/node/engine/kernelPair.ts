/** Shared by the kernel tests: a tfjs model and a fused kernel holding the same perturbed weights. */
import * as tf from '@tensorflow/tfjs';
import type { LayoutOptions } from '../../../src/node/engine/kernels/layout';
import { RecurrentKernel } from '../../../src/node/engine/kernels/recurrentKernel';
import type { KernelRuntime } from '../../../src/node/engine/kernels/runtime';
import { createModel } from '../../../src/node/engine/model/model';
import { weightsOf } from '../../../src/node/engine/model/weights';
import type { CellType } from '../../../src/shared/types';

/** A model with every weight perturbed, and a kernel holding the same weights (and reading as it does). */
export function kernelPair(runtime: KernelRuntime, cell: CellType, hidden: number, B: number, opts: LayoutOptions = {}) {
  const model = createModel({ cell, hidden, seed: 5, read: opts.read });
  // Noise scaled with 1/√hidden keeps the recurrence stable, as in trained models; larger noise makes it chaotic and amplifies rounding.
  const noisy = model.getWeights().map((w, i) => tf.tidy(() => w.add(tf.randomNormal(w.shape, 0, 0.15 * Math.sqrt(32 / hidden), 'float32', 40 + i))));
  model.setWeights(noisy);
  noisy.forEach((t) => t.dispose());
  const kernel = new RecurrentKernel(runtime, { cell, hidden, maxBatch: B, ...opts });
  kernel.load(weightsOf(model));
  return { model, kernel };
}

/** Largest absolute difference, relative to the largest magnitude in the reference `b`. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0,
    scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / Math.max(scale, 1e-12);
}

/** Largest magnitude in an array. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
