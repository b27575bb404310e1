/**
 * The verdict: its checks before the model on hand-made shapes, its calibration on synthetic
 * probabilities of a known temperature, and on each shipped model: real test digits are called
 * digits, and the repository's non-digit set mostly is not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageAt, type Dataset } from '../../../src/node/engine/data/dataset';
import { Tracer } from '../../../src/node/engine/inference/trace';
import { calibrate, calibrationError, fitTemperature } from '../../../src/node/engine/inference/calibration';
import { principalDirections, score, upperTail } from '../../../src/node/engine/inference/gaussians';
import { largestPiece, pooledInk, strokeRatio } from '../../../src/node/engine/inference/inkChecks';
import { fitVerdictOn, traceFeatures, verdictOf } from '../../../src/node/engine/inference/verdict';
import { loadModelFolder } from '../../../src/node/engine/model/folder';
import { mulberry32 } from '../../../src/node/engine/data/random';
import { CLASSES, PIXELS, SIDE } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';

const runtime = testRuntime({ build: 'plain' });

/** A 28×28 image with the given (row, col) pixels inked. */
function image(cells: [number, number][]): Float32Array {
  const x = new Float32Array(PIXELS);
  for (const [r, c] of cells) x[r * SIDE + c] = 1;
  return x;
}
const disc = (r0: number, c0: number, radius: number) => {
  const cells: [number, number][] = [];
  for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) if ((r - r0) ** 2 + (c - c0) ** 2 <= radius ** 2) cells.push([r, c]);
  return cells;
};

describe('checks before the model', () => {
  it('measures how stroke-like the ink is: a 20 × 2 bar is long beside its width, a disc is not', () => {
    const bar: [number, number][] = [];
    for (let r = 4; r < 24; r++) bar.push([r, 13], [r, 14]);
    // Area 40, perimeter 44: width 2·40/44 = 1.82; longer side 20 → 11.
    expect(strokeRatio(image(bar))).toBeCloseTo(20 / ((2 * 40) / 44), 10);
    expect(strokeRatio(image(disc(14, 14, 10)))).toBeLessThan(3);
    expect(strokeRatio(new Float32Array(PIXELS))).toBe(0);
  });

  it('measures the share of ink in its largest piece: one stroke is whole, three specks are a third each', () => {
    const stroke: [number, number][] = [];
    for (let c = 3; c < 25; c++) stroke.push([14, c]);
    expect(largestPiece(image(stroke))).toBe(1);
    const specks = image([...disc(5, 5, 1), ...disc(14, 20, 1), ...disc(22, 8, 1)]);
    expect(largestPiece(specks)).toBeCloseTo(1 / 3, 10);
    // Pieces touching at a corner are one piece (8-connected).
    expect(
      largestPiece(
        image([
          [3, 3],
          [4, 4],
          [5, 5],
        ]),
      ),
    ).toBe(1);
  });
});

