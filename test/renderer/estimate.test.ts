/** The estimate before a run assumes an otherwise idle machine; the panel says when a run heads well past it. */
import { describe, expect, it } from 'vitest';
import { busierThanAssumed, estimatedSeconds, readCost } from '../../src/renderer/src/lib/state/estimate';

describe('busier than assumed', () => {
  it('says nothing in the first 10 s after the click, however far the live ETA is off', () => {
    expect(busierThanAssumed(20, 9.9, 100)).toBe(false);
    expect(busierThanAssumed(20, 10, 100)).toBe(true);
  });

  it('says so once seconds since the click plus the live ETA run more than 25% past the estimate', () => {
    // Estimated 100 s: heading for 125 s is within the margin, 126 s is not.
    expect(busierThanAssumed(100, 20, 105)).toBe(false);
    expect(busierThanAssumed(100, 20, 106)).toBe(true);
    expect(busierThanAssumed(100, 60, 80)).toBe(true);
  });

  it('says nothing when the run is on time or faster than estimated', () => {
    expect(busierThanAssumed(100, 30, 70)).toBe(false);
    expect(busierThanAssumed(100, 30, 10)).toBe(false);
  });
});

describe('the estimate at a read', () => {
  it('weighs a digit by steps × (pixels a step + units): the same for every 28-step read, about 5× for 196 steps of 4 px at 64 units', () => {
    for (const read of ['rows', 'cols', 'rows-reversed'] as const) expect(readCost(read, 64)).toBe(1);
    expect(readCost('pixels:4', 64)).toBeCloseTo((196 * 68) / (28 * 92), 10);
    expect(readCost('pixels:1', 128)).toBeCloseTo((784 * 129) / (28 * 156), 10);
    // Longer reads cost more at every size, and the estimate of a run follows.
    for (const hidden of [32, 64, 128, 256]) {
      const costs = (['pixels:14', 'pixels:7', 'pixels:4', 'pixels:2', 'pixels:1'] as const).map((r) => readCost(r, hidden));
      expect(costs.every((c, i) => c > (i ? costs[i - 1] : 1))).toBe(true);
    }
    // Twenty epochs, so the start-up, the same for every read, hardly counts.
    const rows = estimatedSeconds('gru', 64, 35_000, 20, 'wasm');
    const long = estimatedSeconds('gru', 64, 35_000, 20, 'wasm', 'pixels:4');
    expect(long / rows).toBeGreaterThan(5);
    expect(long / rows).toBeLessThan(5.3);
  });
});
