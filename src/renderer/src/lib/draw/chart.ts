/** Line-chart geometry for SVG: pure functions from series to path strings. */

export interface Series {
  /** x values (e.g. fractional epochs) and y values of equal length. */
  xs: number[];
  ys: number[];
}

export interface Frame {
  width: number;
  height: number;
  xMax: number;
  yMin: number;
  yMax: number;
  pad: number;
}

/** Map data to SVG coordinates inside a padded frame. */
export function project(f: Frame, x: number, y: number): [number, number] {
  const w = f.width - 2 * f.pad,
    h = f.height - 2 * f.pad;
  const px = f.pad + (f.xMax > 0 ? x / f.xMax : 0) * w;
  const py = f.pad + (1 - (y - f.yMin) / (f.yMax - f.yMin || 1)) * h;
  return [px, py];
}

/** An SVG path 'M…L…' through the series. */
export function linePath(s: Series, f: Frame): string {
  let d = '';
  for (let i = 0; i < s.xs.length; i++) {
    const [x, y] = project(f, s.xs[i], s.ys[i]);
    d += `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
  }
  return d;
}

/** Exponential moving average, so noisy per-batch values read as a trend. */
export function smooth(ys: number[], alpha = 0.15): number[] {
  const out: number[] = [];
  let m = NaN;
  for (const y of ys) {
    m = Number.isNaN(m) ? y : alpha * y + (1 - alpha) * m;
    out.push(m);
  }
  return out;
}

/** Keep at most `n` evenly spaced points so long runs stay cheap to draw. */
export function thin(s: Series, n: number): Series {
  if (s.xs.length <= n) return s;
  const step = s.xs.length / n;
  const xs: number[] = [],
    ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i * step);
    xs.push(s.xs[k]);
    ys.push(s.ys[k]);
  }
  xs.push(s.xs[s.xs.length - 1]);
  ys.push(s.ys[s.ys.length - 1]);
  return { xs, ys };
}