describe('calibration', () => {
  it('leaves probabilities alone at T = 1, sharpens below it and softens above it', () => {
    const p = [0.7, 0.2, 0.1, 0, 0, 0, 0, 0, 0, 0];
    expect(
      Array.from(calibrate(p, 1))
        .slice(0, 3)
        .map((v) => +v.toFixed(10)),
    ).toEqual([0.7, 0.2, 0.1]);
    // p^(1/T) renormalised: at T = 0.5, 0.49 / 0.54, 0.04 / 0.54, 0.01 / 0.54.
    expect(calibrate(p, 0.5)[0]).toBeCloseTo(0.49 / 0.54, 10);
    expect(calibrate(p, 2)[0]).toBeLessThan(0.7);
  });

  it('finds the temperature that made over-confident probabilities, and the calibration error falls', () => {
    // Logits a true model would give, scored at T = 2.5 (so the probabilities are over-confident).
    const rand = mulberry32(3);
    const n = 3000;
    const probs = new Float32Array(n * CLASSES);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const logits = Array.from({ length: CLASSES }, () => rand() * 2);
      const truth = softmax(logits);
      let u = rand(),
        y = 0;
      while (y < CLASSES - 1 && (u -= truth[y]) > 0) y++;
      labels[i] = y;
      probs.set(softmax(logits.map((l) => l * 2.5)), i * CLASSES);
    }
    const T = fitTemperature(probs, labels, n);
    expect(T).toBeGreaterThan(2.2);
    expect(T).toBeLessThan(2.8);
    const after = new Float64Array(n * CLASSES);
    for (let i = 0; i < n; i++) calibrate(probs.subarray(i * CLASSES, (i + 1) * CLASSES), T, after.subarray(i * CLASSES, (i + 1) * CLASSES));
    expect(calibrationError(after, labels, n)).toBeLessThan(calibrationError(probs, labels, n) / 2);
  });

  it('counts the calibration error bin by bin, on a hand-made case', () => {
    // Two predictions at 0.9 (one right) and two at 0.6 (both right): |0.9 − 0.5|·½ + |0.6 − 1|·½ = 0.4.
    const p = (top: number, k: number) => Array.from({ length: CLASSES }, (_, j) => (j === k ? top : (1 - top) / 9));
    const probs = [...p(0.9, 0), ...p(0.9, 1), ...p(0.6, 2), ...p(0.6, 3)];
    expect(calibrationError(probs, [0, 2, 2, 3], 4)).toBeCloseTo(0.4, 10);
  });
});

