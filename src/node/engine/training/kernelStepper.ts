/**
 * Training with the fused WebAssembly kernels: the whole recurrent forward pass,
 * softmax head and backpropagation through time run in one kernel call per
 * batch, and Adam (with tfjs's exact update rule) runs over flat arrays. The
 * weights are copied back into the ordinary tfjs model, so everything else —
 * the store, trace, export — sees a normal tfjs model.
 */
import * as tf from '@tensorflow/tfjs';
import { PIXELS, type CellType, type TrainConfig } from '../../../shared/types';
import { currentBackend } from '../backend';
import type { TrainSplit } from '../data/dataset';
import { availableParallelism } from 'node:os';
import { classify } from '../inference/classify';
import { paddedHidden, resizeHidden } from '../kernels/padding';
import { PARAMS, planLayout, RecurrentKernel, type KernelLayout } from '../kernels/recurrentKernel';
import { KernelWorker } from '../kernels/kernelWorker';
import { describeModel } from '../model/model';

/** True when training may use the fused kernels (any model createModel builds, at any hidden size). */
export function fusedEligible(): boolean {
  if (process.env.RNN_LENS_KERNELS === 'off') return false;
  return currentBackend()?.name !== 'tensorflow'; // native TensorFlow keeps its own path
}

/**
 * Adam as tfjs applies it (bias-corrected moments, epsilon added to √v̂). The update itself runs
 * in the kernel over all weights at once (assembly/adam.ts); this keeps the step's corrections.
 */
class Adam {
  #acc1: number;
  #acc2: number;
  constructor(
    private readonly kernel: RecurrentKernel,
    /** The step size; a schedule may change it between steps. */
    public lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-7,
  ) {
    this.#acc1 = beta1;
    this.#acc2 = beta2;
  }

  /** Update the kernel's weights from its gradients. */
  apply(): void {
    this.kernel.adam(this.lr, this.beta1, this.beta2, this.eps, 1 - this.#acc1, 1 - this.#acc2);
    this.#acc1 *= this.beta1;
    this.#acc2 *= this.beta2;
  }
}

/** Each thread takes at least this many samples of a batch; smaller batches use fewer threads. */
const MIN_PART = 8;
/** Threads at most: one batch of 128 split further gains little. */
export const MAX_THREADS = 8;

/** Threads to train with: RNN_LENS_THREADS if set, else every core up to MAX_THREADS. */
export function defaultThreads(env = process.env, cores = availableParallelism()): number {
  const forced = Number(env.RNN_LENS_THREADS);
  const n = Number.isInteger(forced) && forced >= 1 ? forced : cores;
  return Math.max(1, Math.min(MAX_THREADS, n));
}

/** Sizes of the parts a batch of `size` is split into over at most `threads` threads. */
export function splitBatch(size: number, threads: number): number[] {
  const parts = Math.max(1, Math.min(threads, Math.floor(size / MIN_PART)));
  const base = Math.floor(size / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < size - base * parts ? 1 : 0));
}

/** Kernel workers started ahead of a run (see prestartWorkers), waiting to be taken by the trainer whose layout they fit. */
const waiting: KernelWorker[] = [];

/** Kernel threads and layout a run of this shape will use. */
function plan(cell: CellType, hidden: number, batchSize: number, threads = defaultThreads()) {
  const layout = planLayout(cell, paddedHidden(hidden), Math.max(batchSize, 128));
  return { layout, workers: splitBatch(batchSize, threads).length - 1 };
}

/**
 * Start the kernel worker threads a run of this shape will need, so their start-up overlaps
 * with loading the data; the FusedTrainer built next takes them.
 */
export function prestartWorkers(cell: CellType, hidden: number, batchSize: number): void {
  const { layout, workers } = plan(cell, hidden, batchSize);
  while (waiting.length < workers) waiting.push(new KernelWorker(layout));
}

/** Workers started ahead and not yet taken. */
export function waitingWorkers(): number {
  return waiting.length;
}

/** A started worker of this layout, if one is waiting; else a new one. */
function takeWorker(layout: KernelLayout): KernelWorker {
  const i = waiting.findIndex((w) => JSON.stringify(w.layout) === JSON.stringify(layout));
  return i >= 0 ? waiting.splice(i, 1)[0] : new KernelWorker(layout);
}

export class FusedTrainer {
  readonly path = 'kernels';
  readonly #kernel: RecurrentKernel;
  readonly #workers: KernelWorker[];
  readonly #adam: Adam;
  readonly #hidden: number;
  readonly #cell: CellType;

