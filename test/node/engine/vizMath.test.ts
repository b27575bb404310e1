/**
 * The arithmetic under the hidden-state maps and row importance, against answers worked out by
 * hand or from the definitions: principal components, orthogonal Procrustes, Fisher's
 * discriminant, the nearest-neighbour vote, placing states on a map, and the margin.
 */
import { describe, expect, it } from 'vitest';
import { fisher, knnAccuracy } from '../../../src/node/engine/viz/lda';
import { margin } from '../../../src/node/engine/viz/occlusion';
import { applyOrthogonal, covariance, pca, procrustes2d, topEigen } from '../../../src/node/engine/viz/pca';
import { projectStates } from '../../../src/shared/projection';

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

  it('signs each eigenvector so its largest entry is positive, whichever order the coordinates come in', () => {
    // Orthonormal e₁, e₂, e₃ with eigenvalues 5, 2 and 0.5; e₂'s largest entry is negative as written.
    const e = [
      [0.8, -0.6, 0],
      [0.36, 0.48, -0.8],
      [0.48, 0.64, 0.6],
    ];
    const lambda = [5, 2, 0.5];
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    for (const p of orders) {
      const ep = e.map((v) => p.map((j) => v[j]));
      const C = Float64Array.from({ length: 9 }, (_, i) => ep.reduce((sum, v, k) => sum + lambda[k] * v[Math.floor(i / 3)] * v[i % 3], 0));
      const { vectors, values } = topEigen(C, 3, 2);
      for (let k = 0; k < 2; k++) {
        expect(values[k]).toBeCloseTo(lambda[k], 9);
        const big = ep[k].reduce((m, x, j) => (Math.abs(x) > Math.abs(ep[k][m]) ? j : m), 0);
        const sign = Math.sign(ep[k][big]);
        ep[k].forEach((x, j) => expect(vectors[3 * k + j], `order ${p.join('')}, vector ${k}, entry ${j}`).toBeCloseTo(sign * x, 8));
      }
    }
  });

  it('stops after maxIter products: with one, the answer is a single step from its fixed start', () => {
    const C = Float64Array.from([4, 1, 0, 1, 3, 0, 0, 0, 1]);
    // The start of the first vector: 1 + 0.37 sin(1.3 j), normalised; one product with C, normalised again.
    const start = [0, 1, 2].map((j) => 1 + 0.37 * Math.sin(1.3 * j));
    const step = [0, 1, 2].map((a) => [0, 1, 2].reduce((s, b) => s + C[3 * a + b] * start[b], 0));
    const norm = Math.hypot(...step);
    const v = step.map((x) => x / norm);
    const { vectors, values } = topEigen(C, 3, 2, 1);
    v.forEach((x, j) => expect(vectors[j]).toBeCloseTo(x, 12));
    // Its value is the Rayleigh quotient vᵀ C v, not yet the top eigenvalue.
    const times = (M: ArrayLike<number>, x: number[]) => [0, 1, 2].map((a) => [0, 1, 2].reduce((t, b) => t + M[3 * a + b] * x[b], 0));
    const rayleigh = times(C, v).reduce((s, y, a) => s + v[a] * y, 0);
    expect(values[0]).toBeCloseTo(rayleigh, 12);
    expect(values[0]).toBeLessThan(3.5 + Math.sqrt(1.25) - 1e-6);
    // The second: one step on C less that first answer (C − λ v vᵀ), from 1 + 0.37 sin(1.3 j + 1).
    const deflated = Array.from({ length: 9 }, (_, i) => C[i] - rayleigh * v[Math.floor(i / 3)] * v[i % 3]);
    const second = times(
      deflated,
      [0, 1, 2].map((j) => 1 + 0.37 * Math.sin(1.3 * j + 1)),
    );
    const big = second.reduce((m, x, j) => (Math.abs(x) > Math.abs(second[m]) ? j : m), 0);
    const scale = Math.sign(second[big]) / Math.hypot(...second);
    second.forEach((x, j) => expect(vectors[3 + j]).toBeCloseTo(x * scale, 12));
  });

  it('computes the covariance about the mean it is given, dividing by n − 1', () => {
    // Rows (1, 2), (3, 1), (5, 6) about (3, 3): deviations (−2, −1), (0, −2), (2, 3).
    const C = covariance([1, 2, 3, 1, 5, 6], 3, 2, Float64Array.from([3, 3]));
    expect(Array.from(C)).toEqual([4, 4, 4, 7]);
    // About another mean: deviations (0, 1), (2, 0), (4, 5), sums of products 20, 20 and 26, over n − 1 = 2.
    expect(Array.from(covariance([1, 2, 3, 1, 5, 6], 3, 2, Float64Array.from([1, 1])))).toEqual([10, 10, 10, 13]);
    // Three coordinates, each pair moving together differently: rows (1, 2, 0), (3, 1, 4), (5, 6, 2) about (3, 3, 2).
    const rows = [1, 2, 0, 3, 1, 4, 5, 6, 2];
    expect(Array.from(covariance(rows, 3, 3, Float64Array.from([3, 3, 2])))).toEqual([4, 4, 2, 4, 7, -1, 2, -1, 4]);
    // PCA's total variance is the trace of that matrix.
    expect(pca(rows, 3, 3).totalVariance).toBeCloseTo(15, 12);
    // One row: divided by 1, not by 0.
    expect(Array.from(covariance([1, 2], 1, 2, Float64Array.from([0, 0])))).toEqual([1, 2, 2, 4]);
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

  it('answers a rotation for turned points and a reflection for mirrored ones when both are allowed', () => {
    for (const theta of [0.3, 2, -1.2]) {
      const R = [Math.cos(theta), Math.sin(theta), -Math.sin(theta), Math.cos(theta)];
      const F = [Math.cos(theta), Math.sin(theta), Math.sin(theta), -Math.cos(theta)];
      for (const want of [R, F]) {
        const moved = points.slice();
        applyOrthogonal(moved, want);
        procrustes2d(points, moved, n).forEach((v, i) => expect(v, `θ ${theta}, entry ${i}`).toBeCloseTo(want[i], 6));
      }
    }
  });

  it('tells swapping x and y, a reflection, from a quarter turn', () => {
    // Points spread along x more than y, so their own spread has no tilt: the case where a swap and a quarter turn score closest.
    const plain = Float32Array.from([3, 0, -3, 0, 0, 1, 0, -1, 2, 0.5, -2, -0.5]);
    const count = plain.length / 2;
    for (const want of [
      [0, 1, 1, 0],
      [0, 1, -1, 0],
      [0, -1, 1, 0],
    ]) {
      const moved = plain.slice();
      applyOrthogonal(moved, want);
      procrustes2d(plain, moved, count).forEach((v, i) => expect(v, `${want.join(' ')}, entry ${i}`).toBeCloseTo(want[i], 6));
    }
  });

  it('leaves a frame as it is when there is nothing to align', () => {
    expect(procrustes2d([], [], 0)).toEqual([1, 0, -0, 1]);
    expect(procrustes2d([0, 0, 0, 0], [1, 2, 3, 4], 2)).toEqual([1, 0, -0, 1]);
  });

  it('answers the best rotation, not the reflection, when reflections are not allowed', () => {
    const M = [1, 0, 0, -1];
    const mirrored = points.slice();
    applyOrthogonal(mirrored, M);
    const found = procrustes2d(points, mirrored, n, false);
    // A rotation: [[c, s], [−s, c]] with c² + s² = 1.
    expect(found[3]).toBeCloseTo(found[0], 12);
    expect(found[2]).toBeCloseTo(-found[1], 12);
    expect(Math.hypot(found[0], found[1])).toBeCloseTo(1, 12);
    // No rotation, a degree apart all round, leaves a smaller error.
    const error = (R: readonly number[]) => {
      const moved = points.slice();
      applyOrthogonal(moved, R);
      return moved.reduce((s, v, i) => s + (v - mirrored[i]) ** 2, 0);
    };
    for (let deg = 0; deg < 360; deg++) {
      const t = (deg * Math.PI) / 180;
      expect(error(found)).toBeLessThanOrEqual(error([Math.cos(t), Math.sin(t), -Math.sin(t), Math.cos(t)]) + 1e-6);
    }
    // With reflections allowed the mirror itself is found.
    procrustes2d(points, mirrored, n).forEach((v, i) => expect(v).toBeCloseTo(M[i], 6));
  });
});

