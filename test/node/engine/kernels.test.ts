import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/node/engine/dataset';
import { RecurrentKernel } from '../../../src/node/engine/kernels/recurrentKernel';
import { createModel } from '../../../src/node/engine/model';
import type { CellType } from '../../../src/shared/types';

/** The tfjs recurrent layer of a cell, returning every step, as createModel configures it. */
function sequenceLayer(cell: CellType, units: number) {
  // Weights are overwritten below, so skip the slow orthogonal initialiser.
  const common = { units, returnSequences: true, inputShape: [28, 28] as [number, number], recurrentInitializer: 'zeros' as const };
  return cell === 'rnn'
    ? tf.layers.simpleRNN(common)
    : cell === 'lstm'
      ? tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' })
      : tf.layers.gru({ ...common, recurrentActivation: 'sigmoid' });
}
import { mnistSlice } from '../../helpers';

let ds: Dataset;
beforeAll(async () => {
  ds = await mnistSlice(64, 10);
});

/** A model with every weight perturbed, and a kernel holding the same weights. */
function pair(hidden: number, B: number, withInputGrad = false, cell: CellType = 'rnn') {
  const model = createModel({ cell, hidden, seed: 5 });
  // Noise scaled with 1/√hidden keeps the recurrence stable, as in trained models; larger noise makes it chaotic and amplifies rounding.
  model.setWeights(model.getWeights().map((w, i) => tf.tidy(() => w.add(tf.randomNormal(w.shape, 0, 0.15 * Math.sqrt(32 / hidden), 'float32', 40 + i)))));
  const kernel = new RecurrentKernel({ cell, hidden, maxBatch: B, withInputGrad });
  const [W, U, b, Wd, bd] = model.getWeights().map((w) => w.dataSync() as Float32Array);
  kernel.weights.W.set(W);
  kernel.weights.U.set(U);
  kernel.weights.b.set(b);
  kernel.weights.Wd.set(Wd);
  kernel.weights.bd.set(bd);
  return { model, kernel };
}

const maxRelErr = (a: Float32Array, b: Float32Array) => {
  let err = 0,
    scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / Math.max(scale, 1e-12);
};

describe('fused recurrent kernels', () => {
  it('approximate tanh within 5e-7 of Math.tanh', () => {
    const k = new RecurrentKernel({ hidden: 8, maxBatch: 128 });
    const xs = Float32Array.from({ length: 20000 }, (_, i) => -12 + (24 * i) / 20000);
    const ys = k.tanh(xs);
    let worst = 0;
    for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(ys[i] - Math.tanh(xs[i])));
    expect(worst).toBeLessThan(5e-7);
  });

  it.each([
    ['rnn', 32, 5],
    ['rnn', 128, 16],
    ['gru', 32, 5],
    ['gru', 128, 16],
    ['lstm', 32, 5],
    ['lstm', 128, 16],
  ] as const)('%s: forward over all 28 steps equals the tfjs layer within 1e-5 (hidden %i, batch %i)', (cell, hidden, B) => {
    const { model, kernel } = pair(hidden, B, false, cell);
    const images = ds.train.images.subarray(0, B * 784);
    kernel.setBatch(images, ds.train.labels, B);
    const hs = kernel.forward(B); // [T][B][H]
    const layer = sequenceLayer(cell, hidden);
    const seq = tf.sequential({ layers: [layer] });
    layer.setWeights(model.getWeights().slice(0, 3));
    const ref = tf.tidy(() => (seq.predict(tf.tensor3d(images, [B, 28, 28])) as tf.Tensor).dataSync()); // [B][T][H]
    let worst = 0;
    for (let b = 0; b < B; b++)
      for (let t = 0; t < 28; t++)
        for (let j = 0; j < hidden; j++) {
          worst = Math.max(worst, Math.abs(hs[(t * B + b) * hidden + j] - ref[(b * 28 + t) * hidden + j]));
        }
    expect(worst).toBeLessThan(1e-5);
    model.dispose();
    seq.dispose();
  });

  it.each(['rnn', 'gru', 'lstm'] as const)(
    '%s: gradients for every weight and for the input equal tf.grads through the tfjs model within 1e-4 relative',
    (cell) => {
      const hidden = 32,
        B = 12;
      const { model, kernel } = pair(hidden, B, true, cell);
      const images = ds.train.images.subarray(0, B * 784);
      const labels = ds.train.labels.subarray(0, B);
      kernel.setBatch(images, labels, B);
      const r = kernel.step(B);
      const xs = tf.tensor3d(images, [B, 28, 28]);
      const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const loss = (x: tf.Tensor) => tf.metrics.categoricalCrossentropy(ys, model.apply(x) as tf.Tensor).mean() as tf.Scalar;
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => loss(xs), vars);
      const dx = tf.grad(loss)(xs);
      expect(r.loss).toBeCloseTo(value.dataSync()[0], 5);
      const names = ['W', 'U', 'b', 'Wd', 'bd'] as const;
      vars.forEach((v, i) => {
        const err = maxRelErr(kernel.grads[names[i]], grads[v.name].dataSync() as Float32Array);
        expect(err, names[i]).toBeLessThan(1e-4);
      });
      expect(maxRelErr(kernel.inputGrad(B), dx.dataSync() as Float32Array)).toBeLessThan(1e-4);
      model.dispose();
    },
  );
});

