/** One training job as the trainer process runs it: scratch or fine-tune, with the user's samples mixed in. */
import type * as tf from '@tensorflow/tfjs';
import { PIXELS, type TrainProgress, type TrainSummary } from '../../shared/types';
import { bytesToModel } from '../engine/artifacts';
import type { DataSplit, Dataset } from '../engine/dataset';
import { createModel } from '../engine/model';
import { trainModel } from '../engine/train';
import type { StartMessage } from './protocol';

/** MNIST digits used when fine-tuning, so the model keeps what it knew. */
export const FINETUNE_MNIST = 6000;

/** Append `copies` repeats of the user's samples to the first `n` MNIST digits. */
export function mixSamples(mnist: DataSplit, n: number, samples: { images: Float32Array; labels: Uint8Array }, copies: number): DataSplit {
  const s = samples.labels.length;
  const total = n + s * copies;
  const images = new Float32Array(total * PIXELS);
  const labels = new Uint8Array(total);
  images.set(mnist.images.subarray(0, n * PIXELS));
  labels.set(mnist.labels.subarray(0, n));
  for (let c = 0; c < copies; c++) {
    images.set(samples.images, (n + c * s) * PIXELS);
    labels.set(samples.labels, n + c * s);
  }
  return { n: total, images, labels };
}

/** Run a job to completion; the caller owns the returned model. */
export async function runJob(msg: StartMessage, ds: Dataset, onProgress: (p: TrainProgress) => void): Promise<{ model: tf.LayersModel; summary: TrainSummary; trainSize: number }> {
  const config = { ...msg.config };
  let train = ds.train;
  let model: tf.LayersModel;
  if (msg.base) {
    model = await bytesToModel(msg.base);
    const n = Math.min(config.limit > 0 ? config.limit : FINETUNE_MNIST, ds.train.n);
    const samples = msg.samples ?? { images: new Float32Array(0), labels: new Uint8Array(0) };
    // The user's drawings make up about a fifth of each epoch, however few there are.
    const copies = samples.labels.length ? Math.max(1, Math.min(100, Math.round((0.25 * n) / samples.labels.length))) : 0;
    train = mixSamples(ds.train, n, samples, copies);
    config.limit = 0;
  } else {
    model = createModel({ cell: config.cell, hidden: config.hidden, seed: config.seed });
  }
  const summary = await trainModel(model, { train, test: ds.test, config, testLimit: msg.testLimit, onProgress });
  return { model, summary, trainSize: config.limit > 0 ? Math.min(config.limit, train.n) : train.n };
}
