/**
 * The fused kernels on long reads against tfjs's autodiff: 112, 196 and 784 steps (7, 4 and 1
 * pixels a step) for every cell, as kernelGrads.test.ts does at 28. Besides every weight's and
 * the input's gradient, the gradient through time the backward pass records, ‖∂L/∂h_t‖ at every
 * step, is held to tf.grads of the same cells written out step by step (unrolled.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { Sequencer } from '../../../src/node/engine/data/sequence';
import { WEIGHT_NAMES, weightsOf } from '../../../src/node/engine/model/weights';
import { readShape, type Read } from '../../../src/shared/reads';
import { CELLS, PIXELS } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';
import { kernelPair, maxAbs, maxRelErr } from './kernelPair';
import { unrolledGradNorms } from './unrolled';

const runtime = testRuntime();
let ds: Dataset;
beforeAll(async () => {
  ds = await mnistSlice(12, 1, 'wasm');
});

const READS_LONG: Read[] = ['pixels:7', 'pixels:4', 'pixels:1'];
const cases = CELLS.flatMap((cell) => [...READS_LONG.map((read) => [cell, read, 16, 5] as const), [cell, 'pixels:4', 32, 12] as const]);

describe('fused kernel gradients on long reads', () => {
  it.each(cases)(
    '%s reading %s, hidden %i, batch %i: loss, every weight gradient, the input gradient and ‖∂L/∂h_t‖ equal tf.grads',
    (cell, read, hidden, B) => {
      const { steps: T, inputs: I } = readShape(read);
      const { model, kernel } = kernelPair(runtime, cell, hidden, B, { read, withInputGrad: true, withGradNorms: true });
      expect(kernel.layout.T).toBe(T);
      expect(kernel.layout.I).toBe(I);
      const images = new Sequencer(read).fromSplit(ds.train, 0, B, new Float32Array(B * PIXELS));
      const labels = ds.train.labels.subarray(0, B);
      kernel.setBatch(images, labels, B);
      const r = kernel.step(B);

      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const ref = tf.tidy(() => {
        const x = tf.variable(tf.tensor3d(images, [B, T, I]), true, `x_${cell}_${read.replace(':', '')}`);
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
      for (const g of ref.weights) expect(maxAbs(g)).toBeGreaterThan(1e-6);

      // The gradient through time: the unrolled cells give the same loss as tfjs's layer, and each step's ‖∂L/∂h_t‖ agrees.
      const unrolled = unrolledGradNorms(weightsOf(model), images, labels, B);
      expect(unrolled.loss / B).toBeCloseTo(ref.loss, 5);
      const mine = kernel.gradNorms(B);
      expect(mine.length).toBe(T * B);
      expect(maxRelErr(mine, unrolled.norms)).toBeLessThan(1e-4);
      // Step by step too, wherever the gradient has not vanished below float32's reach.
      let checked = 0;
      for (let i = 0; i < mine.length; i++) {
        if (unrolled.norms[i] < 1e-30) continue;
        expect(Math.abs(mine[i] - unrolled.norms[i]) / unrolled.norms[i], `step ${Math.floor(i / B)} sample ${i % B}`).toBeLessThan(1e-3);
        checked++;
      }
      expect(checked).toBeGreaterThan(T);
      model.dispose();
    },
  );
});
