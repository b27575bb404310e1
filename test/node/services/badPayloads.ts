/** Generated bad requests: every channel × many kinds of wrong, plus unknown channels. */
import { CHANNELS } from '../../../src/shared/contract';
import { TRAIN_BOUNDS } from '../../../src/shared/training';
import { mulberry32 } from '../../../src/node/engine/data/random';

const pixels = (n: number, v: unknown = 0.5) => new Array(n).fill(v);

/** Values of the wrong type for any field. */
const WRONG: unknown[] = [null, true, 0, -1, 1.5, NaN, Infinity, -Infinity, '', 'x', 'v0001; rm -rf /', [], [1, 2], {}, { a: 1 }, '9'.repeat(5000)];

/** Valid-looking base payloads for each channel, to mutate one field at a time. */
const BASE: Record<string, Record<string, unknown>> = {
  'model:predict': { pixels: pixels(784) },
  'model:trace': { pixels: pixels(784) },
  'train:start': { mode: 'scratch', cell: 'rnn', hidden: 128, epochs: 1, learningRate: 0.001, batchSize: 128, limit: 0 },
  'models:activate': { id: 'v0001' },
  'models:delete': { id: 'v0001' },
  'models:export': { id: 'v0001' },
  'models:upload': { files: [{ name: 'model.json', base64: 'e30=' }] },
  'dataset:digits': { indices: [0, 1] },
  'samples:add': { pixels: pixels(784), label: 3 },
  'samples:delete': { id: 'sabcdef12' },
  'viz:importance': { pixels: pixels(784) },
  'viz:terms': { pixels: pixels(784) },
  'viz:trace': { id: 'v0001', pixels: pixels(784) },
  'viz:gradient': { pixels: pixels(784), label: 3 },
};

/** Keys of a base payload that the channel may go without (the gradient's loss is then the prediction's). */
const OPTIONAL: Record<string, readonly string[]> = { 'viz:gradient': ['label'] };

/** Values in WRONG that are in fact fine for a field (a path string, label 0, limit 0, an index list). */
function isWellFormed(key: string, v: unknown): boolean {
  if (key === 'label' || key === 'limit') return v === 0;
  if (key === 'indices') return Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0 && x < 10000);
  return false;
}

export interface BadCase {
  channel: unknown;
  payload: unknown;
  why: string;
}

export function badPayloads(seed = 1): BadCase[] {
  const out: BadCase[] = [];
  const rand = mulberry32(seed);
  for (const channel of CHANNELS) {
    const base = BASE[channel];
    // Not an object at all, or an object with keys the channel does not take.
    for (const v of [null, 42, 'str', true, [1, 2, 3], pixels(784)]) out.push({ channel, payload: v, why: 'not an object' });
    out.push({ channel, payload: { ...(base ?? {}), extra: 1 }, why: 'unknown key' });
    out.push({ channel, payload: JSON.parse('{"__proto__": {"polluted": true}, "x": 1}'), why: 'proto key' });
    if (!base) continue;
    for (const key of Object.keys(base)) {
      for (const v of WRONG) {
        if (isWellFormed(key, v)) continue;
        const payload = { ...base, [key]: v };
        out.push({ channel, payload, why: `${key}=${String(v).slice(0, 20)}` });
      }
      if (OPTIONAL[channel]?.includes(key)) continue;
      const { [key]: _drop, ...missing } = base;
      out.push({ channel, payload: missing, why: `missing ${key}` });
    }
    if ('pixels' in base) {
      for (const n of [0, 1, 783, 785, 1568, 100_000]) out.push({ channel, payload: { ...base, pixels: pixels(n) }, why: `pixels length ${n}` });
      for (const bad of [NaN, -0.1, 1.01, 255, '0.5', null, Infinity]) {
        const p = pixels(784);
        p[Math.floor(rand() * 784)] = bad;
        out.push({ channel, payload: { ...base, pixels: p }, why: `pixel ${String(bad)}` });
      }
    }
  }
  const ts = BASE['train:start'];
  const B = TRAIN_BOUNDS;
  const outside = (k: keyof typeof B) => [B[k].min - 1, B[k].max + 1, B[k].max * 1000];
  for (const [k, vals] of Object.entries({
    hidden: [...outside('hidden'), 7.5],
    epochs: outside('epochs'),
    learningRate: [0, -0.001, 1.5],
    batchSize: outside('batchSize'),
    limit: [-1, B.limit.max + 1],
    mode: ['resume'],
    cell: ['cnn', 'RNN'],
    seed: [-1, 2 ** 31],
  })) {
    for (const v of vals) out.push({ channel: 'train:start', payload: { ...ts, [k]: v }, why: `train ${k}=${v}` });
  }
  for (const id of ['v1', 'v00001x', '../v0001', 'builtin ', 'V0001', '']) {
    out.push({ channel: 'models:activate', payload: { id }, why: `id ${id}` });
    out.push({ channel: 'viz:map', payload: { id }, why: `map id ${id}` });
  }
  for (const idx of [[-1], [10000], [0.5], new Array(201).fill(0)]) out.push({ channel: 'dataset:digits', payload: { indices: idx }, why: 'indices' });
  for (const files of [
    [],
    [{ name: 'model.json', base64: 'not base64!' }],
    [{ name: '', base64: '' }],
    new Array(4).fill({ name: 'a.bin', base64: '' }),
    [{ name: 'w.bin', base64: 'A'.repeat(33_554_436) }],
  ]) {
    out.push({ channel: 'models:upload', payload: { files }, why: 'upload files' });
  }
  for (const label of [-1, 10, 2.5]) out.push({ channel: 'samples:add', payload: { pixels: pixels(784), label }, why: `label ${label}` });
  // Unknown channels.
  for (const c of ['', 'model', 'model:Predict', 'fs:read', 'app:status ', '__proto__', 'constructor', 'toString', 'x'.repeat(500)])
    out.push({ channel: c, payload: {}, why: 'unknown channel' });
  for (const c of [null, 1, {}, [], true]) out.push({ channel: c, payload: {}, why: 'channel not a string' });
  // Random junk to make up the rest.
  while (out.length < 1200) {
    const channel = CHANNELS[Math.floor(rand() * CHANNELS.length)];
    const payload: Record<string, unknown> = {};
    const keys = ['pixels', 'id', 'label', 'mode', 'cell', 'hidden', 'src', 'indices', 'junk'];
    const nkeys = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < nkeys; i++) payload[keys[Math.floor(rand() * keys.length)]] = WRONG[Math.floor(rand() * WRONG.length)];
    if (!('junk' in payload) && Object.keys(payload).length) payload.junk = 1;
    out.push({ channel, payload, why: 'random' });
  }
  return out;
}
