/**
 * What the verdict reads from the ink alone, the same for every model: the strokes' density
 * (Gaussians per class of strokeDirections, fitted on the fit digits) and, for each held-out
 * digit, its score under that density and its two checks before the model. Fitted once per set
 * of training digits and shared by every version's verdict (the visualisation worker keeps it),
 * so a version's own fit is the network's states alone.
 */
import { PIXELS } from '../../../shared/types';
import { fitClassGaussians, floatsProblem, gaussiansProblem, score, type ClassGaussian } from './gaussians';
import { largestPiece, STROKE_FEATURES, strokeDirections, strokeRatio } from './inkChecks';

/** The strokes' density: Gaussians per class (k-means groups of the class's digits) and their ridge. */
export const STROKE_DENSITY = { perClass: 2, ridge: 0.1 } as const;

export interface InkStats {
  /** The strokes' Gaussians, STROKE_DENSITY.perClass per class, on all STROKE_FEATURES values. */
  strokes: ClassGaussian[];
  /** Each held-out digit's score under the strokes' density, its stroke ratio and its share of ink in one piece (single precision, as the cache keeps them). */
  held: { strokes: Float32Array; shape: Float32Array; pieces: Float32Array };
  /** Digits fitted on and held out. */
  n: number;
  m: number;
  fitMs: number;
}

/** Fit the ink's statistics on the fit digits (pixels n × 784, labels) and score the held-out ones (their labels only start each score at its class). */
export function fitInk(
  fit: { pixels: Float32Array; labels: ArrayLike<number>; n: number },
  held: { pixels: Float32Array; labels: ArrayLike<number>; n: number },
): InkStats {
  const t0 = performance.now();
  const rows = new Float32Array(fit.n * STROKE_FEATURES);
  for (let s = 0; s < fit.n; s++) rows.set(strokeDirections(fit.pixels, s * PIXELS), s * STROKE_FEATURES);
  const strokes = fitClassGaussians(rows, fit.labels, fit.n, STROKE_FEATURES, STROKE_DENSITY.ridge, STROKE_DENSITY.perClass);
  const m = held.n;
  const scratch = new Float64Array(STROKE_FEATURES);
  const pix = (i: number) => held.pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
  return {
    strokes,
    held: {
      strokes: Float32Array.from({ length: m }, (_, i) => score(strokes, strokeDirections(held.pixels, i * PIXELS), scratch, held.labels[i]).best),
      shape: Float32Array.from({ length: m }, (_, i) => strokeRatio(pix(i))),
      pieces: Float32Array.from({ length: m }, (_, i) => largestPiece(pix(i))),
    },
    n: fit.n,
    m,
    fitMs: performance.now() - t0,
  };
}

/** Why a value read back from a file is not the ink's statistics of `n` + `m` digits, or null when it is. */
export function inkStatsProblem(s: unknown, n: number, m: number): string | null {
  if (!s || typeof s !== 'object') return 'not an object';
  const v = s as Partial<InkStats>;
  if (v.n !== n || v.m !== m) return `of ${v.n} + ${v.m} digits, not ${n} + ${m}`;
  return (
    gaussiansProblem(v.strokes, STROKE_DENSITY.perClass, STROKE_FEATURES, 'the strokes') ??
    floatsProblem(v.held?.strokes, m, "the held-out digits' stroke scores") ??
    floatsProblem(v.held?.shape, m, "the held-out digits' stroke ratios") ??
    floatsProblem(v.held?.pieces, m, "the held-out digits' pieces")
  );
}
