/**
 * Where digits lie, as one Gaussian per class: principal directions to reduce many features to
 * a few, the class Gaussians fitted on labelled rows, and the score of a row under the nearest.
 */
import { CLASSES } from '../../../shared/types';
import { cholesky, lowerInverse } from './linalg';

/** A class's Gaussian: L⁻¹ of its covariance (dims × dims, lower-triangular), its mean and log det Σ. */
export interface ClassGaussian {
  whiten: Float32Array;
  mean: Float32Array;
  logDet: number;
}

/** A reduction of feature rows to their principal directions: the rows' mean and the directions (dims × features). */
export interface Reduction {
  mean: Float32Array;
  basis: Float32Array;
  dims: number;
}

/** Σ (x − mean)(x − mean)ᵀ over the given rows of X (n × dim), upper triangle only, two rows at a time. */
function scatter(X: ArrayLike<number>, rows: Int32Array, dim: number, mean: ArrayLike<number>): Float64Array {
  const C = new Float64Array(dim * dim);
  const r = new Float64Array(dim),
    u = new Float64Array(dim);
  for (let t = 0; t < rows.length; t += 2) {
    const s = rows[t];
    for (let j = 0; j < dim; j++) r[j] = X[s * dim + j] - mean[j];
    if (t + 1 < rows.length) for (let j = 0; j < dim; j++) u[j] = X[rows[t + 1] * dim + j] - mean[j];
    else u.fill(0);
    for (let a = 0; a < dim; a++) {
      const ra = r[a],
        ua = u[a],
        row = a * dim;
      if (ra === 0 && ua === 0) continue;
      for (let b = a; b < dim; b++) C[row + b] += ra * r[b] + ua * u[b];
    }
  }
  return C;
}

/** The top `k` principal directions of n rows of `dim` values (k × dim), by block power iteration with re-orthogonalisation. */
export function principalDirections(X: ArrayLike<number>, n: number, dim: number, k: number, mean: Float64Array): Float64Array {
  const C = scatter(
    X,
    Int32Array.from({ length: n }, (_, s) => s),
    dim,
    mean,
  );
  for (let a = 0; a < dim; a++) for (let b = a + 1; b < dim; b++) C[b * dim + a] = C[a * dim + b];
  // Subspace iteration: Q ← orth(C Q), a few rounds from a deterministic start.
  let Q = new Float64Array(k * dim);
  for (let i = 0; i < k; i++) for (let j = 0; j < dim; j++) Q[i * dim + j] = Math.sin(1.7 * (i + 1) * (j + 1)) + (i === j ? 1 : 0);
  const orth = (M: Float64Array) => {
    for (let i = 0; i < k; i++) {
      for (let p = 0; p < i; p++) {
        let d = 0;
        for (let j = 0; j < dim; j++) d += M[i * dim + j] * M[p * dim + j];
        for (let j = 0; j < dim; j++) M[i * dim + j] -= d * M[p * dim + j];
      }
      let nn = 0;
      for (let j = 0; j < dim; j++) nn += M[i * dim + j] ** 2;
      nn = Math.sqrt(nn) || 1;
      for (let j = 0; j < dim; j++) M[i * dim + j] /= nn;
    }
  };
  orth(Q);
  for (let it = 0; it < 12; it++) {
    const Z = new Float64Array(k * dim);
    // Z = Q C (C is symmetric), four directions at a time so each row of C is read once for all four
    // (past the last direction, the last one is computed again and not stored).
    for (let i = 0; i < k; i += 4) {
      const q0 = i * dim,
        q1 = Math.min(i + 1, k - 1) * dim,
        q2 = Math.min(i + 2, k - 1) * dim,
        q3 = Math.min(i + 3, k - 1) * dim;
      for (let a = 0, row = 0; a < dim; a++, row += dim) {
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (let b = 0; b < dim; b++) {
          const c = C[row + b];
          s0 += c * Q[q0 + b];
          s1 += c * Q[q1 + b];
          s2 += c * Q[q2 + b];
          s3 += c * Q[q3 + b];
        }
        Z[q0 + a] = s0;
        if (i + 1 < k) Z[q1 + a] = s1;
        if (i + 2 < k) Z[q2 + a] = s2;
        if (i + 3 < k) Z[q3 + a] = s3;
      }
    }
    orth(Z);
    Q = Z;
  }
  return Q;
}

