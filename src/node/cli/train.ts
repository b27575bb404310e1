/** `npm run train`: reproduces the tutorial's run and saves the result as a model version. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorMessage } from '../../shared/errors';
import { initBackend } from '../engine/backend';
import { KernelRuntime } from '../engine/kernels/runtime';
import { settingsFromEnv } from '../engine/settings';
import { defaultMnistDir, loadTrainingData } from '../engine/data/dataset';
import { runJob, runManifest } from '../engine/training/job';
import { readModelFolder } from '../engine/model/folder';
import { ModelStore } from '../engine/model/store';
import type { PathChoice, TrainProgress } from '../../shared/types';
import { parseTrainArgs, USAGE, UsageError } from './args';
import { DEFAULT_READ, readShape } from '../../shared/reads';

const pad = (n: number) => String(n).padStart(4, '0');

/** One line on the training path: which, and why. */
function describePath(c: PathChoice): string {
  const where = c.path === 'kernels' ? 'fused kernels' : `tfjs layers on ${c.backend}`;
  const speeds = c.kernelsPerSec && c.tfjsPerSec ? ` (kernels ${Math.round(c.kernelsPerSec)} vs tfjs ${Math.round(c.tfjsPerSec)} samples/s)` : '';
  const why = {
    measured: 'measured',
    cached: 'chosen earlier',
    forced: 'set by RNN_LENS_KERNELS',
    only: 'the only path that runs',
    default: 'the default rule',
  }[c.reason];
  return `Training on ${where}: ${why}${speeds}`;
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseTrainArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const settings = settingsFromEnv();
  const dataDir = args.data ? resolve(args.data) : defaultMnistDir(settings.mnistDir);
  if (!existsSync(dataDir)) {
    console.error(`error: --data folder ${dataDir} does not exist`);
    return 2;
  }
  const backend = await initBackend(args.backend ?? settings.backend);
  const runtime = new KernelRuntime(settings, settings.cores);
  const ds = loadTrainingData(dataDir, { name: args.data ? undefined : 'mnist' });
  const { config } = args;
  let base,
    parent: string | null = null;
  if (args.from) {
    const folder = readModelFolder(resolve(args.from));
    base = folder.bytes;
    parent = folder.manifest?.id ?? null;
    Object.assign(config, folder.describe);
  }
  const n = config.limit > 0 ? Math.min(config.limit, ds.train.n) : ds.train.n;
  const { steps, inputs } = readShape(config.read ?? DEFAULT_READ);
  console.log(
    `RNN Lens train: ${config.cell}-${config.hidden} reading ${config.read ?? DEFAULT_READ} (${steps} steps of ${inputs} px) on ${ds.name} (${n} train / ${args.testLimit || ds.test.n} test), ` +
      `${config.epochs} epochs, lr ${config.learningRate}, batch ${config.batchSize}, seed ${config.seed}, backend: ${backend.name}`,
  );
  const ac = new AbortController();
  process.once('SIGINT', () => {
    console.log('\ncancelling after this batch…');
    ac.abort();
  });
  const onProgress = (p: TrainProgress) => {
    if (p.kind === 'epoch') {
      console.log(`Epoch ${pad(p.epoch)}  avg cost ${p.avgCost.toFixed(3)}  test acc ${p.testAccuracy.toFixed(4)}  (${Math.round(p.samplesPerSec)} samples/s)`);
    }
  };
  // No cache here: each CLI run times both paths on a few batches (RNN_LENS_KERNELS=off|on skips that).
  const { model, summary, dataset } = await runJob({ config, base, testLimit: args.testLimit }, ds, {
    runtime,
    kernels: settings.kernels,
    onProgress,
    signal: ac.signal,
    path: {},
    onPath: (c) => console.log(describePath(c)),
  });
  if (summary.epochs.length === 0) {
    console.log('cancelled before the first epoch finished; nothing saved');
    return 1;
  }
  const store = new ModelStore(resolve(args.out));
  const command = `npm run train -- ${argv.join(' ')}`.trim();
  const saved = await store.save(model, runManifest({ config, summary, backend: backend.name, dataset, command, parent }));
  console.log(`Optimization finished${summary.cancelled ? ' (cancelled)' : ''} in ${summary.elapsedSec.toFixed(1)} s.`);
  console.log(`Test accuracy: ${summary.testAccuracy.toFixed(4)}`);
  console.log(`Saved model ${saved.id} to ${store.versionsDir}/${saved.id}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`error: ${errorMessage(err)}`);
    process.exit(1);
  },
);
