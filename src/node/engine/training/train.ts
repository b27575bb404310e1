/**
 * The training loop: seeded shuffle, Adam, one gradient step per batch, progress
 * per batch and per epoch, cancellation between batches, and no leaked tensors.
 */
import type * as tf from '@tensorflow/tfjs';
import { PIXELS, type EpochProgress, type PathChoice, type TrainConfig, type TrainPath, type TrainProgress, type TrainSummary } from '../../../shared/types';
import { learningRateAt } from '../../../shared/training';
import { pixelsInto, type TrainSplit } from '../data/dataset';
import { mulberry32, permutation } from '../data/random';
import type { KernelRuntime } from '../kernels/runtime';
import type { Weights } from '../model/weights';
import { KernelStepper } from './kernelStepper';
import { choosePath, type PathOptions } from './pathChoice';
import type { Stepper } from './stepper';
import { TfjsStepper } from './tfjsStepper';

/** Inputs to one run besides the hyper-parameters. */
export interface TrainOptions {
  train: TrainSplit;
  test: TrainSplit;
  config: TrainConfig;
  /** Called after every batch and every epoch. */
  onProgress?: (p: TrainProgress) => void;
  /** Called after every epoch with a copy of the weights, e.g. to place the probe set on a map. */
  onEpochWeights?: (epoch: number, weights: Weights) => void;
  /** Checked between batches; an aborted run stops and keeps its weights so far. */
  signal?: AbortSignal;
  /** Evaluate on at most this many test samples per epoch (0 = all). */
  testLimit?: number;
  /** The fused kernels' runtime (its module, build and threads); absent: tfjs layers train. */
  runtime?: KernelRuntime;
  /** Force a path ('on': the fused kernels, 'off': tfjs layers), or let it be chosen (default). */
  kernels?: 'auto' | 'on' | 'off';
  /** Measure which path is faster (and remember it); without this the built-in rule picks (see pathChoice.ts). */
  path?: PathOptions;
  /** Called once the path is chosen, before the first batch. */
  onPath?: (choice: PathChoice) => void;
}

/** Copy the samples named by order[from..from+size) into the batch buffers. */
function fillBatch(split: TrainSplit, order: Uint32Array, from: number, size: number, xs: Float32Array, ys: Int32Array): void {
  for (let k = 0; k < size; k++) {
    const i = order[from + k];
    pixelsInto(split, i, 1, xs, k);
    ys[k] = split.labels[i];
  }
}

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

/** Train `model` in place. Resolves with the per-epoch summaries when done or cancelled. */
export async function trainModel(model: tf.LayersModel, opts: TrainOptions): Promise<TrainSummary> {
  const { train, test, config, onProgress, signal } = opts;
  const n = config.limit > 0 ? Math.min(config.limit, train.n) : train.n;
  if (n === 0) throw new Error('the training set is empty');
  const batches = Math.ceil(n / config.batchSize);
  const { runtime } = opts;
  // A probe's stepper is discarded, its kernel threads kept by the runtime for the run.
  const make: Partial<Record<TrainPath, (m: tf.LayersModel) => Stepper>> = {
    ...(runtime ? { kernels: (m: tf.LayersModel) => new KernelStepper(runtime, m, config) } : {}),
    tfjs: (m) => new TfjsStepper(m, config.learningRate),
  };
  const choice = await choosePath({ model, config, train, n, kernels: opts.kernels ?? 'auto', path: opts.path, make, runtime });
  opts.onPath?.(choice);
  const stepper: Stepper = make[choice.path]!(model);
  const rand = mulberry32(config.seed);
  const xsBuf = new Float32Array(config.batchSize * PIXELS);
  const ysBuf = new Int32Array(config.batchSize);
  const started = performance.now();
  const epochs: EpochProgress[] = [];
  let rate = 0; // smoothed samples/s
  let evalSec = 0; // cost of one test evaluation, measured after the first epoch
  let cancelled = false;
  let trained = 0;

  const elapsed = () => (performance.now() - started) / 1000;

  try {
    // The map through training starts from the model as it is before the first step.
    opts.onEpochWeights?.(0, stepper.weights());
    for (let epoch = 1; epoch <= config.epochs && !cancelled; epoch++) {
      const order = permutation(train.n, rand).subarray(0, n);
      let costSum = 0;
      let correctSum = 0;
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        if (signal?.aborted) {
          cancelled = true;
          break;
        }
        const size = Math.min(config.batchSize, n - b * config.batchSize);
        fillBatch(train, order, b * config.batchSize, size, xsBuf, ysBuf);
        stepper.setLearningRate(learningRateAt(config.schedule ?? 'constant', config.learningRate, (epoch - 1) * batches + b, config.epochs * batches));
        const t0 = performance.now();
        const { loss, correct } = stepper.step(xsBuf, ysBuf, size);
        const sec = (performance.now() - t0) / 1000;
        const instant = size / Math.max(sec, 1e-6);
        rate = rate === 0 ? instant : 0.9 * rate + 0.1 * instant;
        costSum += loss * size;
        correctSum += correct;
        seen += size;
        trained += size;
        const remainingSamples = (config.epochs - epoch) * n + (n - seen);
        const remainingEvals = config.epochs - epoch + 1;
        onProgress?.({
          kind: 'batch',
          epoch,
          epochs: config.epochs,
          batch: b + 1,
          batches,
          loss,
          accuracy: correct / size,
          samplesPerSec: rate,
          etaSec: remainingSamples / rate + remainingEvals * evalSec,
          elapsedSec: elapsed(),
        });
        await yieldToEventLoop();
      }
      if (seen === 0) break;
      const e0 = performance.now();
      const testAccuracy = stepper.evaluate(test, opts.testLimit ?? 0);
      evalSec = (performance.now() - e0) / 1000;
      const summary: EpochProgress = {
        kind: 'epoch',
        epoch,
        epochs: config.epochs,
        avgCost: costSum / seen,
        trainAccuracy: correctSum / seen,
        testAccuracy,
        samplesPerSec: rate,
        elapsedSec: elapsed(),
      };
      epochs.push(summary);
      onProgress?.(summary);
      opts.onEpochWeights?.(epoch, stepper.weights());
    }
  } finally {
    stepper.finish();
  }
  const total = elapsed();
  return {
    epochs,
    testAccuracy: epochs.length ? epochs[epochs.length - 1].testAccuracy : 0,
    cancelled,
    path: stepper.path,
    choice,
    elapsedSec: total,
    samplesPerSec: trained / Math.max(total, 1e-6),
  };
}
