/**
 * The gradient through time as a chart: ‖∂L/∂hₜ‖ over the steps on a log scale, the axis in whole
 * orders of magnitude. Pure geometry: the components draw it as SVG.
 */
import { logNorms } from '$shared/gradient';
import { linePath, type Frame } from './chart';

/** Most orders of magnitude shown below the largest value: further down the line runs along the floor. */
export const SHOWN_DECADES = 16;

/** The decades an axis spans for these series of norms: from the largest value's down to the smallest shown (at most SHOWN_DECADES). */
export function decadeRange(...series: ArrayLike<number>[]): { lo: number; hi: number } {
  let hi = -Infinity,
    lo = Infinity;
  for (const s of series) {
    const logs = logNorms(s);
    for (const v of logs) {
      hi = Math.max(hi, v);
      lo = Math.min(lo, v);
    }
  }
  if (!Number.isFinite(hi)) return { lo: -1, hi: 0 };
  const top = Math.ceil(hi) || 0; // not −0
  const bottom = Math.floor(lo + 1e-6); // a float32 1e-4 is a hair under it
  return { lo: Math.max(bottom, top - SHOWN_DECADES), hi: top === bottom ? top + 1 : top };
}

/** The SVG path of one series of norms in a frame whose y runs over [lo, hi] decades and x over the steps. */
export function gradientPath(norms: ArrayLike<number>, f: Omit<Frame, 'xMax' | 'yMin' | 'yMax'>, range: { lo: number; hi: number }): string {
  const logs = logNorms(norms);
  const xs = Array.from({ length: logs.length }, (_, t) => t);
  const ys = Array.from(logs, (v) => Math.max(range.lo, v));
  return linePath({ xs, ys }, { ...f, xMax: Math.max(1, logs.length - 1), yMin: range.lo, yMax: range.hi });
}

/** The decades to label on the axis: every one when few, else every second or fourth. */
export function decadeTicks(range: { lo: number; hi: number }): number[] {
  const span = range.hi - range.lo;
  const every = span <= 6 ? 1 : span <= 12 ? 2 : 4;
  const out: number[] = [];
  for (let d = range.hi; d >= range.lo; d -= every) out.push(d);
  return out;
}

/** A small or large number as "3.2 × 10⁻¹²" (plain for 0.01 to 1000). */
export function sci(v: number): string {
  if (!(v > 0)) return '0';
  if (v >= 0.01 && v < 1000) return v.toPrecision(2);
  const e = Math.floor(Math.log10(v));
  return `${(v / 10 ** e).toFixed(1)} × 10${superscript(e)}`;
}

/** A whole number in superscript digits: −12 → ⁻¹². */
export function superscript(n: number): string {
  return String(n)
    .replace(/-/g, '⁻')
    .replace(/\d/g, (c) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(c)]);
}
