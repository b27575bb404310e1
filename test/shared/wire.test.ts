import { describe, expect, it } from 'vitest';
import { listenerName, methodName, CHANNEL_NAMES } from '../../src/shared/channels';
import { CHANNELS, requests } from '../../src/shared/contract';
import { decode, encode } from '../../src/shared/wire';

describe('wire codec', () => {
  it('round-trips typed arrays compactly inside ordinary JSON', () => {
    const h = Float32Array.from({ length: 28 * 128 }, (_, i) => Math.sin(i));
    const msg = { id: 3, result: { ok: true, value: { h, prediction: 7, nested: [{ probs: Float32Array.from([0.25, 0.75]) }] } } };
    const text = encode(msg);
    expect(text.length).toBeLessThan(h.byteLength * 1.4);
    expect(decode(text)).toEqual(msg);
  });

  it('refuses malformed typed-array payloads', () => {
    expect(() => decode('{"$f32":"AAA="}')).toThrow(/whole float32/);
    expect(() => decode('{not json')).toThrow(SyntaxError);
  });
});

describe('channel names', () => {
  it('are domain:verb and match the schemas one to one', () => {
    expect([...CHANNEL_NAMES].sort()).toEqual(Object.keys(requests).sort());
    expect(CHANNELS).toBe(CHANNEL_NAMES);
    for (const c of CHANNEL_NAMES) expect(c).toMatch(/^[a-z]+:[a-z]+$/);
  });

  it('give the preload one camel-case function per channel and an on… per event', () => {
    expect(methodName('models:activate')).toBe('modelsActivate');
    expect(listenerName('train:progress')).toBe('onTrainProgress');
    expect(new Set(CHANNEL_NAMES.map(methodName)).size).toBe(CHANNEL_NAMES.length);
  });
});
