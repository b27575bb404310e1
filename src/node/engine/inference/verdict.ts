/**
 * Is it a digit? A verdict for every drawing, from measured signals, with every limit set
 * from real digits of MNIST's training set that the statistics were not fitted on:
 *   shape      before the model: MNIST digits are strokes, long beside their width; a dot or a
 *              small blob scaled up to 20 px is a fat disc (its longest side over its stroke width)
 *   pieces     before the model: a digit's ink is (almost) one piece; scattered specks are not
 *   distance   two densities of where digits lie, Gaussians per class, and the drawing scored
 *              under the nearest Gaussian of each:
 *                - where the network's state went over its last steps (in the top principal
 *                  directions of digits' states), one Gaussian per class: the model's own view;
 *                - which way the strokes run, cell by cell (inkChecks.ts), two Gaussians per
 *                  class for two styles of writing it, so a drawing the network happens to map
 *                  among digits' states is still caught when its strokes are like no digit's.
 *                  It is the same for every model: fitted once (inkStats.ts) and shared.
 *              Each score becomes the share of held-out digits that score at least as far out, and
 *              the two shares are joined as Fisher's method joins p-values, −ln p₁ − ln p₂
 *   unsure     the two most likely digits are close, by probabilities calibrated by temperature
 *              scaling on held-out training digits
 * The checks, densities and calibration live in inkChecks.ts, inkStats.ts, gaussians.ts and calibration.ts.
 */
import type { Verdict } from '../../../shared/types';
import { CLASSES, PIXELS, STEPS } from '../../../shared/types';
import { readShape } from '../../../shared/reads';
import type { KernelRuntime } from '../kernels/runtime';
import type { Weights } from '../model/weights';
import { statesAt } from './batchForward';
import { argmax } from './head';
import { calibrate, calibrationError, fitTemperature } from './calibration';
import {
  fitClassGaussians,
  fitReduction,
  floatsProblem,
  gaussiansProblem,
  reduce,
  reduceRows,
  score,
  upperTail,
  type ClassGaussian,
  type Reduction,
} from './gaussians';
import { largestPiece, strokeDirections, strokeRatio } from './inkChecks';
import { fitInk, type InkStats } from './inkStats';

/** Bumped when the statistics change, so older cached statistics are refitted. */
export const VERDICT_FORMAT = 4;
/**
 * The steps whose states the distance reads in a sequence of `steps`: the last, and those 4/28 and
 * 8/28 of the sequence before it, in its last third, where a reading settles (19, 23 and 27 of
 * the tutorial's 28 rows; 139, 167 and 195 of 196 steps of 4 pixels).
 */
export function verdictSteps(steps: number): number[] {
  const last = steps - 1;
  return [last - Math.round((8 * steps) / STEPS), last - Math.round((4 * steps) / STEPS), last];
}
/**
 * Principal directions the states are reduced to before the per-class Gaussians (a bound on
 * memory and time for large models). Measured on the shipped models with the strokes' density
 * beside them: 64 give the same verdicts on the test digits and the non-digit set as 96, in about
 * two thirds of the fit's time.
 */
export const VERDICT_DIMS = 64;
/** Training digits the statistics are fitted on, and the next ones that set the limits. */
export const VERDICT_DIGITS = { fit: 8000, held: 4000 } as const;
/** Share of held-out training digits called digits: each check before the model keeps 99.5%; the distance is set so all together keep 96%. */
export const KEEP = { check: 0.995, all: 0.96 } as const;
/** Predictions left "sure" must be at least this accurate on held-out digits; at most this share becomes "unsure". */
export const SURE = { accuracy: 0.995, maxUnsure: 0.05 } as const;
/** Ridge added to each class's covariance of the states, relative to its mean variance. */
export const RIDGE = 0.05;
/** Fit digits the principal directions are found from (a bound on the fit's time). */
const PCA_DIGITS = 1000;
/**
 * Rounds of subspace iteration for the principal directions. Only their span matters (the class
 * Gaussians in it have full covariances, so a turn within it changes no score), and it settles
 * sooner than the directions: measured on the shipped models, 8 rounds give the same verdicts on
 * the test digits and the non-digit set as 12, 6 do not (8.7% of non-digits for the GRU-64).
 */
const PCA_ROUNDS = 8;

/** The fit's settings; the defaults are the measured choices above. */
export interface VerdictOptions {
  dims?: number;
  ridge?: number;
  keep?: number;
  /** Leave the strokes' density out (the distance is then the state's alone). */
  stateOnly?: boolean;
}

