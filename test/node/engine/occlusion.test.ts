/**
 * Row importance by occlusion on real test digits: each row's drop against a direct trace of the
 * digit with that row blanked, on the calling thread and on the visualisation worker.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageAt, type Dataset } from '../../../src/node/engine/data/dataset';
import { loadModelFolder } from '../../../src/node/engine/model/folder';
import { Tracer } from '../../../src/node/engine/inference/trace';
import { BatchForward } from '../../../src/node/engine/inference/batchForward';
import { blankRow, rowImportance } from '../../../src/node/engine/viz/occlusion';
import { VizWorker } from '../../../src/node/engine/viz/vizWorker';
import { createModel } from '../../../src/node/engine/model/model';
import { SIDE } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';

const runtime = testRuntime();
let ds: Dataset;
let tracer: Tracer;
let shipped: Tracer;
beforeAll(async () => {
  ds = await mnistSlice(1, 1000);
  tracer = new Tracer((await loadModelFolder(join(process.cwd(), 'resources', 'model'))).model);
  shipped = tracer;
});

describe('row importance by occlusion', () => {
  it.each([
    ['the shipped SimpleRNN-128', 128],
    ['a GRU-13, padded to 16 units', 13],
  ] as const)('for %s, each row’s drop equals a direct trace of the input with that row blanked', async (_what, hidden) => {
    const tracer = hidden === 128 ? shipped : new Tracer(createModel({ cell: 'gru', hidden, seed: 3 }));
    const forward = new BatchForward(runtime, tracer.snapshot(), SIDE + 1);
    const digits = 4;
    for (const index of [0, 1, 2]) {
      const x = imageAt(ds.test, index);
      const r = rowImportance(forward, x);
      const base = tracer.trace(x);
      expect(r.prediction).toBe(base.prediction);
      const k = r.prediction;
      const lead = (p: Float32Array) => Math.log(p[k]) - Math.log(Math.max(...Array.from(p).filter((_, j) => j !== k)));
      let inked = 0;
      for (let row = 0; row < SIDE; row++) {
        const blanked = Float32Array.from(x);
        for (let i = 0; i < SIDE; i++) blanked[row * SIDE + i] = 0;
        const direct = tracer.trace(blanked);
        expect(r.drops[row]).toBeCloseTo(base.probs[k] - direct.probs[k], digits);
        expect(r.marginDrops[row]).toBeCloseTo(lead(base.probs) - lead(direct.probs), digits);
        expect(r.blankedPrediction[row]).toBe(direct.prediction);
        if (r.marginDrops[row] !== 0) inked++;
      }
      expect(inked).toBeGreaterThan(5);
    }
  });

  it('measures the lead of the class predicted before blanking, also for a row whose blanking changes the winner', () => {
    const forward = new BatchForward(runtime, shipped.snapshot(), SIDE + 1);
    // The first test digit where blanking one row makes the model name another class, found by direct traces.
    let found: { index: number; row: number } | null = null;
    for (let index = 0; index < 50 && !found; index++) {
      const x = imageAt(ds.test, index);
      const k = shipped.trace(x).prediction;
      for (let row = 0; row < SIDE && !found; row++) if (shipped.trace(blankRow(x, row)).prediction !== k) found = { index, row };
    }
    if (!found) throw new Error('no test digit among the first 50 changes its class when one row is blanked');
    const x = imageAt(ds.test, found.index);
    const base = shipped.trace(x);
    const k = base.prediction;
    const blanked = shipped.trace(blankRow(x, found.row));
    const r = rowImportance(forward, x);
    expect(r.prediction).toBe(k);
    expect(r.blankedPrediction[found.row]).toBe(blanked.prediction);
    expect(r.blankedPrediction[found.row]).not.toBe(k);
    // The lead is always that of class k: ln p_k − ln (the largest other p). With another class
    // ahead it is negative, so the drop exceeds the whole lead k had.
    const lead = (p: ArrayLike<number>) => Math.log(p[k]) - Math.log(Math.max(...Array.from(p).filter((_, j) => j !== k)));
    expect(lead(blanked.probs)).toBeLessThan(0);
    expect(r.marginDrops[found.row]).toBeCloseTo(lead(base.probs) - lead(blanked.probs), 4);
    expect(r.marginDrops[found.row]).toBeGreaterThan(lead(base.probs));
    expect(r.drops[found.row]).toBeCloseTo(base.probs[k] - blanked.probs[k], 4);
  });

  it('leaves blank rows out: their drops are zero and their prediction is the input’s', () => {
    const forward = new BatchForward(runtime, shipped.snapshot(), SIDE + 1);
    // The batch the model is run on: the input and one copy per inked row, no more.
    const batches: number[] = [];
    const probs = forward.probs.bind(forward);
    forward.probs = (images, count) => {
      batches.push(count);
      return probs(images, count);
    };
    const x = new Float32Array(SIDE * SIDE);
    for (let row = 10; row < 13; row++) x.fill(1, row * SIDE + 8, row * SIDE + 20);
    x.fill(0.3, 16 * SIDE, 17 * SIDE); // a row inked from end to end
    x[25 * SIDE + 27] = 0.5; // one pixel at the end of a row still inks it
    const r = rowImportance(forward, x);
    expect(batches).toEqual([1 + 5]);
    const base = shipped.trace(x);
    expect(r.prediction).toBe(base.prediction);
    expect(r.probability).toBeCloseTo(base.probs[base.prediction], 4);
    for (let row = 0; row < SIDE; row++) {
      if ([10, 11, 12, 16, 25].includes(row)) {
        expect(r.marginDrops[row], `row ${row}`).not.toBe(0);
        expect(r.drops[row]).toBeCloseTo(base.probs[r.prediction] - shipped.trace(blankRow(x, row)).probs[r.prediction], 4);
      } else {
        expect(r.drops[row], `row ${row}`).toBe(0);
        expect(r.marginDrops[row], `row ${row}`).toBe(0);
        expect(r.blankedPrediction[row], `row ${row}`).toBe(r.prediction);
      }
    }
    expect(() => rowImportance(forward, new Float32Array(783))).toThrow(/784 pixels, got 783/);
  });

  it('answers the same on the worker thread', async () => {
    const x = imageAt(ds.test, 0);
    const worker = new VizWorker('visualisation', undefined, runtime.build);
    try {
      expect(await worker.importance(tracer, 'shipped', x)).toEqual(rowImportance(new BatchForward(runtime, tracer.snapshot(), SIDE + 1), x));
    } finally {
      await worker.close();
    }
  });
});
