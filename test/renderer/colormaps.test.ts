import { describe, expect, it } from 'vitest';
import { DIVERGING_LUT, SEQUENTIAL_LUT, darkDivergingLut, divergingLut, reorderColumns } from '../../src/renderer/src/lib/draw/colormaps';
import { fitView, landmarkAt, toScreen } from '../../src/renderer/src/lib/draw/hiddenMap';
import type { HiddenMap } from '../../src/shared/projection';

const lightness = (lut: Uint8Array, i: number) => 0.2126 * lut[i * 3] + 0.7152 * lut[i * 3 + 1] + 0.0722 * lut[i * 3 + 2];

describe('heatmap colour maps', () => {
  it('sequential brightens steadily from 0 to 1; diverging is blue below zero, light at zero and red above', () => {
    for (let i = 16; i < 256; i += 16) expect(lightness(SEQUENTIAL_LUT, i)).toBeGreaterThan(lightness(SEQUENTIAL_LUT, i - 16));
    const [r0, , b0] = DIVERGING_LUT.subarray(0, 3);
    const [r1, , b1] = DIVERGING_LUT.subarray(255 * 3, 256 * 3);
    expect(b0).toBeGreaterThan(r0);
    expect(r1).toBeGreaterThan(b1);
    expect(lightness(DIVERGING_LUT, 128)).toBeGreaterThan(lightness(DIVERGING_LUT, 0));
    expect(lightness(DIVERGING_LUT, 128)).toBeGreaterThan(lightness(DIVERGING_LUT, 255));
  });

  it('on a dark background, diverging sinks to the background at zero and brightens away from it: blue below, red-orange above', () => {
    const panel: [number, number, number] = [23, 27, 35];
    const lut = darkDivergingLut(panel);
    const mid = Array.from(lut.subarray(127 * 3, 128 * 3));
    mid.forEach((c, i) => expect(Math.abs(c - panel[i])).toBeLessThanOrEqual(3));
    for (let i = 136; i < 256; i += 8) expect(lightness(lut, i)).toBeGreaterThan(lightness(lut, i - 8));
    for (let i = 119; i >= 0; i -= 8) expect(lightness(lut, i)).toBeGreaterThan(lightness(lut, i + 8));
    const [r0, , b0] = lut.subarray(0, 3);
    const [r1, , b1] = lut.subarray(255 * 3, 256 * 3);
    expect(b0).toBeGreaterThan(r0);
    expect(r1).toBeGreaterThan(b1);
    // The theme picks it: the light map for light, the dark one around the dark background.
    expect(divergingLut(false, panel)).toBe(DIVERGING_LUT);
    expect(divergingLut(true, panel)).toEqual(lut);
  });

  it('reorders columns of every row', () => {
    const m = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(reorderColumns(m, 2, 3, [2, 0, 1]))).toEqual([3, 1, 2, 6, 4, 5]);
  });
});

describe('map drawing', () => {
  it('fits the landmarks into the canvas and finds the one under the pointer', () => {
    const landmarks = Float32Array.from([0, 0, 10, 0, 0, 10, 10, 10, 5, 5]);
    const map = { landmarks, labels: [0, 1, 2, 3, 4] } as unknown as HiddenMap;
    const v = fitView(landmarks, 200, 200, 10);
    const [x, y] = toScreen(v, 10, 10);
    expect(x).toBeCloseTo(190, 5);
    expect(y).toBeCloseTo(10, 5); // up on the map is up on screen
    expect(landmarkAt(map, v, x + 2, y - 2)).toBe(3);
    expect(landmarkAt(map, v, 100, 100)).toBe(4);
    expect(landmarkAt(map, v, 60, 60)).toBeNull();
  });
});
