/**
 * How the gradient through time fades from the last step back to the first: the numbers the
 * gradient view puts into words. Pure arithmetic, shared by the renderer and the tests.
 */

/** A gradient through time, summarised. */
export interface GradientFade {
  /** ‖∂L/∂h‖ at the last step and at the first. */
  last: number;
  first: number;
  /** Orders of magnitude it loses from the last step back to the first: log10(last / first); negative when it grows. */
  decades: number;
  /** Steps back from the last over which it stays above 1% of its last value (all of them when it never falls that far). */
  reach: number;
  steps: number;
  /** Whether it loses more than FADES orders of magnitude: below that, told as "does not fade". */
  fades: boolean;
}

/** Orders of magnitude lost from the last step to the first past which the gradient is said to fade. */
export const FADES = 0.5;

/** At most this many orders of magnitude are told apart (float32 reaches about 1e-45). */
export const MAX_DECADES = 40;

/** Summarise ‖∂L/∂h_t‖, t = 0 … steps−1. */
export function gradientFade(norms: ArrayLike<number>): GradientFade {
  const steps = norms.length;
  const last = norms[steps - 1] ?? 0;
  const first = norms[0] ?? 0;
  const floor = last * 10 ** -MAX_DECADES;
  const decades = last > 0 ? Math.log10(last / Math.max(first, floor)) : 0;
  let reach = steps;
  for (let t = steps - 1; t >= 0; t--) {
    if (norms[t] < last / 100) {
      reach = steps - 1 - t;
      break;
    }
  }
  return { last, first, decades, reach, steps, fades: decades > FADES };
}

/** log10 of each norm, floored MAX_DECADES below the largest (so a vanished 0 still has a place on the chart). */
export function logNorms(norms: ArrayLike<number>): Float64Array {
  let max = 0;
  for (let i = 0; i < norms.length; i++) max = Math.max(max, norms[i]);
  const floor = max > 0 ? Math.log10(max) - MAX_DECADES : -MAX_DECADES;
  return Float64Array.from(norms as ArrayLike<number>, (v) => (v > 0 ? Math.max(floor, Math.log10(v)) : floor));
}
