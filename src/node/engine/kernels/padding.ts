/**
 * The kernels work on hidden sizes that are multiples of KERNEL_MULTIPLE. Any other
 * size runs padded: each gate block gets zero weights for the extra units. Padded
 * units start at zero and stay there (tanh(0) = 0; a zero candidate keeps an LSTM
 * cell at zero), their dense weights are zero, and every gradient into them is
 * zero, so padding changes neither the outputs nor training.
 */
import { readShape } from '../../../shared/reads';
import { CLASSES, GATES } from '../../../shared/types';
import type { Weights } from '../model/weights';

/** The kernels' GEMM tiles are 8 units wide. */
export const KERNEL_MULTIPLE = 8;

/** The hidden size the kernels run for `hidden` units. */
export function paddedHidden(hidden: number): number {
  return Math.ceil(hidden / KERNEL_MULTIPLE) * KERNEL_MULTIPLE;
}

/** Copy a [rows, G·from] gate-blocked matrix into [rowsTo, G·to], block by block. */
function reblock(src: Float32Array, rows: number, rowsTo: number, gates: number, from: number, to: number): Float32Array {
  const out = new Float32Array(rowsTo * gates * to);
  const n = Math.min(from, to);
  for (let r = 0; r < Math.min(rows, rowsTo); r++) {
    for (let g = 0; g < gates; g++) out.set(src.subarray(r * gates * from + g * from, r * gates * from + g * from + n), r * gates * to + g * to);
  }
  return out;
}

/** Weights resized to `to` hidden units: zero-padded, or cut back. Always new arrays. */
export function resizeHidden(w: Weights, to: number): Weights {
  const { cell, hidden: from, read } = w;
  const G = GATES[cell];
  const I = readShape(read).inputs;
  const Wd = new Float32Array(to * CLASSES);
  Wd.set(w.Wd.subarray(0, Math.min(from, to) * CLASSES));
  return {
    cell,
    hidden: to,
    read,
    W: reblock(w.W, I, I, G, from, to),
    U: reblock(w.U, from, to, G, from, to),
    b: reblock(w.b, 1, 1, G, from, to),
    Wd,
    bd: w.bd.slice(),
  };
}