describe('placing states on a map', () => {
  it('subtracts the mean and takes each state’s dot product with the two axes', () => {
    // Mean (1, 2, 3); axes (1, 0, 0) and (0, 0.6, 0.8).
    const basis = { hidden: 3, mean: Float32Array.from([1, 2, 3]), axes: Float32Array.from([1, 0, 0, 0, 0.6, 0.8]) };
    // (2, 3, 3) − mean = (1, 1, 0): x 1, y 0.6; (1, 4, 5) − mean = (0, 2, 2): x 0, y 2.8. The third state is not asked for.
    const states = [2, 3, 3, 1, 4, 5, 9, 9, 9];
    const placed = projectStates(basis, states, 2);
    expect(placed).toHaveLength(4);
    [1, 0.6, 0, 2.8].forEach((want, i) => expect(placed[i]).toBeCloseTo(want, 6));
  });
});

describe('Fisher’s discriminant and the nearest-neighbour vote', () => {
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
    // The coordinates in another order: the same axes with their entries in that order, each still signed by its largest.
    for (const p of [
      [1, 2, 0],
      [2, 0, 1],
      [1, 0, 2],
    ]) {
      const permuted = fisher(
        data.map((_v, i) => data[i - (i % 3) + p[i % 3]]),
        labels,
        n,
        dim,
        3,
        2,
        ridge,
      );
      for (let k = 0; k < 2; k++) for (let j = 0; j < 3; j++) expect(permuted.axes[3 * k + j], `order ${p.join('')}`).toBeCloseTo(d.axes[3 * k + p[j]], 10);
    }
    // A class with no points changes nothing.
    const empty = fisher(data, labels, n, dim, 4, 2, ridge);
    for (let j = 0; j < 6; j++) expect(empty.axes[j]).toBeCloseTo(d.axes[j], 10);
    expect(empty.ratios[0]).toBeCloseTo(d.ratios[0], 10);
  });

  it('Fisher’s discriminant of two classes apart along u, each with the same round spread, is u, signed by its largest entry', () => {
    // u's largest entry is its last and positive; the one before it is larger than the first and negative.
    const raw = [0.3, -0.6, 0.742];
    const u = raw.map((x) => x / Math.hypot(...raw));
    const spread = [1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1];
    const centre = [2, -1, 0.5];
    const data: number[] = [];
    const labels: number[] = [];
    for (const c of [0, 1])
      for (let i = 0; i < 6; i++) {
        for (let j = 0; j < 3; j++) data.push(centre[j] + 3 * c * u[j] + spread[3 * i + j]);
        labels.push(c);
      }
    const d = fisher(data, labels, 12, 3, 2, 1, 0.01);
    u.forEach((x, j) => expect(d.axes[j]).toBeCloseTo(x, 10));
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
});