/** A model version's verdict statistics, fitted once and cached beside its map. */
export interface VerdictStats extends Reduction {
  format: typeof VERDICT_FORMAT;
  hidden: number;
  steps: number[];
  /** The state's class Gaussians, in the reduced directions. */
  classes: ClassGaussian[];
  /** The strokes' Gaussians, STROKE_DENSITY.perClass per class, on all STROKE_FEATURES values of the stroke directions; null when fitted without them. */
  strokes: ClassGaussian[] | null;
  /** The held-out digits' scores under each density, sorted: what a score's share further out is read from. */
  heldScores: { state: Float32Array; strokes: Float32Array };
  /** Largest joined score still called a digit, and the held-out digits' median joined score. */
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

/** The value at quantile q (0..1) of a list. */
function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * s.length)))];
}

/** The raw scores of one input: under the state's density and under the strokes' (0 when fitted without it). */
function rawScores(
  stats: Omit<VerdictStats, 'heldScores'>,
  x: ArrayLike<number>,
  at: number,
  probs: ArrayLike<number>,
  probsAt: number,
  pixels: ArrayLike<number>,
  pixelsAt: number,
) {
  // The model's top digit is usually the nearest class: scored first, the other classes stop early.
  const state = score(stats.classes, reduce(stats, x, at, new Float64Array(stats.dims)), undefined, argmax(probs, probsAt, CLASSES));
  const strokes = stats.strokes ? score(stats.strokes, strokeDirections(pixels, pixelsAt), undefined, state.nearest).best : 0;
  return { state: state.best, strokes };
}

/** The joined score: −ln of each score's share of held-out digits at least as far out, summed. */
function joined(stats: Pick<VerdictStats, 'heldScores' | 'strokes'>, raw: { state: number; strokes: number }): number {
  const s = -Math.log(upperTail(stats.heldScores.state, raw.state));
  return stats.strokes ? s - Math.log(upperTail(stats.heldScores.strokes, raw.strokes)) : s;
}

/** What fitting needs: the state features and pixels of the fit digits and of the held-out ones (with probabilities), and their labels. */
export interface VerdictData {
  hidden: number;
  steps: number[];
  fit: { states: Float32Array; pixels: Float32Array; labels: ArrayLike<number>; n: number };
  held: { states: Float32Array; probs: Float32Array; pixels: Float32Array; labels: ArrayLike<number>; n: number };
}

/**
 * Fit the verdict's statistics and set its limits (see the module comment). `ink`: the ink's
 * statistics of the same fit and held-out digits, when already fitted (they are the same for
 * every model); fitted here otherwise.
 */