  /** Every batch is split between this thread and `threads − 1` kernel worker threads (default: defaultThreads()). */
  constructor(
    private readonly model: tf.LayersModel,
    config: Pick<TrainConfig, 'batchSize' | 'learningRate'>,
    opts: { threads?: number } = {},
  ) {
    const { cell, hidden } = describeModel(model);
    this.#cell = cell;
    this.#hidden = hidden;
    // Sizes that are not a multiple of the kernels' tile run padded with inert units (see padding.ts).
    const { layout, workers } = plan(cell, hidden, config.batchSize, opts.threads);
    this.#kernel = new RecurrentKernel({ cell, hidden: layout.H, maxBatch: layout.maxB });
    this.#workers = Array.from({ length: workers }, () => takeWorker(this.#kernel.layout));
    const values = resizeHidden(
      cell,
      model.getWeights().map((w) => w.dataSync() as Float32Array),
      hidden,
      paddedHidden(hidden),
    );
    PARAMS.forEach((name, i) => this.#kernel.weights[name].set(values[i]));
    this.#adam = new Adam(this.#kernel, config.learningRate);
  }

  /** Threads a batch is split over. */
  get threads(): number {
    return this.#workers.length + 1;
  }

  /** Gradients of the mean loss over `size` batch-major images, left in the kernel's gradient buffers. */
  gradients(images: Float32Array, labels: ArrayLike<number>, size: number): { loss: number; correct: number } {
    const parts = splitBatch(size, this.threads);
    if (parts.length === 1) {
      this.#kernel.setBatch(images, labels, size);
      return this.#kernel.step(size);
    }
    // Workers take the later parts while this thread does the first.
    const [w0, w1] = this.#kernel.layout.weights;
    const weights = this.#kernel.bytes.subarray(w0, w1);
    let from = parts[0];
    for (let j = 1; j < parts.length; j++) {
      const b = parts[j];
      this.#workers[j - 1].start(weights, images.subarray(from * PIXELS, (from + b) * PIXELS), Array.prototype.slice.call(labels, from, from + b), b);
      from += b;
    }
    this.#kernel.setBatch(images.subarray(0, parts[0] * PIXELS), labels, parts[0]);
    const mine = this.#kernel.step(parts[0]);
    // Each part holds gradients of its own mean; weight them back to the mean over the batch
    // (in one pass with the first worker's part: this runs while the other thread waits).
    const [g0, g1] = this.#kernel.layout.grads;
    const g = new Float32Array(this.#kernel.bytes.buffer, g0, (g1 - g0) / 4);
    const f0 = parts[0] / size;
    let lossSum = mine.loss * parts[0];
    let correct = mine.correct;
    for (let j = 1; j < parts.length; j++) {
      const w = this.#workers[j - 1];
      const theirs = w.finish();
      const f = parts[j] / size,
        wg = w.grads;
      if (j === 1) for (let i = 0; i < g.length; i++) g[i] = g[i] * f0 + wg[i] * f;
      else for (let i = 0; i < g.length; i++) g[i] += wg[i] * f;
      lossSum += theirs.lossSum;
      correct += theirs.correct;
    }
    return { loss: lossSum / size, correct };
  }

  /** Current gradients, tfjs order. */
  get grads(): Float32Array[] {
    return PARAMS.map((n) => this.#kernel.grads[n]);
  }

  /** One gradient step on `size` batch-major images. */
  step(images: Float32Array, labels: ArrayLike<number>, size: number): { loss: number; correct: number } {
    const r = this.gradients(images, labels, size);
    this.#adam.apply();
    return r;
  }

  /** Set the learning rate for the following steps. */
  setLearningRate(lr: number): void {
    this.#adam.lr = lr;
  }

  /** A copy of the kernel's current weights, tfjs order. */
  weights(): Float32Array[] {
    return PARAMS.map((n) => this.#kernel.weights[n].slice());
  }

  /** Copy the trained weights into the tfjs model and stop the worker threads. */
  finish(): void {
    this.writeBack();
    this.dispose();
  }

  /** Leave the model as it is and hand the worker threads to the next trainer of this shape (see prestartWorkers). */
  release(): void {
    waiting.push(...this.#workers.splice(0));
  }

  /** Stop the worker threads without touching the model. */
  dispose(): void {
    for (const w of this.#workers) w.terminate();
  }

  /** Predicted classes for the first n digits of a split: the kernels' forward pass on every thread. */
  predict(split: TrainSplit, n = split.n): Uint8Array {
    return classify(this.#kernel, split, n, this.#workers);
  }

  /** Accuracy on (a prefix of) a split, using the kernel's forward pass. */
  evaluate(split: TrainSplit, limit = 0): number {
    const n = limit > 0 ? Math.min(limit, split.n) : split.n;
    const predicted = this.predict(split, n);
    let correct = 0;
    for (let i = 0; i < n; i++) if (predicted[i] === split.labels[i]) correct++;
    return n ? correct / n : 0;
  }

  /** Copy the trained weights into the tfjs model. */
  writeBack(): void {
    const shapes = this.model.getWeights().map((w) => w.shape);
    const values = resizeHidden(
      this.#cell,
      PARAMS.map((n) => this.#kernel.weights[n]),
      paddedHidden(this.#hidden),
      this.#hidden,
    );
    const tensors = values.map((v, i) => tf.tensor(v, shapes[i]));
    this.model.setWeights(tensors);
    tensors.forEach((t) => t.dispose());
  }
}
