/**
 * Perceptually uniform, colour-blind-safe colour maps for the unit heatmap,
 * sampled once into 256-entry lookup tables, and reordering a matrix's columns.
 */
import { interpolateCividis, interpolateRdBu } from 'd3-scale-chromatic';
import { parseColor, type RGB } from './colors';

/** 256 RGB triples, flat. */
export type Lut = Uint8Array;

function sample(f: (t: number) => string): Lut {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(parseColor(f(i / 255)), i * 3);
  return lut;
}

/** Diverging for values in [-1, 1]: blue below zero, red above (ColorBrewer RdBu, reversed). */
export const DIVERGING_LUT: Lut = sample((t) => interpolateRdBu(1 - t));
/**
 * Diverging for a dark background: light blue through mid blue down to `mid` (the background
 * itself) at zero, then up through red-orange to light orange, so values near zero sink into
 * the page and large ones stand out, as the light theme's map does on white. Lightness rises
 * steadily away from zero on both sides; blue against orange stays apart with red–green colour blindness.
 */
export function darkDivergingLut(mid: RGB): Lut {
  const stops: [number, RGB][] = [
    [0, [166, 212, 255]],
    [0.25, [47, 127, 209]],
    [0.5, mid],
    [0.75, [200, 85, 61]],
    [1, [255, 192, 159]],
  ];
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    const k = Math.min(stops.length - 2, Math.floor(t * (stops.length - 1)));
    const [t0, a] = stops[k];
    const [t1, b] = stops[k + 1];
    const u = (t - t0) / (t1 - t0);
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(a[c] + (b[c] - a[c]) * u);
  }
  return lut;
}

const darkLuts = new Map<string, Lut>();
/** The diverging table for a theme: the light map on a light background, else the dark one around that background. */
export function divergingLut(dark: boolean, background: RGB): Lut {
  if (!dark) return DIVERGING_LUT;
  const key = background.join(',');
  let lut = darkLuts.get(key);
  if (!lut) darkLuts.set(key, (lut = darkDivergingLut(background)));
  return lut;
}

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
