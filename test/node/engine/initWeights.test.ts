/** Starting weights: Keras's distributions, drawn reproducibly from the seed. */
import { describe, expect, it } from 'vitest';
import { glorotUniform, initialWeights, orthogonal } from '../../../src/node/engine/model/initWeights';
import { createModel } from '../../../src/node/engine/model/model';
import { mulberry32 } from '../../../src/node/engine/data/random';
import { CELLS, GATES } from '../../../src/shared/types';
import { readShape } from '../../../src/shared/reads';

/** Largest |A·Aᵀ − I| over the rows of a rows × cols matrix (or columns, when `byColumns`). */
function orthoError(a: Float32Array, rows: number, cols: number, byColumns: boolean): number {
  const n = byColumns ? cols : rows;
  const len = byColumns ? rows : cols;
  const at = (v: number, i: number) => (byColumns ? a[i * cols + v] : a[v * cols + i]);
  let worst = 0;
  for (let p = 0; p < n; p++)
    for (let q = 0; q <= p; q++) {
      let dot = 0;
      for (let i = 0; i < len; i++) dot += at(p, i) * at(q, i);
      worst = Math.max(worst, Math.abs(dot - (p === q ? 1 : 0)));
    }
  return worst;
}

describe('initial weights', () => {
  it('orthogonal: orthonormal rows for a wide matrix, orthonormal columns for a tall one', () => {
    expect(orthoError(orthogonal(128, 384, mulberry32(1)), 128, 384, false)).toBeLessThan(1e-5);
    expect(orthoError(orthogonal(96, 32, mulberry32(2)), 96, 32, true)).toBeLessThan(1e-5);
    expect(orthoError(orthogonal(64, 64, mulberry32(3)), 64, 64, false)).toBeLessThan(1e-5);
  });

  it('Glorot uniform: inside ±√(6/(in+out)), centred, with the variance of that uniform', () => {
    const w = glorotUniform(28, 384, mulberry32(4));
    const limit = Math.sqrt(6 / (28 + 384));
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.abs(mean)).toBeLessThan(0.01 * limit);
    expect(variance).toBeCloseTo((limit * limit) / 3, 4);
  });

  it.each(CELLS)('%s: shapes of tfjs, the same numbers for the same seed, others for another; LSTM forget bias 1', (cell) => {
    const a = initialWeights(cell, 16, 7);
    const G = GATES[cell] * 16;
    expect(a.map((w) => w.length)).toEqual([28 * G, 16 * G, G, 16 * 10, 10]);
    expect(initialWeights(cell, 16, 7)).toEqual(a);
    expect(initialWeights(cell, 16, 8)[1]).not.toEqual(a[1]);
    const bias = Array.from(a[2]);
    expect(bias).toEqual(bias.map((_, i) => (cell === 'lstm' && i >= 16 && i < 32 ? 1 : 0)));
    const m = createModel({ cell, hidden: 16, seed: 7 });
    const fromModel = m.getWeights().map((t) => t.dataSync() as Float32Array);
    fromModel.forEach((w, i) => expect(w).toEqual(a[i]));
    m.dispose();
  });

  it('on a long read, chrono biases: the GRU update gate and the LSTM forget gate in [0, ln(steps − 1)], spread over it, the LSTM input gate their negative; the tutorial read and the SimpleRNN unchanged', () => {
    const H = 64;
    const { steps, inputs } = readShape('pixels:4'); // 196 × 4
    const top = Math.log(steps - 1);
    const gru = initialWeights('gru', H, 3, inputs, steps)[2];
    const z = Array.from(gru.subarray(0, H));
    // Spread over the range: ln u for u uniform in [1, 195], so the quartiles of u land near 49, 98 and 146.
    expect(Math.min(...z)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...z)).toBeLessThanOrEqual(top);
    const sorted = [...z].sort((a, b) => a - b);
    expect(Math.exp(sorted[H / 2])).toBeGreaterThan(60);
    expect(Math.exp(sorted[H / 2])).toBeLessThan(140);
    expect(Math.exp(sorted[H - 1])).toBeGreaterThan(150);
    // The reset and candidate blocks stay at zero.
    expect(Array.from(gru.subarray(H))).toEqual(new Array(2 * H).fill(0));
    const lstm = initialWeights('lstm', H, 3, inputs, steps)[2];
    const f = Array.from(lstm.subarray(H, 2 * H));
    expect(Math.min(...f)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...f)).toBeLessThanOrEqual(top);
    expect(Math.exp([...f].sort((a, b) => a - b)[H / 2])).toBeGreaterThan(60);
    expect(Array.from(lstm.subarray(0, H))).toEqual(f.map((b) => -b));
    expect(Array.from(lstm.subarray(2 * H))).toEqual(new Array(2 * H).fill(0));
    expect(Array.from(initialWeights('rnn', H, 3, inputs, steps)[2])).toEqual(new Array(H).fill(0));
    // The tutorial's 28 rows keep Keras's defaults: zero biases, LSTM forget bias 1.
    expect(Array.from(initialWeights('gru', H, 3)[2])).toEqual(new Array(3 * H).fill(0));
    // createModel passes the read's steps.
    const m = createModel({ cell: 'gru', hidden: H, seed: 3, read: 'pixels:4' });
    expect(m.getWeights()[2].dataSync()).toEqual(gru);
    m.dispose();
  });
});
