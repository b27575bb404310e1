/**
 * Where digits lie, as Gaussians per class: principal directions to reduce many features to a
 * few, the class Gaussians (one per class, or a few per class found by k-means) fitted on
 * labelled rows, and the score of a row under the nearest.
 */
import { CLASSES } from '../../../shared/types';
import { cholesky, lowerInverse } from './linalg';

/** A Gaussian of one class: L⁻¹ of its covariance (dims × dims, lower-triangular), its mean, log det Σ and its class. */
export interface ClassGaussian {
  whiten: Float32Array;
  mean: Float32Array;
  logDet: number;
  label: number;
}

/** A reduction of feature rows to their principal directions: the rows' mean and the directions (dims × features). */
export interface Reduction {
  mean: Float32Array;
  basis: Float32Array;
  dims: number;
}

/** Rows the scatter takes at a time: each entry of the sum is read and written once per this many rows. */
const BLOCK = 8;

/** Σ (x − mean)(x − mean)ᵀ over the given rows of X (n × dim), upper triangle only, BLOCK rows at a time. */
function scatter(X: ArrayLike<number>, rows: Int32Array, dim: number, mean: ArrayLike<number>): Float64Array {
  const C = new Float64Array(dim * dim);
  // The block's centred rows, one after another; rows past the last are zeros.
  const R = new Float64Array(BLOCK * dim);
  const [d1, d2, d3, d4, d5, d6, d7] = [1, 2, 3, 4, 5, 6, 7].map((k) => k * dim);
  for (let t = 0; t < rows.length; t += BLOCK) {
    R.fill(0);
    for (let k = 0; k < BLOCK && t + k < rows.length; k++) {
      const s = rows[t + k];
      for (let j = 0; j < dim; j++) R[k * dim + j] = X[s * dim + j] - mean[j];
    }
    for (let a = 0; a < dim; a++) {
      const r0 = R[a],
        r1 = R[d1 + a],
        r2 = R[d2 + a],
        r3 = R[d3 + a],
        r4 = R[d4 + a],
        r5 = R[d5 + a],
        r6 = R[d6 + a],
        r7 = R[d7 + a];
      if (r0 === 0 && r1 === 0 && r2 === 0 && r3 === 0 && r4 === 0 && r5 === 0 && r6 === 0 && r7 === 0) continue;
      const row = a * dim;
      for (let b = a; b < dim; b++)
        C[row + b] += r0 * R[b] + r1 * R[d1 + b] + r2 * R[d2 + b] + r3 * R[d3 + b] + r4 * R[d4 + b] + r5 * R[d5 + b] + r6 * R[d6 + b] + r7 * R[d7 + b];
    }
  }
  return C;
}

/**
 * The top `k` principal directions of n rows of `dim` values (k × dim), by block power iteration
 * with re-orthogonalisation, `rounds` rounds (each costs k · dim² multiplications). The span
 * settles sooner than the single directions within it.
 */
