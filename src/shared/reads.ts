/**
 * How a network reads a 28×28 digit: the order the 784 pixels go in and how many it takes per
 * step. Every read takes all 784 pixels, so a read is a permutation of the pixels cut into
 * `steps` equal pieces of `inputs` pixels:
 *   rows            28 steps × 28 px, top to bottom (the tutorial's)
 *   cols            28 steps × 28 px, left to right, each column top to bottom
 *   rows-reversed   28 steps × 28 px, bottom to top
 *   pixels:K        784/K steps × K px, in reading order (row by row, left to right):
 *                   pixels:1 is sequential MNIST, one pixel per step
 * Pure arithmetic, shared by the engine (which feeds the network in this order) and the
 * renderer (which shows which pixels a step read).
 */
import { PIXELS, READS, SIDE, type Read } from './types';

export { READS, type Read };

/** The tutorial's read: one image row per step. */
export const DEFAULT_READ: Read = 'rows';

/** Most steps any read takes (pixels:1). */
export const MAX_STEPS = PIXELS;

/** True when `v` names a reading order. */
export function isRead(v: unknown): v is Read {
  return typeof v === 'string' && (READS as readonly string[]).includes(v);
}

/** What a read that is not one says: the name it was given and the names there are. */
export function unknownReadMessage(v: unknown): string {
  const shown = typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v) : String(v);
  return `${shown} is not a reading order: expected one of ${READS.join(', ')}`;
}

/** A reading order from its name; throws naming what was given and what there is. */
export function parseRead(v: unknown): Read {
  if (!isRead(v)) throw new Error(unknownReadMessage(v));
  return v;
}

/** Steps a read takes and pixels per step. */
export interface ReadShape {
  steps: number;
  inputs: number;
}

/** The steps and pixels per step of a read. */
export function readShape(read: Read): ReadShape {
  if (read.startsWith('pixels:')) {
    const inputs = Number(read.slice('pixels:'.length));
    return { steps: PIXELS / inputs, inputs };
  }
  return { steps: SIDE, inputs: SIDE };
}

/** The read a network of this many steps and inputs takes, among those given (default all). */
export function readOfShape(steps: number, inputs: number, among: readonly Read[] = READS): Read | null {
  return among.find((r) => readShape(r).steps === steps && readShape(r).inputs === inputs) ?? null;
}

function buildOrder(read: Read): Int32Array {
  const order = new Int32Array(PIXELS);
  for (let p = 0; p < PIXELS; p++) {
    const r = Math.floor(p / SIDE),
      c = p % SIDE;
    order[p] = read === 'cols' ? c * SIDE + r : read === 'rows-reversed' ? (SIDE - 1 - r) * SIDE + c : p;
  }
  return order;
}

/** Each read's order, built once (8 × 784 numbers). */
const ORDERS: ReadonlyMap<Read, Int32Array> = new Map(READS.map((r) => [r, buildOrder(r)]));

/** The pixel read at each position of the sequence: position p (step ⌊p/inputs⌋) takes image pixel order[p]. Do not change it. */
export function readOrder(read: Read): Int32Array {
  return ORDERS.get(read)!;
}

/** True when the read takes the pixels in the image's own order (only the cut into steps differs). */
export function inImageOrder(read: Read): boolean {
  return read === 'rows' || read.startsWith('pixels:');
}

/**
 * `count` images (count × 784, image order, from src[at·784]) in the read's order into dst
 * (from dst[to·784]). For a read in image order this is a copy (or nothing, when src is dst).
 */
export function toSequence(read: Read, src: ArrayLike<number>, dst: Float32Array, count = 1, at = 0, to = 0): Float32Array {
  const out = dst.subarray(to * PIXELS, (to + count) * PIXELS);
  if (inImageOrder(read)) {
    if (src !== dst || at !== to) for (let i = 0; i < out.length; i++) out[i] = src[at * PIXELS + i];
    return out;
  }
  if (src === dst) throw new Error('toSequence cannot reorder in place');
  const order = readOrder(read);
  for (let n = 0; n < count; n++) {
    const s = (at + n) * PIXELS,
      d = n * PIXELS;
    for (let p = 0; p < PIXELS; p++) out[d + p] = src[s + order[p]];
  }
  return out;
}

/** The image pixels step t of a read takes, in the order it takes them. */
export function stepPixels(read: Read, t: number): Int32Array {
  const { inputs } = readShape(read);
  return readOrder(read).subarray(t * inputs, (t + 1) * inputs);
}

/** The values step t of a read takes from a 28×28 image. */
export function stepInput(read: Read, pixels: ArrayLike<number>, t: number): Float32Array {
  return Float32Array.from(stepPixels(read, t), (p) => pixels[p]);
}

/** The bounding box, in image rows and columns, of the pixels step t of a read takes. */
export function stepBox(read: Read, t: number): { row: number; col: number; rows: number; cols: number } {
  let r0 = SIDE,
    r1 = -1,
    c0 = SIDE,
    c1 = -1;
  for (const p of stepPixels(read, t)) {
    const r = Math.floor(p / SIDE),
      c = p % SIDE;
    r0 = Math.min(r0, r);
    r1 = Math.max(r1, r);
    c0 = Math.min(c0, c);
    c1 = Math.max(c1, c);
  }
  return { row: r0, col: c0, rows: r1 - r0 + 1, cols: c1 - c0 + 1 };
}

/** The step of a read that takes each image pixel: stepOf[pixel] = step (length 784). */
export function stepOfPixel(read: Read): Int32Array {
  const { inputs } = readShape(read);
  const order = readOrder(read);
  const out = new Int32Array(PIXELS);
  for (let p = 0; p < PIXELS; p++) out[order[p]] = Math.floor(p / inputs);
  return out;
}
