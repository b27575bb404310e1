/**
 * The fused kernels' backward pass against tfjs's autodiff, for every cell at two
 * hidden sizes and three batch sizes: 5 leaves one row over the GEMM's 4-row tiles,
 * 12 and 64 fill them exactly, and 64 runs the kernel at the trainer's usual size.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { currentBackend } from '../../../src/node/engine/backend';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { WEIGHT_NAMES } from '../../../src/node/engine/model/weights';
import { CELLS } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';
import { kernelPair, maxAbs, maxRelErr } from './kernelPair';

const runtime = testRuntime();
let ds: Dataset;
beforeAll(async () => {
  // Pinned: the reference must be tfjs on a backend of its own, never the kernels' twin.
  ds = await mnistSlice(64, 1, 'wasm');
});

const cases = CELLS.flatMap((cell) => [32, 128].flatMap((hidden) => [5, 12, 64].map((B) => [cell, hidden, B] as const)));

describe('fused kernel gradients', () => {
  it('run against tfjs on the wasm backend', () => {
    expect(currentBackend()?.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it.each(cases)('%s-%i, batch %i: loss, every weight gradient and the input gradient equal tf.grads within 1e-4 relative', (cell, hidden, B) => {
    const { model, kernel } = kernelPair(runtime, cell, hidden, B, { withInputGrad: true });
    const images = ds.train.images.subarray(0, B * 784);
    const labels = ds.train.labels.subarray(0, B);
    kernel.setBatch(images, labels, B);
    const r = kernel.step(B);

    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const ref = tf.tidy(() => {
      const x = tf.variable(tf.tensor3d(images, [B, 28, 28]), true, `x_${cell}_${hidden}_${B}`);
      const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const { value, grads } = tf.variableGrads(() => tf.metrics.categoricalCrossentropy(ys, model.apply(x) as tf.Tensor).mean() as tf.Scalar, [...vars, x]);
      const out = {
        loss: value.dataSync()[0],
        weights: vars.map((v) => grads[v.name].dataSync() as Float32Array),
        input: grads[x.name].dataSync() as Float32Array,
      };
      x.dispose();
      return out;
    });

    expect(r.loss).toBeCloseTo(ref.loss, 5);
    WEIGHT_NAMES.forEach((name, i) => {
      expect(kernel.grads[name].length, name).toBe(ref.weights[i].length);
      expect(maxRelErr(kernel.grads[name], ref.weights[i]), name).toBeLessThan(1e-4);
    });
    expect(maxRelErr(kernel.inputGrad(B), ref.input), 'input').toBeLessThan(1e-4);
    // No reference gradient is vanishingly small, so the relative bound above is a real one.
    for (const g of ref.weights) expect(maxAbs(g)).toBeGreaterThan(1e-6);
    model.dispose();
  });
});
