/**
 * Entry of the trainer process (Electron utilityProcess in the app,
 * child_process.fork in web mode and tests). It owns its own tfjs backend,
 * runs one job, and sends the finished weights back to main as bytes.
 */
import { modelToBytes } from '../engine/model/artifacts';
import { initBackend } from '../engine/backend';
import { loadTrainingData, pixelsOf } from '../engine/data/dataset';
import { runJob } from '../engine/training/job';
import { fusedEligible, prestartWorkers } from '../engine/training/kernelStepper';
import { EpochMaps, TRAINING_PROBE_DIGITS } from '../engine/viz/trainingMap';
import type { StartMessage, TrainerMessage } from './protocol';

interface ParentPort {
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
  postMessage(msg: unknown): void;
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(msg: TrainerMessage): void {
  if (port) port.postMessage(msg);
  else process.send?.(msg);
}

async function handle(msg: StartMessage): Promise<void> {
  try {
    const { cell, hidden, batchSize } = msg.job.config;
    // Kernel threads start now and come up while the backend and MNIST load.
    if (fusedEligible()) prestartWorkers(cell, hidden, batchSize);
    const backend = await initBackend();
    const ds = loadTrainingData(msg.dataDir, { name: msg.datasetName });
    const maps = new EpochMaps(cell, hidden, pixelsOf(ds.test, 0, Math.min(TRAINING_PROBE_DIGITS, ds.test.n)), ds.test.labels);
    const path = msg.pathCache ? { cacheFile: msg.pathCache.file, version: msg.pathCache.version } : undefined;
    const { model, summary, dataset } = await runJob(msg.job, ds, {
      path,
      onPath: (choice) => send({ type: 'path', choice }),
      onProgress: (progress) => send({ type: 'progress', progress }),
      // The probe set on the map after each epoch; a failure here must not stop the run.
      onEpochWeights: (epoch, weights) => {
        try {
          send({ type: 'map', frame: maps.frame(epoch, weights) });
        } catch {
          // no frame for this epoch
        }
      },
    });
    const bytes = summary.epochs.length ? await modelToBytes(model) : null;
    send({ type: 'done', summary, backend: backend.name, dataset, modelJson: bytes?.modelJson ?? null, weights: bytes?.weights ?? null });
  } catch (err) {
    send({ type: 'error', error: err instanceof Error ? err.message : String(err) });
  }
}

function onMessage(data: unknown): void {
  const msg = data as StartMessage;
  if (msg && msg.type === 'start') void handle(msg);
}

if (port) port.on('message', (e) => onMessage(e.data));
else process.on('message', onMessage);
