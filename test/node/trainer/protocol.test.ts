/**
 * Every message the trainer sends is checked against trainer/protocol.ts before main acts on
 * it: each kind of message as the trainer writes it is taken, and each field just past its
 * bounds is refused, with the field named.
 */
import { describe, expect, it } from 'vitest';
import { parseTrainerMessage } from '../../../src/node/trainer/protocol';

const batch = { kind: 'batch', epoch: 1, epochs: 3, batch: 1, batches: 100, loss: 2.3, accuracy: 0.1, samplesPerSec: 1000, etaSec: 5, elapsedSec: 0.1 };
const epoch = { kind: 'epoch', epoch: 1, epochs: 3, avgCost: 0.4, trainAccuracy: 0.9, testAccuracy: 0.94, samplesPerSec: 14000, elapsedSec: 4.2 };
const choice = { path: 'kernels', reason: 'measured', backend: 'wasm', kernelsPerSec: 20000, tfjsPerSec: 4000 };
const summary = { epochs: [epoch], testAccuracy: 0.94, cancelled: false, path: 'kernels', choice, elapsedSec: 4.3, samplesPerSec: 13000 };
const done = { type: 'done', summary, backend: 'wasm', dataset: 'mnist', modelJson: new Uint8Array([123, 125]), weights: new Uint8Array(8) };
const frame = { epoch: 1, landmarks: new Float32Array([0.5, -1, 2, 0]), labels: [7, 2], explained: [0.3, 0.1], drift: null };

/** The message with one field replaced (a path of keys), everything else as above. */
function withField(msg: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [key, ...rest] = path;
  return { ...msg, [key]: rest.length ? withField(msg[key] as Record<string, unknown>, rest, value) : value };
}

const good: [string, unknown][] = [
  ['path', { type: 'path', choice }],
  ['path without speeds', { type: 'path', choice: { path: 'tfjs', reason: 'forced', backend: 'cpu' } }],
  ['batch progress', { type: 'progress', progress: batch }],
  ['epoch progress', { type: 'progress', progress: epoch }],
  ['done', done],
  ['done, cancelled', { ...done, summary: { ...summary, cancelled: true, path: null, choice: null, epochs: [] }, modelJson: null, weights: null }],
  ['error', { type: 'error', error: 'x'.repeat(4000) }],
  ['map', { type: 'map', frame }],
  [
    'map at the bounds',
    { type: 'map', frame: { epoch: 9, landmarks: new Float32Array(20000), labels: new Array(10000).fill(9), explained: [1, 0], drift: 12.5 } },
  ],
];

