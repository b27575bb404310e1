/**
 * Fisher's linear discriminant of labelled points: the k directions along which the
 * classes' means lie farthest apart relative to the spread within each class. The
 * between-class scatter has rank at most C − 1, so the generalized eigenproblem
 * S_b v = λ S_w v is solved in that C-dimensional space: with D the (weighted) class
 * means about the grand mean, the eigenvectors of Dᵀ S_w⁻¹ D give v = S_w⁻¹ D a.
 * S_w gets a small ridge so it stays invertible when units never move.
 */
import { cholesky, choleskySolve } from '../inference/linalg';
import { topEigen } from './pca';

export interface Discriminant {
  dim: number;
  mean: Float64Array;
  /** k directions, k × dim row-major, unit length, each signed so its largest entry is positive. */
  axes: Float64Array;
  /** The ratio of between- to within-class variance along each axis. */
  ratios: number[];
}

/** Fisher's discriminant of n points (n × dim) with labels 0..classes−1. */
export function fisher(data: ArrayLike<number>, labels: ArrayLike<number>, n: number, dim: number, classes: number, k = 2, ridge = 1e-3): Discriminant {
  const mean = new Float64Array(dim);
  const means = new Float64Array(classes * dim);
  const counts = new Float64Array(classes);
  for (let s = 0; s < n; s++) {
    const c = labels[s];
    counts[c]++;
    for (let j = 0; j < dim; j++) {
      mean[j] += data[s * dim + j];
      means[c * dim + j] += data[s * dim + j];
    }
  }
  for (let j = 0; j < dim; j++) mean[j] /= Math.max(1, n);
  for (let c = 0; c < classes; c++) for (let j = 0; j < dim; j++) means[c * dim + j] /= Math.max(1, counts[c]);
  // Within-class scatter, per point (the covariance shared by the classes).
  const Sw = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let s = 0; s < n; s++) {
    const c = labels[s];
    for (let j = 0; j < dim; j++) row[j] = data[s * dim + j] - means[c * dim + j];
    for (let a = 0; a < dim; a++) {
      const va = row[a];
      if (va === 0) continue;
      for (let b = a; b < dim; b++) Sw[a * dim + b] += va * row[b];
    }
  }
  let trace = 0;
  // Pooled over the classes that have points: one degree of freedom is spent on each one's mean.
  const d = Math.max(1, n - counts.filter((c) => c > 0).length);
  for (let a = 0; a < dim; a++)
    for (let b = a; b < dim; b++) {
      const v = Sw[a * dim + b] / d;
      Sw[a * dim + b] = v;
      Sw[b * dim + a] = v;
      if (a === b) trace += v;
    }
  const lift = ridge * Math.max(trace / dim, 1e-12);
  for (let a = 0; a < dim; a++) Sw[a * dim + a] += lift;
  // D: each class mean about the grand mean, weighted by √(share of points); S_b = D Dᵀ.
  const D = new Float64Array(dim * classes);
  for (let c = 0; c < classes; c++) {
    const w = Math.sqrt(counts[c] / Math.max(1, n));
    for (let j = 0; j < dim; j++) D[j * classes + c] = w * (means[c * dim + j] - mean[j]);
  }
  const X = Float64Array.from(D);
  choleskySolve(cholesky(Sw, dim), dim, X, classes); // X = S_w⁻¹ D
  const S = new Float64Array(classes * classes); // Dᵀ S_w⁻¹ D, symmetric
  for (let a = 0; a < classes; a++)
    for (let b = 0; b < classes; b++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += D[j * classes + a] * X[j * classes + b];
      S[a * classes + b] = s;
    }
  for (let a = 0; a < classes; a++)
    for (let b = a + 1; b < classes; b++) S[a * classes + b] = S[b * classes + a] = (S[a * classes + b] + S[b * classes + a]) / 2;
  const { vectors, values } = topEigen(S, classes, k);
  const axes = new Float64Array(k * dim);
  for (let i = 0; i < k; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      let v = 0;
      for (let c = 0; c < classes; c++) v += X[j * classes + c] * vectors[i * classes + c];
      axes[i * dim + j] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    let big = 0;
    for (let j = 0; j < dim; j++) if (Math.abs(axes[i * dim + j]) > Math.abs(axes[i * dim + big])) big = j;
    const sign = axes[i * dim + big] < 0 ? -1 : 1;
    for (let j = 0; j < dim; j++) axes[i * dim + j] *= sign / norm;
  }
  return { dim, mean, axes, ratios: values };
}

/** Accuracy of a k-nearest-neighbour vote (k = 10) of `query` points (m × 2) among labelled `points` (n × 2). */
export function knnAccuracy(
  points: ArrayLike<number>,
  labels: ArrayLike<number>,
  n: number,
  query: ArrayLike<number>,
  queryLabels: ArrayLike<number>,
  m: number,
  k = 10,
  classes = 10,
): number {
  let right = 0;
  const best = new Float64Array(k),
    bestLabel = new Int32Array(k),
    votes = new Int32Array(classes);
  for (let q = 0; q < m; q++) {
    best.fill(Infinity);
    const qx = query[2 * q],
      qy = query[2 * q + 1];
    for (let s = 0; s < n; s++) {
      const dx = points[2 * s] - qx,
        dy = points[2 * s + 1] - qy;
      const d = dx * dx + dy * dy;
      if (d >= best[k - 1]) continue;
      let i = k - 1;
      while (i > 0 && best[i - 1] > d) {
        best[i] = best[i - 1];
        bestLabel[i] = bestLabel[i - 1];
        i--;
      }
      best[i] = d;
      bestLabel[i] = labels[s];
    }
    votes.fill(0);
    for (let i = 0; i < k; i++) if (best[i] < Infinity) votes[bestLabel[i]]++;
    let win = 0;
    for (let c = 1; c < classes; c++) if (votes[c] > votes[win]) win = c;
    if (win === queryLabels[q]) right++;
  }
  return m ? right / m : 0;
}
