/**
 * Draw a steps × columns matrix (hidden state, gates, beliefs) onto a canvas,
 * filled up to the current step, and map pointer positions back to cells.
 */
import { diverging, sequential, type RGB } from './colors';

export interface MatrixStyle {
  /** 'diverging' for values in [-1, 1], 'sequential' for [0, 1]. */
  scale: 'diverging' | 'sequential';
  /** Theme background / neutral colour. */
  neutral: RGB;
  /** Colour for rows not yet reached. */
  empty: RGB;
  /** High end of the sequential scale. */
  heat: RGB;
  /** Divide values by this before colouring (e.g. the largest |c| for the cell state). */
  range?: number;
  /** A 256-entry colour table to use instead of the theme's scale: [-1, 1] (diverging) or [0, 1] (sequential) across it. */
  lut?: Uint8Array;
}

/** Most rows a matrix is painted with: a longer read's steps are averaged in groups (a time axis that summarises). */
export const MAX_PAINTED_ROWS = 200;

/** Steps averaged into each painted row of a matrix of `rows` steps. */
export function rowsPerPaintedRow(rows: number): number {
  return Math.ceil(rows / MAX_PAINTED_ROWS);
}

/**
 * Paint `data` (rows × cols, row-major) into `ctx` at one device pixel per cell (or per group of
 * steps, averaged, when there are more than MAX_PAINTED_ROWS), rows after `upTo` shown empty.
 * The canvas is stretched by CSS to its display size.
 */
export function paintMatrix(ctx: CanvasRenderingContext2D, data: ArrayLike<number>, rows: number, cols: number, upTo: number, style: MatrixStyle): void {
  const group = rowsPerPaintedRow(rows);
  const painted = Math.ceil(rows / group);
  const img = ctx.createImageData(cols, painted);
  const range = style.range && style.range > 0 ? style.range : 1;
  for (let r = 0; r < painted; r++) {
    const from = r * group,
      to = Math.min(rows, from + group, upTo + 1);
    for (let c = 0; c < cols; c++) {
      const i = (r * cols + c) * 4;
      let rgb: RGB;
      if (from > upTo) rgb = style.empty;
      else {
        let sum = 0;
        for (let s = from; s < to; s++) sum += data[s * cols + c];
        const v = sum / (to - from) / range;
        if (style.lut) {
          const t = style.scale === 'diverging' ? (v + 1) / 2 : v;
          const k = Math.round(Math.max(0, Math.min(1, t)) * 255) * 3;
          rgb = [style.lut[k], style.lut[k + 1], style.lut[k + 2]];
        } else rgb = style.scale === 'diverging' ? diverging(v, style.neutral) : sequential(v, style.neutral, style.heat);
      }
      img.data[i] = rgb[0];
      img.data[i + 1] = rgb[1];
      img.data[i + 2] = rgb[2];
      img.data[i + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

/** The step of a read of `to` steps at the same point of the pass as step `step` of `from` (for side-by-side reads of other lengths). */
export function scaleStep(step: number, from: number, to: number): number {
  if (from === to) return step;
  return Math.max(0, Math.min(to - 1, Math.round(((step + 1) * to) / from) - 1));
}

/** The cell under a point given in CSS pixels of an element of size width × height. */
export function cellAt(x: number, y: number, width: number, height: number, rows: number, cols: number): { row: number; col: number } | null {
  if (x < 0 || y < 0 || x >= width || y >= height) return null;
  return { row: Math.min(rows - 1, Math.floor((y / height) * rows)), col: Math.min(cols - 1, Math.floor((x / width) * cols)) };
}

/** Largest absolute value, for scaling unbounded matrices such as the LSTM cell state. */
export function maxAbs(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i]));
  return m;
}

/** h_t − h_{t−1} for one step (h_{−1} = 0). */
export function deltaH(h: ArrayLike<number>, hidden: number, step: number): Float32Array {
  const out = new Float32Array(hidden);
  for (let j = 0; j < hidden; j++) out[j] = h[step * hidden + j] - (step > 0 ? h[(step - 1) * hidden + j] : 0);
  return out;
}

/** Euclidean size of each step's update, for the "how much did this row change" column. */
export function updateNorms(h: ArrayLike<number>, hidden: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  for (let t = 0; t < steps; t++) {
    let s = 0;
    for (let j = 0; j < hidden; j++) {
      const d = h[t * hidden + j] - (t > 0 ? h[(t - 1) * hidden + j] : 0);
      s += d * d;
    }
    out[t] = Math.sqrt(s);
  }
  return out;
}

/**
 * The step from which the network's running guess equals its final answer and
 * stays there with at least `confidence` probability; null if it never settles.
 */
export function decisionStep(stepProbs: ArrayLike<number>, steps: number, classes: number, confidence = 0.5): number | null {
  const argmax = (t: number) => {
    let best = 0;
    for (let k = 1; k < classes; k++) if (stepProbs[t * classes + k] > stepProbs[t * classes + best]) best = k;
    return best;
  };
  const final = argmax(steps - 1);
  let from: number | null = null;
  for (let t = steps - 1; t >= 0; t--) {
    if (argmax(t) === final && stepProbs[t * classes + final] >= confidence) from = t;
    else break;
  }
  return from;
}
