/**
 * Checks on the ink alone, before the model: is it stroke-like, is it (almost) one piece, and
 * which way its strokes run, cell by cell, for the verdict's density of digits' strokes.
 */
import { PIXELS, SIDE } from '../../../shared/types';

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

/** The stroke directions' grid: 4 × 4-pixel cells (7 × 7 of them), each with 4 direction bins (0°, 45°, 90°, 135°). */
export const CELL = 4;
export const DIRECTIONS = 4;
export const STROKE_FEATURES = (SIDE / CELL) ** 2 * DIRECTIONS;

/**
 * Which way the strokes run, cell by cell: the ink's edges (the Sobel gradient, zero outside the
 * image) binned by their unsigned direction, each edge's strength shared between the two
 * nearest of the DIRECTIONS bins in proportion to how near it lies, and summed over each
 * CELL × CELL cell. Cells in reading order, bins within a cell; STROKE_FEATURES values.
 * Where the coarse layout of ink cannot tell a Y or a + from an open 4, the directions of its
 * edges can: a 4's bar is level, a Y's arms are slanted.
 */
export function strokeDirections(pixels: ArrayLike<number>, at = 0): Float32Array {
  const g = SIDE / CELL,
    W = SIDE + 2;
  const out = new Float32Array(STROKE_FEATURES);
  // The image inside a border of zeros, so every pixel has its eight neighbours.
  const p = new Float32Array(W * W);
  for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) p[(r + 1) * W + c + 1] = pixels[at + r * SIDE + c];
  for (let r = 0; r < SIDE; r++)
    for (let c = 0; c < SIDE; c++) {
      const i = (r + 1) * W + c + 1;
      const nw = p[i - W - 1],
        n = p[i - W],
        ne = p[i - W + 1],
        w = p[i - 1],
        e = p[i + 1],
        sw = p[i + W - 1],
        s = p[i + W],
        se = p[i + W + 1];
      const gx = ne + 2 * e + se - nw - 2 * w - sw;
      const gy = sw + 2 * s + se - nw - 2 * n - ne;
      if (gx === 0 && gy === 0) continue;
      const m = Math.sqrt(gx * gx + gy * gy);
      let angle = Math.atan2(gy, gx);
      if (angle < 0) angle += Math.PI;
      const f = (angle / Math.PI) * DIRECTIONS;
      const lo = Math.floor(f),
        share = f - lo;
      const cell = (Math.floor(r / CELL) * g + Math.floor(c / CELL)) * DIRECTIONS;
      out[cell + (lo % DIRECTIONS)] += m * (1 - share);
      out[cell + ((lo + 1) % DIRECTIONS)] += m * share;
    }
  return out;
}
