/**
 * Rough training speed on the WebAssembly backend (samples/s, measured for
 * 128 hidden units), used to show how long a run will take before it starts.
 * Once a run is going, the live ETA from the trainer replaces this estimate.
 */
import type { CellType } from '../../../../shared/types';

const BASE_RATE: Record<CellType, number> = { rnn: 850, gru: 220, lstm: 160 };

/** Samples per second for a cell and hidden size; cost grows about with hidden². */
export function estimatedRate(cell: CellType, hidden: number, backend: string): number {
  const scale = Math.max(0.05, (128 / hidden) ** 1.6);
  const native = backend === 'tensorflow' ? 4 : backend === 'cpu' ? 0.25 : 1;
  return BASE_RATE[cell] * scale * native;
}

/** Seconds for a run: training plus one test pass (≈ 10,000 forward passes) per epoch. */
export function estimatedSeconds(cell: CellType, hidden: number, samples: number, epochs: number, backend: string): number {
  const rate = estimatedRate(cell, hidden, backend);
  return (epochs * samples) / rate + epochs * (10000 / (rate * 3));
}
