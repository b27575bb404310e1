/**
 * One training job, as both the trainer process and the CLI run it: build a
 * fresh model or load the one to fine-tune, mix the user's samples in when
 * given, train, and describe the result for the model's manifest.
 */
import type * as tf from '@tensorflow/tfjs';
import { finetuneMix } from '../../../shared/training';
import { DEFAULT_READ } from '../../../shared/reads';
import { PIXELS, type TrainConfig, type TrainSummary } from '../../../shared/types';
import { bytesToModel, type ModelBytes } from '../model/artifacts';
import { pixelsOf, type DataSplit, type Dataset, type TrainSplit } from '../data/dataset';
import { createModel } from '../model/model';
import type { ManifestInput } from '../model/store';
import { trainModel, type TrainOptions } from './train';

/** The user's drawings as training arrays. */
export interface SampleArrays {
  images: Float32Array;
  labels: Uint8Array;
}

/** What to train. */
export interface JobSpec {
  config: TrainConfig;
  /** Fine-tune these verified bytes instead of starting fresh; cell, hidden and read in `config` must match them. */
  base?: ModelBytes;
  /** The user's samples: when given (even none), the run trains on MNIST digits mixed with copies of them (see finetuneMix). */
  samples?: SampleArrays;
  /** Evaluate on at most this many test digits per epoch (0 = all). */
  testLimit?: number;
}

/** A finished (or cancelled) job; the caller owns `model`. */
export interface JobResult {
  model: tf.LayersModel;
  summary: TrainSummary;
  /** The training data, as the manifest records it. */
  dataset: string;
}

/** Append `copies` repeats of the user's samples to the first `mnist` digits of `train`. */
export function mixSamples(train: TrainSplit, mnist: number, samples: SampleArrays, copies: number): DataSplit {
  const s = samples.labels.length;
  const total = mnist + s * copies;
  const images = new Float32Array(total * PIXELS);
  const labels = new Uint8Array(total);
  images.set(pixelsOf(train, 0, mnist));
  labels.set(train.labels.subarray(0, mnist));
  for (let c = 0; c < copies; c++) {
    images.set(samples.images, (mnist + c * s) * PIXELS);
    labels.set(samples.labels, mnist + c * s);
  }
  return { n: total, images, labels };
}

export async function runJob(
  spec: JobSpec,
  ds: Dataset<TrainSplit>,
  hooks: Pick<TrainOptions, 'onProgress' | 'onEpochWeights' | 'signal' | 'path' | 'onPath' | 'runtime' | 'kernels'> = {},
): Promise<JobResult> {
  const config = { ...spec.config };
  const read = config.read ?? DEFAULT_READ;
  const model = spec.base ? await bytesToModel(spec.base, { cell: config.cell, hidden: config.hidden, read }) : createModel({ ...config, read });
  let train: TrainSplit = ds.train;
  let dataset = ds.name;
  if (spec.samples) {
    const count = spec.samples.labels.length;
    const mix = finetuneMix(config.limit, count, ds.train.n);
    train = mixSamples(ds.train, mix.mnist, spec.samples, mix.copies);
    config.limit = 0;
    dataset = `${ds.name} (${mix.mnist} digits) + ${count} user samples × ${mix.copies}`;
  }
  const summary = await trainModel(model, { train, test: ds.test, config, testLimit: spec.testLimit ?? 0, ...hooks });
  return { model, summary, dataset };
}

/** The manifest fields of a trained model: the one place a run becomes a record. */
export function runManifest(run: {
  config: TrainConfig;
  summary: TrainSummary;
  backend: string;
  dataset: string;
  command: string;
  parent: string | null;
}): ManifestInput {
  const { config, summary } = run;
  return {
    cell: config.cell,
    hidden: config.hidden,
    epochs: summary.epochs.length,
    learningRate: config.learningRate,
    batchSize: config.batchSize,
    schedule: config.schedule ?? 'constant',
    read: config.read ?? DEFAULT_READ,
    dataset: run.dataset,
    backend: run.backend,
    testAccuracy: summary.testAccuracy,
    command: run.command,
    parent: run.parent,
    history: summary.epochs.map((e) => ({ epoch: e.epoch, avgCost: e.avgCost, testAccuracy: e.testAccuracy })),
  };
}
