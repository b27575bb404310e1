/**
 * The hidden-state map's parts one at a time, against hand-computed answers: which steps a long
 * read's cloud keeps, the states the probe keeps for them, the heatmap's order of units, and the
 * visualisation worker's failures and close.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cloudSteps, probeStates, unitOrder } from '../../../src/node/engine/viz/hiddenMap';
import { VizWorker } from '../../../src/node/engine/viz/vizWorker';
import { mulberry32 } from '../../../src/node/engine/data/random';
import { PIXELS } from '../../../src/shared/types';
import { randomTracer, testRuntime } from '../../helpers';
import { defaultMnistDir } from '../../../src/node/engine/data/dataset';
import { VERDICT_DIGITS } from '../../../src/node/engine/inference/verdict';

const runtime = testRuntime();

const images = (count: number, seed: number) => {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: count * PIXELS }, () => (rand() < 0.3 ? rand() : 0));
};

describe('the steps a map’s cloud keeps', () => {
  it('keeps every step of a read of at most 28 steps', () => {
    expect(cloudSteps(28)).toEqual(Array.from({ length: 28 }, (_, t) => t));
    expect(cloudSteps(5)).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps 28 evenly spaced steps of a longer read, the last among them', () => {
    // 56 steps: every second one, ending at step 55.
    expect(cloudSteps(56)).toEqual(Array.from({ length: 28 }, (_, k) => 2 * k + 1));
    // 196 steps: every seventh.
    expect(cloudSteps(196)).toEqual(Array.from({ length: 28 }, (_, k) => 7 * k + 6));
    // 29 steps: (k + 1) · 29 / 28 rounded, less one; 14 · 29 / 28 = 14.5 rounds up, so step 13 is the one left out.
    expect(cloudSteps(29)).toEqual([...Array.from({ length: 13 }, (_, k) => k), ...Array.from({ length: 15 }, (_, k) => k + 14)]);
    const pixelByPixel = cloudSteps(784);
    expect(pixelByPixel).toHaveLength(28);
    expect(pixelByPixel[0]).toBe(27);
    expect(pixelByPixel.at(-1)).toBe(783);
  });
});

describe('the probe’s states', () => {
  it('keeps each digit’s final state and, for the first few, the cloud’s steps, as the tracer computes them (a 56-step read)', () => {
    const tracer = randomTracer('gru', 6, { read: 'pixels:14', seed: 21 });
    const n = 3;
    const x = images(n, 22);
    const probe = probeStates(runtime, tracer.snapshot(), x, n, 2);
    expect(probe.cloud).toBe(2);
    expect(probe.stepsPerDigit).toBe(28);
    expect(probe.finals).toHaveLength(n * 6);
    expect(probe.steps).toHaveLength(2 * 28 * 6);
    const kept = cloudSteps(56);
    for (let i = 0; i < n; i++) {
      const t = tracer.trace(x.subarray(i * PIXELS, (i + 1) * PIXELS));
      for (let j = 0; j < 6; j++) expect(probe.finals[i * 6 + j]).toBeCloseTo(t.h[55 * 6 + j], 4);
      if (i >= 2) continue;
      kept.forEach((step, k) => {
        for (let j = 0; j < 6; j++) expect(probe.steps[(i * 28 + k) * 6 + j]).toBeCloseTo(t.h[step * 6 + j], 4);
      });
    }
  });

  it('keeps no more cloud digits than there are digits', () => {
    const tracer = randomTracer('rnn', 5, { seed: 23 });
    const probe = probeStates(runtime, tracer.snapshot(), images(2, 24), 2, 400);
    expect(probe.cloud).toBe(2);
    expect(probe.steps).toHaveLength(2 * 28 * 5);
  });
});

describe('the heatmap’s order of units', () => {
  it('sorts units by the angle of their (axis 1, axis 2) loadings, from −π up', () => {
    // Unit 0 at 90°, unit 1 at −45°, unit 2 at 180°, unit 3 at 0°, unit 4 at −135°.
    const axes = Float32Array.from([0, 1, -1, 0, -1, /* axis 2 */ 1, -1, 0, 0, -1]);
    expect(unitOrder(axes, 5)).toEqual([4, 1, 3, 0, 2]);
  });
});

describe('the visualisation worker when a job fails or it closes', () => {
  const workers: VizWorker[] = [];
  afterAll(async () => {
    for (const w of workers) await w.close();
  });

  it('rejects a failed job with the thread’s reason and goes on to the next', async () => {
    const worker = new VizWorker('test');
    workers.push(worker);
    const tracer = randomTracer('rnn', 8, { seed: 25 });
    const bad = worker.run(tracer, 'm', { kind: 'importance', pixels: new Float32Array(5) });
    const good = worker.run(tracer, 'm', { kind: 'importance', pixels: images(1, 26) });
    await expect(bad).rejects.toThrow('row importance needs 784 pixels, got 5');
    expect((await good).drops).toHaveLength(28);
  });

  it('rejects the running job and those waiting when closed, and starts again on the next job', async () => {
    const worker = new VizWorker('closing');
    workers.push(worker);
    const big = randomTracer('lstm', 384, { seed: 27 });
    const jobs = Promise.allSettled([0, 1, 2].map((i) => worker.run(big, 'big', { kind: 'trace', pixels: images(1, 30 + i) })));
    expect(worker.queued).toBe(2);
    await worker.close();
    expect(worker.queued).toBe(0);
    for (const job of await jobs) expect(job).toMatchObject({ status: 'rejected', reason: { message: 'the closing worker was closed' } });
    const small = randomTracer('rnn', 8, { seed: 28 });
    const x = images(1, 33);
    expect((await worker.run(small, 's', { kind: 'trace', pixels: x })).prediction).toBe(small.trace(x).prediction);
  });
  it("fits the ink's statistics once, answers them as a job, and fits a verdict with the ink it is sent", async () => {
    const worker = new VizWorker('verdicts');
    workers.push(worker);
    const dataDir = defaultMnistDir();
    const tracer = randomTracer('rnn', 8, { seed: 34 });
    const ink = await worker.run(tracer, 'a', { kind: 'ink', dataDir });
    expect([ink.n, ink.m, ink.held.strokes.length, ink.strokes.length]).toEqual([VERDICT_DIGITS.fit, VERDICT_DIGITS.held, VERDICT_DIGITS.held, 20]);
    // Asked again, the thread answers what it keeps instead of fitting again.
    expect((await worker.run(tracer, 'a', { kind: 'ink', dataDir })).fitMs).toBe(ink.fitMs);
    // A verdict fit uses the ink it is sent: held-out strokes' scores all 0 show in its held scores.
    const flat = { ...ink, held: { ...ink.held, strokes: new Float32Array(ink.m) } };
    const stats = await worker.run(tracer, 'a', { kind: 'verdict', dataDir, ink: flat });
    expect(stats.heldScores.strokes.every((v) => v === 0)).toBe(true);
    // And keeps it for the next version's fit that is sent none.
    const next = await worker.run(randomTracer('rnn', 8, { seed: 35 }), 'b', { kind: 'verdict', dataDir });
    expect(next.heldScores.strokes.every((v) => v === 0)).toBe(true);
  }, 60_000);
});
