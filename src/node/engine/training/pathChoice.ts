/**
 * Which path trains a run: the fused WebAssembly kernels, or tfjs layers on the current
 * backend. The first time a configuration trains, a few real batches of the run's own data
 * are timed on each path (on throwaway copies of the model, so the run starts from the same
 * weights and a fresh optimizer), and the faster one is remembered in a small JSON file in
 * the user's data folder. RNN_LENS_KERNELS=off|on (or the caller) still forces a path.
 */
import { readFileSync, statSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { PIXELS, type PathChoice, type TrainConfig, type TrainPath } from '../../../shared/types';
import { currentBackend } from '../backend';
import { pixelsInto, type TrainSplit } from '../data/dataset';
import { writeFileDurable } from '../model/durableFs';
import { defaultThreads, splitBatch } from './kernelStepper';
import { kernelModule, kernelVariant } from '../kernels/recurrentKernel';
import { createModel, describeModel } from '../model/model';

/** What the probe needs of a path: gradient steps, then release (on a throwaway model). */
export interface ProbeStepper {
  step(images: Float32Array, labels: Int32Array, size: number): unknown;
  finish(): void;
}

/** How to build each path's stepper over a model. */
export type StepperFactories<S extends ProbeStepper> = Record<TrainPath, (model: tf.LayersModel) => S>;

/** How a caller asks for the path to be measured. Without these options the built-in rule picks. */
export interface PathOptions {
  /** JSON file that remembers each configuration's measurement; absent: measure every run, remember nothing. */
  cacheFile?: string;
  /** The app's version, part of the key, so an update measures again. */
  version?: string;
  /** Samples per second of one path (default: `probe`, which times real batches with probePath). Tests inject speeds here. */
  measure?: (path: TrainPath, probe: () => number) => number | Promise<number>;
  /** Where a note about an unusable cache file goes (default: console.warn). */
  onNote?: (note: string) => void;
}

/**
 * Batches per path: untimed warm-up, then timed ones, stopping once the time budget is spent
 * (at least one). A path whose warm-up alone runs `giveUp` times slower than the best so far
 * stops there: its first batch is the measurement (first batches are the slowest, so this
 * only understates a path that could not have won).
 */
export const PROBE = { warmup: 1, timed: 4, budgetSec: 0.4, giveUp: 3 };

/** A cache file larger than this is ignored; it holds at most MAX_ENTRIES configurations. */
export const MAX_CACHE_BYTES = 64 * 1024;
export const MAX_ENTRIES = 100;
const FORMAT = 'rnn-lens-training-paths/1';
const KEY = /^[A-Za-z0-9.+|-]{1,160}$/;
const speed = z.number().finite().positive().max(1e9);
const Entry = z.strictObject({ path: z.enum(['kernels', 'tfjs']), kernelsPerSec: speed, tfjsPerSec: speed, at: z.string().max(40) });
type Entry = z.infer<typeof Entry>;
const CacheFile = z.strictObject({ format: z.literal(FORMAT), entries: z.record(z.string().regex(KEY), Entry) });

/** The configuration a measurement holds for: backend, model shape, batch, kernel threads and variant, app version. */
export function pathKey(config: Pick<TrainConfig, 'cell' | 'hidden' | 'batchSize'>, version = ''): string {
  const backend = currentBackend()?.name ?? 'cpu';
  const threads = splitBatch(config.batchSize, defaultThreads()).length;
  const v = version.replace(/[^A-Za-z0-9.+-]/g, '').slice(0, 40) || '0';
  return [backend, config.cell, config.hidden, `b${config.batchSize}`, `t${threads}`, kernelVariant(), v].join('|');
}

/** The remembered measurements; a missing file is empty, an unreadable, oversized or malformed one is ignored with a note. */
export function readPathCache(file: string, onNote: (note: string) => void = console.warn): Map<string, Entry> {
  try {
    if (statSync(file).size > MAX_CACHE_BYTES) throw new Error(`larger than ${MAX_CACHE_BYTES} bytes`);
    const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const parsed = CacheFile.safeParse(raw);
    if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'unexpected content');
    // The record schema drops a "__proto__" key rather than failing; a file holding one is not ours.
    if (Object.keys((raw as { entries: object }).entries).length !== Object.keys(parsed.data.entries).length) throw new Error('unexpected keys');
    return new Map(Object.entries(parsed.data.entries));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onNote(`ignoring the training-path cache ${file}: ${(err as Error).message}`);
    return new Map();
  }
}

/** Write the measurements atomically, newest MAX_ENTRIES kept; a failure is a note, not an error. */
export function writePathCache(file: string, entries: Map<string, Entry>, onNote: (note: string) => void = console.warn): void {
  const kept = [...entries].sort((a, b) => b[1].at.localeCompare(a[1].at)).slice(0, MAX_ENTRIES);
  try {
    writeFileDurable(file, JSON.stringify({ format: FORMAT, entries: Object.fromEntries(kept) }, null, 1));
  } catch (err) {
    onNote(`could not save the training-path cache ${file}: ${(err as Error).message}`);
  }
}

