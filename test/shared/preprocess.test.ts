import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../../src/node/engine/model/folder';
import { mulberry32 } from '../../src/node/engine/data/random';
import { centreOfMass, preprocess, resize } from '../../src/shared/preprocess';
import { mnistSlice } from '../helpers';

/** A w×h raster with a filled rectangle of ink. */
function rect(w: number, h: number, x: number, y: number, rw: number, rh: number): Float32Array {
  const d = new Float32Array(w * h);
  for (let j = y; j < y + rh; j++) for (let i = x; i < x + rw; i++) d[j * w + i] = 1;
  return d;
}

describe('preprocess', () => {
  it('returns an explicit empty result for a blank or nearly blank canvas', () => {
    expect(preprocess({ width: 280, height: 280, data: new Float32Array(280 * 280) })).toEqual({ empty: true });
    expect(preprocess({ width: 10, height: 10, data: new Float32Array(100).fill(0.01) })).toEqual({ empty: true });
  });

  it('rejects a raster whose data does not match its size', () => {
    expect(() => preprocess({ width: 10, height: 10, data: new Float32Array(99) })).toThrow(/99 values for 10×10/);
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
    expect(same).toBeGreaterThanOrEqual(0.95);
  });
});
