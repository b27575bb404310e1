/**
 * The user's samples reach training: a fine-tune job puts exactly the documented number
 * of copies of each sample into the batches the optimiser sees, and fine-tuning the
 * shipped model on a handful of digits it gets wrong changes those predictions, while
 * the same run without the samples does not.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bytesToModel } from '../../../src/node/engine/model/artifacts';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { predictClasses } from '../../../src/node/engine/inference/evaluate';
import { KernelStepper } from '../../../src/node/engine/training/kernelStepper';
import { runJob, type SampleArrays } from '../../../src/node/engine/training/job';
import { readModelFolder } from '../../../src/node/engine/model/folder';
import { FINETUNE_REQUEST, QUICK_RETRAIN } from '../../../src/shared/presets';
import { FINETUNE, finetuneMix } from '../../../src/shared/training';
import { PIXELS, type TrainConfig } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';

let ds: Dataset;
beforeAll(async () => {
  // wasm, so the jobs train on the fused kernels whose step() is watched below.
  ds = await mnistSlice(FINETUNE.mnistDigits, 2000, 'wasm');
});
afterEach(() => vi.restoreAllMocks());

/** Samples made of test digits (never in the training digits), with their true labels. */
function samplesFrom(indices: number[]): SampleArrays {
  const images = new Float32Array(indices.length * PIXELS);
  const labels = new Uint8Array(indices.length);
  indices.forEach((t, k) => {
    images.set(ds.test.images.subarray(t * PIXELS, (t + 1) * PIXELS), k * PIXELS);
    labels[k] = ds.test.labels[t];
  });
  return { images, labels };
}

const key = (pixels: Float32Array) => Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength).toString('base64');

const runtime = testRuntime();

/** Record every row of every batch the fused trainer steps on, as (pixels key, label). */
function watchBatches(): { key: string; label: number }[] {
  const rows: { key: string; label: number }[] = [];
  const step = KernelStepper.prototype.step;
  vi.spyOn(KernelStepper.prototype, 'step').mockImplementation(function (this: KernelStepper, images, labels, size) {
    for (let r = 0; r < size; r++) rows.push({ key: key(images.subarray(r * PIXELS, (r + 1) * PIXELS)), label: labels[r] });
    return step.call(this, images, labels, size);
  });
  return rows;
}

describe('a fine-tune job', () => {
  it('trains on every MNIST digit once and on each user sample exactly the documented number of times, with its label', async () => {
    const samples = samplesFrom([0, 1, 2]);
    const limit = 400;
    const { copies, total } = finetuneMix(limit, 3);
    expect(copies).toBe(33);
    const rows = watchBatches();
    const config: TrainConfig = { cell: 'rnn', hidden: 16, epochs: 1, learningRate: 0.001, batchSize: 64, limit, seed: 3 };
    const { model, summary, dataset } = await runJob({ config, samples, testLimit: 10 }, ds, { runtime });
    model.dispose();
    expect(summary.path).toBe('kernels');
    expect(dataset).toBe('mnist (400 digits) + 3 user samples × 33');
    expect(rows).toHaveLength(total);

    const seen = new Map<string, { count: number; labels: Set<number> }>();
    for (const r of rows) {
      const s = seen.get(r.key) ?? { count: 0, labels: new Set() };
      s.count++;
      s.labels.add(r.label);
      seen.set(r.key, s);
    }
    const sampleKeys = [0, 1, 2].map((k) => key(samples.images.subarray(k * PIXELS, (k + 1) * PIXELS)));
    sampleKeys.forEach((k, i) => expect(seen.get(k), `sample ${i}`).toEqual({ count: copies, labels: new Set([samples.labels[i]]) }));
    // Every other row is one of the first 400 MNIST training digits, each of them seen, with its label.
    const others = rows.filter((r) => !sampleKeys.includes(r.key));
    expect(others).toHaveLength(limit);
    for (let i = 0; i < limit; i++)
      expect(seen.get(key(ds.train.images.subarray(i * PIXELS, (i + 1) * PIXELS)))?.labels.has(ds.train.labels[i]), `digit ${i}`).toBe(true);
  });

  it('fine-tuning the shipped model on five digits it gets wrong makes it get them right; the same run without them does not', async () => {
    const shipped = readModelFolder(join(process.cwd(), 'resources', 'model'));
    const { cell, hidden } = shipped.describe;
    const base = await bytesToModel(shipped.bytes, shipped.describe);
    const predicted = predictClasses(base, ds.test);
    base.dispose();
    // The digit the shipped model gets wrong most often among these 2,000, and five of its misses.
    const misses = new Map<number, number[]>();
    predicted.forEach((p, i) => {
      if (p !== ds.test.labels[i]) misses.set(ds.test.labels[i], [...(misses.get(ds.test.labels[i]) ?? []), i]);
    });
    const [digit, wrong] = [...misses].sort((a, b) => b[1].length - a[1].length)[0];
    expect(wrong.length).toBeGreaterThanOrEqual(5);
    const picked = wrong.slice(0, 5);
    const samples = samplesFrom(picked);

    // The app's fine-tune settings: one pass at 0.0005 over 6,000 MNIST digits and 100 copies of each sample.
    const config: TrainConfig = { ...QUICK_RETRAIN, ...FINETUNE_REQUEST, cell, hidden, seed: 42 } as TrainConfig;
    const predictSamples = (m: tf.LayersModel) => Array.from(predictClasses(m, { n: picked.length, images: samples.images, labels: samples.labels }));
    /** The probability each model gives the true digit, averaged over the five samples. */
    const belief = (m: tf.LayersModel) =>
      tf.tidy(() => (m.predict(tf.tensor3d(samples.images, [picked.length, 28, 28])) as tf.Tensor).slice([0, digit], [-1, 1]).mean().dataSync()[0]);

    const withSamples = await runJob({ config, base: shipped.bytes, samples, testLimit: 2000 }, ds, { runtime });
    const without = await runJob({ config, base: shipped.bytes, samples: { images: new Float32Array(0), labels: new Uint8Array(0) }, testLimit: 2000 }, ds, {
      runtime,
    });
    const after = predictSamples(withSamples.model);
    const control = predictSamples(without.model);
    const [pWith, pWithout] = [belief(withSamples.model), belief(without.model)];
    console.log(
      `fine-tune on five ${digit}s: predictions ${picked.map((i) => predicted[i]).join(',')} → ${after.join(',')}, mean p(${digit}) ${pWith.toFixed(3)}; ` +
        `without the samples ${control.join(',')}, mean p(${digit}) ${pWithout.toFixed(3)}; test accuracy ${withSamples.summary.testAccuracy} / ${without.summary.testAccuracy}`,
    );
    expect(withSamples.summary.path).toBe('kernels');
    expect(without.dataset).toBe('mnist (6000 digits) + 0 user samples × 0');
    // With the samples every one of them is now read as the digit it is.
    expect(after).toEqual(picked.map(() => digit));
    // Without them the same run does not get there: the change is the samples' doing.
    expect(control.filter((p) => p === digit).length).toBeLessThan(picked.length);
    expect(pWith - pWithout).toBeGreaterThan(0.3);
    // And the model still reads MNIST.
    expect(withSamples.summary.testAccuracy).toBeGreaterThan(0.95);
    withSamples.model.dispose();
    without.model.dispose();
  });
});
