import { describe, expect, it } from 'vitest';
import { comparePair } from '../../src/renderer/src/lib/comparePair';

const v = (id: string, parent: string | null = null) => ({ id, manifest: { parent } });
const none = { a: null, b: null };

describe('which two models the comparison shows', () => {
  it('compares nothing on a fresh install: the shipped model is not compared with itself', () => {
    expect(comparePair([v('builtin')], 'builtin', none)).toBeNull();
    expect(comparePair([], null, none)).toBeNull();
  });

  it('with the two shipped models, compares the active one with the other', () => {
    expect(comparePair([v('builtin'), v('builtin-gru')], 'builtin', none)).toEqual({ a: 'builtin-gru', b: 'builtin' });
    expect(comparePair([v('builtin'), v('builtin-gru')], 'builtin-gru', none)).toEqual({ a: 'builtin', b: 'builtin-gru' });
  });

  it('after a fine-tune, A is the parent (before) and B the fine-tuned active model (after)', () => {
    expect(comparePair([v('v0001', 'builtin'), v('builtin')], 'v0001', none)).toEqual({ a: 'builtin', b: 'v0001' });
    // The parent is found wherever it sits in the list.
    expect(comparePair([v('v0003', 'v0001'), v('v0002'), v('v0001'), v('builtin')], 'v0003', none)).toEqual({ a: 'v0001', b: 'v0003' });
  });

  it('without a parent, A is the version made just before B', () => {
    expect(comparePair([v('v0002'), v('v0001'), v('builtin')], 'v0002', none)).toEqual({ a: 'v0001', b: 'v0002' });
    expect(comparePair([v('v0002'), v('v0001'), v('builtin')], 'v0001', none)).toEqual({ a: 'builtin', b: 'v0001' });
    // The oldest has nothing before it: the newest other version stands in.
    expect(comparePair([v('v0002'), v('v0001'), v('builtin')], 'builtin', none)).toEqual({ a: 'v0002', b: 'builtin' });
  });

  it('keeps what the person picked while it exists', () => {
    const list = [v('v0002'), v('v0001', 'builtin'), v('builtin')];
    expect(comparePair(list, 'v0002', { a: 'v0001', b: null })).toEqual({ a: 'v0001', b: 'v0002' });
    expect(comparePair(list, 'v0002', { a: null, b: 'v0001' })).toEqual({ a: 'builtin', b: 'v0001' });
    // A deleted pick falls back to the default.
    expect(comparePair(list, 'v0002', { a: 'v0009', b: 'v0008' })).toEqual({ a: 'v0001', b: 'v0002' });
  });
});
