/**
 * An evaluation thread, kept for the life of its pool (engine/evalPool.ts): it
 * reads its share of the test set once, as bytes, and keeps a fused kernel per
 * (cell, hidden) it has seen; each request brings only the weights and gets the
 * predicted classes of its share back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../../../shared/errors';
import { PIXELS } from '../../../shared/types';
import type { ModelShape } from '../model/model';
import { loadByteSplit, type ByteSplit } from '../data/dataset';
import type { EvalReply, EvalRequest, EvalWorkerData } from './evalPool';
import { classify } from './classify';
import { resizeHidden } from '../kernels/padding';
import { KernelRuntime } from '../kernels/runtime';
import { RecurrentKernel } from '../kernels/recurrentKernel';
import { batchForSteps } from '../kernels/layout';
import { readShape } from '../../../shared/reads';

/** Kernels kept at once (an LSTM-128 kernel holds about 39 MB at batch 256); the least recently used goes first. */
const KEPT_KERNELS = 3;

/** This thread's share: whole batches, so each digit sees the same batch as in one thread. */
export function shareOf(n: number, batch: number, index: number, of: number): { start: number; count: number } {
  const chunks = Math.ceil(n / batch);
  const first = Math.floor((index * chunks) / of),
    last = Math.floor(((index + 1) * chunks) / of);
  const start = Math.min(n, first * batch);
  return { start, count: Math.min(n, last * batch) - start };
}

function loadShare(dataDir: string, batch: number, index: number, of: number): ByteSplit & { start: number } {
  const test = loadByteSplit(dataDir, 't10k');
  const { start, count } = shareOf(test.n, batch, index, of);
  // Copies (the file's bytes are Buffer views, whose slice() shares them), so the rest of the file can go.
  return {
    start,
    n: count,
    bytes: new Uint8Array(test.bytes.subarray(start * PIXELS, (start + count) * PIXELS)),
    labels: new Uint8Array(test.labels.subarray(start, start + count)),
  };
}

function startThread(port: NonNullable<typeof parentPort>, { dataDir, index, of, batch, build }: EvalWorkerData): void {
  const runtime = new KernelRuntime({ build, threads: 1 });
  // Read at start, so a thread started ahead of its first request (EvalPool.warm) is ready for it;
  // a test set that cannot be read is the answer to every request.
  let share: (ByteSplit & { start: number }) | Error;
  try {
    share = loadShare(dataDir, batch, index, of);
  } catch (err) {
    share = err instanceof Error ? err : new Error(String(err));
  }
  const kernels = new Map<string, RecurrentKernel>();

  function kernelFor({ cell, hidden, read }: ModelShape): RecurrentKernel {
    const key = `${cell}:${hidden}:${read}`;
    let k = kernels.get(key);
    if (k) kernels.delete(key);
    else k = new RecurrentKernel(runtime, { cell, hidden, maxBatch: batchForSteps(batch, readShape(read).steps), read });
    kernels.set(key, k);
    if (kernels.size > KEPT_KERNELS) kernels.delete(kernels.keys().next().value!);
    return k;
  }

  function run({ weights }: EvalRequest) {
    if (share instanceof Error) throw share;
    const H = runtime.padded(weights.hidden);
    const kernel = kernelFor({ cell: weights.cell, hidden: H, read: weights.read });
    kernel.load(resizeHidden(weights, H));
    return { start: share.start, predicted: classify(kernel, share), labels: new Uint8Array(share.labels) };
  }

  port.on('message', (req: EvalRequest) => {
    try {
      const r = run(req);
      port.postMessage({ id: req.id, ok: true, ...r } satisfies EvalReply, [r.predicted.buffer as ArrayBuffer, r.labels.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage({ id: req.id, ok: false, error: errorMessage(err) } satisfies EvalReply);
    }
  });
}

if (parentPort && (workerData as EvalWorkerData | null)?.dataDir) startThread(parentPort, workerData as EvalWorkerData);
