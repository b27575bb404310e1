/**
 * The training loop: seeded shuffle, Adam, one gradient step per batch, progress
 * per batch and per epoch, cancellation between batches, and no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs';
import {
  CLASSES,
  PIXELS,
  SIDE,
  type EpochProgress,
  type PathChoice,
  type TrainConfig,
  type TrainPath,
  type TrainProgress,
  type TrainSummary,
} from '../../../shared/types';
import { accuracy } from '../inference/evaluate';
import { pixelsInto, type TrainSplit } from '../data/dataset';
import { FusedTrainer } from './kernelStepper';
import { choosePath, type PathOptions } from './pathChoice';
import { mulberry32, permutation } from '../data/random';
import { learningRateAt } from '../../../shared/training';

/** Inputs to one run besides the hyper-parameters. */
export interface TrainOptions {
  train: TrainSplit;
  test: TrainSplit;
  config: TrainConfig;
  /** Called after every batch and every epoch. */
  onProgress?: (p: TrainProgress) => void;
  /** Called after every epoch with a copy of the weights, e.g. to place the probe set on a map. */
  onEpochWeights?: (epoch: number, weights: Float32Array[]) => void;
  /** Checked between batches; an aborted run stops and keeps its weights so far. */
  signal?: AbortSignal;
  /** Evaluate on at most this many test samples per epoch (0 = all). */
  testLimit?: number;
  /** Use the fused WebAssembly kernels where the model allows (default), or force the plain tfjs path. */
  kernels?: 'auto' | 'off';
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

/** One way of running gradient steps: the fused kernels, or plain tfjs layers. */
interface Stepper {
  readonly path: TrainPath;
  step(images: Float32Array, labels: Int32Array, size: number): { loss: number; correct: number };
  /** The learning rate for the following steps. */
  setLearningRate(lr: number): void;
  evaluate(split: TrainSplit, limit: number): number;
  /** A copy of the current weights in tfjs order (kernel, recurrent kernel, bias, dense kernel, dense bias). */
  weights(): Float32Array[];
  /** Leave the trained weights in the model and release what the stepper holds. */
  finish(): void;
}

/** tfjs's Adam with a learning rate a schedule can move (applyGradients reads it on every step). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }
}

/** Gradient steps through tfjs-layers with tfjs's Adam. */
class TfjsStepper implements Stepper {
  readonly path = 'tfjs';
  readonly #optimizer: ScheduledAdam;
  readonly #vars: tf.Variable[];

  constructor(
    private readonly model: tf.LayersModel,
    learningRate: number,
  ) {
    this.#optimizer = new ScheduledAdam(learningRate, 0.9, 0.999);
    this.#vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  step(images: Float32Array, labelBuf: Int32Array, size: number): { loss: number; correct: number } {
    return tf.tidy(() => {
      const xs = tf.tensor3d(images.subarray(0, size * PIXELS), [size, SIDE, SIDE]);
      const labels = tf.tensor1d(labelBuf.subarray(0, size), 'int32');
      const ys = tf.oneHot(labels, CLASSES);
      const kept: { correct?: tf.Tensor } = {};
      const { value, grads } = tf.variableGrads(() => {
        const probs = this.model.apply(xs, { training: true }) as tf.Tensor2D;
        kept.correct = tf.keep(probs.argMax(-1).equal(labels).sum());
        return tf.metrics.categoricalCrossentropy(ys, probs).mean() as tf.Scalar;
      }, this.#vars);
      this.#optimizer.applyGradients(grads as Parameters<ScheduledAdam['applyGradients']>[0]);
      const out = { loss: value.dataSync()[0], correct: kept.correct!.dataSync()[0] };
      kept.correct!.dispose();
      return out;
    });
  }

  setLearningRate(lr: number): void {
    this.#optimizer.setLearningRate(lr);
  }

  evaluate(split: TrainSplit, limit: number): number {
    return accuracy(this.model, split, limit);
  }

  weights(): Float32Array[] {
    return this.model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
  }

  finish(): void {
    this.#optimizer.dispose();
  }
}

/** Train `model` in place. Resolves with the per-epoch summaries when done or cancelled. */
export async function trainModel(model: tf.LayersModel, opts: TrainOptions): Promise<TrainSummary> {
  const { train, test, config, onProgress, signal } = opts;
  const n = config.limit > 0 ? Math.min(config.limit, train.n) : train.n;
  if (n === 0) throw new Error('the training set is empty');
  const batches = Math.ceil(n / config.batchSize);
  const make: Record<TrainPath, (m: tf.LayersModel) => Stepper> = {
    kernels: (m) => new FusedTrainer(m, config),
    tfjs: (m) => new TfjsStepper(m, config.learningRate),
  };
  // The probe's kernel threads are handed on to the run instead of being stopped and started again.
  const probeMake: Record<TrainPath, (m: tf.LayersModel) => { step: Stepper['step']; finish(): void }> = {
    kernels: (m) => {
      const t = new FusedTrainer(m, config);
      return { step: (x, y, s) => t.step(x, y, s), finish: () => t.release() };
    },
    tfjs: make.tfjs,
  };
  const choice = await choosePath({ model, config, train, n, kernels: opts.kernels, path: opts.path, make: probeMake });
  opts.onPath?.(choice);
  const stepper: Stepper = make[choice.path](model);
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
