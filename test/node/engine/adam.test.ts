/**
 * The fused trainer's Adam against tfjs's own: five optimiser steps from the same
 * weights on the same batches, on one thread, on two (the batch split with the
 * worker thread) and through tfjs layers with tf.train.adam, must end at the same
 * weights. A worker that trained on the previous step's weights, a bias correction
 * off by one step or a wrong epsilon would all move the weights apart.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { currentBackend } from '../../../src/node/engine/backend';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { KernelStepper } from '../../../src/node/engine/training/kernelStepper';
import { KernelWorker } from '../../../src/node/engine/kernels/kernelWorker';
import { createModel } from '../../../src/node/engine/model/model';
import { CELLS, CLASSES, PIXELS, type CellType } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';

const STEPS = 5;
const B = 64;

let ds: Dataset;
beforeAll(async () => {
  ds = await mnistSlice(STEPS * B, 1, 'wasm');
});
afterEach(() => vi.restoreAllMocks());

const batch = (k: number) => ({ images: ds.train.images.subarray(k * B * PIXELS, (k + 1) * B * PIXELS), labels: ds.train.labels.subarray(k * B, (k + 1) * B) });

/** Starting weights with every block perturbed, so no gradient is zero by symmetry. */
function startWeights(cell: CellType, hidden: number): Float32Array[] {
  const m = createModel({ cell, hidden, seed: 21 });
  const out = m.getWeights().map((w, i) => tf.tidy(() => w.add(tf.randomNormal(w.shape, 0, 0.05, 'float32', 60 + i)).dataSync() as Float32Array));
  m.dispose();
  return out;
}

/** A model of this cell and size holding `weights`. */
function modelWith(cell: CellType, hidden: number, weights: Float32Array[]): tf.LayersModel {
  const m = createModel({ cell, hidden, initializer: 'zeros' });
  const shapes = m.getWeights().map((w) => w.shape);
  const tensors = weights.map((w, i) => tf.tensor(w, shapes[i]));
  m.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
  return m;
}

const read = (m: tf.LayersModel) => m.getWeights().map((w) => w.dataSync().slice() as Float32Array);

const runtimes = { 1: testRuntime({ threads: 1 }), 2: testRuntime({ threads: 2 }) };

/** STEPS steps of the fused trainer on `threads` threads; returns the final weights. */
function fused(cell: CellType, hidden: number, w0: Float32Array[], lr: number, threads: 1 | 2): Float32Array[] {
  const m = modelWith(cell, hidden, w0);
  const trainer = new KernelStepper(runtimes[threads], m, { batchSize: B, learningRate: lr });
  for (let k = 0; k < STEPS; k++) {
    const { images, labels } = batch(k);
    trainer.step(images, labels, B);
  }
  trainer.finish();
  const out = read(m);
  m.dispose();
  return out;
}

/** STEPS steps through tfjs layers with tf.train.adam, written out here as the reference. */
function reference(cell: CellType, hidden: number, w0: Float32Array[], lr: number): Float32Array[] {
  const m = modelWith(cell, hidden, w0);
  const optimizer: tf.Optimizer = tf.train.adam(lr);
  const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
  for (let k = 0; k < STEPS; k++) {
    const { images, labels } = batch(k);
    tf.tidy(() => {
      const xs = tf.tensor3d(images, [B, 28, 28]);
      const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES);
      const { grads } = tf.variableGrads(() => tf.metrics.categoricalCrossentropy(ys, m.apply(xs, { training: true }) as tf.Tensor).mean() as tf.Scalar, vars);
      optimizer.applyGradients(grads as Parameters<tf.Optimizer['applyGradients']>[0]);
    });
  }
  optimizer.dispose();
  const out = read(m);
  m.dispose();
  return out;
}

const maxDiff = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.map((w, i) => w.reduce((m, v, j) => Math.max(m, Math.abs(v - b[i][j])), 0)));

describe('Adam in the fused trainer', () => {
  it('runs on the wasm backend', () => {
    expect(currentBackend()?.name).toBe('wasm');
  });

  it.each(CELLS)('%s: five steps on one thread, on two threads and with tf.train.adam end at the same weights within 5% of one step', (cell) => {
    const hidden = 32,
      lr = 0.001;
    const w0 = startWeights(cell, hidden);
    const started = vi.spyOn(KernelWorker.prototype, 'start');
    const one = fused(cell, hidden, w0, lr, 1);
    expect(started).not.toHaveBeenCalled();
    const two = fused(cell, hidden, w0, lr, 2);
    // The two-thread run really split every batch with the worker.
    expect(started).toHaveBeenCalledTimes(STEPS);
    const ref = reference(cell, hidden, w0, lr);

    // The steps moved the weights by far more than the tolerance (Adam moves each weight up to lr a step).
    expect(maxDiff(ref, w0)).toBeGreaterThan(2 * lr);
    // Adam moves a weight by about lr·g/|g| whatever the size of g, so a gradient near zero whose
    // rounding differs between the paths (sums split over threads) can move by a part of a step:
    // measured up to 1.4e-5 (LSTM, two threads). A stale worker, a bias correction off by a step
    // or a wrong epsilon move weights by about half a step or more (5e-4).
    const tol = 0.05 * lr;
    expect(maxDiff(one, ref)).toBeLessThan(tol);
    expect(maxDiff(two, ref)).toBeLessThan(tol);
    expect(maxDiff(two, one)).toBeLessThan(tol);
  });
});
