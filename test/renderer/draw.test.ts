import { describe, expect, it } from 'vitest';
import { linePath, project, smooth, thin } from '../../src/renderer/src/lib/draw/chart';
import { diverging, parseColor, sequential } from '../../src/renderer/src/lib/draw/colors';
import { cellAt, decisionStep, deltaH, maxAbs, updateNorms } from '../../src/renderer/src/lib/draw/matrix';
import { estimatedSeconds } from '../../src/renderer/src/lib/state/estimate';
import { seedOf } from '../../src/renderer/src/lib/seed';
import { QUICK_RETRAIN } from '../../src/shared/presets';

describe('heatmap maths', () => {
  it('maps pointer positions to cells and rejects points outside', () => {
    expect(cellAt(0, 0, 280, 252, 28, 128)).toEqual({ row: 0, col: 0 });
    expect(cellAt(279.9, 251.9, 280, 252, 28, 128)).toEqual({ row: 27, col: 127 });
    expect(cellAt(140, 126, 280, 252, 28, 128)).toEqual({ row: 14, col: 64 });
    expect(cellAt(-1, 5, 280, 252, 28, 128)).toBeNull();
    expect(cellAt(5, 252, 280, 252, 28, 128)).toBeNull();
  });

  it('computes Δh and update sizes against the previous step (h₋₁ = 0)', () => {
    const h = Float32Array.from([0.5, -0.5, 0.5, 0.5, 0.5, 0.5]); // 3 steps × 2 units
    expect(Array.from(deltaH(h, 2, 0))).toEqual([0.5, -0.5]);
    expect(Array.from(deltaH(h, 2, 1))).toEqual([0, 1]);
    const n = updateNorms(h, 2, 3);
    expect(n[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(n[1]).toBeCloseTo(1, 6);
    expect(n[2]).toBe(0);
    expect(maxAbs(Float32Array.from([0.2, -3, 1]))).toBe(3);
  });

  it('finds the step where the belief settles on the final answer', () => {
    // 4 steps × 3 classes: unsure, leans 0, then 2 with confidence twice.
    const p = [0.34, 0.33, 0.33, 0.6, 0.2, 0.2, 0.1, 0.2, 0.7, 0.05, 0.05, 0.9];
    expect(decisionStep(p, 4, 3)).toBe(2);
    // A final answer below the confidence bar never counts as settled.
    expect(decisionStep([0.5, 0.5, 0, 0.4, 0.3, 0.3], 2, 3)).toBeNull();
  });
});

describe('colours', () => {
  it('diverging is neutral at 0 and saturates at ±1', () => {
    const mid: [number, number, number] = [255, 255, 255];
    expect(diverging(0, mid)).toEqual(mid);
    expect(diverging(-1, mid)).toEqual([59, 130, 246]);
    expect(diverging(5, mid)).toEqual([245, 158, 11]);
  });

  it('sequential runs from the background to the heat colour', () => {
    expect(sequential(0, [0, 0, 0], [100, 200, 50])).toEqual([0, 0, 0]);
    expect(sequential(1, [0, 0, 0], [100, 200, 50])).toEqual([100, 200, 50]);
    const a = sequential(0.3, [0, 0, 0], [100, 100, 100])[0];
    const b = sequential(0.6, [0, 0, 0], [100, 100, 100])[0];
    expect(a).toBeGreaterThan(30); // small values lifted so they stay visible
    expect(b).toBeGreaterThan(a);
  });

  it('parses the CSS colours the theme uses', () => {
    expect(parseColor('#0f9d8a')).toEqual([15, 157, 138]);
    expect(parseColor(' rgb(1, 2, 3)')).toEqual([1, 2, 3]);
    expect(parseColor('tomato')).toEqual([128, 128, 128]);
  });
});

describe('charts and estimates', () => {
  const frame = { width: 100, height: 60, xMax: 2, yMin: 0, yMax: 1, pad: 10 };

  it('projects data into the padded frame with y pointing up', () => {
    expect(project(frame, 0, 0)).toEqual([10, 50]);
    expect(project(frame, 2, 1)).toEqual([90, 10]);
    expect(linePath({ xs: [0, 2], ys: [0, 1] }, frame)).toBe('M10.0,50.0L90.0,10.0');
  });

  it('smooths and thins long series', () => {
    expect(smooth([1, 1, 1])).toEqual([1, 1, 1]);
    expect(smooth([0, 10], 0.5)).toEqual([0, 5]);
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    const t = thin({ xs, ys: xs }, 100);
    expect(t.xs.length).toBe(101);
    expect(t.xs[t.xs.length - 1]).toBe(999);
  });

  it('estimates the quick preset at seconds, the tutorial run at minutes, and LSTM as slower', () => {
    const q = QUICK_RETRAIN;
    const quick = estimatedSeconds(q.cell, q.hidden, q.limit, q.epochs, 'wasm');
    expect(quick).toBeGreaterThan(2);
    expect(quick).toBeLessThan(12);
    const tutorial = estimatedSeconds('rnn', 128, 60000, 30, 'wasm');
    expect(tutorial).toBeGreaterThan(60);
    expect(tutorial).toBeLessThan(600);
    expect(estimatedSeconds('lstm', 128, 60000, 2, 'wasm')).toBeGreaterThan(estimatedSeconds('gru', 128, 60000, 2, 'wasm'));
    expect(estimatedSeconds('rnn', 64, 60000, 2, 'wasm')).toBeLessThan(estimatedSeconds('rnn', 128, 60000, 2, 'wasm'));
  });
});

describe('the seed a version records', () => {
  it('is read from the command in its manifest, in either form, and is absent when none is named', () => {
    expect(seedOf('train:start {"mode":"scratch","cell":"gru","hidden":64,"epochs":1,"seed":183220931,"schedule":"onecycle"}')).toBe(183220931);
    expect(seedOf('npm run train -- --cell rnn --seed 42')).toBe(42);
    expect(seedOf('npm run train -- --cell rnn')).toBeNull();
    expect(seedOf('fixture')).toBeNull();
  });
});
