/**
 * Is it a digit? A verdict for every drawing, from measured signals, with every limit set
 * from real digits of MNIST's training set that the statistics were not fitted on:
 *   shape      before the model: MNIST digits are strokes, long beside their width; a dot or a
 *              small blob scaled up to 20 px is a fat disc (its longest side over its stroke width)
 *   pieces     before the model: a digit's ink is (almost) one piece; scattered specks are not
 *   distance   where the network's state went over its last steps, against where digits' states
 *              go: the smallest, over the classes, of the negative log-likelihood under a Gaussian
 *              fitted to that class (in the top principal directions of those states)
 *   unsure     the two most likely digits are close, by probabilities calibrated by temperature
 *              scaling on held-out training digits
 */
import type { Verdict } from '../../../shared/types';
import { CLASSES, PIXELS, SIDE, STEPS } from '../../../shared/types';
import type { KernelRuntime } from '../kernels/runtime';
import type { Weights } from '../model/weights';
import { statesAt } from './batchForward';
import { cholesky, lowerInverse } from './linalg';

/** The steps whose states the distance reads: the last quarter of the sequence, where a reading settles. */
export const VERDICT_STEPS = [STEPS - 9, STEPS - 5, STEPS - 1] as const;
/** Principal directions the states are reduced to before the per-class Gaussians (a bound on memory and time for large models). */
export const VERDICT_DIMS = 96;
/** Training digits the statistics are fitted on, and the next ones that set the limits. */
export const VERDICT_DIGITS = { fit: 8000, held: 4000 } as const;
/** Share of held-out training digits called digits: each check before the model keeps 99.5%; the distance is set so all together keep 96.5%. */
export const KEEP = { check: 0.995, all: 0.965 } as const;
/** Predictions left "sure" must be at least this accurate on held-out digits; at most this share becomes "unsure". */
export const SURE = { accuracy: 0.995, maxUnsure: 0.05 } as const;
/** Ridge added to each class's covariance, relative to its mean variance. */
export const RIDGE = 0.05;
/** Fit digits the principal directions are found from (a bound on the fit's time). */
const PCA_DIGITS = 1000;

/** The fit's settings; the defaults are the measured choices above. */
export interface VerdictOptions {
  dims?: number;
  ridge?: number;
  keep?: number;
}

/** A model version's verdict statistics, fitted once and cached beside its map. */
export interface VerdictStats {
  format: 2;
  hidden: number;
  steps: number[];
  dims: number;
  /** Mean of the state features and the principal directions they are reduced along (dims × features). */
  mean: Float32Array;
  basis: Float32Array;
  /** Per class: L⁻¹ of its covariance (dims × dims, lower-triangular), its mean, and log det Σ. */
  classes: { whiten: Float32Array; mean: Float32Array; logDet: number }[];
  /** Largest score still called a digit, and the held-out digits' median score. */
  distanceLimit: number;
  distanceTypical: number;
  /** Smallest stroke ratio, and smallest share of ink in one piece, still called a digit. */
  shapeLimit: number;
  piecesLimit: number;
  /** Temperature that calibrates the probabilities. */
  temperature: number;
  /** A calibrated gap between the top two below this is "unsure". */
  unsureMargin: number;
  /** What the fit measured on its held-out digits. */
  measured: { heldOut: number; eceBefore: number; eceAfter: number; accepted: number; unsure: number; fitMs: number };
}

/** How stroke-like the ink is: its bounding box's longer side over the stroke's width (2 · area / perimeter). 0 for no ink. */
export function strokeRatio(pixels: ArrayLike<number>): number {
  if (pixels.length !== PIXELS) throw new Error(`the shape check needs ${PIXELS} pixels, got ${pixels.length}`);
  const on = (r: number, c: number) => r >= 0 && r < SIDE && c >= 0 && c < SIDE && pixels[r * SIDE + c] > 0.5;
  let area = 0,
    perimeter = 0,
    x0 = SIDE,
    x1 = -1,
    y0 = SIDE,
    y1 = -1;
  for (let r = 0; r < SIDE; r++)
    for (let c = 0; c < SIDE; c++) {
      if (!on(r, c)) continue;
      area++;
      x0 = Math.min(x0, c);
      x1 = Math.max(x1, c);
      y0 = Math.min(y0, r);
      y1 = Math.max(y1, r);
      perimeter += Number(!on(r - 1, c)) + Number(!on(r + 1, c)) + Number(!on(r, c - 1)) + Number(!on(r, c + 1));
    }
  if (!area) return 0;
  return Math.max(x1 - x0 + 1, y1 - y0 + 1) / ((2 * area) / perimeter);
}

