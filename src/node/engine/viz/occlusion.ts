/**
 * Which rows mattered: blank each of the 28 rows in turn, trace again, and
 * measure how much the predicted class's probability falls.
 */
import { PIXELS, SIDE } from '../../../shared/types';
import type { RowImportance } from '../../../shared/contract';
import type { Tracer } from '../trace';

export type { RowImportance };

/** A copy of `pixels` with row `row` set to zero. */
export function blankRow(pixels: ArrayLike<number>, row: number): Float32Array {
  const x = Float32Array.from(pixels);
  x.fill(0, row * SIDE, (row + 1) * SIDE);
  return x;
}

/** ln p_k − ln max_{j≠k} p_j: how far class k leads the rest. */
export function margin(probs: ArrayLike<number>, k: number): number {
  let other = 0;
  for (let j = 0; j < probs.length; j++) if (j !== k) other = Math.max(other, probs[j]);
  return Math.log(Math.max(probs[k], 1e-38)) - Math.log(Math.max(other, 1e-38));
}

/** Occlusion by rows; rows that are already blank are not traced again (their drop is 0). */
export function rowImportance(tracer: Tracer, pixels: ArrayLike<number>): RowImportance {
  if (pixels.length !== PIXELS) throw new Error(`row importance needs ${PIXELS} pixels, got ${pixels.length}`);
  const base = tracer.trace(pixels);
  const k = base.prediction;
  const drops: number[] = [];
  const marginDrops: number[] = [];
  const m0 = margin(base.probs, k);
  const blankedPrediction: number[] = [];
  for (let r = 0; r < SIDE; r++) {
    let ink = false;
    for (let i = r * SIDE; i < (r + 1) * SIDE; i++) if (pixels[i] !== 0) ink = true;
    if (!ink) {
      drops.push(0);
      marginDrops.push(0);
      blankedPrediction.push(k);
      continue;
    }
    const t = tracer.trace(blankRow(pixels, r));
    drops.push(base.probs[k] - t.probs[k]);
    marginDrops.push(m0 - margin(t.probs, k));
    blankedPrediction.push(t.prediction);
  }
  return { prediction: k, probability: base.probs[k], drops, marginDrops, blankedPrediction };
}
