/**
 * Learning-rate schedules in a run (the curve itself: test/shared/training.test.ts): a run follows it on both
 * training paths (the fused kernels' Adam and tfjs's), step by step.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { createModel } from '../../../src/node/engine/model/model';
import { KernelStepper } from '../../../src/node/engine/training/kernelStepper';
import { TfjsStepper } from '../../../src/node/engine/training/tfjsStepper';
import { trainModel } from '../../../src/node/engine/training/train';
import { learningRateAt, TUTORIAL_CONFIG } from '../../../src/shared/training';
import type { Schedule } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';

const runtime = testRuntime();

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
  it.each([
    ['kernels', 'on', KernelStepper],
    ['tfjs', 'off', TfjsStepper],
  ] as const)('on the %s path, every batch of a three-epoch run gets the rate of its step counted over the whole run', async (_path, kernels, Stepper) => {
    const setRate = vi.spyOn(Stepper.prototype, 'setLearningRate');
    try {
      const m = createModel({ cell: 'gru', hidden: 8, seed: 2 });
      // 100 digits in batches of 32: four batches an epoch (the last of 4 digits), twelve in all.
      const config = {
        ...TUTORIAL_CONFIG,
        cell: 'gru' as const,
        hidden: 8,
        epochs: 3,
        batchSize: 32,
        limit: 100,
        learningRate: 0.04,
        schedule: 'onecycle' as const,
      };
      await trainModel(m, { runtime, train: ds.train, test: ds.test, config, testLimit: 10, kernels });
      m.dispose();
      const rates = setRate.mock.calls.map((c) => c[0]);
      expect(rates).toHaveLength(12);
      rates.forEach((rate, s) => expect(rate, `step ${s}`).toBeCloseTo(learningRateAt('onecycle', 0.04, s, 12), 12));
      // The first epoch warms up from a tenth of the peak, the third ends at a hundredth of it: one cycle, not one per epoch.
      expect(rates[0]).toBeCloseTo(0.004, 12);
      expect(rates[2]).toBeCloseTo(0.04, 12);
      expect(rates[11]).toBeCloseTo(0.0004, 12);
      for (let s = 3; s < 12; s++) expect(rates[s]).toBeLessThan(rates[s - 1]);
    } finally {
      setRate.mockRestore();
    }
  });

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