describe('fused training', () => {
  it.each(['rnn', 'gru', 'lstm'] as const)('%s: splitting a batch across two threads gives the same gradients as one', async (cell) => {
    const { FusedTrainer } = await import('../../../src/node/engine/fusedTrainer');
    const model = createModel({ cell, hidden: 64, seed: 3 });
    const one = new FusedTrainer(model, { batchSize: 64, learningRate: 0.001 }, { threads: 1 });
    const two = new FusedTrainer(model, { batchSize: 64, learningRate: 0.001 }, { threads: 2 });
    for (const B of [64, 37]) {
      const images = ds.train.images.subarray(0, B * 784);
      const a = one.gradients(images, ds.train.labels, B);
      const b = two.gradients(images, ds.train.labels, B);
      expect(b.correct).toBe(a.correct);
      expect(b.loss).toBeCloseTo(a.loss, 5);
      one.grads.forEach((g, i) => expect(maxRelErr(two.grads[i], g)).toBeLessThan(1e-5));
    }
    one.dispose();
    two.dispose();
    model.dispose();
  });

  // Measured: rnn 0.755, gru 0.590, lstm 0.581 on both paths, avg cost equal to 4 decimals.
  it.each([
    ['rnn', 128, 3000, 0.003],
    ['gru', 32, 3000, 0.01],
    ['lstm', 32, 3000, 0.01],
  ] as const)(
    '%s: one epoch on a slice reaches the same test accuracy as the plain tfjs path with the same seed',
    async (cell, hidden, limit, learningRate) => {
      const { trainModel } = await import('../../../src/node/engine/train');
      const slice = await mnistSlice(3000, 1000);
      const run = async (kernels: 'auto' | 'off') => {
        const m = createModel({ cell, hidden, seed: 42 });
        const s = await trainModel(m, {
          train: slice.train,
          test: slice.test,
          config: { cell, hidden, epochs: 1, learningRate, batchSize: 64, limit, seed: 42 },
          kernels,
        });
        m.dispose();
        return s;
      };
      const fused = await run('auto');
      const plain = await run('off');
      // Both learned something (chance is 0.1), and the same amount.
      expect(plain.testAccuracy).toBeGreaterThan(0.45);
      expect(Math.abs(fused.testAccuracy - plain.testAccuracy)).toBeLessThan(0.02);
      expect(Math.abs(fused.epochs[0].avgCost - plain.epochs[0].avgCost)).toBeLessThan(0.02);
    },
  );
});