/** The share of all ink in its largest piece (8-connected pixels above 0.1). 0 for no ink. */
export function largestPiece(pixels: ArrayLike<number>): number {
  const seen = new Uint8Array(PIXELS);
  let total = 0,
    best = 0;
  for (let i = 0; i < PIXELS; i++) total += pixels[i];
  const stack: number[] = [];
  for (let i = 0; i < PIXELS; i++) {
    if (seen[i] || pixels[i] <= 0.1) continue;
    let mass = 0;
    seen[i] = 1;
    stack.push(i);
    while (stack.length) {
      const p = stack.pop()!;
      mass += pixels[p];
      const r = Math.floor(p / SIDE),
        c = p % SIDE;
      for (let dr = -1; dr <= 1; dr++)
        for (let dc = -1; dc <= 1; dc++) {
          const rr = r + dr,
            cc = c + dc;
          if (rr < 0 || rr >= SIDE || cc < 0 || cc >= SIDE) continue;
          const q = rr * SIDE + cc;
          if (!seen[q] && pixels[q] > 0.1) {
            seen[q] = 1;
            stack.push(q);
          }
        }
    }
    best = Math.max(best, mass);
  }
  return total > 0 ? best / total : 0;
}

/** The value at quantile q (0..1) of a list. */
function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * s.length)))];
}

/** softmax(log p / T): probabilities recalibrated by temperature T. */
export function calibrate(probs: ArrayLike<number>, T: number, out = new Float64Array(CLASSES)): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < CLASSES; k++) max = Math.max(max, Math.log(Math.max(probs[k], 1e-38)) / T);
  let sum = 0;
  for (let k = 0; k < CLASSES; k++) sum += out[k] = Math.exp(Math.log(Math.max(probs[k], 1e-38)) / T - max);
  for (let k = 0; k < CLASSES; k++) out[k] /= sum;
  return out;
}

/** Expected calibration error over 15 equal-width bins of the top probability. */
export function calibrationError(probs: ArrayLike<number>, labels: ArrayLike<number>, n: number): number {
  const bins = 15;
  const conf = new Float64Array(bins),
    right = new Float64Array(bins),
    count = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let j = 1; j < CLASSES; j++) if (probs[i * CLASSES + j] > probs[i * CLASSES + k]) k = j;
    const p = probs[i * CLASSES + k];
    const b = Math.min(bins - 1, Math.floor(p * bins));
    conf[b] += p;
    right[b] += Number(k === labels[i]);
    count[b]++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]) ece += (count[b] / n) * Math.abs(conf[b] / count[b] - right[b] / count[b]);
  return ece;
}

/** The temperature that minimises the negative log-likelihood of `labels` (golden-section search on log T). */
export function fitTemperature(probs: Float32Array, labels: ArrayLike<number>, n: number): number {
  const p = new Float64Array(CLASSES);
  const nll = (logT: number) => {
    const T = Math.exp(logT);
    let s = 0;
    for (let i = 0; i < n; i++) s -= Math.log(Math.max(calibrate(probs.subarray(i * CLASSES, (i + 1) * CLASSES), T, p)[labels[i]], 1e-12));
    return s / n;
  };
  let a = Math.log(0.05),
    b = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 60; it++) {
    const c = b - g * (b - a),
      d = a + g * (b - a);
    if (nll(c) < nll(d)) b = d;
    else a = c;
  }
  return Math.exp((a + b) / 2);
}

/** The top `k` principal directions of n rows of `dim` values (k × dim), by block power iteration with re-orthogonalisation. */
function principalDirections(X: Float32Array, n: number, dim: number, k: number, mean: Float64Array): Float64Array {
  const C = new Float64Array(dim * dim);
  const r = new Float64Array(dim);
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < dim; j++) r[j] = X[s * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      if (r[a] === 0) continue;
      for (let b = a; b < dim; b++) C[a * dim + b] += r[a] * r[b];
    }
  }
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
    for (let i = 0; i < k; i++)
      for (let a = 0; a < dim; a++) {
        let s = 0;
        for (let b = 0; b < dim; b++) s += C[a * dim + b] * Q[i * dim + b];
        Z[i * dim + a] = s;
      }
    orth(Z);
    Q = Z;
  }
  return Q;
}

/** Reduce a feature row to the statistics' principal directions. */
function reduce(stats: Pick<VerdictStats, 'mean' | 'basis' | 'dims'>, x: ArrayLike<number>, at: number, out: Float64Array): Float64Array {
  const F = stats.mean.length;
  for (let i = 0; i < stats.dims; i++) {
    let s = 0;
    for (let j = 0; j < F; j++) s += (x[at + j] - stats.mean[j]) * stats.basis[i * F + j];
    out[i] = s;
  }
  return out;
}