export function principalDirections(X: ArrayLike<number>, n: number, dim: number, k: number, mean: Float64Array, rounds = 12): Float64Array {
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
  for (let it = 0; it < rounds; it++) {
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

/** The mean of n rows of X (n × F) and their top `dims` principal directions, found from the first `pcaRows` rows in `rounds` rounds. */
export function fitReduction(X: ArrayLike<number>, n: number, F: number, dims: number, pcaRows: number, rounds?: number): Reduction {
  const mean = new Float64Array(F);
  for (let s = 0; s < n; s++) for (let j = 0; j < F; j++) mean[j] += X[s * F + j] / n;
  const basis = principalDirections(X, Math.min(n, pcaRows), F, dims, mean, rounds);
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

/** A Gaussian fitted on the given rows of X (n × dims), `ridge` added to its covariance relative to its mean variance. */
function fitGaussian(X: ArrayLike<number>, rows: Int32Array, dims: number, ridge: number, label: number): ClassGaussian {
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
  return { whiten: Float32Array.from(lowerInverse(L, dims)), mean: Float32Array.from(mu), logDet, label };
}

/** A list of `count` values that are all finite numbers, in single precision: what a file must hold where a fit wrote a Float32Array. */
export function floatsProblem(v: unknown, count: number, what: string): string | null {
  if (!(v instanceof Float32Array)) return `${what} is not a Float32Array`;
  if (v.length !== count) return `${what} has ${v.length} values, not ${count}`;
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return `${what} holds ${v[i]} at ${i}`;
  return null;
}

/**
 * Why Gaussians read back from a file are not class Gaussians of `dims` dimensions, one to
 * `perClass` for each class, or null when they are: a file of other sizes would score every
 * drawing wrong, or read past the end of its arrays, without an error.
 */
export function gaussiansProblem(list: unknown, perClass: number, dims: number, what: string): string | null {
  if (!Array.isArray(list)) return `${what} is not a list`;
  const per = new Array<number>(CLASSES).fill(0);
  for (let k = 0; k < list.length; k++) {
    const g = list[k] as Partial<ClassGaussian> | null;
    const at = `${what}[${k}]`;
    if (!g || typeof g !== 'object') return `${at} is not a Gaussian`;
    const bad = floatsProblem(g.mean, dims, `${at}'s mean`) ?? floatsProblem(g.whiten, dims * dims, `${at}'s whitening`);
    if (bad) return bad;
    if (typeof g.logDet !== 'number' || !Number.isFinite(g.logDet)) return `${at}'s log determinant is not a finite number`;
    if (!Number.isInteger(g.label) || g.label! < 0 || g.label! >= CLASSES) return `${at}'s label is not a class 0–${CLASSES - 1}`;
    per[g.label!]++;
  }
  const c = per.findIndex((count) => count < 1 || count > perClass);
  return c < 0 ? null : `${what} has ${per[c]} Gaussians of class ${c}, not 1${perClass > 1 ? `–${perClass}` : ''}`;
}

/** Rounds of k-means at most (it stops sooner when no row changes group). */
const KMEANS_ROUNDS = 20;

/**
 * The rows split into k groups by k-means (squared distance), from a deterministic start: group
 * j's centre starts at the row j/k of the way through. Returns each group's rows; a group left
 * with fewer than 2 rows is folded back, so the split is never finer than the rows allow.
 */
export function kMeans(X: ArrayLike<number>, rows: Int32Array, dims: number, k: number): Int32Array[] {
  if (k <= 1) return [rows];
  const m = rows.length;
  // The rows side by side, and the centres: |x − c|² = |x|² − 2 x·c + |c|², and |x|² is the same for every c.
  const Y = new Float64Array(m * dims);
  for (let r = 0; r < m; r++) for (let t = 0; t < dims; t++) Y[r * dims + t] = X[rows[r] * dims + t];
  const centres = new Float64Array(k * dims);
  for (let j = 0; j < k; j++) centres.set(Y.subarray(Math.floor((j * m) / k) * dims, (Math.floor((j * m) / k) + 1) * dims), j * dims);
  const norms = new Float64Array(k);
  const group = new Int32Array(m).fill(-1);
  const count = new Int32Array(k);
  for (let round = 0; round < KMEANS_ROUNDS; round++) {
    for (let j = 0; j < k; j++) {
      let q = 0;
      for (let t = 0; t < dims; t++) q += centres[j * dims + t] ** 2;
      norms[j] = q;
    }
    let moved = 0;
    for (let r = 0, at = 0; r < m; r++, at += dims) {
      let best = Infinity,
        g = 0;
      for (let j = 0, c = 0; j < k; j++, c += dims) {
        let dot = 0;
        for (let t = 0; t < dims; t++) dot += Y[at + t] * centres[c + t];
        const d = norms[j] - 2 * dot;
        if (d < best) [best, g] = [d, j];
      }
      if (group[r] !== g) [group[r], moved] = [g, moved + 1];
    }
    if (!moved) break;
    centres.fill(0);
    count.fill(0);
    for (let r = 0, at = 0; r < m; r++, at += dims) {
      const c = group[r] * dims;
      count[group[r]]++;
      for (let t = 0; t < dims; t++) centres[c + t] += Y[at + t];
    }
    for (let j = 0; j < k; j++) if (count[j]) for (let t = 0; t < dims; t++) centres[j * dims + t] /= count[j];
  }
  const groups = Array.from({ length: k }, (_, j) => rows.filter((_, r) => group[r] === j));
  return groups.every((g) => g.length >= 2) ? groups : [rows];
}

/**
 * Gaussians per class, fitted on the labelled rows of X (n × dims): one per class, or `perClass`
 * per class on the class's k-means groups (a class's digits come in styles: a 7 with a bar and
 * without, a 4 open and closed). `ridge` is added to each covariance, relative to its mean
 * variance, so few rows and flat directions stay invertible. Ordered by class.
 */
export function fitClassGaussians(X: ArrayLike<number>, labels: ArrayLike<number>, n: number, dims: number, ridge: number, perClass = 1): ClassGaussian[] {
  return Array.from({ length: CLASSES }, (_, c) => {
    const rows = Int32Array.from(Array.from({ length: n }, (_, s) => s).filter((s) => labels[s] === c));
    if (rows.length < 2) throw new Error(`a class Gaussian needs at least 2 rows of class ${c}, got ${rows.length}`);
    return kMeans(X, rows, dims, perClass).map((g) => fitGaussian(X, g, dims, ridge, c));
  }).flat();
}

/**
 * The smallest over the Gaussians of the negative log-likelihood (up to a constant),
 * log det Σ + |L⁻¹(z − μ)|², of a row z, and the class of the Gaussian it is nearest.
 * `first`: the class most likely nearest, when known; its Gaussians are scored first.
 */
export function score(
  classes: readonly ClassGaussian[],
  z: ArrayLike<number>,
  diff = new Float64Array(z.length),
  first = 0,
): { best: number; nearest: number } {
  const d = z.length,
    m = classes.length;
  let best = Infinity,
    nearest = -1;
  // From `first`'s Gaussians round: the Gaussian most likely nearest sets a low bar early.
  const start = Math.max(
    0,
    classes.findIndex((g) => g.label === first),
  );
  for (let t = 0; t < m; t++) {
    const k = (start + t) % m;
    const { whiten: W, mean: mu, logDet } = classes[k];
    for (let j = 0; j < d; j++) diff[j] = z[j] - mu[j];
    // q only grows with each row, so a Gaussian stops as soon as it cannot be the nearest.
    let q = logDet;
    for (let i = 0, row = 0; i < d && q < best; i++, row += d) {
      // Four sums side by side, so each addition need not wait for the one before.
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        j = 0;
      for (; j + 3 <= i; j += 4) {
        s0 += W[row + j] * diff[j];
        s1 += W[row + j + 1] * diff[j + 1];
        s2 += W[row + j + 2] * diff[j + 2];
        s3 += W[row + j + 3] * diff[j + 3];
      }
      for (; j <= i; j++) s0 += W[row + j] * diff[j];
      const s = s0 + s1 + s2 + s3;
      q += s * s;
    }
    if (q < best || (q === best && k < nearest)) {
      best = q;
      nearest = k;
    }
  }
  return { best, nearest: nearest < 0 ? 0 : classes[nearest].label };
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
