/**
 * One throughput measurement in a fresh process, so each backend starts clean. Prints one JSON line
 * with what ran: the training path, the kernel build (relaxed or plain SIMD) and the kernel threads.
 * `--read` trains the model that reads digits that way (default: rows); `--hidden` its size (default 128).
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../src/node/engine/backend';
import { loadDataset } from '../src/node/engine/data/dataset';
import { KernelRuntime } from '../src/node/engine/kernels/runtime';
import { settingsFromEnv } from '../src/node/engine/settings';
import { createModel } from '../src/node/engine/model/model';
import { trainModel } from '../src/node/engine/training/train';
import type { CellType } from '../src/shared/types';
import { DEFAULT_READ, parseRead } from '../src/shared/reads';

const { values } = parseArgs({
  options: {
    probe: { type: 'string' },
    cell: { type: 'string' },
    backend: { type: 'string' },
    batches: { type: 'string' },
    kernels: { type: 'string' },
    read: { type: 'string' },
    hidden: { type: 'string' },
  },
});

async function main() {
  if (values.probe) {
    await initBackend(values.probe);
    return;
  }
  const settings = settingsFromEnv();
  const backend = await initBackend(values.backend ?? settings.backend);
  const runtime = new KernelRuntime(settings, settings.cores);
  const batches = Number(values.batches ?? 30);
  const warm = 3;
  const ds = loadDataset(undefined, { trainLimit: 128 * (batches + warm), testLimit: 10 });
  const cell = values.cell as CellType;
  const read = parseRead(values.read ?? DEFAULT_READ);
  const hidden = Number(values.hidden ?? 128);
  const model = createModel({ cell, hidden, read });
  let tWarm = 0,
    tEnd = 0;
  const summary = await trainModel(model, {
    runtime,
    train: ds.train,
    test: ds.test,
    testLimit: 10,
    config: { cell, hidden, epochs: 1, learningRate: 0.001, batchSize: 128, limit: 0, seed: 1, read },
    kernels: values.kernels === 'off' ? 'off' : 'auto',
    onProgress: (p) => {
      if (p.kind !== 'batch') return;
      if (p.batch === warm) tWarm = performance.now();
      if (p.batch === warm + batches) tEnd = performance.now();
    },
  });
  console.log(
    JSON.stringify({
      cell,
      read,
      hidden,
      backend: backend.name,
      kernels: values.kernels ?? 'auto',
      path: summary.path,
      ...(summary.path === 'kernels' ? { kernel: runtime.build, threads: runtime.threads } : {}),
      batches,
      samplesPerSec: (batches * 128) / ((tEnd - tWarm) / 1000),
    }),
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
