/**
 * Entry of the trainer process (Electron utilityProcess in the app,
 * child_process.fork in web mode and tests). It owns its own tfjs backend and
 * kernel runtime, runs one job, and sends the finished weights back to main as bytes.
 */
import { errorMessage } from '../../shared/errors';
import { initBackend } from '../engine/backend';
import { loadTrainingData, pixelsOf } from '../engine/data/dataset';
import { KernelRuntime } from '../engine/kernels/runtime';
import { modelToBytes } from '../engine/model/artifacts';
import { settingsFromEnv } from '../engine/settings';
import { runJob } from '../engine/training/job';
import { kernelPlan } from '../engine/training/kernelStepper';
import { EpochMaps, TRAINING_PROBE_DIGITS } from '../engine/viz/trainingMap';
import { setModelWeights } from '../engine/model/weights';
import { LastFullEpoch } from './lastEpoch';
import type { ToTrainer, StartMessage, TrainerMessage } from './protocol';

interface ParentPort {
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
  postMessage(msg: unknown): void;
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(msg: TrainerMessage): void {
  if (port) port.postMessage(msg);
  else process.send?.(msg);
}

/** Aborted by a stop message: the run ends after its current batch. */
const stop = new AbortController();

async function handle(msg: StartMessage): Promise<void> {
  try {
    const settings = settingsFromEnv();
    const runtime = new KernelRuntime(settings, settings.cores);
    const last = new LastFullEpoch();
    const { cell, hidden, batchSize } = msg.job.config;
    // Kernel threads start now and come up while the backend and MNIST load.
    if (settings.kernels !== 'off') {
      const plan = kernelPlan(runtime, cell, hidden, batchSize);
      runtime.prestart(plan.layout, plan.workers);
    }
    const backend = await initBackend(settings.backend);
    const ds = loadTrainingData(msg.dataDir, { name: msg.datasetName });
    const maps = new EpochMaps(runtime, pixelsOf(ds.test, 0, Math.min(TRAINING_PROBE_DIGITS, ds.test.n)), ds.test.labels);
    const path = msg.pathCache ? { cacheFile: msg.pathCache.file, version: msg.pathCache.version } : undefined;
    const run = await runJob(msg.job, ds, {
      runtime,
      kernels: settings.kernels,
      path,
      signal: stop.signal,
      onPath: (choice) => send({ type: 'path', choice }),
      onProgress: (progress) => {
        last.progress(progress);
        send({ type: 'progress', progress });
      },
      // The probe set on the map after each epoch; a failure here must not stop the run.
      onEpochWeights: (epoch, weights) => {
        last.weights(epoch, weights);
        try {
          send({ type: 'map', frame: maps.frame(epoch, weights) });
        } catch {
          // no frame for this epoch
        }
      },
    });
    runtime.close();
    const { model, dataset } = run;
    // Stopped: keep the last finished epoch, not the batches after it.
    const { summary, restore } = last.trim(run.summary);
    if (restore) setModelWeights(model, restore);
    const bytes = summary.epochs.length ? await modelToBytes(model) : null;
    send({ type: 'done', summary, backend: backend.name, dataset, modelJson: bytes?.modelJson ?? null, weights: bytes?.weights ?? null });
  } catch (err) {
    send({ type: 'error', error: errorMessage(err) });
  }
}

function onMessage(data: unknown): void {
  const msg = data as ToTrainer;
  if (msg && msg.type === 'start') void handle(msg);
  else if (msg && msg.type === 'stop') stop.abort();
}

if (port) port.on('message', (e) => onMessage(e.data));
else process.on('message', onMessage);
