/**
 * Principal components of a set of hidden states by power iteration with
 * deflation: the top k eigenvectors of the covariance matrix, their variances
 * and the total variance. Plain TypeScript over Float64 arithmetic.
 */

export interface Pca {
  dim: number;
  mean: Float64Array;
  /** k unit vectors, k × dim row-major, each signed so its largest entry is positive. */
  components: Float64Array;
  /** Variance along each component (eigenvalues of the covariance). */
  variances: number[];
  /** Sum of the variances of all dimensions (trace of the covariance). */
  totalVariance: number;
}

/** Covariance (dim × dim) of n rows of `data` about `mean`. */
export function covariance(data: ArrayLike<number>, n: number, dim: number, mean: Float64Array): Float64Array {
  const C = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let s = 0; s < n; s++) {
    const o = s * dim;
    for (let j = 0; j < dim; j++) row[j] = data[o + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const va = row[a];
      if (va === 0) continue;
      const ra = a * dim;
      for (let b = a; b < dim; b++) C[ra + b] += va * row[b];
    }
  }
  const d = Math.max(1, n - 1);
  for (let a = 0; a < dim; a++)
    for (let b = a; b < dim; b++) {
      const v = C[a * dim + b] / d;
      C[a * dim + b] = v;
      C[b * dim + a] = v;
    }
  return C;
}

/**
 * The top k eigenvectors and eigenvalues of a symmetric positive semi-definite
 * matrix, by power iteration on the matrix deflated by the vectors already found.
 */
export function topEigen(C: Float64Array, dim: number, k: number, maxIter = 2000, tol = 1e-12): { vectors: Float64Array; values: number[] } {
  const A = Float64Array.from(C);
  const vectors = new Float64Array(k * dim);
  const values: number[] = [];
  let v = new Float64Array(dim);
  let w = new Float64Array(dim);
  for (let c = 0; c < k; c++) {
    // A deterministic start that is not orthogonal to any eigenvector in practice.
    for (let j = 0; j < dim; j++) v[j] = 1 + 0.37 * Math.sin(1.3 * j + c);
    normalise(v);
    let lambda = 0;
    for (let it = 0; it < maxIter; it++) {
      mul(A, v, w, dim);
      const next = Math.sqrt(dot(w, w));
      if (next === 0) break;
      for (let j = 0; j < dim; j++) w[j] /= next;
      let diff = 0;
      for (let j = 0; j < dim; j++) diff = Math.max(diff, Math.abs(w[j] - v[j]));
      [v, w] = [w, v];
      const settled = Math.abs(next - lambda) <= tol * Math.max(1, next) && diff < 1e-9;
      lambda = next;
      if (settled) break;
    }
    mul(A, v, w, dim);
    lambda = dot(v, w);
    // Sign: largest entry positive, so the map does not flip between fits.
    let big = 0;
    for (let j = 1; j < dim; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
    const sign = v[big] < 0 ? -1 : 1;
    for (let j = 0; j < dim; j++) vectors[c * dim + j] = sign * v[j];
    values.push(Math.max(0, lambda));
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) A[a * dim + b] -= lambda * v[a] * v[b];
  }
  return { vectors, values };
}

/** PCA of n rows of dim values. */
export function pca(data: ArrayLike<number>, n: number, dim: number, k = 2): Pca {
  const mean = new Float64Array(dim);
  for (let s = 0; s < n; s++) for (let j = 0; j < dim; j++) mean[j] += data[s * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= Math.max(1, n);
  const C = covariance(data, n, dim, mean);
  let totalVariance = 0;
  for (let j = 0; j < dim; j++) totalVariance += C[j * dim + j];
  const { vectors, values } = topEigen(C, dim, k);
  return { dim, mean, components: vectors, variances: values, totalVariance };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

function normalise(v: Float64Array): void {
  const n = Math.sqrt(dot(v, v));
  for (let j = 0; j < v.length; j++) v[j] /= n;
}

function mul(A: Float64Array, v: Float64Array, out: Float64Array, dim: number): void {
  for (let a = 0; a < dim; a++) {
    let s = 0;
    const r = a * dim;
    for (let b = 0; b < dim; b++) s += A[r + b] * v[b];
    out[a] = s;
  }
}

/**
 * The orthogonal 2 × 2 map R (a rotation, or a reflection when `allowReflection`)
 * that minimises ‖A·R − B‖ for n points A and B (n × 2): orthogonal Procrustes
 * in closed form. Returns R row-major [r00, r01, r10, r11].
 */
export function procrustes2d(A: ArrayLike<number>, B: ArrayLike<number>, n: number, allowReflection = true): [number, number, number, number] {
  // M = Aᵀ B
  let m00 = 0,
    m01 = 0,
    m10 = 0,
    m11 = 0;
  for (let s = 0; s < n; s++) {
    const ax = A[2 * s],
      ay = A[2 * s + 1],
      bx = B[2 * s],
      by = B[2 * s + 1];
    m00 += ax * bx;
    m01 += ax * by;
    m10 += ay * bx;
    m11 += ay * by;
  }
  // Rotation [[c, s], [−s, c]] maximising trace(Rᵀ M): θ = atan2(m01 − m10, m00 + m11).
  const tRot = Math.atan2(m01 - m10, m00 + m11);
  const rot: [number, number, number, number] = [Math.cos(tRot), Math.sin(tRot), -Math.sin(tRot), Math.cos(tRot)];
  const scoreRot = Math.hypot(m00 + m11, m01 - m10);
  if (!allowReflection) return rot;
  // Reflection [[c, s], [s, −c]]: trace(Rᵀ M) = c(m00 − m11) + s(m01 + m10).
  const tRef = Math.atan2(m01 + m10, m00 - m11);
  const scoreRef = Math.hypot(m00 - m11, m01 + m10);
  return scoreRef > scoreRot ? [Math.cos(tRef), Math.sin(tRef), Math.sin(tRef), -Math.cos(tRef)] : rot;
}

/** Apply a 2 × 2 map from procrustes2d to n points (n × 2), in place. */
export function applyOrthogonal(points: Float32Array, R: readonly number[]): void {
  for (let s = 0; s < points.length / 2; s++) {
    const x = points[2 * s],
      y = points[2 * s + 1];
    points[2 * s] = x * R[0] + y * R[2];
    points[2 * s + 1] = x * R[1] + y * R[3];
  }
}
