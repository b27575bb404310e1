/** The estimate before a run assumes an otherwise idle machine; the panel says when a run heads well past it. */
import { describe, expect, it } from 'vitest';
import { busierThanAssumed } from '../../src/renderer/src/lib/state/estimate';

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
