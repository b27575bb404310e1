/** Batches split over any number of kernel threads give the gradients of one thread. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { predictClasses } from '../../../src/node/engine/inference/evaluate';
import { KernelRuntime, MAX_THREADS } from '../../../src/node/engine/kernels/runtime';
import { createModel } from '../../../src/node/engine/model/model';
import { WEIGHT_NAMES } from '../../../src/node/engine/model/weights';
import { settingsFromEnv } from '../../../src/node/engine/settings';
import { splitBatch } from '../../../src/node/engine/training/batchSplit';
import { KernelStepper, kernelPlan } from '../../../src/node/engine/training/kernelStepper';
import { PIXELS } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';

/** A runtime of `threads` threads for this file's tests, and trainers over it. */
const runtimes = new Map([1, 2, 3, 4].map((t) => [t, testRuntime({ threads: t })]));
const trainer = (model: ReturnType<typeof createModel>, threads: number, batchSize = 128) =>
  new KernelStepper(runtimes.get(threads)!, model, { batchSize, learningRate: 0.001 });

let ds: Dataset;
beforeAll(async () => {
  ds = await mnistSlice(128, 600);
});

const maxRelErr = (a: Float32Array, b: Float32Array) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1e-3, Math.abs(b[i])));
  return worst;
};

describe('kernel threads', () => {
  it('splits a batch into near-equal parts of at least 8, one per thread', () => {
    expect(splitBatch(128, 2)).toEqual([64, 64]);
    expect(splitBatch(128, 3)).toEqual([43, 43, 42]);
    expect(splitBatch(37, 4)).toEqual([10, 9, 9, 9]);
    expect(splitBatch(20, 8)).toEqual([10, 10]);
    expect(splitBatch(5, 8)).toEqual([5]);
    for (const [size, t] of [
      [128, 8],
      [100, 3],
      [9, 2],
    ])
      expect(splitBatch(size, t).reduce((a, b) => a + b, 0)).toBe(size);
  });

  it('uses every core up to the cap, or RNN_LENS_THREADS, and refuses a value it does not understand', () => {
    const threads = (env: NodeJS.ProcessEnv, cores: number) => {
      const s = settingsFromEnv(env, cores);
      return new KernelRuntime({ build: 'plain', threads: s.threads }, s.cores).threads;
    };
    expect(threads({}, 2)).toBe(2);
    expect(threads({}, 16)).toBe(MAX_THREADS);
    expect(threads({ RNN_LENS_THREADS: '1' }, 16)).toBe(1);
    expect(threads({ RNN_LENS_THREADS: '3' }, 2)).toBe(3);
    expect(() => threads({ RNN_LENS_THREADS: 'lots' }, 4)).toThrow(
      /RNN_LENS_THREADS="lots" is not understood: expected a whole number of threads from 1 to 64/,
    );
    expect(() => threads({ RNN_LENS_THREADS: '0' }, 4)).toThrow(/RNN_LENS_THREADS/);
  });

  it.each(['rnn', 'gru', 'lstm'] as const)('%s: 3 and 4 threads give the gradients, loss and count of one thread', (cell) => {
    const model = createModel({ cell, hidden: 24, seed: 4 });
    const one = trainer(model, 1);
    for (const threads of [3, 4]) {
      const many = trainer(model, threads);
      expect(many.threads).toBe(threads);
      for (const B of [128, 45]) {
        const images = ds.train.images.subarray(0, B * PIXELS);
        const a = one.gradients(images, ds.train.labels, B);
        const b = many.gradients(images, ds.train.labels, B);
        expect(b.correct).toBe(a.correct);
        expect(b.loss).toBeCloseTo(a.loss, 5);
        // Sums over different partitions round differently: 1e-4 relative, far below any mis-weighted part.
        for (const n of WEIGHT_NAMES) expect(maxRelErr(many.grads[n], one.grads[n]), n).toBeLessThan(1e-4);
      }
      many.discard();
    }
    one.discard();
    model.dispose();
  });

  it.each(['rnn', 'lstm'] as const)('%s: predictions shared with 1 and 2 worker threads are those of one thread and of tfjs', (cell) => {
    const model = createModel({ cell, hidden: 24, seed: 6 });
    const reference = predictClasses(model, ds.test);
    for (const threads of [1, 2, 3]) {
      const t = trainer(model, threads);
      // 600 digits in chunks of 128: full rounds and a last round that leaves a worker idle.
      expect(Array.from(t.predict(ds.test))).toEqual(Array.from(reference));
      t.discard();
    }
    model.dispose();
  });

  it('workers started ahead of a run are taken by the trainer of that shape', () => {
    const runtime = testRuntime({ threads: 3 });
    const { layout, workers } = kernelPlan(runtime, 'gru', 24, 64);
    runtime.prestart(layout, workers);
    expect(runtime.idleWorkers).toBe(2);
    const other = new KernelStepper(runtime, createModel({ cell: 'gru', hidden: 32 }), { batchSize: 64, learningRate: 0.001 });
    expect(runtime.idleWorkers).toBe(2); // another shape starts its own
    other.discard();
    expect(runtime.idleWorkers).toBe(4);
    const model = createModel({ cell: 'gru', hidden: 24, seed: 4 });
    const t = new KernelStepper(runtime, model, { batchSize: 64, learningRate: 0.001 });
    expect(runtime.idleWorkers).toBe(2);
    expect(t.threads).toBe(3);
    const images = ds.train.images.subarray(0, 64 * PIXELS);
    const one = trainer(model, 1, 64);
    expect(t.gradients(images, ds.train.labels, 64).loss).toBeCloseTo(one.gradients(images, ds.train.labels, 64).loss, 5);
    t.discard();
    one.discard();
    model.dispose();
  });

  it('a trainer that is done hands its threads to the next trainer of its shape, which computes with them', () => {
    const runtime = testRuntime({ threads: 3 });
    const model = createModel({ cell: 'rnn', hidden: 16, seed: 2 });
    const first = new KernelStepper(runtime, model, { batchSize: 64, learningRate: 0.001 });
    expect(runtime.idleWorkers).toBe(0);
    first.discard();
    expect(runtime.idleWorkers).toBe(2);
    const next = new KernelStepper(runtime, model, { batchSize: 64, learningRate: 0.001 });
    expect(runtime.idleWorkers).toBe(0);
    // The handed-on threads work: the split batch gives one thread's loss.
    const images = ds.train.images.subarray(0, 64 * PIXELS);
    const one = trainer(model, 1, 64);
    expect(next.gradients(images, ds.train.labels, 64).loss).toBeCloseTo(one.gradients(images, ds.train.labels, 64).loss, 5);
    next.discard();
    one.discard();
    model.dispose();
    runtime.close();
    expect(runtime.idleWorkers).toBe(0);
  });
});