describe('the densities the distance reads', () => {
  // Two classes in two dimensions, with L⁻¹ given directly: the score is log det Σ + |L⁻¹(z − μ)|².
  const g = (mean: number[], whiten: number[], logDet: number) => ({ mean: Float32Array.from(mean), whiten: Float32Array.from(whiten), logDet });
  const classes = [g([0, 0], [1, 0, 0, 1], 5), g([3, 1], [2, 0, 1, 1], 0)];

  it('scores a row under the nearest class by log det and the whitened distance, not the first or the closest mean', () => {
    // Class 0: 5 + 2² + 2² = 13. Class 1: z − μ = (−1, 1); L⁻¹(z − μ) = (−2, 0); 0 + 4 + 0 = 4.
    expect(score(classes, Float64Array.from([2, 2]))).toEqual({ best: 4, nearest: 1 });
    // At the origin class 0 gives 5; class 1 gives (−6)² + (−4)² = 52, and stops early without changing the answer.
    expect(score(classes, Float64Array.from([0, 0]))).toEqual({ best: 5, nearest: 0 });
    // Near class 1's mean along a direction its whitening stretches: (3.5, 1) → L⁻¹(0.5, 0) = (1, 0.5): 1.25, against 5 + 12.25 + 1.
    expect(score(classes, Float64Array.from([3.5, 1]))).toEqual({ best: 1.25, nearest: 1 });
    // Starting from the other class changes nothing but the order the classes are tried in.
    for (const z of [
      [2, 2],
      [0, 0],
      [3.5, 1],
    ])
      expect(score(classes, Float64Array.from(z), undefined, 1)).toEqual(score(classes, Float64Array.from(z)));
  });

  it('finds the principal directions of rows whose covariance is known exactly, largest first', () => {
    // An orthonormal basis of R⁷ (a Householder reflection of the axes), and rows ±a·eᵢ: the covariance
    // is Σ 2aᵢ² eᵢeᵢᵀ, so its eigenvectors are the eᵢ, in the order of the aᵢ given below (not the eᵢ's order).
    const dim = 7;
    const v = [3, -1, 2, 0.5, -2, 1, 1];
    const vv = v.reduce((a, x) => a + x * x, 0);
    const e = (i: number) => v.map((x, j) => (i === j ? 1 : 0) - (2 * v[i] * x) / vv);
    const scale = [2, 7, 0.5, 5, 1, 3, 0.2];
    const X = new Float32Array(2 * dim * dim);
    for (let i = 0; i < dim; i++)
      for (let j = 0; j < dim; j++) {
        X[2 * i * dim + j] = scale[i] * e(i)[j];
        X[(2 * i + 1) * dim + j] = -scale[i] * e(i)[j];
      }
    const Q = principalDirections(X, 2 * dim, dim, 5, new Float64Array(dim));
    const order = [1, 3, 5, 0, 4]; // the five largest scales, largest first
    order.forEach((i, k) => {
      const dot = e(i).reduce((a, x, j) => a + x * Q[k * dim + j], 0);
      expect(Math.abs(dot), `direction ${k}`).toBeGreaterThan(0.9999);
    });
  });

  it('reads the share of a sorted list at or above a value, never 0 or above 1', () => {
    const sorted = Float32Array.from([1, 2, 2, 3, 10]);
    expect(upperTail(sorted, 0)).toBeCloseTo(6 / 6, 12);
    expect(upperTail(sorted, 2)).toBeCloseTo(5 / 6, 12);
    expect(upperTail(sorted, 2.5)).toBeCloseTo(3 / 6, 12);
    expect(upperTail(sorted, 10)).toBeCloseTo(2 / 6, 12);
    expect(upperTail(sorted, 11)).toBeCloseTo(1 / 6, 12);
  });

  it('pools the ink over 2 × 2 blocks, row by row', () => {
    const x = new Float32Array(PIXELS);
    x[0] = 1; // block (0, 0)
    x[3] = 1; // block (0, 1)
    x[SIDE * 3 + 26] = 1; // row 3, column 26: block (1, 13)
    x[SIDE * 27 + 1] = 0.5; // row 27, column 1: block (13, 0)
    const p = pooledInk(x);
    expect(p.length).toBe(196);
    expect([p[0], p[1], p[14 + 13], p[13 * 14], p[13 * 14 + 13]]).toEqual([0.25, 0.25, 0.25, 0.125, 0]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(0.875, 6);
  });
});

function softmax(x: number[]): number[] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe.each(['model', 'model-gru'])('the verdict of the shipped %s', (folder) => {
  let ds: Dataset;
  let tracer: Tracer;
  let stats: ReturnType<typeof fitVerdictOn>;
  beforeAll(async () => {
    ds = await mnistSlice(12000, 2000);
    tracer = new Tracer((await loadModelFolder(join(process.cwd(), 'resources', folder))).model);
    stats = fitVerdictOn(runtime, tracer.snapshot(), ds.train.images, ds.train.labels);
  });
  const judge = (x: Float32Array) => {
    const t = tracer.trace(x);
    return verdictOf(stats, traceFeatures(stats, t.h), 0, t.probs, x);
  };

  it('calls at least 95% of real test digits digits, and calibrates its probabilities better than before', () => {
    let accepted = 0;
    for (let i = 0; i < 2000; i++) if (judge(imageAt(ds.test, i)).kind !== 'not-a-digit') accepted++;
    expect(accepted / 2000).toBeGreaterThanOrEqual(0.95);
    expect(stats.measured.eceAfter).toBeLessThan(stats.measured.eceBefore);
    expect(stats.measured.unsure).toBeLessThanOrEqual(0.05);
  });

  // Measured: 16.2% (SimpleRNN-128) and 19.8% (GRU-64) of the 414 non-digits accepted, every dot refused; with the
  // state's density alone, 23% and 24%, which fails this bound. The target is 10% (see docs/BENCHMARKS.md).
  it('refuses most of the non-digit set, and every dot', () => {
    const bytes = readFileSync(join(process.cwd(), 'test', 'data', 'nondigits', 'nondigits.bin'));
    const kinds: string[] = JSON.parse(readFileSync(join(process.cwd(), 'test', 'data', 'nondigits', 'nondigits.json'), 'utf8')).kinds;
    let accepted = 0;
    kinds.forEach((kind, i) => {
      const v = judge(Float32Array.from(bytes.subarray(i * PIXELS, (i + 1) * PIXELS), (b) => b / 255));
      if (kind === 'dot') expect(v.kind, `dot ${i}`).toBe('not-a-digit');
      if (v.kind !== 'not-a-digit') accepted++;
    });
    expect(accepted / kinds.length).toBeLessThan(0.21);
  });
});
