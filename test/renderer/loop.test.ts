/** The loop's numbers: each step's input and recurrent term sizes, from hand-made terms. */
import { describe, expect, it } from 'vitest';
import type { CellTerms } from '../../src/shared/contract';
import type { TraceResult } from '../../src/shared/types';
import { candidateBlock, driver, termNorms } from '../../src/renderer/src/lib/draw/loop';

describe('the loop’s numbers', () => {
  it('takes the bias out of the input term and measures the candidate block only', () => {
    // A GRU of 2 units, 2 steps, blocks z r h: only block 2 (h) counts.
    const H = 2,
      blocks = 3;
    const input = new Float32Array(2 * blocks * H);
    const recurrent = new Float32Array(2 * blocks * H);
    const bias = Float32Array.from([9, 9, 9, 9, 1, 2]);
    // Step 0: x·W of block h is (3, 4) on top of the bias (1, 2); memory (0, 0).
    input.set([100, 100, 100, 100, 4, 6], 0);
    // Step 1: a blank row, only the bias; memory (6, 8).
    input.set([9, 9, 9, 9, 1, 2], blocks * H);
    recurrent.set([50, 50, 50, 50, 6, 8], blocks * H);
    const terms: CellTerms = { cell: 'gru', hidden: H, blocks, input, recurrent, bias };
    const z = Float32Array.from([0.2, 0.4, 0.9, 0.7]);
    const n = termNorms(terms, { gates: { z } } as unknown as TraceResult);
    expect(Array.from(n.input)).toEqual([5, 0]);
    expect(Array.from(n.recurrent)).toEqual([0, 10]);
    expect(n.keep![0]).toBeCloseTo(0.3, 6);
    expect(n.keep![1]).toBeCloseTo(0.8, 6);
    expect(candidateBlock('rnn')).toBe(0);
    expect(candidateBlock('lstm')).toBe(2);
  });

  it('says memory alone moved the state on a blank row, else whichever pushed harder', () => {
    expect(driver(0, 3, true)).toBe('memory-only');
    expect(driver(5, 3, false)).toBe('row');
    expect(driver(2, 3, false)).toBe('memory');
  });
});
