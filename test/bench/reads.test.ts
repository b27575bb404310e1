/** The reads section of the bench: which reads it takes, and how many batches a process times at each. */
import { describe, expect, it } from 'vitest';
import { batchesFor, BENCH_READS, parseReads } from '../../bench/reads';
import { READS } from '../../src/shared/reads';

describe('the bench at every read', () => {
  it('measures every read but rows (the protocol section has it) unless told which, and names a read that is not one', () => {
    expect(parseReads(undefined)).toEqual(READS.filter((r) => r !== 'rows'));
    expect(BENCH_READS).not.toContain('rows');
    expect(parseReads('pixels:4,cols')).toEqual(['pixels:4', 'cols']);
    expect(() => parseReads('pixels:4,pixels:3')).toThrow(
      '--reads: "pixels:3" is not a read; expected some of rows,cols,rows-reversed,pixels:14,pixels:7,pixels:4,pixels:2,pixels:1',
    );
    expect(() => parseReads('rows,,x')).toThrow('"", "x" are not reads');
  });

  it('times as much work at each read as the rows batches, and at least 5 batches', () => {
    expect(batchesFor('cols', 40)).toBe(40);
    expect(batchesFor('pixels:14', 40)).toBe(20);
    expect(batchesFor('pixels:4', 40)).toBe(6);
    expect(batchesFor('pixels:1', 40)).toBe(5);
  });
});
