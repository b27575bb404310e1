/**
 * Both builds of the kernels: relaxed SIMD (fused multiply-add) is picked where the
 * engine has it, and gives the plain build's forward pass and gradients to rounding.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { RecurrentKernel } from '../../../src/node/engine/kernels/recurrentKernel';
import { detectBuild } from '../../../src/node/engine/kernels/runtime';
import { createModel } from '../../../src/node/engine/model/model';
import { WEIGHT_NAMES, weightsOf } from '../../../src/node/engine/model/weights';
import { CELLS, PIXELS } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';

const runtimes = { relaxed: testRuntime({ build: 'relaxed' }), plain: testRuntime({ build: 'plain' }) };

let ds: Dataset;
beforeAll(async () => {
  ds = await mnistSlice(64, 1);
});

const maxAbs = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('relaxed SIMD kernels', () => {
  it('are chosen by feature detection on this Node (the flag is set at run time)', () => {
    expect(detectBuild()).toBe('relaxed');
    expect(runtimes.relaxed.build).toBe('relaxed');
  });

  it.each(CELLS)('%s: the relaxed build matches the plain build (forward within 1e-5, gradients within 1e-5 absolute)', (cell) => {
    const model = createModel({ cell, hidden: 32, seed: 11 });
    const weights = weightsOf(model);
    const run = (variant: 'relaxed' | 'plain') => {
      const k = new RecurrentKernel(runtimes[variant], { cell, hidden: 32, maxBatch: 64 });
      k.load(weights);
      k.setBatch(ds.train.images.subarray(0, 37 * PIXELS), ds.train.labels, 37);
      const hs = k.forward(37).slice();
      const step = k.step(37);
      return { hs, step, grads: WEIGHT_NAMES.map((n) => k.grads[n].slice()) };
    };
    const relaxed = run('relaxed');
    const plain = run('plain');
    expect(maxAbs(relaxed.hs, plain.hs)).toBeLessThan(1e-5);
    expect(relaxed.step.loss).toBeCloseTo(plain.step.loss, 5);
    expect(relaxed.step.correct).toBe(plain.step.correct);
    relaxed.grads.forEach((g, i) => expect(maxAbs(g, plain.grads[i])).toBeLessThan(1e-5));
    model.dispose();
  });
});