/** The smallest over the classes of the Gaussian negative log-likelihood (up to a constant) of a reduced row. */
function score(stats: Pick<VerdictStats, 'classes' | 'dims'>, z: Float64Array): { best: number; nearest: number } {
  const d = stats.dims;
  let best = Infinity,
    nearest = 0;
  stats.classes.forEach((c, k) => {
    let q = c.logDet;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j <= i; j++) s += c.whiten[i * d + j] * (z[j] - c.mean[j]);
      q += s * s;
    }
    if (q < best) [best, nearest] = [q, k];
  });
  return { best, nearest };
}

/** What fitting needs: the state features and probabilities of the fit digits and of the held-out ones, with their labels. */
export interface VerdictData {
  hidden: number;
  steps: number[];
  fit: { states: Float32Array; labels: ArrayLike<number>; n: number };
  held: { states: Float32Array; probs: Float32Array; pixels: Float32Array; labels: ArrayLike<number>; n: number };
}

/** Fit the verdict's statistics and set its limits (see the module comment). */
export function fitVerdict(data: VerdictData, opts: VerdictOptions = {}): VerdictStats {
  const t0 = performance.now();
  const F = data.steps.length * data.hidden;
  const dims = Math.min(opts.dims ?? VERDICT_DIMS, F);
  const ridge = opts.ridge ?? RIDGE;
  const keepAll = opts.keep ?? KEEP.all;
  const { states, labels, n } = data.fit;
  const mean = new Float64Array(F);
  for (let s = 0; s < n; s++) for (let j = 0; j < F; j++) mean[j] += states[s * F + j] / n;
  const basis = principalDirections(states, Math.min(n, PCA_DIGITS), F, dims, mean);
  const reduced = { mean: Float32Array.from(mean), basis: Float32Array.from(basis), dims };
  const Z = new Float64Array(n * dims);
  for (let s = 0; s < n; s++) reduce(reduced, states, s * F, Z.subarray(s * dims, (s + 1) * dims));
  const classes = Array.from({ length: CLASSES }, (_, c) => {
    const rows = Array.from({ length: n }, (_, s) => s).filter((s) => labels[s] === c);
    const mu = new Float64Array(dims);
    for (const s of rows) for (let j = 0; j < dims; j++) mu[j] += Z[s * dims + j] / rows.length;
    const cov = new Float64Array(dims * dims);
    const r = new Float64Array(dims);
    for (const s of rows) {
      for (let j = 0; j < dims; j++) r[j] = Z[s * dims + j] - mu[j];
      for (let a = 0; a < dims; a++) for (let b = a; b < dims; b++) cov[a * dims + b] += r[a] * r[b];
    }
    let trace = 0;
    for (let a = 0; a < dims; a++)
      for (let b = a; b < dims; b++) {
        const v = cov[a * dims + b] / Math.max(1, rows.length - 1);
        cov[a * dims + b] = cov[b * dims + a] = v;
        if (a === b) trace += v;
      }
    for (let a = 0; a < dims; a++) cov[a * dims + a] += ridge * Math.max(trace / dims, 1e-12);
    const L = cholesky(cov, dims);
    let logDet = 0;
    for (let i = 0; i < dims; i++) logDet += 2 * Math.log(L[i * dims + i]);
    return { whiten: Float32Array.from(lowerInverse(L, dims)), mean: Float32Array.from(mu), logDet };
  });
  const stats: VerdictStats = {
    format: 2,
    hidden: data.hidden,
    steps: [...data.steps],
    ...reduced,
    classes,
    distanceLimit: Infinity,
    distanceTypical: 0,
    shapeLimit: 0,
    piecesLimit: 0,
    temperature: 1,
    unsureMargin: 0,
    measured: { heldOut: data.held.n, eceBefore: 0, eceAfter: 0, accepted: 0, unsure: 0, fitMs: 0 },
  };
  // Limits from the held-out digits: the checks first, then the distance so all together keep KEEP.all.
  const m = data.held.n;
  const pix = (i: number) => data.held.pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
  const shape = Array.from({ length: m }, (_, i) => strokeRatio(pix(i)));
  const pieces = Array.from({ length: m }, (_, i) => largestPiece(pix(i)));
  stats.shapeLimit = quantile(shape, 1 - KEEP.check);
  stats.piecesLimit = quantile(pieces, 1 - KEEP.check);
  const z = new Float64Array(dims);
  const scores = Array.from({ length: m }, (_, i) => score(stats, reduce(stats, data.held.states, i * F, z)).best);
  const passed = scores.filter((_, i) => shape[i] >= stats.shapeLimit && pieces[i] >= stats.piecesLimit);
  stats.distanceLimit = quantile(passed, Math.min(1, (keepAll * m) / Math.max(1, passed.length)));
  stats.distanceTypical = quantile(scores, 0.5);
  stats.temperature = fitTemperature(data.held.probs, data.held.labels, m);
  const calibrated = new Float64Array(m * CLASSES);
  for (let i = 0; i < m; i++)
    calibrate(data.held.probs.subarray(i * CLASSES, (i + 1) * CLASSES), stats.temperature, calibrated.subarray(i * CLASSES, (i + 1) * CLASSES));
  // The unsure margin: the smallest gap between the top two that leaves the rest SURE.accuracy right, within SURE.maxUnsure.
  const gaps = Array.from({ length: m }, (_, i) => {
    const p = Array.from(calibrated.subarray(i * CLASSES, (i + 1) * CLASSES));
    const k = p.indexOf(Math.max(...p));
    return { gap: p[k] - Math.max(...p.filter((_, j) => j !== k)), right: k === data.held.labels[i] };
  }).sort((a, b) => a.gap - b.gap);
  let wrong = gaps.filter((g) => !g.right).length;
  let cut = 0;
  while (cut < Math.floor(SURE.maxUnsure * m) && wrong / (m - cut) > 1 - SURE.accuracy) {
    if (!gaps[cut].right) wrong--;
    cut++;
  }
  stats.unsureMargin = cut ? (gaps[cut - 1].gap + gaps[cut].gap) / 2 : 0;
  // What the verdict says of the held-out digits, from the scores and checks already computed.
  let accepted = 0,
    unsure = 0;
  for (let i = 0; i < m; i++) {
    if (shape[i] < stats.shapeLimit || pieces[i] < stats.piecesLimit || scores[i] > stats.distanceLimit) continue;
    accepted++;
    const p = Array.from(calibrated.subarray(i * CLASSES, (i + 1) * CLASSES)).sort((a, b) => b - a);
    if (p[0] - p[1] < stats.unsureMargin) unsure++;
  }
  stats.measured = {
    heldOut: m,
    eceBefore: calibrationError(data.held.probs, data.held.labels, m),
    eceAfter: calibrationError(calibrated, data.held.labels, m),
    accepted: accepted / m,
    unsure: unsure / m,
    fitMs: performance.now() - t0,
  };
  return stats;
}

