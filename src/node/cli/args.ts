/** Flag parsing for the train CLI; every bad flag or value is named in the error. */
import { errorMessage } from '../../shared/errors';
import { parseArgs } from 'node:util';
import { TrainConfigSchema } from '../../shared/contract';
import { MNIST_TEST, MNIST_TRAIN, TUTORIAL_CONFIG } from '../../shared/training';
import { DEFAULT_READ, READS } from '../../shared/reads';
import { CELLS, type TrainConfig } from '../../shared/types';

/** Parsed CLI options. */
export interface TrainArgs {
  config: TrainConfig;
  out: string;
  data: string | null;
  from: string | null;
  backend: string | null;
  testLimit: number;
  help: boolean;
}

/** A bad flag or value; the CLI prints it and exits 2. */
export class UsageError extends Error {}

const D = TUTORIAL_CONFIG;

export const USAGE = `Usage: npm run train -- [options]
  --cell ${CELLS.join('|')}   recurrent cell (default ${D.cell})
  --epochs N            passes over the training set (default ${D.epochs})
  --hidden N            hidden units (default ${D.hidden})
  --lr X                Adam learning rate (default ${D.learningRate})
  --batch N             batch size (default ${D.batchSize})
  --limit N             train on the first N samples only (default: all ${MNIST_TRAIN})
  --test-limit N        evaluate on the first N test samples only (default: all ${MNIST_TEST})
  --seed N              seed for weights and shuffling (default ${D.seed})
  --schedule NAME       learning rate: constant (default), or onecycle (warm up to --lr, then cosine decay)
  --read ORDER          how the network reads a digit (default ${DEFAULT_READ}): rows (28 steps of 28 px),
                        cols, rows-reversed, or pixels:K (784/K steps of K px, K = 14, 7, 4, 2 or 1);
                        one of ${READS.join(', ')}
  --data DIR            folder with MNIST-layout IDX files, raw or .gz (default: bundled MNIST)
  --from DIR            fine-tune the model in DIR (model.json + weights.bin) instead of starting fresh
  --out DIR             model store to save into (default ./models)
  --backend NAME        force tensorflow, wasm or cpu
  -h, --help            show this help`;

/** The CLI flag for each TrainConfig field. */
const FLAG: Record<keyof TrainConfig, string> = {
  cell: 'cell',
  hidden: 'hidden',
  epochs: 'epochs',
  learningRate: 'lr',
  batchSize: 'batch',
  limit: 'limit',
  seed: 'seed',
  schedule: 'schedule',
  read: 'read',
};

/** A flag's text as a number; `whole` flags must be written as whole numbers. */
function numberFlag(flag: string, raw: string | undefined, fallback: number, whole = true): number {
  if (raw === undefined) return fallback;
  if (whole && !/^\s*-?\d+\s*$/.test(raw)) throw new UsageError(`--${flag} must be a whole number, got "${raw}"`);
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${flag} must be a number, got "${raw}"`);
  return v;
}

/** Parse argv (without node and script) into validated options. */
export function parseTrainArgs(argv: string[]): TrainArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        cell: { type: 'string' },
        epochs: { type: 'string' },
        hidden: { type: 'string' },
        lr: { type: 'string' },
        batch: { type: 'string' },
        limit: { type: 'string' },
        'test-limit': { type: 'string' },
        seed: { type: 'string' },
        schedule: { type: 'string' },
        read: { type: 'string' },
        data: { type: 'string' },
        from: { type: 'string' },
        out: { type: 'string' },
        backend: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
  const v = parsed.values;
  if (v.backend !== undefined && !['tensorflow', 'wasm', 'cpu'].includes(v.backend)) {
    throw new UsageError(`--backend must be tensorflow, wasm or cpu, got "${v.backend}"`);
  }
  for (const k of ['data', 'from', 'out'] as const) {
    if (v[k] !== undefined && v[k]!.trim() === '') throw new UsageError(`--${k} needs a folder path`);
  }
  const d = TUTORIAL_CONFIG;
  const raw = {
    cell: v.cell ?? d.cell,
    hidden: numberFlag('hidden', v.hidden, d.hidden),
    epochs: numberFlag('epochs', v.epochs, d.epochs),
    learningRate: numberFlag('lr', v.lr, d.learningRate, false),
    batchSize: numberFlag('batch', v.batch, d.batchSize),
    limit: numberFlag('limit', v.limit, d.limit),
    seed: numberFlag('seed', v.seed, d.seed),
    schedule: v.schedule ?? 'constant',
    read: v.read ?? DEFAULT_READ,
  };
  const checked = TrainConfigSchema.safeParse(raw);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const field = issue.path[0] as keyof TrainConfig;
    // The schema names the field ("hidden must be …", "read: …"); the CLI names the flag instead.
    if (field === 'read') throw new UsageError(`--read ${issue.message.replace(/^read: /, '')}`);
    throw new UsageError(`--${FLAG[field]} ${issue.message.replace(/^\w+ /, '')}, got ${JSON.stringify(raw[field])}`);
  }
  const testLimit = numberFlag('test-limit', v['test-limit'], 0);
  if (testLimit < 0) throw new UsageError(`--test-limit must be at least 0, got ${testLimit}`);
  return {
    config: checked.data,
    testLimit,
    out: v.out ?? 'models',
    data: v.data ?? null,
    from: v.from ?? null,
    backend: v.backend ?? null,
    help: v.help ?? false,
  };
}
