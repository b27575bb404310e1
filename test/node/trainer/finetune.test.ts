/**
 * The whole path of a fine-tune, as the Teach and Train panels drive it: samples added
 * through the contract, train:start with the app's fine-tune settings, the trainer
 * process, the new version adopted, and predictions through model:predict. The shipped
 * model gets five digits wrong before and right after.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictClasses } from '../../../src/node/engine/inference/evaluate';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { AppServices } from '../../../src/node/services/index';
import { createDispatch } from '../../../src/node/services/dispatch';
import { forkTrainer } from '../../../src/node/trainer/forkTrainer';
import { FINETUNE_REQUEST, QUICK_RETRAIN } from '../../../src/shared/presets';
import { PIXELS } from '../../../src/shared/types';
import { mnistSlice, tempDir } from '../../helpers';
import { waitFor, type Emitted } from '../fixtures';

let ds: Dataset;
const saved = process.env.RNN_LENS_BACKEND;
beforeAll(async () => {
  // The trainer process inherits this: it trains on the fused kernels wherever the test runs.
  process.env.RNN_LENS_BACKEND = 'wasm';
  ds = await mnistSlice(1, 2000, 'wasm');
});
afterAll(() => {
  if (saved === undefined) delete process.env.RNN_LENS_BACKEND;
  else process.env.RNN_LENS_BACKEND = saved;
});

describe('fine-tuning through the services and the trainer process', () => {
  it('five digits the shipped model gets wrong, added as samples, are read right after one fine-tune', async () => {
    const events: Emitted[] = [];
    const services = new AppServices({
      userData: tempDir('rnn-lens-finetune-'),
      builtinModelDir: join(process.cwd(), 'resources', 'model'),
      spawnTrainer: () => forkTrainer(),
      emit: (event, payload) => events.push({ event, payload, at: Date.now() } as Emitted),
      appVersion: '0.0.0-test',
      runtime: 'test',
    });
    await services.init();
    const dispatch = createDispatch(services);
    expect(services.status().active).toMatchObject({ id: 'builtin', cell: 'rnn', hidden: 128 });

    // Five misses of the digit the shipped model gets wrong most often among the first 2,000 test digits.
    const predicted = predictClasses(services.active.require().model, ds.test);
    const misses = new Map<number, number[]>();
    predicted.forEach((p, i) => {
      if (p !== ds.test.labels[i]) misses.set(ds.test.labels[i], [...(misses.get(ds.test.labels[i]) ?? []), i]);
    });
    const [digit, wrong] = [...misses].sort((a, b) => b[1].length - a[1].length)[0];
    const picked = wrong.slice(0, 5);
    expect(picked).toHaveLength(5);
    const pixelsOf = (i: number) => Array.from(ds.test.images.subarray(i * PIXELS, (i + 1) * PIXELS));
    const predict = async (i: number) =>
      ((await dispatch('model:predict', { pixels: pixelsOf(i) })) as { ok: true; value: { prediction: number } }).value.prediction;
    for (const i of picked) {
      expect(await predict(i)).not.toBe(digit);
      expect(await dispatch('samples:add', { pixels: pixelsOf(i), label: digit })).toMatchObject({ ok: true });
    }

    // What the Train panel sends in fine-tune mode.
    const request = { ...QUICK_RETRAIN, ...FINETUNE_REQUEST, mode: 'finetune' as const };
    expect(await dispatch('train:start', request)).toEqual({ ok: true, value: { started: true } });
    const done = await waitFor(events, 'train:done', () => true, 180_000);
    expect(done.summary).toMatchObject({ cancelled: false, path: 'kernels' });
    expect(done.version?.manifest).toMatchObject({ parent: 'builtin', cell: 'rnn', hidden: 128, dataset: 'mnist (6000 digits) + 5 user samples × 100' });
    expect(services.status().active?.id).toBe(done.version!.id);

    const after = await Promise.all(picked.map(predict));
    console.log(
      `fine-tune through the trainer on five ${digit}s: ${picked.map((i) => predicted[i]).join(',')} → ${after.join(',')}, test accuracy ${done.summary.testAccuracy}`,
    );
    expect(after).toEqual(picked.map(() => digit));
    expect(done.summary.testAccuracy).toBeGreaterThan(0.95);
    services.shutdown();
  });
});