/** Fit a model's verdict from the first VERDICT_DIGITS of a training split (images n × 784, labels). */
export function fitVerdictOn(
  runtime: KernelRuntime,
  weights: Weights,
  images: Float32Array,
  labels: ArrayLike<number>,
  opts: VerdictOptions = {},
): VerdictStats {
  const { fit, held } = VERDICT_DIGITS;
  if (labels.length < fit + held) throw new Error(`the verdict needs ${fit + held} training digits, got ${labels.length}`);
  const steps = [...VERDICT_STEPS];
  const a = statesAt(runtime, weights, images, fit, steps);
  const heldImages = images.subarray(fit * PIXELS, (fit + held) * PIXELS);
  const b = statesAt(runtime, weights, heldImages, held, steps);
  return fitVerdict(
    {
      hidden: weights.hidden,
      steps,
      fit: { states: a.states, labels, n: fit },
      held: { states: b.states, probs: b.probs, pixels: heldImages, labels: Array.from(labels).slice(fit, fit + held), n: held },
    },
    opts,
  );
}

/** The state features the verdict reads from a trace's states (steps × H, row-major). */
export function traceFeatures(stats: Pick<VerdictStats, 'steps' | 'hidden'>, h: ArrayLike<number>): Float32Array {
  const H = stats.hidden;
  const out = new Float32Array(stats.steps.length * H);
  stats.steps.forEach((t, j) => {
    for (let i = 0; i < H; i++) out[j * H + i] = h[t * H + i];
  });
  return out;
}

/** The verdict on one input: its state features x[at ..], its probabilities and its 28×28 pixels. */
export function verdictOf(stats: VerdictStats, x: ArrayLike<number>, at: number, probs: ArrayLike<number>, pixels: ArrayLike<number>): Verdict {
  const calibrated = Array.from(calibrate(probs, stats.temperature));
  const order = calibrated.map((p, k) => [p, k] as const).sort((a, b) => b[0] - a[0]);
  const { best } = score(stats, reduce(stats, x, at, new Float64Array(stats.dims)));
  const distance = (best - stats.distanceTypical) / Math.max(1e-9, stats.distanceLimit - stats.distanceTypical);
  const common = { calibrated, distance, top: [order[0][1], order[1][1]] as [number, number] };
  if (strokeRatio(pixels) < stats.shapeLimit) return { kind: 'not-a-digit', reason: 'blob', ...common };
  if (largestPiece(pixels) < stats.piecesLimit) return { kind: 'not-a-digit', reason: 'pieces', ...common };
  if (best > stats.distanceLimit) return { kind: 'not-a-digit', reason: 'unlike', ...common };
  if (order[0][0] - order[1][0] < stats.unsureMargin) return { kind: 'unsure', ...common };
  return { kind: 'digit', ...common };
}
