/**
 * The units that matter for the predicted digit: each unit j adds hₜ[j] · w[j] to that digit's
 * logit (w: the dense head's weights into it), so its contribution over the steps is a line,
 * and the few with the largest contribution at the last step are the readable view of the state.
 */
import type { TraceResult } from '$shared/types';

export interface UnitLine {
  unit: number;
  /** The head's weight from this unit into the predicted digit. */
  weight: number;
  /** Its contribution hₜ[j] · weight at each step. */
  series: Float64Array;
}

/** The `n` units with the largest contribution (by size) at the last step, largest first. */
export function topUnits(trace: Pick<TraceResult, 'h' | 'hidden' | 'steps' | 'readout'>, n = 6): UnitLine[] {
  const { h, hidden: H, steps, readout } = trace;
  const last = steps - 1;
  const order = Array.from({ length: H }, (_, j) => j).sort((a, b) => Math.abs(h[last * H + b] * readout[b]) - Math.abs(h[last * H + a] * readout[a]));
  return order.slice(0, Math.min(n, H)).map((unit) => ({
    unit,
    weight: readout[unit],
    series: Float64Array.from({ length: steps }, (_, t) => h[t * H + unit] * readout[unit]),
  }));
}

/** The share of the predicted digit's logit (less the bias) that these units make at the last step. */
export function shareOfLogit(trace: Pick<TraceResult, 'h' | 'hidden' | 'steps' | 'readout'>, units: UnitLine[]): number {
  const { h, hidden: H, steps, readout } = trace;
  let all = 0;
  for (let j = 0; j < H; j++) all += Math.abs(h[(steps - 1) * H + j] * readout[j]);
  const mine = units.reduce((s, u) => s + Math.abs(u.series[steps - 1]), 0);
  return all > 0 ? mine / all : 0;
}
