/**
 * Checks on the ink alone, before the model: is it stroke-like, is it (almost) one piece, and
 * the ink pooled to a coarse grid for the verdict's density of where digits' ink lies.
 */
import { resize } from '../../../shared/preprocess';
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

/** The ink averaged over 2 × 2 blocks (the preprocessing's own box-filter resize): a 14 × 14 grid (196 values), coarse enough for a density fitted on a few thousand digits. */
export const POOLED = (SIDE / 2) ** 2;
export function pooledInk(pixels: ArrayLike<number>, at = 0): Float32Array {
  const image = pixels instanceof Float32Array ? pixels.subarray(at, at + PIXELS) : Float32Array.from({ length: PIXELS }, (_, i) => pixels[at + i]);
  return resize(image, SIDE, SIDE, SIDE / 2, SIDE / 2);
}
