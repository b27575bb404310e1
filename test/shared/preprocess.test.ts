import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../../src/node/engine/model/folder';
import { mulberry32 } from '../../src/node/engine/data/random';
import { centreOfMass, INK_THRESHOLD, preprocess, resize } from '../../src/shared/preprocess';
import { mnistSlice } from '../helpers';
import { SIDE } from '../../src/shared/types';

/** A w×h raster with a filled rectangle of ink. */
function rect(w: number, h: number, x: number, y: number, rw: number, rh: number): Float32Array {
  const d = new Float32Array(w * h);
  for (let j = y; j < y + rh; j++) for (let i = x; i < x + rw; i++) d[j * w + i] = 1;
  return d;
}

/**
 * A "7" in a 20×20 box: a bar over rows 0–2 and a stem in columns 14–16 of rows 3–19. Its mass is
 * 60 + 51 = 111 pixels, with its centre at x = (60·9.5 + 51·15)/111 = 1335/111 ≈ 12.03 and
 * y = (20·(0+1+2) + 3·(3+…+19))/111 = 621/111 ≈ 5.59: neither on a half pixel, and rounding
 * differently in x (up) and y (down).
 */
const SEVEN = { side: 20, comX: 1335 / 111, comY: 621 / 111 };
const inSeven = (x: number, y: number) => x >= 0 && x < 20 && y >= 0 && y < 20 && (y <= 2 || (x >= 14 && x <= 16));

/** The seven drawn `k` times larger at (x0, y0) in a w×h raster. */
function seven(w: number, h: number, x0: number, y0: number, k = 1): Float32Array {
  const d = new Float32Array(w * h);
  for (let y = 0; y < 20 * k; y++) for (let x = 0; x < 20 * k; x++) if (inSeven(Math.floor(x / k), Math.floor(y / k))) d[(y0 + y) * w + x0 + x] = 1;
  return d;
}

