import { describe, expect, it } from 'vitest';
import type { Weights } from '../../../src/node/engine/model/weights';
import { LastFullEpoch } from '../../../src/node/trainer/lastEpoch';
import type { BatchProgress, EpochProgress, TrainSummary } from '../../../src/shared/types';

const batch = (epoch: number, b: number, batches = 4): BatchProgress => ({
  kind: 'batch',
  epoch,
  epochs: 5,
  batch: b,
  batches,
  loss: 1,
  accuracy: 0.5,
  samplesPerSec: 1,
  etaSec: 1,
  elapsedSec: 1,
});
const epoch = (e: number, acc: number): EpochProgress => ({
  kind: 'epoch',
  epoch: e,
  epochs: 5,
  avgCost: 1,
  trainAccuracy: 1,
  testAccuracy: acc,
  samplesPerSec: 1,
  elapsedSec: 1,
});
const summary = (epochs: EpochProgress[], cancelled: boolean): TrainSummary => ({
  epochs,
  testAccuracy: epochs.at(-1)?.testAccuracy ?? 0,
  cancelled,
  path: 'kernels',
  choice: null,
  elapsedSec: 1,
  samplesPerSec: 1,
});
/** Weights that say which epoch they are from (a 1-unit SimpleRNN, every value v). */
const w = (v: number): Weights => ({
  cell: 'rnn',
  hidden: 1,
  W: new Float32Array(28).fill(v),
  U: new Float32Array([v]),
  b: new Float32Array([v]),
  Wd: new Float32Array(10).fill(v),
  bd: new Float32Array(10).fill(v),
});

/** Play a run: full epochs, then `partial` batches of one more epoch (0: stopped at an epoch's end). */
function run(full: number, partial: number) {
  const last = new LastFullEpoch();
  const epochs: EpochProgress[] = [];
  for (let e = 1; e <= full + (partial ? 1 : 0); e++) {
    const upTo = e <= full ? 4 : partial;
    for (let b = 1; b <= upTo; b++) last.progress(batch(e, b));
    const s = epoch(e, 0.9 + e / 100);
    epochs.push(s);
    last.progress(s);
    last.weights(e, w(e));
  }
  return { last, epochs };
}

describe('stop and keep: the last finished epoch', () => {
  it('drops an epoch cut short and gives back the weights of the one before', () => {
    const { last, epochs } = run(2, 1);
    const { summary: kept, restore } = last.trim(summary(epochs, true));
    expect(kept.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(kept.testAccuracy).toBeCloseTo(0.92);
    expect(restore).toEqual(w(2));
  });

  it('keeps every epoch when the stop came at an epoch boundary, and the model as it is', () => {
    const { last, epochs } = run(3, 0);
    const { summary: kept, restore } = last.trim(summary(epochs, true));
    expect(kept.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(restore).toBeNull();
  });

  it('keeps nothing when no epoch finished', () => {
    const { last, epochs } = run(0, 3);
    const { summary: kept } = last.trim(summary(epochs, true));
    expect(kept.epochs).toEqual([]);
    expect(kept.testAccuracy).toBe(0);
  });

  it('leaves a run that was not stopped alone', () => {
    const { last, epochs } = run(2, 0);
    const s = summary(epochs, false);
    expect(last.trim(s)).toEqual({ summary: s, restore: null });
  });
});
