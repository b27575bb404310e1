/**
 * Rough training speed (samples/s at 128 hidden units, measured on two otherwise idle cores;
 * see docs/BENCHMARKS.md), used to show how long a run will take before it
 * starts. Once a run is going, the live ETA from the trainer replaces this, and
 * busierThanAssumed says when the two part by more than the machine's load explains away.
 * On the wasm and cpu backends training runs on the fused kernels; tfjs-node
 * keeps its own native path.
 */
import { MNIST_TEST } from '$shared/training';
import type { CellType } from '$shared/types';

/** Fused kernels, 2 threads, batch 128: the mean of the two bench runs of 2026-11-27 20:48 and 21:07 (docs/BENCHMARKS.md). */
const KERNEL_RATE: Record<CellType, number> = { rnn: 22500, gru: 7500, lstm: 5600 };
const NATIVE_RATE: Record<CellType, number> = { rnn: 3000, gru: 1000, lstm: 800 };

/** Samples per second for a cell and hidden size; cost grows about with hidden². */
export function estimatedRate(cell: CellType, hidden: number, backend: string): number {
  const scale = Math.max(0.05, (128 / hidden) ** 1.6);
  return (backend === 'tensorflow' ? NATIVE_RATE : KERNEL_RATE)[cell] * scale;
}

/** Starting the trainer process and loading MNIST: about 1 s to the first batch on two quiet cores. */
const STARTUP_SEC = 1.2;

/** Seconds for a run: start-up, training, and one test pass (≈ 10,000 forward passes) per epoch. */
export function estimatedSeconds(cell: CellType, hidden: number, samples: number, epochs: number, backend: string): number {
  const rate = estimatedRate(cell, hidden, backend);
  return STARTUP_SEC + (epochs * samples) / rate + epochs * (MNIST_TEST / (rate * 3));
}

/** The estimate assumes an otherwise idle machine; a run heading for more than this much longer says the machine is busier. */
export const BUSY_MARGIN = 0.25;
/** Seconds after the click before the live ETA is compared with the estimate (start-up and warm-up settle first). */
export const BUSY_AFTER_SEC = 10;

/**
 * True when, at least BUSY_AFTER_SEC after the click, the run is heading for more than
 * BUSY_MARGIN longer than estimated: seconds since the click plus the live ETA against the
 * estimate made before the run. A run faster than estimated says nothing.
 */
export function busierThanAssumed(estimateSec: number, sinceClickSec: number, etaSec: number): boolean {
  return sinceClickSec >= BUSY_AFTER_SEC && sinceClickSec + etaSec > estimateSec * (1 + BUSY_MARGIN);
}
