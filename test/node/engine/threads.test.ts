/** Batches split over any number of kernel threads give the gradients of one thread. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { defaultThreads, FusedTrainer, MAX_THREADS, prestartWorkers, splitBatch, waitingWorkers } from '../../../src/node/engine/training/kernelStepper';
import { predictClasses } from '../../../src/node/engine/inference/evaluate';
import { createModel } from '../../../src/node/engine/model/model';
import { PIXELS } from '../../../src/shared/types';
import { mnistSlice } from '../../helpers';

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

  it('uses every core up to the cap, or RNN_LENS_THREADS', () => {
    expect(defaultThreads({}, 2)).toBe(2);
    expect(defaultThreads({}, 16)).toBe(MAX_THREADS);
    expect(defaultThreads({ RNN_LENS_THREADS: '1' }, 16)).toBe(1);
    expect(defaultThreads({ RNN_LENS_THREADS: '3' }, 2)).toBe(3);
    expect(defaultThreads({ RNN_LENS_THREADS: 'lots' }, 4)).toBe(4);
  });

  it.each(['rnn', 'gru', 'lstm'] as const)('%s: 3 and 4 threads give the gradients, loss and count of one thread', (cell) => {
    const model = createModel({ cell, hidden: 24, seed: 4 });
    const one = new FusedTrainer(model, { batchSize: 128, learningRate: 0.001 }, { threads: 1 });
    for (const threads of [3, 4]) {
      const many = new FusedTrainer(model, { batchSize: 128, learningRate: 0.001 }, { threads });
      expect(many.threads).toBe(threads);
      for (const B of [128, 45]) {
        const images = ds.train.images.subarray(0, B * PIXELS);
        const a = one.gradients(images, ds.train.labels, B);
        const b = many.gradients(images, ds.train.labels, B);
        expect(b.correct).toBe(a.correct);
        expect(b.loss).toBeCloseTo(a.loss, 5);
        // Sums over different partitions round differently: 1e-4 relative, far below any mis-weighted part.
        one.grads.forEach((g, i) => expect(maxRelErr(many.grads[i], g)).toBeLessThan(1e-4));
      }
      many.dispose();
    }
    one.dispose();
    model.dispose();
  });

  it.each(['rnn', 'lstm'] as const)('%s: predictions shared with 1 and 2 worker threads are those of one thread and of tfjs', (cell) => {
    const model = createModel({ cell, hidden: 24, seed: 6 });
    const reference = predictClasses(model, ds.test);
    for (const threads of [1, 2, 3]) {
      const t = new FusedTrainer(model, { batchSize: 128, learningRate: 0.001 }, { threads });
      // 600 digits in chunks of 128: full rounds and a last round that leaves a worker idle.
      expect(Array.from(t.predict(ds.test))).toEqual(Array.from(reference));
      t.dispose();
    }
    model.dispose();
  });

  it('workers started ahead of a run are taken by the trainer of that shape', () => {
    const before = process.env.RNN_LENS_THREADS;
    process.env.RNN_LENS_THREADS = '3';
    try {
      prestartWorkers('gru', 24, 64);
      expect(waitingWorkers()).toBe(2);
      const other = new FusedTrainer(createModel({ cell: 'gru', hidden: 32 }), { batchSize: 64, learningRate: 0.001 });
      expect(waitingWorkers()).toBe(2); // another shape starts its own
      other.dispose();
      const model = createModel({ cell: 'gru', hidden: 24, seed: 4 });
      const t = new FusedTrainer(model, { batchSize: 64, learningRate: 0.001 });
      expect(waitingWorkers()).toBe(0);
      expect(t.threads).toBe(3);
      const images = ds.train.images.subarray(0, 64 * PIXELS);
      const one = new FusedTrainer(model, { batchSize: 64, learningRate: 0.001 }, { threads: 1 });
      expect(t.gradients(images, ds.train.labels, 64).loss).toBeCloseTo(one.gradients(images, ds.train.labels, 64).loss, 5);
      t.dispose();
      one.dispose();
      model.dispose();
    } finally {
      if (before === undefined) delete process.env.RNN_LENS_THREADS;
      else process.env.RNN_LENS_THREADS = before;
    }
  });

  it('a trainer that releases its threads hands them to the next trainer of its shape', () => {
    const model = createModel({ cell: 'rnn', hidden: 16, seed: 2 });
    const first = new FusedTrainer(model, { batchSize: 64, learningRate: 0.001 }, { threads: 3 });
    expect(waitingWorkers()).toBe(0);
    first.release();
    expect(waitingWorkers()).toBe(2);
    const next = new FusedTrainer(model, { batchSize: 64, learningRate: 0.001 }, { threads: 3 });
    expect(waitingWorkers()).toBe(0);
    // The handed-on threads work: the split batch gives one thread's loss.
    const images = ds.train.images.subarray(0, 64 * PIXELS);
    const one = new FusedTrainer(model, { batchSize: 64, learningRate: 0.001 }, { threads: 1 });
    expect(next.gradients(images, ds.train.labels, 64).loss).toBeCloseTo(one.gradients(images, ds.train.labels, 64).loss, 5);
    first.dispose();
    next.dispose();
    one.dispose();
    model.dispose();
  });
});
