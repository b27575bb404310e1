/** Evaluation on a labelled split: predicted classes, accuracy, confusion matrix and examples of each mistake. */
import * as tf from '@tensorflow/tfjs';
import { readShape } from '../../../shared/reads';
import { CLASSES, PIXELS } from '../../../shared/types';
import type { TrainSplit } from '../data/dataset';
import { Sequencer } from '../data/sequence';
import { describeModel } from '../model/model';
import type { EvalPool, EvalResult } from './evalPool';
import { weightsOf } from '../model/weights';

/** Digits per forward pass: large enough to amortise the call, small enough to bound memory. */
const CHUNK = 1000;
/** Test indices kept for each (true, predicted) pair. */
export const EXAMPLES_PER_CELL = 50;

/** The predicted class of each of the first `limit` digits (0 = all). */
export function predictClasses(model: tf.LayersModel, split: TrainSplit, limit = 0): Uint8Array {
  const n = limit > 0 ? Math.min(limit, split.n) : split.n;
  const out = new Uint8Array(n);
  const { read } = describeModel(model);
  const { steps, inputs } = readShape(read);
  const seq = new Sequencer(read);
  const chunk = new Float32Array(Math.min(CHUNK, n) * PIXELS);
  for (let start = 0; start < n; start += CHUNK) {
    const size = Math.min(CHUNK, n - start);
    const p = tf.tidy(() => {
      const xs = tf.tensor3d(seq.fromSplit(split, start, size, chunk), [size, steps, inputs]);
      return (model.predict(xs) as tf.Tensor).argMax(-1).dataSync();
    });
    out.set(p, start);
  }
  return out;
}

/** Fraction of a split the model classifies correctly. */
export function accuracy(model: tf.LayersModel, split: TrainSplit, limit = 0): number {
  const predicted = predictClasses(model, split, limit);
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === split.labels[i]) correct++;
  return predicted.length ? correct / predicted.length : 0;
}

/** Accuracy, confusion[true][predicted] and up to EXAMPLES_PER_CELL indices per pair. */
export interface ConfusionReport {
  accuracy: number;
  confusion: number[][];
  examples: Record<string, number[]>;
}

export function confusionReport(predicted: ArrayLike<number>, labels: ArrayLike<number>): ConfusionReport {
  const confusion = Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0));
  const examples: Record<string, number[]> = {};
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) {
    const t = labels[i],
      p = predicted[i];
    confusion[t][p]++;
    if (p === t) correct++;
    const list = (examples[`${t}-${p}`] ??= []);
    if (list.length < EXAMPLES_PER_CELL) list.push(i);
  }
  return { accuracy: predicted.length ? correct / predicted.length : 0, confusion, examples };
}

/** Classify the whole test set of the pool's folder on its worker threads with the fused kernels; the caller's event loop stays free. */
export function classifyOffThread(model: tf.LayersModel, pool: EvalPool, signal?: AbortSignal): Promise<EvalResult> {
  // A copy now: the call may wait behind another, and the model may be disposed meanwhile.
  return pool.classify(weightsOf(model), signal);
}
