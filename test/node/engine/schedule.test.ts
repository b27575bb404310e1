/**
 * Learning-rate schedules: the one-cycle curve's shape, and that a run follows it on both
 * training paths (the fused kernels' Adam and tfjs's), step by step.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { createModel } from '../../../src/node/engine/model/model';
import { trainModel } from '../../../src/node/engine/training/train';
import { learningRateAt, ONE_CYCLE, TUTORIAL_CONFIG } from '../../../src/shared/training';
import type { Schedule } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';

const runtime = testRuntime();

describe('learningRateAt', () => {
  it('constant keeps the rate; one cycle warms up to the peak, then decays to its end value', () => {
    const steps = 200;
    const lr = 0.01;
    const rates = Array.from({ length: steps }, (_, s) => learningRateAt('onecycle', lr, s, steps));
    expect(Array.from({ length: steps }, (_, s) => learningRateAt('constant', lr, s, steps))).toEqual(new Array(steps).fill(lr));
    const warm = Math.round(ONE_CYCLE.warmup * steps);
    expect(rates[0]).toBeCloseTo(lr * ONE_CYCLE.start, 12);
    expect(rates[warm]).toBeCloseTo(lr, 12);
    expect(Math.max(...rates)).toBeCloseTo(lr, 12);
    expect(rates[steps - 1]).toBeCloseTo(lr * ONE_CYCLE.end, 12);
    for (let s = 1; s <= warm; s++) expect(rates[s]).toBeGreaterThan(rates[s - 1]);
    for (let s = warm + 1; s < steps; s++) expect(rates[s]).toBeLessThan(rates[s - 1]);
    // Halfway through the decay the cosine is at the midpoint.
    const mid = warm + (steps - 1 - warm) / 2;
    expect(learningRateAt('onecycle', lr, mid, steps)).toBeCloseTo(lr * (ONE_CYCLE.end + (1 - ONE_CYCLE.end) / 2), 12);
  });
});

describe('a run follows its schedule', () => {
  let ds: Dataset;
  beforeAll(async () => {
    ds = await mnistSlice(640, 100, 'wasm');
  });

  async function run(schedule: Schedule, kernels: 'auto' | 'off'): Promise<Float32Array[]> {
    const m = createModel({ cell: 'gru', hidden: 16, seed: 5 });
    const config = { ...TUTORIAL_CONFIG, cell: 'gru' as const, hidden: 16, epochs: 2, batchSize: 64, limit: 320, learningRate: 0.02, schedule };
    const s = await trainModel(m, { runtime, train: ds.train, test: ds.test, config, testLimit: 50, kernels });
    expect(s.path).toBe(kernels === 'off' ? 'tfjs' : 'kernels');
    const w = m.getWeights().map((t) => t.dataSync().slice() as Float32Array);
    m.dispose();
    return w;
  }
  const maxDiff = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.map((w, i) => w.reduce((m, v, j) => Math.max(m, Math.abs(v - b[i][j])), 0)));

  it('one cycle gives the same weights on the kernels and through tfjs, and not those of a constant rate', async () => {
    const before = tf.memory().numTensors;
    const kernels = await run('onecycle', 'auto');
    const tfjs = await run('onecycle', 'off');
    const constant = await run('constant', 'auto');
    expect(maxDiff(kernels, tfjs)).toBeLessThan(2e-4);
    expect(maxDiff(kernels, constant)).toBeGreaterThan(50 * maxDiff(kernels, tfjs));
    expect(tf.memory().numTensors).toBe(before);
  });
});