/** A copy of the model with the same weights, for the probe to train and throw away. */
function cloneModel(model: tf.LayersModel): tf.LayersModel {
  const copy = createModel({ ...describeModel(model), initializer: 'zeros' });
  copy.setWeights(model.getWeights());
  return copy;
}

/** Samples per second of one path on real batches of the first `n` samples of `train`; `model` is not touched. `best`: the fastest other path so far. */
export function probePath(model: tf.LayersModel, make: (m: tf.LayersModel) => ProbeStepper, train: TrainSplit, n: number, batchSize: number, best = 0): number {
  const copy = cloneModel(model);
  const xs = new Float32Array(batchSize * PIXELS);
  const ys = new Int32Array(batchSize);
  let stepper: ProbeStepper | null = null;
  try {
    stepper = make(copy);
    const run = (b: number) => {
      for (let k = 0; k < batchSize; k++) {
        const i = (b * batchSize + k) % n;
        pixelsInto(train, i, 1, xs, k);
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
    stepper?.finish();
    copy.dispose();
  }
}

/** True when the kernels' WebAssembly compiles on this engine. */
function kernelsAvailable(): boolean {
  try {
    kernelModule();
    return true;
  } catch {
    return false;
  }
}

/** What choosePath needs about the run. */
export interface PathRun<S extends ProbeStepper> {
  model: tf.LayersModel;
  config: TrainConfig;
  train: TrainSplit;
  /** Training samples the run uses (a prefix of `train`). */
  n: number;
  /** The caller's own force: 'off' = tfjs layers. */
  kernels?: 'auto' | 'off';
  /** Measure (and remember) the faster path; absent: the built-in rule. */
  path?: PathOptions;
  make: StepperFactories<S>;
}

/** Pick the path for a run; see the module comment. */
export async function choosePath<S extends ProbeStepper>(run: PathRun<S>, env: NodeJS.ProcessEnv = process.env): Promise<PathChoice> {
  const backend = currentBackend()?.name ?? 'cpu';
  const forced = env.RNN_LENS_KERNELS === 'off' || run.kernels === 'off' ? 'tfjs' : env.RNN_LENS_KERNELS === 'on' ? 'kernels' : null;
  if (forced) return { path: forced, reason: 'forced', backend };
  if (!kernelsAvailable()) return { path: 'tfjs', reason: 'only', backend };
  if (!run.path) return { path: backend === 'tensorflow' ? 'tfjs' : 'kernels', reason: 'default', backend };

  const { cacheFile, version, onNote = console.warn } = run.path;
  const key = pathKey(run.config, version);
  const cache = cacheFile ? readPathCache(cacheFile, onNote) : new Map<string, Entry>();
  const hit = cache.get(key);
  if (hit) return { path: hit.path, reason: 'cached', backend, kernelsPerSec: hit.kernelsPerSec, tfjsPerSec: hit.tfjsPerSec };

  const speeds: Partial<Record<TrainPath, number>> = {};
  const best = () => Math.max(0, ...Object.values(speeds));
  const probe = (p: TrainPath) => () => probePath(run.model, run.make[p], run.train, run.n, run.config.batchSize, best());
  const measure = run.path.measure ?? ((_p: TrainPath, timed: () => number) => timed());
  const failures: unknown[] = [];
  for (const p of ['kernels', 'tfjs'] as const) {
    try {
      const v = await measure(p, probe(p));
      if (Number.isFinite(v) && v > 0) speeds[p] = v;
      else failures.push(new Error(`the ${p} probe measured ${v} samples/s`));
    } catch (err) {
      failures.push(err);
      onNote(`the ${p} training path could not be timed: ${(err as Error).message}`);
    }
  }
  const { kernels: kernelsPerSec, tfjs: tfjsPerSec } = speeds;
  if (kernelsPerSec === undefined && tfjsPerSec === undefined) throw failures[0];
  // A path whose probe failed cannot train this model here; the other is the only one.
  if (kernelsPerSec === undefined || tfjsPerSec === undefined) {
    const only: PathChoice = { path: kernelsPerSec === undefined ? 'tfjs' : 'kernels', reason: 'only', backend };
    return kernelsPerSec === undefined ? { ...only, tfjsPerSec } : { ...only, kernelsPerSec };
  }
  const path: TrainPath = kernelsPerSec >= tfjsPerSec ? 'kernels' : 'tfjs';
  if (cacheFile) {
    cache.set(key, { path, kernelsPerSec, tfjsPerSec, at: new Date().toISOString() });
    writePathCache(cacheFile, cache, onNote);
  }
  return { path, reason: 'measured', backend, kernelsPerSec, tfjsPerSec };
}
