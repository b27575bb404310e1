import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { currentBackend } from '../../../src/node/engine/backend';
import { RecurrentKernel } from '../../../src/node/engine/kernels/recurrentKernel';
import { createModel } from '../../../src/node/engine/model/model';
import { WEIGHT_NAMES } from '../../../src/node/engine/model/weights';
import { defaultPath } from '../../../src/node/engine/training/pathChoice';
import type { CellType } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';
import { kernelPair, maxRelErr } from './kernelPair';

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

const runtime = testRuntime();
let ds: Dataset;
beforeAll(async () => {
  // Pinned to wasm: where tfjs-node loads the engine would choose it and switch the kernels off.
  ds = await mnistSlice(64, 10, 'wasm');
});

describe('fused recurrent kernels', () => {
  it('are compared with tfjs on the wasm backend, where training takes the fused path', () => {
    expect(currentBackend()?.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(defaultPath(true, currentBackend()!.name)).toBe('kernels');
  });

  it('approximate tanh within 5e-7 of Math.tanh', () => {
    const k = new RecurrentKernel(runtime, { cell: 'rnn', hidden: 8, maxBatch: 128 });
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
    const { model, kernel } = kernelPair(runtime, cell, hidden, B);
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
  // Gradients: kernelGrads.test.ts checks every cell at hidden 32 and 128 and batches 5, 12 and 64.
});

describe('fused training', () => {
  it.each(['rnn', 'gru', 'lstm'] as const)('%s: splitting a batch across two threads gives the same gradients as one', async (cell) => {
    const { KernelStepper } = await import('../../../src/node/engine/training/kernelStepper');
    const model = createModel({ cell, hidden: 64, seed: 3 });
    const one = new KernelStepper(runtime, model, { batchSize: 64, learningRate: 0.001 });
    const two = new KernelStepper(testRuntime({ threads: 2 }), model, { batchSize: 64, learningRate: 0.001 });
    expect([one.threads, two.threads]).toEqual([1, 2]);
    for (const B of [64, 37]) {
      const images = ds.train.images.subarray(0, B * 784);
      const a = one.gradients(images, ds.train.labels, B);
      const b = two.gradients(images, ds.train.labels, B);
      expect(b.correct).toBe(a.correct);
      expect(b.loss).toBeCloseTo(a.loss, 5);
      for (const n of WEIGHT_NAMES) expect(maxRelErr(two.grads[n], one.grads[n]), n).toBeLessThan(1e-5);
    }
    one.discard();
    two.discard();
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
      const { trainModel } = await import('../../../src/node/engine/training/train');
      const slice = await mnistSlice(3000, 1000);
      const run = async (kernels: 'auto' | 'off') => {
        const m = createModel({ cell, hidden, seed: 42 });
        const s = await trainModel(m, {
          runtime,
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
      // Each run took the path it was meant to: otherwise this would compare a path with itself.
      expect(fused.path).toBe('kernels');
      expect(plain.path).toBe('tfjs');
      // Both learned something (chance is 0.1), and the same amount.
      expect(plain.testAccuracy).toBeGreaterThan(0.45);
      expect(Math.abs(fused.testAccuracy - plain.testAccuracy)).toBeLessThan(0.02);
      expect(Math.abs(fused.epochs[0].avgCost - plain.epochs[0].avgCost)).toBeLessThan(0.02);
    },
  );
});
