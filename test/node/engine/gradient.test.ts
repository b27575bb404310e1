/**
 * The gradient through time of one drawing from the kernel's backward pass, against tf.grads of
 * the cells written out step by step: the loss of the predicted digit unless a label is named,
 * any hidden size (padded units carry none of it) and any read.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageAt, type Dataset } from '../../../src/node/engine/data/dataset';
import { GradientProbe } from '../../../src/node/engine/inference/gradient';
import { Tracer } from '../../../src/node/engine/inference/trace';
import { createModel } from '../../../src/node/engine/model/model';
import { weightsOf } from '../../../src/node/engine/model/weights';
import { gradientFade, logNorms } from '../../../src/shared/gradient';
import { toSequence, type Read } from '../../../src/shared/reads';
import { PIXELS, type CELLS } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';
import { maxRelErr } from './kernelPair';
import { unrolledGradNorms } from './unrolled';

const runtime = testRuntime();
let ds: Dataset;
beforeAll(async () => {
  ds = await mnistSlice(1, 4, 'wasm');
});

function jittered(cell: (typeof CELLS)[number], hidden: number, read: Read) {
  const m = createModel({ cell, hidden, seed: 3, read });
  const noisy = m.getWeights().map((w, i) => tf.tidy(() => w.add(tf.randomNormal(w.shape, 0, 0.15, 'float32', 7 + i))));
  m.setWeights(noisy);
  noisy.forEach((t) => t.dispose());
  return m;
}

describe('the gradient through time', () => {
  it.each([
    ['rnn', 12, 'pixels:4'],
    ['gru', 20, 'pixels:7'],
    ['lstm', 16, 'cols'],
  ] as const)('%s-%i reading %s: ‖∂L/∂h_t‖ of the predicted digit and of a named label equal tf.grads', (cell, hidden, read) => {
    const m = jittered(cell, hidden, read);
    const w = weightsOf(m);
    const probe = new GradientProbe(runtime, w);
    const x = imageAt(ds.test, 0);
    const seq = toSequence(read, x, new Float32Array(PIXELS));
    const trace = new Tracer(m).trace(x);
    const g = probe.measure(x);
    expect(g).toMatchObject({ cell, hidden, read, steps: trace.steps, of: 'prediction', label: trace.prediction, prediction: trace.prediction });
    expect(g.norms.length).toBe(trace.steps);
    const ref = unrolledGradNorms(w, seq, [trace.prediction], 1);
    expect(g.loss).toBeCloseTo(ref.loss, 4);
    expect(maxRelErr(g.norms, ref.norms)).toBeLessThan(1e-4);
    const other = (trace.prediction + 3) % 10;
    const named = probe.measure(x, other);
    expect(named).toMatchObject({ of: 'label', label: other, prediction: trace.prediction });
    const refNamed = unrolledGradNorms(w, seq, [other], 1);
    expect(maxRelErr(named.norms, refNamed.norms)).toBeLessThan(1e-4);
    // The loss of a digit it does not predict is larger, and so is the gradient at the last step.
    expect(named.loss).toBeGreaterThan(g.loss);
    m.dispose();
  });

  it('refuses input of the wrong size and a label that is not a digit', () => {
    const m = createModel({ cell: 'gru', hidden: 8, read: 'pixels:14' });
    const probe = new GradientProbe(runtime, weightsOf(m));
    expect(() => probe.measure(new Float32Array(100))).toThrow(/784 pixels \(28×28\), got 100/);
    expect(() => probe.measure(new Float32Array(PIXELS), 10)).toThrow(/label must be a digit 0-9, got 10/);
    m.dispose();
  });

  it('summarises how it fades', () => {
    const falling = Float32Array.from({ length: 50 }, (_, t) => 10 ** ((t - 49) / 5)); // loses a decade every 5 steps
    const f = gradientFade(falling);
    expect(f.decades).toBeCloseTo(49 / 5, 4);
    expect(f.reach).toBe(10); // above 1% for the last 10 steps back
    expect(gradientFade(new Float32Array(30).fill(2))).toMatchObject({ decades: 0, reach: 30, fades: false });
    expect(f.fades).toBe(true);
    // Told as fading past half an order of magnitude, and only when it falls, not when it grows.
    expect(gradientFade(Float32Array.from([0.3, 0.6, 1])).fades).toBe(true); // 0.52 decades
    expect(gradientFade(Float32Array.from([0.32, 0.6, 1])).fades).toBe(false); // 0.49
    expect(gradientFade(Float32Array.from([5, 2, 1])).fades).toBe(false); // grows back to the first step: −0.7
    const logs = logNorms(Float32Array.from([0, 1e-3, 1]));
    expect(logs[0]).toBe(-40);
    expect(logs[1]).toBeCloseTo(-3, 6);
    expect(logs[2]).toBe(0);
  });
});