const bad: [string, unknown, RegExp][] = [
  ['nothing', null, /^message: /],
  ['an array', [], /^message: /],
  ['an unknown type', { type: 'hello' }, /^type: /],
  // Map frames: the labels are classes 0..9, whole numbers.
  ['label 10', { type: 'map', frame: { ...frame, labels: [7, 10] } }, /^frame\.labels\.1: /],
  ['label −1', { type: 'map', frame: { ...frame, labels: [-1, 2] } }, /^frame\.labels\.0: /],
  ['label 3.5', { type: 'map', frame: { ...frame, labels: [3.5, 2] } }, /^frame\.labels\.0: /],
  ['label "3"', { type: 'map', frame: { ...frame, labels: ['3', 2] } }, /^frame\.labels\.0: /],
  ['10,001 labels', { type: 'map', frame: { ...frame, labels: new Array(10001).fill(1) } }, /^frame\.labels: /],
  ['epoch −1', { type: 'map', frame: { ...frame, epoch: -1 } }, /^frame\.epoch: /],
  ['a negative drift', { type: 'map', frame: { ...frame, drift: -0.1 } }, /^frame\.drift: /],
  ['no drift', { type: 'map', frame: { epoch: 1, landmarks: frame.landmarks, labels: frame.labels, explained: frame.explained } }, /^frame\.drift: /],
  ['epoch 1.5', { type: 'map', frame: { ...frame, epoch: 1.5 } }, /^frame\.epoch: /],
  ['a share above 1', { type: 'map', frame: { ...frame, explained: [1.01, 0] } }, /^frame\.explained\.0: /],
  ['a negative share', { type: 'map', frame: { ...frame, explained: [0.5, -0.01] } }, /^frame\.explained\.1: /],
  ['one share', { type: 'map', frame: { ...frame, explained: [0.5] } }, /^frame\.explained: /],
  ['20,002 coordinates', { type: 'map', frame: { ...frame, landmarks: new Float32Array(20002) } }, /^frame\.landmarks: expected finite float32 points/],
  ['an infinite point', { type: 'map', frame: { ...frame, landmarks: new Float32Array([0, Infinity]) } }, /^frame\.landmarks: /],
  ['float64 points', { type: 'map', frame: { ...frame, landmarks: new Float64Array(4) } }, /^frame\.landmarks: /],
  ['an extra field in a frame', { type: 'map', frame: { ...frame, colour: 'red' } }, /^frame: Unrecognized key: "colour"$/],
  // Progress.
  ['a negative epoch', { type: 'progress', progress: { ...batch, epoch: -1 } }, /^progress\.epoch: /],
  ['a fractional batch', { type: 'progress', progress: { ...batch, batch: 1.5 } }, /^progress\.batch: /],
  ['negative speed', { type: 'progress', progress: { ...batch, samplesPerSec: -1 } }, /^progress\.samplesPerSec: /],
  ['negative time', { type: 'progress', progress: { ...epoch, elapsedSec: -0.5 } }, /^progress\.elapsedSec: /],
  ['an infinite accuracy', { type: 'progress', progress: { ...batch, accuracy: Infinity } }, /^progress\.accuracy: /],
  ['an infinite test accuracy', { type: 'progress', progress: { ...epoch, testAccuracy: -Infinity } }, /^progress\.testAccuracy: /],
  ['a text loss', { type: 'progress', progress: { ...batch, loss: '2.3' } }, /^progress\.loss: /],
  ['a batch without its count', { type: 'progress', progress: { ...batch, batches: undefined } }, /^progress\.batches: /],
  ['an unknown kind', { type: 'progress', progress: { ...batch, kind: 'step' } }, /^progress\.kind: /],
  ['an extra progress field', { type: 'progress', progress: { ...epoch, note: 'x' } }, /^progress: Unrecognized key: "note"$/],
  // The path.
  ['an unknown path', { type: 'path', choice: { ...choice, path: 'gpu' } }, /^choice\.path: /],
  ['an unknown reason', { type: 'path', choice: { ...choice, reason: 'because' } }, /^choice\.reason: /],
  ['an unknown backend', { type: 'path', choice: { ...choice, backend: 'webgl' } }, /^choice\.backend: /],
  ['a speed of 0', { type: 'path', choice: { ...choice, tfjsPerSec: 0 } }, /^choice\.tfjsPerSec: /],
  ['an infinite speed', { type: 'path', choice: { ...choice, kernelsPerSec: Infinity } }, /^choice\.kernelsPerSec: /],
  // Done.
  ['a 41-character backend', { ...done, backend: 'x'.repeat(41) }, /^backend: /],
  ['a 201-character dataset', { ...done, dataset: 'x'.repeat(201) }, /^dataset: /],
  ['model.json as text', { ...done, modelJson: '{}' }, /^modelJson: expected bytes/],
  ['weights as an array', { ...done, weights: [0, 0] }, /^weights: expected bytes/],
  ['a summary with a bad epoch', withField(done, ['summary', 'epochs'], [{ ...epoch, kind: 'batch' }]), /^summary\.epochs\.0\.kind: /],
  ['a summary with an unknown path', withField(done, ['summary', 'path'], 'gpu'), /^summary\.path: /],
  ['a summary with a bad choice', withField(done, ['summary', 'choice'], { ...choice, reason: 'guess' }), /^summary\.choice\.reason: /],
  ['a summary with negative time', withField(done, ['summary', 'elapsedSec'], -1), /^summary\.elapsedSec: /],
  ['a summary without cancelled', withField(done, ['summary', 'cancelled'], 'no'), /^summary\.cancelled: /],
  ['a summary with an infinite accuracy', withField(done, ['summary', 'testAccuracy'], NaN), /^summary\.testAccuracy: /],
  ['an extra field in done', { ...done, extra: 1 }, /^message: Unrecognized key: "extra"$/],
  // Errors.
  ['a 4,001-character error', { type: 'error', error: 'x'.repeat(4001) }, /^error: /],
  ['an error that is not text', { type: 'error', error: { message: 'x' } }, /^error: /],
];

describe('trainer protocol', () => {
  it.each(good)('takes %s as the trainer sends it', (_what, msg) => {
    const r = parseTrainerMessage(msg);
    expect(r).toEqual({ ok: true, msg });
  });

  it.each(bad)('refuses %s, naming the field', (_what, msg, field) => {
    const r = parseTrainerMessage(msg);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(field);
  });
});