describe('row importance’s margin', () => {
  it('margin is ln p_k minus the log of the largest other probability', () => {
    expect(margin([0.1, 0.6, 0.3], 1)).toBeCloseTo(Math.log(2), 12);
    expect(margin([0.1, 0.6, 0.3], 2)).toBeCloseTo(-Math.log(2), 12);
    expect(margin([0.5, 0.2, 0.3], 0)).toBeCloseTo(Math.log(0.5 / 0.3), 12);
    // A zero probability counts as 1e-38, so the lead stays finite.
    expect(margin([1, 0, 0], 0)).toBeCloseTo(-Math.log(1e-38), 9);
    expect(margin([0, 1, 0], 0)).toBeCloseTo(Math.log(1e-38), 9);
  });
});

describe('the nearest-neighbour vote at its edges', () => {
  it('votes among all the points when there are fewer than 10, and scores no queries as 0', () => {
    // Three points: two of class 3 far away, one of class 5 near. The vote of all three is 3.
    const pts = [10, 0, 11, 0, 0, 0];
    expect(knnAccuracy(pts, [3, 3, 5], 3, [0, 0], [3], 1)).toBe(1);
    expect(knnAccuracy(pts, [3, 3, 5], 3, [0, 0], [5], 1)).toBe(0);
    // With k = 1 only the nearest votes.
    expect(knnAccuracy(pts, [3, 3, 5], 3, [0, 0], [5], 1, 1)).toBe(1);
    expect(knnAccuracy(pts, [3, 3, 5], 3, [], [], 0)).toBe(0);
  });

  it('breaks a tied vote towards the lower class', () => {
    const pts = [1, 0, 2, 0, 3, 0, 4, 0];
    expect(knnAccuracy(pts, [7, 2, 7, 2], 4, [0, 0], [2], 1)).toBe(1);
    expect(knnAccuracy(pts, [7, 2, 7, 2], 4, [0, 0], [7], 1)).toBe(0);
  });

  it('measures distance in both coordinates, from a query away from the origin', () => {
    // From (3, 4): (0, 4), class 1, is 3 away; (3, 0), class 2, is 4 away.
    expect(knnAccuracy([0, 4, 3, 0], [1, 2], 2, [3, 4], [1], 1, 1)).toBe(1);
  });

  it('drops the farthest of its k when a nearer point comes, and keeps the first seen of two at the same distance', () => {
    // k = 3 from the origin: class 4 at 1, class 7 at 2 and 3; then class 4 at 10 (too far) and at 3 (a tie with the third).
    expect(knnAccuracy([1, 0, 2, 0, 3, 0, 10, 0], [4, 7, 7, 4], 4, [0, 0], [7], 1, 3)).toBe(1);
    expect(knnAccuracy([1, 0, 2, 0, 3, 0, 0, 3], [4, 7, 7, 4], 4, [0, 0], [7], 1, 3)).toBe(1);
    // k = 2: class 1 and class 2 both at 2, then class 5 at 1: the later of the tied pair goes.
    expect(knnAccuracy([0, 2, 2, 0, 1, 0], [1, 2, 5], 3, [0, 0], [1], 1, 2)).toBe(1);
    // k = 2, out of order: class 5 at 3 and at 1, class 3 at 2, class 5 at 1.5: the two nearest are both class 5.
    expect(knnAccuracy([3, 0, 1, 0, 2, 0, 1.5, 0], [5, 5, 3, 5], 4, [0, 0], [5], 1, 2)).toBe(1);
  });

  it('keeps the 10 nearest, not the first 10 seen', () => {
    // Ten far points of class 1 come first, then eleven near ones of class 6.
    const far = Array.from({ length: 10 }, (_, i) => [50 + i, 0]).flat();
    const near = Array.from({ length: 11 }, (_, i) => [i * 0.1, 0]).flat();
    const labels = [...Array<number>(10).fill(1), ...Array<number>(11).fill(6)];
    expect(knnAccuracy([...far, ...near], labels, 21, [0, 0], [6], 1)).toBe(1);
  });
});

describe('power iteration at its edge', () => {
  it('gives eigenvalues of 0 and unit vectors for a matrix of zeros', () => {
    const { vectors, values } = topEigen(new Float64Array(9), 3, 2);
    expect(values).toEqual([0, 0]);
    for (let k = 0; k < 2; k++) expect(Math.hypot(...vectors.subarray(3 * k, 3 * k + 3))).toBeCloseTo(1, 12);
  });
});
