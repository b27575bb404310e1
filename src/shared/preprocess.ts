/**
 * Turn a grayscale drawing of any size into an MNIST-style 28×28 image, the way
 * the MNIST digits were made: crop to the ink, scale the longer side to 20 px
 * with anti-aliasing, and shift so the centre of mass lands on pixel (14, 14).
 * Pure: no DOM, shared by the renderer and the engine.
 */
import { PIXELS, SIDE } from './types';

/** A grayscale raster; values are ink intensity in [0, 1] (0 = background). */
export interface Raster {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** Result of preprocessing: either nothing drawn, or the 28×28 input. */
export type Preprocessed =
  | { empty: true }
  | {
      empty: false;
      /** 784 values in [0, 1], row-major. */
      pixels: Float32Array;
      /** Ink bounding box in the source raster. */
      box: { x: number; y: number; width: number; height: number };
      /** Centre of mass of the result, in pixel-index units (MNIST puts it at 14, 14). */
      centre: { x: number; y: number };
    };

/** Longest side of the digit inside the 28×28 field, as in MNIST. */
export const DIGIT_BOX = 20;

/** Ink below this intensity does not count towards the bounding box. */
export const INK_THRESHOLD = 0.05;

/**
 * Resample one line of `srcLen` samples to `dstLen`: area-average (box filter)
 * when shrinking, linear interpolation when enlarging.
 */
function resampleLine(
  src: Float32Array,
  srcOff: number,
  stride: number,
  srcLen: number,
  dst: Float32Array,
  dstOff: number,
  dstStride: number,
  dstLen: number,
): void {
  const scale = srcLen / dstLen;
  if (scale >= 1) {
    for (let d = 0; d < dstLen; d++) {
      const a = d * scale,
        b = a + scale;
      let sum = 0;
      for (let s = Math.floor(a); s < Math.ceil(b) && s < srcLen; s++) {
        const cover = Math.min(b, s + 1) - Math.max(a, s);
        if (cover > 0) sum += cover * src[srcOff + s * stride];
      }
      dst[dstOff + d * dstStride] = sum / scale;
    }
  } else {
    for (let d = 0; d < dstLen; d++) {
      const pos = Math.min(Math.max((d + 0.5) * scale - 0.5, 0), srcLen - 1);
      const s0 = Math.floor(pos),
        s1 = Math.min(s0 + 1, srcLen - 1),
        f = pos - s0;
      dst[dstOff + d * dstStride] = (1 - f) * src[srcOff + s0 * stride] + f * src[srcOff + s1 * stride];
    }
  }
}

/** Resize a w×h image to nw×nh, separably. */
export function resize(src: Float32Array, w: number, h: number, nw: number, nh: number): Float32Array {
  const tmp = new Float32Array(nw * h);
  for (let y = 0; y < h; y++) resampleLine(src, y * w, 1, w, tmp, y * nw, 1, nw);
  const out = new Float32Array(nw * nh);
  for (let x = 0; x < nw; x++) resampleLine(tmp, x, nw, h, out, x, nw, nh);
  return out;
}

/** Centre of mass of an image in pixel-index units (the first pixel is at 0, 0). */
export function centreOfMass(img: ArrayLike<number>, w: number, h: number): { x: number; y: number; mass: number } {
  let mass = 0,
    sx = 0,
    sy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = img[y * w + x];
      mass += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return mass > 0 ? { x: sx / mass, y: sy / mass, mass } : { x: (w - 1) / 2, y: (h - 1) / 2, mass: 0 };
}

/** Preprocess a drawing into the network's 28×28 input. */
export function preprocess(r: Raster): Preprocessed {
  const { width: w, height: h, data } = r;
  if (!(w > 0 && h > 0) || data.length !== w * h) {
    throw new Error(`raster must hold width×height values: got ${data.length} values for ${w}×${h}`);
  }
  let x0 = w,
    y0 = h,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[y * w + x] > INK_THRESHOLD) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return { empty: true };
  const cw = x1 - x0 + 1,
    ch = y1 - y0 + 1;
  const crop = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) crop[y * cw + x] = Math.min(1, Math.max(0, data[(y0 + y) * w + x0 + x]));
  }
  const scale = DIGIT_BOX / Math.max(cw, ch);
  const nw = Math.max(1, Math.round(cw * scale)),
    nh = Math.max(1, Math.round(ch * scale));
  const small = resize(crop, cw, ch, nw, nh);
  const com = centreOfMass(small, nw, nh);
  const ox = Math.round(SIDE / 2 - com.x),
    oy = Math.round(SIDE / 2 - com.y);
  const pixels = new Float32Array(PIXELS);
  for (let y = 0; y < nh; y++) {
    const ty = y + oy;
    if (ty < 0 || ty >= SIDE) continue;
    for (let x = 0; x < nw; x++) {
      const tx = x + ox;
      if (tx >= 0 && tx < SIDE) pixels[ty * SIDE + tx] = Math.min(1, small[y * nw + x]);
    }
  }
  const centre = centreOfMass(pixels, SIDE, SIDE);
  return { empty: false, pixels, box: { x: x0, y: y0, width: cw, height: ch }, centre: { x: centre.x, y: centre.y } };
}
