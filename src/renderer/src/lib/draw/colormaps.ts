/**
 * Perceptually uniform, colour-blind-safe colour maps for the unit heatmap,
 * sampled once into 256-entry lookup tables, and reordering a matrix's columns.
 */
import { interpolateCividis, interpolateRdBu } from 'd3-scale-chromatic';
import { parseColor } from './colors';

/** 256 RGB triples, flat. */
export type Lut = Uint8Array;

function sample(f: (t: number) => string): Lut {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(parseColor(f(i / 255)), i * 3);
  return lut;
}

/** Diverging for values in [-1, 1]: blue below zero, red above (ColorBrewer RdBu, reversed). */
export const DIVERGING_LUT: Lut = sample((t) => interpolateRdBu(1 - t));
/** Sequential for values in [0, 1]: cividis, uniform in lightness and readable with colour-vision deficiencies. */
export const SEQUENTIAL_LUT: Lut = sample(interpolateCividis);

/** CSS gradient stops of a lookup table, for legends. */
export function gradientCss(lut: Lut, stops = 9): string {
  const parts: string[] = [];
  for (let s = 0; s < stops; s++) {
    const i = Math.round((s / (stops - 1)) * 255) * 3;
    parts.push(`rgb(${lut[i]}, ${lut[i + 1]}, ${lut[i + 2]}) ${((s / (stops - 1)) * 100).toFixed(1)}%`);
  }
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

/** Copy of a rows × cols matrix with its columns in `order` (order[c] = source column shown at c). */
export function reorderColumns(data: ArrayLike<number>, rows: number, cols: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = data[r * cols + order[c]];
  return out;
}
