/**
 * Which path trains a run: the fused WebAssembly kernels, or tfjs layers on the current
 * backend. The first time a configuration trains, a few real batches of the run's own data
 * are timed on each path (pathProbe.ts) and the faster one is remembered (pathCache.ts).
 * The caller can force a path; without measurement options a built-in rule picks.
 */
import { errorMessage } from '../../../shared/errors';
import type * as tf from '@tensorflow/tfjs';
import type { BackendName, PathChoice, TrainConfig, TrainPath } from '../../../shared/types';
import { currentBackend } from '../backend';
import type { TrainSplit } from '../data/dataset';
import type { KernelRuntime } from '../kernels/runtime';
import { pathKey, readPathCache, writePathCache, type PathEntry } from './pathCache';
import { probePath } from './pathProbe';
import type { Stepper } from './stepper';

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

/** What choosePath needs about the run. */
export interface PathRun {
  model: tf.LayersModel;
  config: TrainConfig;
  train: TrainSplit;
  /** Training samples the run uses (a prefix of `train`). */
  n: number;
  /** Force a path ('on': kernels, 'off': tfjs layers) or let it be chosen. */
  kernels: 'auto' | 'on' | 'off';
  /** Measure (and remember) the faster path; absent: the built-in rule. */
  path?: PathOptions;
  /** Each path's stepper over a model; a path without one cannot run here. */
  make: Partial<Record<TrainPath, (m: tf.LayersModel) => Stepper>>;
  /** The kernels' runtime, when there is one (its build and threads are part of the measurement's key). */
  runtime?: KernelRuntime;
}

/**
 * The rule without a measurement: the kernels where they can run and the backend is not
 * native TensorFlow (which keeps its own, faster, path).
 */
export function defaultPath(kernelsRun: boolean, backend: BackendName): TrainPath {
  return kernelsRun && backend !== 'tensorflow' ? 'kernels' : 'tfjs';
}

/** Pick the path for a run; see the module comment. */
export async function choosePath(run: PathRun): Promise<PathChoice> {
  const backend = currentBackend()?.name ?? 'cpu';
  const kernelsRun = !!run.make.kernels;
  if (run.kernels === 'off') return { path: 'tfjs', reason: 'forced', backend };
  if (run.kernels === 'on') {
    if (!kernelsRun) throw new Error('the fused kernels were asked for, but they cannot run in this process');
    return { path: 'kernels', reason: 'forced', backend };
  }
  if (!kernelsRun) return { path: 'tfjs', reason: 'only', backend };
  if (!run.path) return { path: defaultPath(kernelsRun, backend), reason: 'default', backend };

  const { cacheFile, version, onNote = console.warn } = run.path;
  const key = pathKey(run.config, { backend, threads: run.runtime?.threads ?? 1, build: run.runtime?.build ?? 'none' }, version);
  const cache = cacheFile ? readPathCache(cacheFile, onNote) : new Map<string, PathEntry>();
  const hit = cache.get(key);
  if (hit) return { path: hit.path, reason: 'cached', backend, kernelsPerSec: hit.kernelsPerSec, tfjsPerSec: hit.tfjsPerSec };

  const speeds: Partial<Record<TrainPath, number>> = {};
  const best = () => Math.max(0, ...Object.values(speeds));
  const probe = (p: TrainPath) => () => probePath(run.model, run.make[p]!, run.train, run.n, run.config.batchSize, best());
  const measure = run.path.measure ?? ((_p: TrainPath, timed: () => number) => timed());
  const failures: unknown[] = [];
  for (const p of ['kernels', 'tfjs'] as const) {
    try {
      const v = await measure(p, probe(p));
      if (Number.isFinite(v) && v > 0) speeds[p] = v;
      else failures.push(new Error(`the ${p} probe measured ${v} samples/s`));
    } catch (err) {
      failures.push(err);
      onNote(`the ${p} training path could not be timed: ${errorMessage(err)}`);
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
