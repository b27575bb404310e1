/**
 * Which rows mattered: blank each of the 28 rows in turn, run the model again,
 * and measure how much the predicted class's probability (and its lead) falls.
 */
import { CLASSES, PIXELS, SIDE } from '../../../shared/types';
import type { RowImportance } from '../../../shared/contract';
import type { BatchForward } from '../inference/batchForward';

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

/**
 * Occlusion by rows: the input and each copy with one inked row blanked go through
 * the model as one batch; rows already blank are not run (their drop is 0).
 */
export function rowImportance(forward: BatchForward, pixels: ArrayLike<number>): RowImportance {
  if (pixels.length !== PIXELS) throw new Error(`row importance needs ${PIXELS} pixels, got ${pixels.length}`);
  const inked: number[] = [];
  for (let r = 0; r < SIDE; r++) {
    for (let i = r * SIDE; i < (r + 1) * SIDE; i++)
      if (pixels[i] !== 0) {
        inked.push(r);
        break;
      }
  }
  const B = 1 + inked.length;
  const batch = new Float32Array(B * PIXELS);
  for (let b = 0; b < B; b++) batch.set(b === 0 ? Array.from(pixels) : blankRow(pixels, inked[b - 1]), b * PIXELS);
  const probs = forward.probs(batch, B);
  const row = (b: number) => probs.subarray(b * CLASSES, (b + 1) * CLASSES);
  const argmax = (p: Float32Array) => p.indexOf(Math.max(...p));
  const base = row(0);
  const k = argmax(base);
  const m0 = margin(base, k);
  const drops = new Array<number>(SIDE).fill(0);
  const marginDrops = new Array<number>(SIDE).fill(0);
  const blankedPrediction = new Array<number>(SIDE).fill(k);
  inked.forEach((r, i) => {
    const p = row(i + 1);
    drops[r] = base[k] - p[k];
    marginDrops[r] = m0 - margin(p, k);
    blankedPrediction[r] = argmax(p);
  });
  return { prediction: k, probability: base[k], drops, marginDrops, blankedPrediction };
}
