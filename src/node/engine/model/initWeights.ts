/**
 * A fresh model's starting weights as plain arrays: Keras's defaults (Glorot-uniform input and
 * dense kernels, orthogonal recurrent kernel with gain 1, zero biases, LSTM forget-gate bias 1),
 * drawn from one seeded stream. tfjs's own orthogonal initialiser runs its decomposition as
 * backend ops: about a second and tens of MB of WebAssembly memory that is never returned, for
 * a GRU-128, before the first training step; this takes milliseconds.
 *
 * On reads longer than the tutorial's 28 steps, a gated cell's keep gate starts with the
 * "chrono" bias of Tallec & Ollivier (2018, "Can recurrent neural networks warp time?"): each
 * unit's bias ln u, u uniform in [1, steps − 1], so the units start out remembering over
 * characteristic times spread from one step to the whole read, and the gradient reaches the
 * early steps from the first batch (the GRU's update gate z, as h = z⊙h + (1−z)⊙ĥ keeps h; the
 * LSTM's forget gate, its input gate the negative). The tutorial's read keeps Keras's defaults.
 */
import { CLASSES, GATES, SIDE, type CellType } from '../../../shared/types';
import { mulberry32 } from '../data/random';

/** Standard normal draws (Box–Muller) from a uniform source. */
function normals(n: number, rand: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const a = 2 * Math.PI * rand();
    out[i] = r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

/** Glorot uniform for a fanIn × fanOut kernel, row-major. */
export function glorotUniform(fanIn: number, fanOut: number, rand: () => number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => (2 * rand() - 1) * limit);
}

/**
 * A rows × cols matrix (row-major) with orthonormal columns when rows ≥ cols, else orthonormal
 * rows: modified Gram–Schmidt on a Gaussian matrix, in double precision.
 */
export function orthogonal(rows: number, cols: number, rand: () => number): Float32Array {
  const m = Math.max(rows, cols),
    n = Math.min(rows, cols);
  // n vectors of length m, each stored contiguously.
  const v = normals(m * n, rand);
  for (let j = 0; j < n; j++) {
    const vj = v.subarray(j * m, (j + 1) * m);
    for (let k = 0; k < j; k++) {
      const vk = v.subarray(k * m, (k + 1) * m);
      let dot = 0;
      for (let i = 0; i < m; i++) dot += vj[i] * vk[i];
      for (let i = 0; i < m; i++) vj[i] -= dot * vk[i];
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += vj[i] * vj[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) vj[i] /= norm;
  }
  const out = new Float32Array(rows * cols);
  // rows ≥ cols: vector j is column j; otherwise vector j is row j.
  for (let j = 0; j < n; j++)
    for (let i = 0; i < m; i++) {
      if (rows >= cols) out[i * cols + j] = v[j * m + i];
      else out[j * cols + i] = v[j * m + i];
    }
  return out;
}

/** The chrono bias of `hidden` keep gates for a read of `steps`: ln u, u uniform in [1, steps − 1]. */
export function chronoBias(hidden: number, steps: number, rand: () => number): Float32Array {
  return Float32Array.from({ length: hidden }, () => Math.log(1 + (steps - 2) * rand()));
}

/** Starting weights in tfjs order: kernel [inputs, G·H], recurrent kernel [H, G·H], bias [G·H], dense kernel [H, 10], dense bias [10]. */
export function initialWeights(cell: CellType, hidden: number, seed: number, inputs = SIDE, steps = SIDE): Float32Array[] {
  const rand = mulberry32(seed);
  const G = GATES[cell] * hidden;
  const kernel = glorotUniform(inputs, G, rand);
  const recurrent = orthogonal(hidden, G, rand);
  const bias = new Float32Array(G);
  if (steps > SIDE && cell !== 'rnn') {
    const keep = chronoBias(hidden, steps, rand);
    if (cell === 'gru')
      bias.set(keep, 0); // gates are [z, r, h]
    else {
      // gates are [i, f, c, o]: forget the chrono bias, input its negative
      bias.set(keep, hidden);
      bias.set(
        keep.map((b) => -b),
        0,
      );
    }
  } else if (cell === 'lstm') bias.fill(1, hidden, 2 * hidden); // unit forget bias
  const dense = glorotUniform(hidden, CLASSES, rand);
  return [kernel, recurrent, bias, dense, new Float32Array(CLASSES)];
}
