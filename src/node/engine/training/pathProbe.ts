/**
 * Timing a training path: a few real batches of the run's own data on a throwaway copy
 * of the model, so the run itself starts from the same weights and a fresh optimizer.
 */
import type * as tf from '@tensorflow/tfjs';
import { PIXELS } from '../../../shared/types';
import type { TrainSplit } from '../data/dataset';
import { Sequencer } from '../data/sequence';
import { createModel, describeModel } from '../model/model';
import type { Stepper } from './stepper';

/**
 * Batches per path: untimed warm-up, then timed ones, stopping once the time budget is spent
 * (at least one). A path whose warm-up alone runs `giveUp` times slower than the best so far
 * stops there: its first batch is the measurement (first batches are the slowest, so this
 * only understates a path that could not have won).
 */
export const PROBE = { warmup: 1, timed: 4, budgetSec: 0.4, giveUp: 3 };

/** A copy of the model with the same weights, for the probe to train and throw away. */
function cloneModel(model: tf.LayersModel): tf.LayersModel {
  const copy = createModel({ ...describeModel(model), initializer: 'zeros' });
  copy.setWeights(model.getWeights());
  return copy;
}

/** Samples per second of one path on real batches of the first `n` samples of `train`; `model` is not touched. `best`: the fastest other path so far. */
export function probePath(model: tf.LayersModel, make: (m: tf.LayersModel) => Stepper, train: TrainSplit, n: number, batchSize: number, best = 0): number {
  const copy = cloneModel(model);
  const xs = new Float32Array(batchSize * PIXELS);
  const ys = new Int32Array(batchSize);
  const seq = new Sequencer(describeModel(model).read);
  let stepper: Stepper | null = null;
  try {
    stepper = make(copy);
    const run = (b: number) => {
      for (let k = 0; k < batchSize; k++) {
        const i = (b * batchSize + k) % n;
        seq.fromSplit(train, i, 1, xs, k);
        ys[k] = train.labels[i];
      }
      stepper!.step(xs, ys, batchSize);
    };
    const w0 = performance.now();
    for (let b = 0; b < PROBE.warmup; b++) run(b);
    const warm = (PROBE.warmup * batchSize) / Math.max((performance.now() - w0) / 1000, 1e-6);
    if (warm * PROBE.giveUp < best) return warm;
    const t0 = performance.now();
    let samples = 0;
    for (let b = 0; b < PROBE.timed; b++) {
      run(PROBE.warmup + b);
      samples += batchSize;
      if (performance.now() - t0 > PROBE.budgetSec * 1000) break;
    }
    return samples / Math.max((performance.now() - t0) / 1000, 1e-6);
  } finally {
    stepper?.discard();
    copy.dispose();
  }
}
