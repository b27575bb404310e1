import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  defaultMnistDir,
  IdxError,
  idxCount,
  imageAt,
  loadByteSplit,
  loadDataset,
  loadSplit,
  loadTrainingData,
  parseIdx,
  pixelsInto,
  pixelsOf,
} from '../../../src/node/engine/data/dataset';
import { tempDir } from '../../helpers';

const mnist = defaultMnistDir();
const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

/** Write an IDX file of unsigned bytes. */
function idx(dims: number[], body: Uint8Array, magicType = 0x08): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = magicType;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, body]);
}

/** A copy of the first n MNIST samples of each split, gzipped, in a new folder. */
function gzSlice(dir: string, n: number): void {
  mkdirSync(dir, { recursive: true });
  for (const prefix of ['train', 't10k']) {
    const img = readFileSync(join(mnist, `${prefix}-images-idx3-ubyte`));
    const lab = readFileSync(join(mnist, `${prefix}-labels-idx1-ubyte`));
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte.gz`), gzipSync(idx([n, 28, 28], img.subarray(16, 16 + n * 784))));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte.gz`), gzipSync(idx([n], lab.subarray(8, 8 + n))));
  }
}

describe('MNIST IDX reader', () => {
  it('reads the real 60,000 / 10,000 split as typed arrays', () => {
    const ds = loadDataset();
    expect(ds.train.n).toBe(60000);
    expect(ds.test.n).toBe(10000);
    expect(ds.train.images).toBeInstanceOf(Float32Array);
    expect(ds.train.labels).toBeInstanceOf(Uint8Array);
    expect(ds.train.images.length).toBe(60000 * 784);
    // The first training digit of MNIST is a 5, the first test digit a 7.
    expect(ds.train.labels[0]).toBe(5);
    expect(ds.test.labels[0]).toBe(7);
    let min = Infinity,
      max = -Infinity;
    for (const v of ds.test.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    const counts = new Array(10).fill(0);
    for (const l of ds.test.labels) counts[l]++;
    expect(Math.min(...counts)).toBeGreaterThan(850);
  });

  it('honours a limit', () => {
    const s = loadSplit(mnist, 't10k', 123);
    expect(s.n).toBe(123);
    expect(s.images.length).toBe(123 * 784);
  });

  it('keeps a split as bytes and gives the same pixels, byte / 255, as the float split', () => {
    const floats = loadSplit(mnist, 't10k', 40);
    const bytes = loadByteSplit(mnist, 't10k', 40);
    expect(bytes.n).toBe(40);
    expect(bytes.bytes.length).toBe(40 * 784);
    expect(bytes.labels).toEqual(floats.labels);
    // The raw file's bytes, each divided by 255.
    const raw = readFileSync(join(mnist, 't10k-images-idx3-ubyte')).subarray(16, 16 + 40 * 784);
    expect(Array.from(bytes.bytes)).toEqual(Array.from(raw));
    const want = Float32Array.from(raw, (v) => v / 255);
    expect(floats.images).toEqual(want);
    // Images 5..7 of each kind of split, as a copy or into a larger buffer at slot 2.
    expect(pixelsOf(bytes, 5, 3)).toEqual(want.subarray(5 * 784, 8 * 784));
    expect(pixelsOf(floats, 5, 3)).toEqual(want.subarray(5 * 784, 8 * 784));
    for (const split of [bytes, floats]) {
      const dst = new Float32Array(6 * 784).fill(-1);
      const out = pixelsInto(split, 5, 3, dst, 2);
      expect(out).toEqual(want.subarray(5 * 784, 8 * 784));
      expect(dst.subarray(2 * 784, 5 * 784)).toEqual(want.subarray(5 * 784, 8 * 784));
      expect(dst.subarray(0, 2 * 784).every((v) => v === -1) && dst.subarray(5 * 784).every((v) => v === -1)).toBe(true);
      // Written in place: the pixels returned are those of dst.
      expect(out.buffer).toBe(dst.buffer);
    }
    expect(imageAt(floats, 7)).toEqual(want.subarray(7 * 784, 8 * 784));
    const training = loadTrainingData(mnist, { trainLimit: 3, testLimit: 2 });
    expect([training.name, training.train.n, training.test.n]).toEqual(['mnist', 3, 2]);
    expect(Array.from(training.test.bytes)).toEqual(Array.from(raw.subarray(0, 2 * 784)));
  });

  it('counts a split from its labels file’s header, raw or gzipped', () => {
    expect(idxCount(mnist, 't10k')).toBe(10000);
    expect(idxCount(mnist, 'train')).toBe(60000);
    const dir = join(tempDir(), 'gz');
    gzSlice(dir, 30);
    expect(idxCount(dir, 't10k')).toBe(30);
    expect(loadTrainingData(dir, { name: 'mine' }).name).toBe('mine');
    expect(defaultMnistDir('/some/dir')).toBe('/some/dir');
  });

  it('reads a user folder of .gz files with the same layout', () => {
    const dir = join(tempDir(), 'gz');
    gzSlice(dir, 50);
    const ds = loadDataset(dir);
    expect(ds.name).toBe('gz');
    expect(ds.train.n).toBe(50);
    const ref = loadSplit(mnist, 'train', 50);
    expect(ds.train.images).toEqual(ref.images);
    expect(ds.train.labels).toEqual(ref.labels);
  });

  it('names the file and the fault for bad IDX data', () => {
    const body = new Uint8Array(2 * 784);
    const bad: [string, Uint8Array, number, RegExp][] = [
      ['short', new Uint8Array([0, 0]), 3, /too short/],
      ['png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 3, /bad magic number/],
      ['float', idx([2, 28, 28], body, 0x0d), 3, /data type 0x0d/],
      ['dims', idx([2, 28, 28], body), 1, /3 dimensions, expected 1/],
      ['trunc', idx([2, 28, 28], body.subarray(0, 700)), 3, /truncated: 716 bytes, expected 1584/],
      ['extra', idx([2, 28, 28], new Uint8Array(2 * 784 + 5)), 3, /trailing bytes/],
      ['gz', new Uint8Array([0x1f, 0x8b, 1, 2, 3]), 3, /gzip data is corrupt/],
    ];
    for (const [name, bytes, dims, re] of bad) {
      expect(() => parseIdx(`/x/${name}-idx`, bytes, dims), name).toThrow(re);
      expect(() => parseIdx(`/x/${name}-idx`, bytes, dims), name).toThrow(new RegExp(`^${name}-idx: `));
    }
  });

  it('tells gzip from IDX by both magic bytes, and gives each fault at its boundary in full words', () => {
    const at = (bytes: number[] | Uint8Array, dims = 1) => {
      try {
        parseIdx('/x/f', Uint8Array.from(bytes), dims);
      } catch (err) {
        expect(err).toBeInstanceOf(IdxError);
        expect((err as Error).name).toBe('IdxError');
        return (err as Error).message;
      }
      return 'ok';
    };
    // Only 0x1f 0x8b, in that order, is gzip: one of the two alone is a file with a bad magic number.
    expect(at([0x1f, 0x8b])).toMatch(/^f: gzip data is corrupt \(/);
    expect(at([0x1f, 0, 8, 1, 0, 0, 0, 0])).toBe('f: bad magic number: the first two bytes must be 0 (is this an IDX file?)');
    expect(at([0, 0x8b, 8, 1, 0, 0, 0, 0])).toBe('f: bad magic number: the first two bytes must be 0 (is this an IDX file?)');
    expect(at([1, 0, 8, 1, 0, 0, 0, 0])).toBe('f: bad magic number: the first two bytes must be 0 (is this an IDX file?)');
    // Four bytes are a whole magic number, then short of the dimension sizes.
    expect(at([0, 0, 8])).toBe('f: file is 3 bytes, too short for an IDX header');
    expect(at([0, 0, 8, 1])).toBe('f: file is 4 bytes, shorter than its 8-byte header');
    expect(at([0, 0, 8, 3, 0, 0, 0, 1], 3)).toBe('f: file is 8 bytes, shorter than its 16-byte header');
    // A header that is the whole file: no samples, not an error.
    expect(at([0, 0, 8, 1, 0, 0, 0, 0])).toBe('ok');
    expect(parseIdx('/x/f', new Uint8Array([0, 0, 8, 1, 0, 0, 0, 0]), 1)).toEqual({ dims: [0], data: new Uint8Array(0) });
    expect(at(idx([2, 28, 28], new Uint8Array(2 * 784 - 1)), 3)).toBe('f: truncated: 1583 bytes, expected 1584 for dimensions 2×28×28');
    expect(at(idx([3], new Uint8Array(4)))).toBe('f: has trailing bytes: 12 bytes, expected 11 for dimensions 3');
  });

  it('refuses images that are not 28 × 28, either side', () => {
    for (const [rows, cols] of [
      [28, 27],
      [27, 28],
    ]) {
      const dir = join(tempDir(), `side-${rows}-${cols}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx([2, rows, cols], new Uint8Array(2 * rows * cols)));
      writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx([2], new Uint8Array([1, 2])));
      expect(() => loadByteSplit(dir, 't10k')).toThrow(/^t10k-images-idx3-ubyte: images are (28×27|27×28), expected 28×28$/);
    }
  });

  it('counts from the raw labels header alone, without reading the images, and loads the limits it is given', () => {
    const dir = join(tempDir(), 'labels-only');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx([3], new Uint8Array([1, 2, 3])));
    // The images are missing: loading would fail, the count from the header does not.
    expect(() => loadSplit(dir, 't10k')).toThrow(/not found/);
    expect(idxCount(dir, 't10k')).toBe(3);
    // It closes the file it opens: no descriptor is left behind after many counts.
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 50; i++) idxCount(dir, 't10k');
    expect(open()).toBe(before);
    const ds = loadDataset(mnist, { trainLimit: 5, testLimit: 3 });
    expect([ds.train.n, ds.test.n, ds.train.images.length, ds.test.labels.length]).toEqual([5, 3, 5 * 784, 3]);
  });

  it('takes labels up to 9 and refuses 10, the first value past the last class, among the samples it reads', () => {
    const dir = tempDir();
    for (const f of FILES.filter((f) => f.startsWith('t10k'))) copyFileSync(join(mnist, f), join(dir, f));
    const file = join(dir, 't10k-labels-idx1-ubyte');
    const labels = readFileSync(file);
    // Every label 9: the last class is a class.
    writeFileSync(file, idx([10000], new Uint8Array(10000).fill(9)));
    expect(Array.from(new Set(loadSplit(dir, 't10k').labels))).toEqual([9]);
    // The real labels with one 10 at index 4321.
    const bad = Uint8Array.from(labels.subarray(8));
    bad[4321] = 10;
    writeFileSync(file, idx([10000], bad));
    expect(() => loadSplit(dir, 't10k')).toThrow(/^t10k-labels-idx1-ubyte: label 10 at index 4321 is outside 0\.\.9$/);
    expect(() => loadByteSplit(dir, 't10k', 4322)).toThrow(/label 10 at index 4321/);
    // The first 4321 samples do not include it.
    expect(Array.from(loadByteSplit(dir, 't10k', 4321).labels)).toEqual(Array.from(labels.subarray(8, 8 + 4321)));
  });

  it('rejects folders whose files disagree or are missing', () => {
    const dir = tempDir();
    for (const f of FILES) copyFileSync(join(mnist, f), join(dir, f));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx([3], new Uint8Array([1, 2, 3])));
    expect(() => loadSplit(dir, 't10k')).toThrow(/t10k-labels-idx1-ubyte: holds 3 labels but the images file holds 10000 images/);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx([1, 32, 32], new Uint8Array(1024)));
    expect(() => loadSplit(dir, 't10k')).toThrow(/images are 32×32, expected 28×28/);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([60000], new Uint8Array(60000).fill(12)));
    expect(() => loadSplit(dir, 'train')).toThrow(IdxError);
    expect(() => loadSplit(dir, 'train')).toThrow(/label 12 at index 0 is outside 0..9/);
    expect(() => loadSplit(join(dir, 'nope'), 'train')).toThrow(/not found/);
  });
});