export function fitVerdict(data: VerdictData, opts: VerdictOptions = {}, ink?: InkStats): VerdictStats {
  const t0 = performance.now();
  const F = data.steps.length * data.hidden;
  const dims = Math.min(opts.dims ?? VERDICT_DIMS, F);
  const ridge = opts.ridge ?? RIDGE;
  const keepAll = opts.keep ?? KEEP.all;
  const { states, labels, n } = data.fit;
  const m = data.held.n;
  if (ink && (ink.n !== n || ink.m !== m)) throw new Error(`the ink's statistics are of ${ink.n} + ${ink.m} digits, not ${n} + ${m}`);
  ink ??= fitInk(data.fit, data.held);
  // The state's density, in its principal directions.
  const reduced = fitReduction(states, n, F, dims, PCA_DIGITS, PCA_ROUNDS);
  const classes = fitClassGaussians(reduceRows(reduced, states, n), labels, n, dims, ridge);
  const strokes = opts.stateOnly ? null : ink.strokes;
  const partial = {
    format: VERDICT_FORMAT,
    hidden: data.hidden,
    steps: [...data.steps],
    ...reduced,
    classes,
    strokes,
    distanceLimit: Infinity,
    distanceTypical: 0,
    shapeLimit: 0,
    piecesLimit: 0,
    temperature: 1,
    unsureMargin: 0,
    measured: { heldOut: data.held.n, eceBefore: 0, eceAfter: 0, accepted: 0, unsure: 0, fitMs: 0 },
  } satisfies Omit<VerdictStats, 'heldScores'>;
  // Limits from the held-out digits: the checks first, then the joined score so all together keep KEEP.all.
  const scratch = new Float64Array(dims);
  const raw = Array.from({ length: m }, (_, i) => ({
    state: score(classes, reduce(reduced, data.held.states, i * F, scratch), undefined, argmax(data.held.probs, i * CLASSES, CLASSES)).best,
    strokes: strokes ? ink.held.strokes[i] : 0,
  }));
  const stats: VerdictStats = {
    ...partial,
    heldScores: { state: Float32Array.from(raw, (r) => r.state).sort(), strokes: Float32Array.from(raw, (r) => r.strokes).sort() },
  };
  const { shape, pieces } = ink.held;
  stats.shapeLimit = quantile(shape, 1 - KEEP.check);
  stats.piecesLimit = quantile(pieces, 1 - KEEP.check);
  const scores = raw.map((r) => joined(stats, r));
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

/** The fit and held-out digits of the first VERDICT_DIGITS of a training split (images n × 784, labels). */
function verdictDigits(images: Float32Array, labels: ArrayLike<number>) {
  const { fit, held } = VERDICT_DIGITS;
  if (labels.length < fit + held) throw new Error(`the verdict needs ${fit + held} training digits, got ${labels.length}`);
  return {
    fit: { pixels: images.subarray(0, fit * PIXELS), labels, n: fit },
    held: { pixels: images.subarray(fit * PIXELS, (fit + held) * PIXELS), labels: Array.from(labels).slice(fit, fit + held), n: held },
  };
}

/** The ink's statistics (inkStats.ts) of the first VERDICT_DIGITS of a training split: the same for every model. */
export function fitInkOn(images: Float32Array, labels: ArrayLike<number>): InkStats {
  const { fit, held } = verdictDigits(images, labels);
  return fitInk(fit, held);
}

/** Fit a model's verdict from the first VERDICT_DIGITS of a training split (images n × 784, labels); `ink` from fitInkOn on the same split, if at hand. */
export function fitVerdictOn(
  runtime: KernelRuntime,
  weights: Weights,
  images: Float32Array,
  labels: ArrayLike<number>,
  opts: VerdictOptions = {},
  ink?: InkStats,
): VerdictStats {
  const digits = verdictDigits(images, labels);
  const steps = verdictSteps(readShape(weights.read).steps);
  const a = statesAt(runtime, weights, digits.fit.pixels, digits.fit.n, steps);
  const b = statesAt(runtime, weights, digits.held.pixels, digits.held.n, steps);
  return fitVerdict(
    { hidden: weights.hidden, steps, fit: { ...digits.fit, states: a.states }, held: { ...digits.held, states: b.states, probs: b.probs } },
    opts,
    ink,
  );
}

/**
 * Why a version's statistics read back from a file (its strokes' density aside: that is the ink's)
 * do not fit a model of `hidden` units reading `steps` steps, or null when they do.
 */
export function verdictStatsProblem(s: unknown, hidden: number, steps: number): string | null {
  if (!s || typeof s !== 'object') return 'not an object';
  const v = s as Partial<Omit<VerdictStats, 'strokes'>>;
  if (v.format !== VERDICT_FORMAT) return `of format ${v.format}, not ${VERDICT_FORMAT}`;
  if (v.hidden !== hidden) return `of ${v.hidden} units, not ${hidden}`;
  const want = verdictSteps(steps);
  if (!Array.isArray(v.steps) || v.steps.join() !== want.join()) return `read at steps ${v.steps}, not ${want} of ${steps}`;
  const F = want.length * hidden;
  const dims = v.dims;
  if (!Number.isInteger(dims) || dims! < 1 || dims! > F) return `reduced to ${dims} directions, not 1–${F}`;
  const m = v.measured?.heldOut;
  if (!Number.isInteger(m) || m! < 1) return `of ${m} held-out digits`;
  const bad =
    floatsProblem(v.mean, F, 'the mean') ??
    floatsProblem(v.basis, dims! * F, 'the directions') ??
    gaussiansProblem(v.classes, 1, dims!, 'the classes') ??
    floatsProblem(v.heldScores?.state, m!, "the held-out digits' state scores") ??
    floatsProblem(v.heldScores?.strokes, m!, "the held-out digits' stroke scores");
  if (bad) return bad;
  const limits = {
    distanceLimit: v.distanceLimit,
    distanceTypical: v.distanceTypical,
    shapeLimit: v.shapeLimit,
    piecesLimit: v.piecesLimit,
    unsureMargin: v.unsureMargin,
  };
  for (const [name, x] of Object.entries(limits)) if (typeof x !== 'number' || !Number.isFinite(x)) return `its ${name} is ${x}, not a finite number`;
  if (typeof v.temperature !== 'number' || !(v.temperature > 0) || !Number.isFinite(v.temperature))
    return `its temperature is ${v.temperature}, not a positive number`;
  return null;
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
  const best = joined(stats, rawScores(stats, x, at, probs, 0, pixels, 0));
  const distance = (best - stats.distanceTypical) / Math.max(1e-9, stats.distanceLimit - stats.distanceTypical);
  const common = { calibrated, distance, top: [order[0][1], order[1][1]] as [number, number] };
  if (strokeRatio(pixels) < stats.shapeLimit) return { kind: 'not-a-digit', reason: 'blob', ...common };
  if (largestPiece(pixels) < stats.piecesLimit) return { kind: 'not-a-digit', reason: 'pieces', ...common };
  if (best > stats.distanceLimit) return { kind: 'not-a-digit', reason: 'unlike', ...common };
  if (order[0][0] - order[1][0] < stats.unsureMargin) return { kind: 'unsure', ...common };
  return { kind: 'digit', ...common };
}
