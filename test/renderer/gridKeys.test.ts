import { describe, expect, it } from 'vitest';
import { gridMove } from '../../src/renderer/src/lib/gridKeys';

describe('arrow keys in a 10 × 10 grid', () => {
  const move = (at: [number, number], key: string, ctrl = false) => gridMove(at, key, ctrl, 10, 10);
  it('moves one cell and stops at the edges', () => {
    expect(move([3, 4], 'ArrowUp')).toEqual([2, 4]);
    expect(move([3, 4], 'ArrowDown')).toEqual([4, 4]);
    expect(move([3, 4], 'ArrowLeft')).toEqual([3, 3]);
    expect(move([3, 4], 'ArrowRight')).toEqual([3, 5]);
    expect(move([0, 0], 'ArrowUp')).toEqual([0, 0]);
    expect(move([0, 0], 'ArrowLeft')).toEqual([0, 0]);
    expect(move([9, 9], 'ArrowDown')).toEqual([9, 9]);
    expect(move([9, 9], 'ArrowRight')).toEqual([9, 9]);
  });
  it('goes to the ends of the row, the column and the grid', () => {
    expect(move([3, 4], 'Home')).toEqual([3, 0]);
    expect(move([3, 4], 'End')).toEqual([3, 9]);
    expect(move([3, 4], 'Home', true)).toEqual([0, 0]);
    expect(move([3, 4], 'End', true)).toEqual([9, 9]);
    expect(move([3, 4], 'PageUp')).toEqual([0, 4]);
    expect(move([3, 4], 'PageDown')).toEqual([9, 4]);
  });
  it('ignores other keys', () => {
    expect(move([3, 4], 'Tab')).toBeNull();
    expect(move([3, 4], 'a')).toBeNull();
  });
});