describe('preprocess', () => {
  it('returns an explicit empty result for a blank or nearly blank canvas', () => {
    expect(preprocess({ width: 280, height: 280, data: new Float32Array(280 * 280) })).toEqual({ empty: true });
    expect(preprocess({ width: 10, height: 10, data: new Float32Array(100).fill(0.01) })).toEqual({ empty: true });
  });

  it('rejects a raster whose data does not match its size', () => {
    expect(() => preprocess({ width: 10, height: 10, data: new Float32Array(99) })).toThrow(/99 values for 10×10/);
    // A raster with no rows or no columns holds zero values, as its size says, and is still not a raster.
    expect(() => preprocess({ width: 5, height: 0, data: new Float32Array(0) })).toThrow(/0 values for 5×0/);
    expect(() => preprocess({ width: 0, height: 5, data: new Float32Array(0) })).toThrow(/0 values for 0×5/);
  });

  it('crops ink in the top row or left column to exactly its own rows and columns', () => {
    // A 6 × 1 line in row 0 becomes 20 × round(20/6) = 20 × 3; a 1 × 6 line in column 0, 3 × 20.
    const inked = (img: Float32Array, axis: 'rows' | 'cols') =>
      Array.from({ length: SIDE }, (_, i) =>
        Array.from({ length: SIDE }, (_, j) => img[axis === 'rows' ? i * SIDE + j : j * SIDE + i]).some((v) => v > 0),
      ).filter(Boolean).length;
    const top = new Float32Array(100),
      left = new Float32Array(100);
    for (let c = 2; c < 8; c++) top[c] = 1;
    for (let r = 2; r < 8; r++) left[r * 10] = 1;
    for (const [data, rows, cols] of [
      [top, 3, 20],
      [left, 20, 3],
    ] as const) {
      const r = preprocess({ width: 10, height: 10, data });
      if (r.empty) throw new Error('expected ink');
      expect([inked(r.pixels, 'rows'), inked(r.pixels, 'cols')]).toEqual([rows, cols]);
    }
  });

  it('crops, scales the longer side to 20 px keeping the aspect ratio, and centres the mass on (14, 14)', () => {
    const r = preprocess({ width: 300, height: 200, data: rect(300, 200, 200, 10, 40, 100) });
    if (r.empty) throw new Error('expected ink');
    expect(r.box).toEqual({ x: 200, y: 10, width: 40, height: 100 });
    let rows = 0,
      cols = 0;
    for (let y = 0; y < 28; y++) if (r.pixels.subarray(y * 28, y * 28 + 28).some((v) => v > 0.5)) rows++;
    for (let x = 0; x < 28; x++) {
      let any = false;
      for (let y = 0; y < 28; y++) any ||= r.pixels[y * 28 + x] > 0.5;
      if (any) cols++;
    }
    expect(rows).toBe(20);
    expect(cols).toBe(8);
    expect(Math.abs(r.centre.x - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(r.centre.y - 14)).toBeLessThanOrEqual(0.5);
  });

  it.each([1, 3])('moves an asymmetric shape (drawn ×%i) by the rounded offset that puts its centre of mass nearest (14, 14)', (k) => {
    const r = preprocess({ width: 100, height: 90, data: seven(100, 90, 37, 11, k) });
    if (r.empty) throw new Error('expected ink');
    expect(r.box).toEqual({ x: 37, y: 11, width: 20 * k, height: 20 * k });
    // 20 px already (or 60 px in 3×3 blocks of ink): the 28×28 input is the seven itself, moved by
    // round(14 − 12.03) = 2 columns and round(14 − 5.59) = 8 rows.
    const want = new Float32Array(784);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) want[y * 28 + x] = inSeven(x - 2, y - 8) ? 1 : 0;
    expect(Array.from(r.pixels)).toEqual(Array.from(want));
    expect(r.centre.x).toBeCloseTo(SEVEN.comX + 2, 5);
    expect(r.centre.y).toBeCloseTo(SEVEN.comY + 8, 5);
    // Within half a pixel of (14, 14): a shift one pixel further either way would not be.
    expect(Math.abs(r.centre.x - 14)).toBeLessThan(0.5);
    expect(Math.abs(r.centre.y - 14)).toBeLessThan(0.5);
  });

  it('keeps a one-pixel-wide stroke one pixel wide and rounds a centre on a half pixel up', () => {
    // A vertical line 1 px wide and 100 px tall: scaled to 1 × 20, mass centre (0, 9.5); 14 − 9.5 = 4.5 rounds to 5.
    const w = 50,
      h = 120;
    const d = new Float32Array(w * h);
    for (let y = 10; y < 110; y++) d[y * w + 30] = 1;
    const r = preprocess({ width: w, height: h, data: d });
    if (r.empty) throw new Error('expected ink');
    const want = new Float32Array(784);
    for (let y = 5; y < 25; y++) want[y * 28 + 14] = 1;
    expect(Array.from(r.pixels)).toEqual(Array.from(want));
    expect(r.centre).toEqual({ x: 14, y: 14.5 });
  });

  it('counts only ink above the threshold towards the box, and clamps values into [0, 1]', () => {
    const w = 100,
      h = 90;
    const d = Array.from(seven(w, h, 37, 11)); // plain numbers: a Float32Array would round the threshold up
    d[2 * w + 3] = INK_THRESHOLD; // faint, far from the seven: outside the box
    d[12 * w + 40] = 3; // inside the seven's bar: clamped to 1
    d[20 * w + 40] = -2; // inside the box, off the ink: clamped to 0
    const r = preprocess({ width: w, height: h, data: d });
    if (r.empty) throw new Error('expected ink');
    expect(r.box).toEqual({ x: 37, y: 11, width: 20, height: 20 });
    expect(Array.from(r.pixels)).toEqual(Array.from((preprocess({ width: w, height: h, data: seven(w, h, 37, 11) }) as { pixels: Float32Array }).pixels));
    // Just above the threshold it is ink, and the box grows to take it in.
    d[2 * w + 3] = INK_THRESHOLD + 0.01;
    expect((preprocess({ width: w, height: h, data: d }) as { box: unknown }).box).toEqual({ x: 3, y: 2, width: 54, height: 29 });
  });

  it('takes ink in the first column alone as a drawing', () => {
    const d = new Float32Array(5 * 5);
    for (let y = 1; y <= 3; y++) d[y * 5] = 1;
    const r = preprocess({ width: 5, height: 5, data: d });
    expect(r.empty).toBe(false);
    expect((r as { box: unknown }).box).toEqual({ x: 0, y: 1, width: 1, height: 3 });
  });

  /**
   * A 20×20 drawing (kept at its size) of a one-pixel line across it and a five-pixel-thick bar
   * at one end: 15 + 100 = 115 pixels, its centre of mass (15·0…14 + 20·(15+…+19))/115 ≈ 15.70 along
   * the line and (15·10 + 5·190)/115 ≈ 9.57 across it. The offset rounds to −2 along the line (its
   * first two pixels fall off the field; the third lands on its edge, row or column 0) and to 4
   * across it. Mirrored, the bar sits at the start: the offset is 11, and the last three pixels of
   * the line fall past column 27 (they must not wrap into the next row).
   */
  function lineAndBar(along: 'down' | 'right', barAtEnd: boolean): Float32Array {
    const d = new Float32Array(20 * 20);
    const set = (a: number, b: number) => (along === 'down' ? (d[a * 20 + b] = 1) : (d[b * 20 + a] = 1));
    for (let a = 0; a < 20; a++) set(a, 10);
    for (let a = barAtEnd ? 15 : 0; a < (barAtEnd ? 20 : 5); a++) for (let b = 0; b < 20; b++) set(a, b);
    return d;
  }
  const ink = (p: Float32Array) => p.reduce((s, v) => s + v, 0);

  it('keeps ink that lands on the first row or the first column of the field, and drops what falls off', () => {
    const down = preprocess({ width: 20, height: 20, data: lineAndBar('down', true) });
    if (down.empty) throw new Error('expected ink');
    expect(down.pixels[0 * SIDE + 14]).toBe(1); // source row 2 → row 0, column 10 + 4
    expect(ink(down.pixels)).toBe(113);
    const right = preprocess({ width: 20, height: 20, data: lineAndBar('right', true) });
    if (right.empty) throw new Error('expected ink');
    expect(right.pixels[14 * SIDE + 0]).toBe(1); // source column 2 → column 0, row 10 + 4
    expect(ink(right.pixels)).toBe(113);
  });

  it('drops ink that falls past the last column instead of wrapping it into the next row', () => {
    const r = preprocess({ width: 20, height: 20, data: lineAndBar('right', false) });
    if (r.empty) throw new Error('expected ink');
    expect(r.pixels[14 * SIDE + 27]).toBe(1); // source column 16 → 27
    expect(ink(r.pixels)).toBe(112);
    for (let row = 0; row < SIDE; row++) expect(r.pixels[row * SIDE], `row ${row}`).toBe(0);
  });

  it('rejects a raster with no width or height', () => {
    expect(() => preprocess({ width: 0, height: 5, data: new Float32Array(0) })).toThrow(/0 values for 0×5/);
    expect(() => preprocess({ width: 5, height: -1, data: new Float32Array(0) })).toThrow(/for 5×-1/);
  });

  it('anti-aliases when shrinking: a thin line becomes grey, not dropped', () => {
    const w = 400,
      h = 400;
    const d = new Float32Array(w * h);
    for (let y = 0; y < 400; y++) d[y * w + 200] = 1; // one pixel wide, 400 tall: 20x shrink
    for (let x = 150; x < 250; x++) d[399 * w + x] = 1;
    const r = preprocess({ width: w, height: h, data: d });
    if (r.empty) throw new Error('expected ink');
    const max = Math.max(...r.pixels);
    expect(max).toBeGreaterThan(0.03);
    expect(max).toBeLessThan(0.6);
  });

  it('resize interpolates linearly when enlarging and averages areas when shrinking, by hand-computed values', () => {
    // Enlarging 2 → 4: sample centres at 0.25 − 0.5, 0.75 − 0.5, … of the source, clamped to its ends.
    expect(Array.from(resize(Float32Array.from([0, 1]), 2, 1, 4, 1))).toEqual([0, 0.25, 0.75, 1]);
    // Shrinking 3 → 2: each output covers 1.5 source pixels.
    const out = resize(Float32Array.from([1, 0, 0.6]), 3, 1, 2, 1);
    expect(out[0]).toBeCloseTo(2 / 3, 6);
    expect(out[1]).toBeCloseTo(0.4, 6);
    // The same down a column, and both at once: 2×2 → 1×1 is the mean.
    expect(Array.from(resize(Float32Array.from([0, 1]), 1, 2, 1, 4))).toEqual([0, 0.25, 0.75, 1]);
    expect(Array.from(resize(Float32Array.from([1, 0, 0.5, 0.5]), 2, 2, 1, 1))).toEqual([0.5]);
  });

  it('finds the centre of mass in pixel-index units, and the middle of an empty image', () => {
    const img = new Float32Array(12); // 4 × 3
    img[1 * 4 + 3] = 3;
    img[2 * 4 + 0] = 1;
    expect(centreOfMass(img, 4, 3)).toEqual({ x: 9 / 4, y: 5 / 4, mass: 4 });
    expect(centreOfMass(new Float32Array(12), 4, 3)).toEqual({ x: 1.5, y: 1, mass: 0 });
  });

  it('resize preserves total ink (area averaging) when shrinking', () => {
    const src = rect(100, 100, 10, 20, 50, 30);
    const out = resize(src, 100, 100, 20, 20);
    const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
    expect(sum(out) * 25).toBeCloseTo(sum(src), 1);
    expect((centreOfMass(out, 20, 20).x + 0.5) * 5 - 0.5).toBeCloseTo(centreOfMass(src, 100, 100).x, 1);
  });

  it('recovers 1,000 real MNIST test digits pasted small and off-centre into a 280×280 canvas', async () => {
    const ds = await mnistSlice(0, 1000);
    const { model } = await loadModelFolder(join(process.cwd(), 'resources', 'model'));
    const rand = mulberry32(2024);
    const n = 1000,
      W = 280;
    const processed = new Float32Array(n * 784);
    for (let i = 0; i < n; i++) {
      const k = 1.5 + rand() * 2; // 42..98 px tall
      const size = Math.round(28 * k);
      const big = resize(ds.test.images.subarray(i * 784, (i + 1) * 784) as Float32Array, 28, 28, size, size);
      const canvas = new Float32Array(W * W);
      const ox = Math.floor(rand() * (W - size)),
        oy = Math.floor(rand() * (W - size));
      for (let y = 0; y < size; y++) canvas.set(big.subarray(y * size, (y + 1) * size), (oy + y) * W + ox);
      const r = preprocess({ width: W, height: W, data: canvas });
      if (r.empty) throw new Error(`digit ${i} came out empty`);
      processed.set(r.pixels, i * 784);
    }
    const classify = (px: Float32Array) => tf.tidy(() => Array.from((model.predict(tf.tensor3d(px, [n, 28, 28])) as tf.Tensor).argMax(-1).dataSync()));
    const original = classify(ds.test.images);
    const recovered = classify(processed);
    const same = original.filter((c, i) => c === recovered[i]).length / n;
    console.log(`preprocess round trip: ${(same * 100).toFixed(1)}% same class`);
    // 97.7% with the shipped model; a centre of mass one pixel off brings it down to 95%.
    expect(same).toBeGreaterThanOrEqual(0.97);
  });
});
