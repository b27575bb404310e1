/** Colour maps for heatmaps: pure functions from a value to an RGB triple. */

export type RGB = [number, number, number];

const NEG: RGB = [59, 130, 246]; // blue for negative activations
const POS: RGB = [245, 158, 11]; // amber for positive

const mix = (a: RGB, b: RGB, t: number): RGB => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/** Diverging map for values in [-1, 1]: blue ← mid → amber; `mid` is the theme's neutral. */
export function diverging(v: number, mid: RGB): RGB {
  const t = Math.max(-1, Math.min(1, v));
  // sqrt lifts small values so weak activations are still visible.
  return t < 0 ? mix(mid, NEG, Math.sqrt(-t)) : mix(mid, POS, Math.sqrt(t));
}

/**
 * Sequential map for values in [0, 1]: from `low` (the theme's background) to
 * `high` (the theme's heat colour), with a gamma that keeps small values visible.
 */
export function sequential(v: number, low: RGB, high: RGB = [15, 118, 110]): RGB {
  const t = Math.max(0, Math.min(1, v));
  return mix(low, high, Math.pow(t, 0.7));
}

/** CSS rgb() for a triple. */
export const css = (c: RGB) => `rgb(${c[0] | 0}, ${c[1] | 0}, ${c[2] | 0})`;

/** Parse '#rrggbb' or 'rgb(r, g, b)' into a triple; falls back to mid grey. */
export function parseColor(s: string): RGB {
  const t = s.trim();
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(t);
  if (hex) return [parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16)];
  const rgb = /^rgba?\((\d+)[ ,]+(\d+)[ ,]+(\d+)/.exec(t);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  return [128, 128, 128];
}
