/** The gradient chart's geometry and numbers: decades on the axis, a vanished value on the floor, and numbers in scientific form. */
import { describe, expect, it } from 'vitest';
import { decadeRange, decadeTicks, gradientPath, sci, SHOWN_DECADES } from '../../src/renderer/src/lib/draw/gradient';

describe('the gradient chart', () => {
  it('spans whole decades from the largest value down, at most SHOWN_DECADES, and puts what is below on the floor', () => {
    const falling = Float32Array.from([1e-30, 1e-6, 1e-3, 0.5]);
    expect(decadeRange(falling)).toEqual({ lo: -SHOWN_DECADES, hi: 0 });
    expect(decadeRange(Float32Array.from([0.02, 0.3]))).toEqual({ lo: -2, hi: 0 });
    // Two series share one axis.
    expect(decadeRange(Float32Array.from([1e-4, 1]), Float32Array.from([10, 20]))).toEqual({ lo: -4, hi: 2 });
    const d = gradientPath(falling, { width: 100, height: 50, pad: 0 }, { lo: -4, hi: 0 });
    const ys = [...d.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]));
    // 1e-30 and 1e-6 sit on the floor (y = 50), 1e-3 a quarter up, 0.5 near the top.
    expect(ys[0]).toBe(50);
    expect(ys[1]).toBe(50);
    expect(ys[2]).toBeCloseTo(37.5, 1);
    expect(ys[3]).toBeCloseTo(3.8, 1);
    expect(decadeTicks({ lo: -16, hi: 0 })).toEqual([0, -4, -8, -12, -16]);
    expect(decadeTicks({ lo: -3, hi: 0 })).toEqual([0, -1, -2, -3]);
  });

  it('writes small numbers in scientific form', () => {
    expect(sci(3.2e-12)).toBe('3.2 × 10⁻¹²');
    expect(sci(0.45)).toBe('0.45');
    expect(sci(0)).toBe('0');
  });
});
