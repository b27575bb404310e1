/**
 * Hidden sizes that are not a multiple of 8 train on the kernels, padded with
 * inert units: the same steps as tfjs layers give the same weights, and the
 * padded forward pass classifies as model.predict does.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/node/engine/backend';
import { KernelStepper } from '../../../src/node/engine/training/kernelStepper';
import { BatchForward } from '../../../src/node/engine/inference/batchForward';
import { classify } from '../../../src/node/engine/inference/classify';
import { KERNEL_MULTIPLE, paddedHidden, resizeHidden } from '../../../src/node/engine/kernels/padding';
import { RecurrentKernel } from '../../../src/node/engine/kernels/recurrentKernel';
import { createModel } from '../../../src/node/engine/model/model';
import { WEIGHT_NAMES, weightList, weightsOf } from '../../../src/node/engine/model/weights';
import { TRAIN_BOUNDS } from '../../../src/shared/training';
import { CELLS, CLASSES, PIXELS, SIDE } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';

const runtime = testRuntime();

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('padded hidden sizes on the fused kernels', () => {
  it('pads each gate block and cuts back to the same weights', () => {
    for (const cell of CELLS) {
      const m = createModel({ cell, hidden: 13, seed: 3 });
      const w = weightsOf(m);
      const padded = resizeHidden(w, 16);
      expect(weightList(padded).map((p) => p.length)).toEqual(
        createModel({ cell, hidden: 16 })
          .getWeights()
          .map((t) => t.size),
      );
      const back = resizeHidden(padded, 13);
      for (const n of WEIGHT_NAMES) expect(Array.from(back[n]), n).toEqual(Array.from(w[n]));
      m.dispose();
    }
  });

  it('rounds every size up to the next multiple of 8, never down', () => {
    expect([1, 7, 8, 9, 10, 11, 15, 16, 17, 1023, 1024].map(paddedHidden)).toEqual([8, 8, 8, 16, 16, 16, 16, 16, 24, 1024, 1024]);
    expect(runtime.padded(9)).toBe(16);
  });

  it('pads every hidden size the app allows to the smallest multiple of 8 that holds it, on both sides of the module boundary', () => {
    expect(runtime.multiple).toBe(KERNEL_MULTIPLE);
    for (let hidden = TRAIN_BOUNDS.hidden.min; hidden <= TRAIN_BOUNDS.hidden.max; hidden++) {
      let smallest = 8;
      while (smallest < hidden) smallest += 8;
      expect(paddedHidden(hidden), `hidden ${hidden}`).toBe(smallest);
      expect(runtime.padded(hidden), `hidden ${hidden}`).toBe(smallest);
    }
  });

  it.each(CELLS)('%s: sizes 1–3 above a multiple of 8 keep every unit through BatchForward (probabilities as model.predict gives them)', async (cell) => {
    await initBackend('wasm');
    const ds = await mnistSlice(1, 40);
    for (const hidden of [1, 9, 10, 11, 17, 19]) {
      const m = createModel({ cell, hidden, seed: 11 });
      const forward = new BatchForward(runtime, weightsOf(m), 40);
      const ours = forward.probs(ds.test.images.subarray(0, 40 * PIXELS), 40);
      const theirs = tf.tidy(() => (m.predict(tf.tensor3d(ds.test.images.subarray(0, 40 * PIXELS), [40, SIDE, SIDE])) as tf.Tensor).dataSync());
      expect(maxAbsDiff(ours, theirs), `${cell}-${hidden}`).toBeLessThan(1e-5);
      // The states drop the padded units: exactly `hidden` per step and image.
      expect(forward.states(ds.test.images.subarray(0, 2 * PIXELS), 2).length).toBe(28 * 2 * hidden);
      m.dispose();
    }
  });

  it.each(CELLS.flatMap((cell) => [9, 11, 13].map((hidden) => [cell, hidden] as const)))(
    '%s-%i: the padded forward pass predicts what model.predict predicts',
    async (cell, hidden) => {
      await initBackend('wasm');
      const ds = await mnistSlice(1, 200);
      const m = createModel({ cell, hidden, seed: 5 });
      const kernel = new RecurrentKernel(runtime, { cell, hidden: paddedHidden(hidden), maxBatch: 64 });
      kernel.load(resizeHidden(weightsOf(m), paddedHidden(hidden)));
      const ours = classify(kernel, ds.test, 200);
      const theirs = tf.tidy(() => (m.predict(tf.tensor3d(ds.test.images.subarray(0, 200 * PIXELS), [200, SIDE, SIDE])) as tf.Tensor).argMax(-1).dataSync());
      expect(Array.from(ours)).toEqual(Array.from(theirs));
      m.dispose();
    },
  );

  it.each(CELLS.flatMap((cell) => [9, 12, 17].map((hidden) => [cell, hidden] as const)))(
    '%s-%i: five Adam steps on the padded kernels end at the weights tfjs reaches',
    async (cell, hidden) => {
      await initBackend('wasm');
      const ds = await mnistSlice(5 * 32, 1);
      const labels = Int32Array.from(ds.train.labels);
      const fusedModel = createModel({ cell, hidden, seed: 9 });
      const trainer = new KernelStepper(runtime, fusedModel, { batchSize: 32, learningRate: 0.01 });
      for (let s = 0; s < 5; s++) trainer.step(ds.train.images.subarray(s * 32 * PIXELS, (s + 1) * 32 * PIXELS), labels.subarray(s * 32, (s + 1) * 32), 32);
      trainer.finish();

      const ref = createModel({ cell, hidden, seed: 9 });
      const opt = tf.train.adam(0.01);
      const vars = ref.trainableWeights.map((w) => w.read() as tf.Variable);
      for (let s = 0; s < 5; s++) {
        tf.tidy(() => {
          const xs = tf.tensor3d(ds.train.images.subarray(s * 32 * PIXELS, (s + 1) * 32 * PIXELS), [32, SIDE, SIDE]);
          const ys = tf.oneHot(tf.tensor1d(labels.subarray(s * 32, (s + 1) * 32), 'int32'), CLASSES);
          const { grads } = tf.variableGrads(
            () => tf.metrics.categoricalCrossentropy(ys, ref.apply(xs, { training: true }) as tf.Tensor).mean() as tf.Scalar,
            vars,
          );
          opt.applyGradients(grads as unknown as Parameters<typeof opt.applyGradients>[0]);
        });
      }
      const a = fusedModel.getWeights().map((t) => t.dataSync());
      const b = ref.getWeights().map((t) => t.dataSync());
      a.forEach((w, i) => expect(maxAbsDiff(w, b[i]), `weight ${i}`).toBeLessThan(2e-4));
      opt.dispose();
      fusedModel.dispose();
      ref.dispose();
    },
  );
});