/** Reduce a feature row to the statistics' principal directions (`centred`: scratch of the row's length). */
export function reduce(stats: Reduction, x: ArrayLike<number>, at: number, out: Float64Array, centred = new Float64Array(stats.mean.length)): Float64Array {
  const F = stats.mean.length,
    B = stats.basis;
  for (let j = 0; j < F; j++) centred[j] = x[at + j] - stats.mean[j];
  // Four directions at a time, so each centred value is read once for all four.
  const d = stats.dims;
  let i = 0;
  for (; i + 4 <= d; i += 4) {
    const r0 = i * F,
      r1 = r0 + F,
      r2 = r1 + F,
      r3 = r2 + F;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let j = 0; j < F; j++) {
      const c = centred[j];
      s0 += c * B[r0 + j];
      s1 += c * B[r1 + j];
      s2 += c * B[r2 + j];
      s3 += c * B[r3 + j];
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < d; i++) {
    let s = 0;
    for (let j = 0; j < F; j++) s += centred[j] * B[i * F + j];
    out[i] = s;
  }
  return out;
}

/** The mean of n rows of X (n × F) and their top `dims` principal directions, found from the first `pcaRows` rows. */
export function fitReduction(X: ArrayLike<number>, n: number, F: number, dims: number, pcaRows: number): Reduction {
  const mean = new Float64Array(F);
  for (let s = 0; s < n; s++) for (let j = 0; j < F; j++) mean[j] += X[s * F + j] / n;
  const basis = principalDirections(X, Math.min(n, pcaRows), F, dims, mean);
  return { mean: Float32Array.from(mean), basis: Float32Array.from(basis), dims };
}

/** Every row of X (n × features) reduced: n × dims. */
export function reduceRows(red: Reduction, X: ArrayLike<number>, n: number): Float64Array {
  const F = red.mean.length,
    d = red.dims;
  const Z = new Float64Array(n * d);
  const centred = new Float64Array(F);
  for (let s = 0; s < n; s++) reduce(red, X, s * F, Z.subarray(s * d, (s + 1) * d), centred);
  return Z;
}

/**
 * One Gaussian per class, fitted on the labelled rows of X (n × dims); `ridge` is added to each
 * class's covariance, relative to its mean variance, so few rows and flat directions stay invertible.
 */
export function fitClassGaussians(X: ArrayLike<number>, labels: ArrayLike<number>, n: number, dims: number, ridge: number): ClassGaussian[] {
  return Array.from({ length: CLASSES }, (_, c) => {
    const rows = Int32Array.from(Array.from({ length: n }, (_, s) => s).filter((s) => labels[s] === c));
    if (rows.length < 2) throw new Error(`a class Gaussian needs at least 2 rows of class ${c}, got ${rows.length}`);
    const mu = new Float64Array(dims);
    for (const s of rows) for (let j = 0; j < dims; j++) mu[j] += X[s * dims + j];
    for (let j = 0; j < dims; j++) mu[j] /= rows.length;
    const cov = scatter(X, rows, dims, mu);
    let trace = 0;
    for (let a = 0; a < dims; a++)
      for (let b = a; b < dims; b++) {
        const v = cov[a * dims + b] / (rows.length - 1);
        cov[a * dims + b] = cov[b * dims + a] = v;
        if (a === b) trace += v;
      }
    for (let a = 0; a < dims; a++) cov[a * dims + a] += ridge * Math.max(trace / dims, 1e-12);
    const L = cholesky(cov, dims);
    let logDet = 0;
    for (let i = 0; i < dims; i++) logDet += 2 * Math.log(L[i * dims + i]);
    return { whiten: Float32Array.from(lowerInverse(L, dims)), mean: Float32Array.from(mu), logDet };
  });
}

/**
 * The smallest over the classes of the Gaussian negative log-likelihood (up to a constant),
 * log det Σ + |L⁻¹(z − μ)|², of a row z, and the class it belongs to.
 */
export function score(
  classes: readonly ClassGaussian[],
  z: ArrayLike<number>,
  diff = new Float64Array(z.length),
  first = 0,
): { best: number; nearest: number } {
  const d = z.length;
  let best = Infinity,
    nearest = 0;
  for (let t = 0; t < classes.length; t++) {
    // From `first` round: the class most likely nearest, when known, sets a low bar early.
    const k = (first + t) % classes.length;
    const { whiten: W, mean: mu, logDet } = classes[k];
    for (let j = 0; j < d; j++) diff[j] = z[j] - mu[j];
    // q only grows with each row, so a class stops as soon as it cannot be the nearest.
    let q = logDet;
    for (let i = 0, row = 0; i < d && q < best; i++, row += d) {
      let s = 0;
      for (let j = 0; j <= i; j++) s += W[row + j] * diff[j];
      q += s * s;
    }
    if (q < best || (q === best && k < nearest)) {
      best = q;
      nearest = k;
    }
  }
  return { best, nearest };
}

/** The share of a sorted list at or above v, counted as (k + 1) / (n + 1) so it is never 0. */
export function upperTail(sorted: ArrayLike<number>, v: number): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return (sorted.length - lo + 1) / (sorted.length + 1);
}
