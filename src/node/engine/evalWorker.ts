/**
 * Evaluation on a worker thread, so the main process keeps answering while the
 * whole test set is classified: the fused kernels' forward pass over the active
 * model's weights, padded to the kernels' width where needed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CellType } from '../../shared/types';
import { loadByteSplit } from './dataset';
import { classify } from './kernels/classify';
import { paddedHidden, resizeHidden } from './kernels/padding';
import { PARAMS, RecurrentKernel } from './kernels/recurrentKernel';

/** What the main thread hands over. */
export interface EvalJob {
  cell: CellType;
  hidden: number;
  /** Weights in tfjs order: W, U, b, Wd, bd. */
  weights: Float32Array[];
  /** Folder with the MNIST-layout test files. */
  dataDir: string;
}

/** What comes back: the predicted class of every test digit and the true labels. */
export interface EvalResult {
  predicted: Uint8Array;
  labels: Uint8Array;
}

function run({ cell, hidden, weights, dataDir }: EvalJob): EvalResult {
  const test = loadByteSplit(dataDir, 't10k');
  const kernel = new RecurrentKernel({ cell, hidden: paddedHidden(hidden), maxBatch: 256 });
  resizeHidden(cell, weights, hidden, paddedHidden(hidden)).forEach((w, i) => kernel.weights[PARAMS[i]].set(w));
  return { predicted: classify(kernel, test), labels: test.labels };
}

if (parentPort && workerData) {
  try {
    const result = run(workerData as EvalJob);
    parentPort.postMessage({ ok: true, result }, [result.predicted.buffer as ArrayBuffer, result.labels.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
}
