/**
 * Is it a digit? A verdict for every drawing, from measured signals, with every threshold
 * set from real digits of MNIST's training set that the statistics were not fitted on:
 *   shape     before the model: MNIST digits are strokes, long beside their width; a dot or a
 *             small blob scaled up to 20 px is a fat disc (longest side over stroke width)
 *   distance  the final hidden state's Mahalanobis distance to the nearest digit class, with
 *             class-conditional Gaussians sharing one covariance, fitted on training digits
 *   unsure    the two most likely digits are close, by probabilities calibrated by temperature
 *             scaling on held-out training digits
 */
import type { Verdict } from '../../../shared/types';
import { CLASSES, PIXELS, SIDE } from '../../../shared/types';
import type { KernelRuntime } from '../kernels/runtime';
import type { Weights } from '../model/weights';
import { finalStates } from './batchForward';
import { cholesky, lowerInverse } from './linalg';

/** A model version's verdict statistics, fitted once and cached beside its map. */
export interface VerdictStats {
  format: 1;
  hidden: number;
  /** L⁻¹ for the shared covariance Σ = L Lᵀ, H × H lower-triangular: ‖L⁻¹(h − μ)‖² is the Mahalanobis distance². */
  whiten: Float32Array;
  /** L⁻¹ μ_c for each class, CLASSES × H. */
  whitenedMeans: Float32Array;
  /** Largest squared distance to the nearest class still called a digit. */
  distanceLimit: number;
  /** Smallest stroke ratio still called a digit. */
  shapeLimit: number;
  /** Temperature that calibrates the probabilities. */
  temperature: number;
  /** A calibrated gap between the top two below this is "unsure". */
  unsureMargin: number;
  /** What the fit measured on its held-out digits. */
  measured: { heldOut: number; eceBefore: number; eceAfter: number; accepted: number; unsure: number; fitMs: number };
}

/** Share of held-out training digits each limit keeps: distance 97.5%, shape 99.5%. */
export const KEEP = { distance: 0.975, shape: 0.995 } as const;
/** Predictions left "sure" must be at least this accurate on held-out digits; fewer than this share become "unsure". */
export const SURE = { accuracy: 0.995, maxUnsure: 0.05 } as const;

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
export function calibrationError(probs: Float64Array | Float32Array, labels: ArrayLike<number>, n: number): number {
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

/** Squared Mahalanobis distance of a state to each class (out, length CLASSES), with the whitening of `stats`. */
function distances(stats: VerdictStats, h: ArrayLike<number>, at: number, out: Float64Array, v = new Float64Array(stats.hidden)): Float64Array {
  const H = stats.hidden;
  const { whiten, whitenedMeans } = stats;
  for (let i = 0; i < H; i++) {
    let s = 0;
    for (let k = 0; k <= i; k++) s += whiten[i * H + k] * h[at + k];
    v[i] = s;
  }
  for (let c = 0; c < CLASSES; c++) {
    let d = 0;
    for (let i = 0; i < H; i++) d += (v[i] - whitenedMeans[c * H + i]) ** 2;
    out[c] = d;
  }
  return out;
}

/** What fitting needs: final states and probabilities of the fit digits and of the held-out ones, with their labels. */
export interface VerdictData {
  hidden: number;
  fit: { finals: Float32Array; labels: ArrayLike<number>; n: number };
  held: { finals: Float32Array; probs: Float32Array; pixels: Float32Array; labels: ArrayLike<number>; n: number };
}

/** Fit the verdict's statistics and set its limits (see the module comment). */
export function fitVerdict(d: VerdictData, ridge = 1e-3): VerdictStats {
  const t0 = performance.now();
  const H = d.hidden;
  const { finals, labels, n } = d.fit;
  const means = new Float64Array(CLASSES * H);
  const counts = new Float64Array(CLASSES);
  for (let s = 0; s < n; s++) {
    counts[labels[s]]++;
    for (let j = 0; j < H; j++) means[labels[s] * H + j] += finals[s * H + j];
  }
  for (let c = 0; c < CLASSES; c++) for (let j = 0; j < H; j++) means[c * H + j] /= Math.max(1, counts[c]);
  const cov = new Float64Array(H * H);
  const row = new Float64Array(H);
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < H; j++) row[j] = finals[s * H + j] - means[labels[s] * H + j];
    for (let a = 0; a < H; a++) {
      if (row[a] === 0) continue;
      for (let b = a; b < H; b++) cov[a * H + b] += row[a] * row[b];
    }
  }
  let trace = 0;
  for (let a = 0; a < H; a++)
    for (let b = a; b < H; b++) {
      const v = cov[a * H + b] / Math.max(1, n - CLASSES);
      cov[a * H + b] = cov[b * H + a] = v;
      if (a === b) trace += v;
    }
  const lift = ridge * Math.max(trace / H, 1e-12);
  for (let a = 0; a < H; a++) cov[a * H + a] += lift;
  const whiten = lowerInverse(cholesky(cov, H), H);
  const whitenedMeans = new Float64Array(CLASSES * H);
  for (let c = 0; c < CLASSES; c++)
    for (let i = 0; i < H; i++) {
      let s = 0;
      for (let k = 0; k <= i; k++) s += whiten[i * H + k] * means[c * H + k];
      whitenedMeans[c * H + i] = s;
    }
  const stats: VerdictStats = {
    format: 1,
    hidden: H,
    whiten: Float32Array.from(whiten),
    whitenedMeans: Float32Array.from(whitenedMeans),
    distanceLimit: 0,
    shapeLimit: 0,
    temperature: 1,
    unsureMargin: 0,
    measured: { heldOut: d.held.n, eceBefore: 0, eceAfter: 0, accepted: 0, unsure: 0, fitMs: 0 },
  };
  // Limits from the held-out digits.
  const m = d.held.n;
  const nearest = new Float64Array(m);
  const dist = new Float64Array(CLASSES),
    tmp = new Float64Array(H);
  for (let i = 0; i < m; i++) nearest[i] = Math.min(...distances(stats, d.held.finals, i * H, dist, tmp));
  stats.distanceLimit = quantile(nearest, KEEP.distance);
  const ratios = Array.from({ length: m }, (_, i) => strokeRatio(d.held.pixels.subarray(i * PIXELS, (i + 1) * PIXELS)));
  stats.shapeLimit = quantile(ratios, 1 - KEEP.shape);
  stats.temperature = fitTemperature(d.held.probs, d.held.labels, m);
  const calibrated = new Float64Array(m * CLASSES);
  for (let i = 0; i < m; i++) calibrate(d.held.probs.subarray(i * CLASSES, (i + 1) * CLASSES), stats.temperature, calibrated.subarray(i * CLASSES, (i + 1) * CLASSES));
  // The unsure margin: the smallest gap between the top two that leaves the rest SURE.accuracy right, within SURE.maxUnsure.
  const gaps = Array.from({ length: m }, (_, i) => {
    const p = Array.from(calibrated.subarray(i * CLASSES, (i + 1) * CLASSES));
    const k = p.indexOf(Math.max(...p));
    const second = Math.max(...p.filter((_, j) => j !== k));
    return { gap: p[k] - second, right: k === d.held.labels[i] };
  }).sort((a, b) => a.gap - b.gap);
  let wrong = gaps.filter((g) => !g.right).length;
  let cut = 0;
  while (cut < Math.floor(SURE.maxUnsure * m) && wrong / (m - cut) > 1 - SURE.accuracy) {
    if (!gaps[cut].right) wrong--;
    cut++;
  }
  stats.unsureMargin = cut ? (gaps[cut - 1].gap + gaps[cut].gap) / 2 : 0;
  let accepted = 0,
    unsure = 0;
  for (let i = 0; i < m; i++) {
    const v = verdictOf(stats, d.held.finals, i * H, d.held.probs.subarray(i * CLASSES, (i + 1) * CLASSES), d.held.pixels.subarray(i * PIXELS, (i + 1) * PIXELS));
    if (v.kind !== 'not-a-digit') accepted++;
    if (v.kind === 'unsure') unsure++;
  }
  stats.measured = {
    heldOut: m,
    eceBefore: calibrationError(Float64Array.from(d.held.probs), d.held.labels, m),
    eceAfter: calibrationError(calibrated, d.held.labels, m),
    accepted: accepted / m,
    unsure: unsure / m,
    fitMs: performance.now() - t0,
  };
  return stats;
}

