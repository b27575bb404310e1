/** Flag parsing for the train CLI; every bad flag or value is named in the error. */
import { parseArgs } from 'node:util';
import type { CellType, TrainConfig } from '../../shared/types';
import { CELLS } from '../engine/model';
import { TUTORIAL_CONFIG } from '../engine/train';

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

export const USAGE = `Usage: npm run train -- [options]
  --cell rnn|lstm|gru   recurrent cell (default rnn)
  --epochs N            passes over the training set (default 30)
  --hidden N            hidden units (default 128)
  --lr X                Adam learning rate (default 0.001)
  --batch N             batch size (default 128)
  --limit N             train on the first N samples only (default: all 60000)
  --test-limit N        evaluate on the first N test samples only (default: all 10000)
  --seed N              seed for weights and shuffling (default 42)
  --data DIR            folder with MNIST-layout IDX files, raw or .gz (default: bundled MNIST)
  --from DIR            fine-tune the model in DIR (model.json + weights.bin) instead of starting fresh
  --out DIR             model store to save into (default ./models)
  --backend NAME        force tensorflow, wasm or cpu
  -h, --help            show this help`;

function intFlag(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  const v = Number(raw);
  if (v < min || v > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${v}`);
  return v;
}

function floatFlag(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  if (v <= min || v > max) throw new UsageError(`--${name} must be greater than ${min} and at most ${max}, got ${v}`);
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
        data: { type: 'string' },
        from: { type: 'string' },
        out: { type: 'string' },
        backend: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  const cell = (v.cell ?? TUTORIAL_CONFIG.cell) as CellType;
  if (!CELLS.includes(cell)) throw new UsageError(`--cell must be rnn, lstm or gru, got "${v.cell}"`);
  if (v.backend !== undefined && !['tensorflow', 'wasm', 'cpu'].includes(v.backend)) {
    throw new UsageError(`--backend must be tensorflow, wasm or cpu, got "${v.backend}"`);
  }
  for (const k of ['data', 'from', 'out'] as const) {
    if (v[k] !== undefined && v[k]!.trim() === '') throw new UsageError(`--${k} needs a folder path`);
  }
  return {
    config: {
      cell,
      hidden: intFlag('hidden', v.hidden, TUTORIAL_CONFIG.hidden, 1, 1024),
      epochs: intFlag('epochs', v.epochs, TUTORIAL_CONFIG.epochs, 1, 1000),
      learningRate: floatFlag('lr', v.lr, TUTORIAL_CONFIG.learningRate, 0, 1),
      batchSize: intFlag('batch', v.batch, TUTORIAL_CONFIG.batchSize, 1, 8192),
      limit: intFlag('limit', v.limit, 0, 0, 10_000_000),
      seed: intFlag('seed', v.seed, TUTORIAL_CONFIG.seed, 0, 2 ** 31 - 1),
    },
    testLimit: intFlag('test-limit', v['test-limit'], 0, 0, 10_000_000),
    out: v.out ?? 'models',
    data: v.data ?? null,
    from: v.from ?? null,
    backend: v.backend ?? null,
    help: v.help ?? false,
  };
}
