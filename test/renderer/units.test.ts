/** The units that matter: ranked by their contribution to the predicted digit's logit at the last step. */
import { describe, expect, it } from 'vitest';
import { shareOfLogit, topUnits } from '../../src/renderer/src/lib/draw/units';

describe('the units that matter', () => {
  it('ranks by |h · w| at the last step, not by |h| or |w| alone, and keeps the sign', () => {
    // 3 units, 2 steps. At the last step h = (0.9, −0.5, 0.2), w = (0.1, 1.0, −2.0): contributions 0.09, −0.5, −0.4.
    const trace = { hidden: 3, steps: 2, h: Float32Array.from([0.1, 0.2, 0.3, 0.9, -0.5, 0.2]), readout: Float32Array.from([0.1, 1.0, -2.0]) };
    const top = topUnits(trace, 2);
    expect(top.map((u) => u.unit)).toEqual([1, 2]);
    expect(Array.from(top[0].series).map((v) => +v.toFixed(6))).toEqual([0.2, -0.5]);
    expect(Array.from(top[1].series).map((v) => +v.toFixed(6))).toEqual([-0.6, -0.4]);
    expect(shareOfLogit(trace, top)).toBeCloseTo(0.9 / 0.99, 6);
  });
});