/** The verdict on one input: its final state h[at .. at+H), its probabilities, its 28×28 pixels. */
export function verdictOf(stats: VerdictStats, h: ArrayLike<number>, at: number, probs: ArrayLike<number>, pixels: ArrayLike<number>): Verdict {
  const calibrated = Array.from(calibrate(probs, stats.temperature));
  const order = calibrated.map((p, k) => [p, k] as const).sort((a, b) => b[0] - a[0]);
  const d = distances(stats, h, at, new Float64Array(CLASSES));
  const nearest = Math.min(...d);
  const common = { calibrated, distance: nearest / stats.distanceLimit, top: [order[0][1], order[1][1]] as [number, number] };
  if (strokeRatio(pixels) < stats.shapeLimit) return { kind: 'not-a-digit', reason: 'blob', ...common };
  if (nearest > stats.distanceLimit) return { kind: 'not-a-digit', reason: 'unlike', ...common };
  if (order[0][0] - order[1][0] < stats.unsureMargin) return { kind: 'unsure', ...common };
  return { kind: 'digit', ...common };
}

/** Training digits the statistics are fitted on, and the next ones that set the limits. */
export const VERDICT_DIGITS = { fit: 8000, held: 4000 } as const;

/** Fit a model's verdict from the first VERDICT_DIGITS of a training split (images n × 784, labels). */
export function fitVerdictOn(runtime: KernelRuntime, weights: Weights, images: Float32Array, labels: ArrayLike<number>): VerdictStats {
  const fit = VERDICT_DIGITS.fit,
    held = VERDICT_DIGITS.held;
  if (labels.length < fit + held) throw new Error(`the verdict needs ${fit + held} training digits, got ${labels.length}`);
  const a = finalStates(runtime, weights, images, fit);
  const heldImages = images.subarray(fit * PIXELS, (fit + held) * PIXELS);
  const b = finalStates(runtime, weights, heldImages, held);
  return fitVerdict({
    hidden: weights.hidden,
    fit: { finals: a.finals, labels, n: fit },
    held: { finals: b.finals, probs: b.probs, pixels: heldImages, labels: Array.from(labels).slice(fit, fit + held), n: held },
  });
}
