import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageAt, type Dataset } from '../../../src/node/engine/data/dataset';
import { createModel } from '../../../src/node/engine/model/model';
import { CELLS } from '../../../src/shared/types';
import { Tracer } from '../../../src/node/engine/inference/trace';
import { mnistSlice } from '../../helpers';

let ds: Dataset;
beforeAll(async () => {
  ds = await mnistSlice(10, 50);
});

/** A model whose biases and weights are all non-trivial, so every term of the cell matters. */
function jittered(cell: (typeof CELLS)[number], hidden: number) {
  const m = createModel({ cell, hidden, seed: 11 });
  m.setWeights(m.getWeights().map((w, i) => tf.tidy(() => w.add(tf.randomNormal(w.shape, 0, 0.2, 'float32', 100 + i)))));
  return m;
}

describe('Tracer', () => {
  it.each(CELLS)('%s: final probabilities equal model.predict within 1e-5', (cell) => {
    const m = jittered(cell, 64);
    const tracer = new Tracer(m);
    const n = 50;
    const predicted = tf.tidy(() => (m.predict(tf.tensor3d(ds.test.images.subarray(0, n * 784), [n, 28, 28])) as tf.Tensor).dataSync());
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const r = tracer.trace(imageAt(ds.test, i));
      for (let k = 0; k < 10; k++) worst = Math.max(worst, Math.abs(r.probs[k] - predicted[i * 10 + k]));
      expect(r.prediction).toBe(r.probs.indexOf(Math.max(...r.probs)));
    }
    expect(worst).toBeLessThan(1e-5);
    m.dispose();
  });

  it.each(CELLS)('%s: returns every step of h, the per-step beliefs and the cell gates', (cell) => {
    const m = jittered(cell, 32);
    const r = new Tracer(m).trace(imageAt(ds.test, 0));
    expect(r.h.length).toBe(28 * 32);
    expect(r.stepProbs.length).toBe(28 * 10);
    // The last row of the per-step beliefs is the final answer.
    expect(Array.from(r.stepProbs.subarray(270))).toEqual(Array.from(r.probs));
    for (let t = 0; t < 28; t++) {
      const row = r.stepProbs.subarray(t * 10, t * 10 + 10);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    const gates = Object.keys(r.gates ?? {}).sort();
    expect(gates).toEqual(cell === 'lstm' ? ['f', 'i', 'o'] : cell === 'gru' ? ['r', 'z'] : []);
    expect(r.c !== undefined).toBe(cell === 'lstm');
    for (const g of Object.values(r.gates ?? {})) {
      expect(g.length).toBe(28 * 32);
      expect(Math.min(...g)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...g)).toBeLessThanOrEqual(1);
    }
    // Blank top rows leave an RNN from zero state with only bias input: h changes once ink appears.
    const first = r.h.subarray(0, 32),
      mid = r.h.subarray(14 * 32, 15 * 32);
    expect(Array.from(first)).not.toEqual(Array.from(mid));
    m.dispose();
  });

  it('rejects input of the wrong size', () => {
    const m = createModel({ cell: 'rnn', hidden: 8 });
    expect(() => new Tracer(m).trace(new Float32Array(100))).toThrow(/784 pixels.*got 100/);
    m.dispose();
  });

  it('allocates no tensors over 1,000 traces', () => {
    const m = createModel({ cell: 'lstm', hidden: 128 });
    const tracer = new Tracer(m);
    const before = tf.memory();
    for (let i = 0; i < 1000; i++) tracer.trace(imageAt(ds.test, i % 50));
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    m.dispose();
  });
});
