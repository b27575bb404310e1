/**
 * Training with the fused WebAssembly kernels: the whole recurrent forward pass,
 * softmax head and backpropagation through time run in one kernel call per
 * batch, and Adam (with tfjs's exact update rule) runs over flat arrays. The
 * weights are copied back into the ordinary tfjs model, so everything else —
 * the store, trace, export — sees a normal tfjs model.
 */
import * as tf from '@tensorflow/tfjs';
import { CLASSES, PIXELS, STEPS, type TrainConfig } from '../../shared/types';
import { currentBackend } from './backend';
import type { DataSplit } from './dataset';
import { availableParallelism } from 'node:os';
import { kernelSupports, PARAMS, RecurrentKernel } from './kernels/recurrentKernel';
import { KernelWorker } from './kernels/kernelWorker';
import { describeModel } from './model';

/** True when this model and backend can train on the fused kernels. */
export function fusedEligible(model: tf.LayersModel): boolean {
  if (process.env.RNN_LENS_KERNELS === 'off') return false;
  if (currentBackend()?.name === 'tensorflow') return false; // native TensorFlow keeps its own path
  return kernelSupports(describeModel(model).hidden);
}

/** Adam as tfjs applies it: bias-corrected moments, epsilon added to √v̂. */
class Adam {
  readonly #m: Float32Array[];
  readonly #v: Float32Array[];
  #acc1: number;
  #acc2: number;
  constructor(
    sizes: number[],
    private readonly lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-7,
  ) {
    this.#m = sizes.map((n) => new Float32Array(n));
    this.#v = sizes.map((n) => new Float32Array(n));
    this.#acc1 = beta1;
    this.#acc2 = beta2;
  }

  apply(params: Float32Array[], grads: Float32Array[]): void {
    const { beta1, beta2, eps, lr } = this;
    const c1 = 1 - this.#acc1,
      c2 = 1 - this.#acc2;
    params.forEach((p, k) => {
      const g = grads[k],
        m = this.#m[k],
        v = this.#v[k];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = (m[i] = beta1 * m[i] + (1 - beta1) * gi);
        const vi = (v[i] = beta2 * v[i] + (1 - beta2) * gi * gi);
        p[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
      }
    });
    this.#acc1 *= beta1;
    this.#acc2 *= beta2;
  }
}

/** Batches smaller than this are not worth splitting across threads. */
const MIN_SPLIT = 16;

export class FusedTrainer {
  readonly path = 'kernels';
  readonly #kernel: RecurrentKernel;
  readonly #worker: KernelWorker | null;
  readonly #adam: Adam;
  readonly #hidden: number;

  /** `threads` 2 splits every batch between this thread and a worker (default: when two cores exist). */
  constructor(
    private readonly model: tf.LayersModel,
    config: Pick<TrainConfig, 'batchSize' | 'learningRate'>,
    opts: { threads?: 1 | 2 } = {},
  ) {
    const { cell, hidden } = describeModel(model);
    this.#hidden = hidden;
    this.#kernel = new RecurrentKernel({ cell, hidden, maxBatch: Math.max(config.batchSize, 128) });
    const threads = opts.threads ?? (process.env.RNN_LENS_THREADS === '1' || availableParallelism() < 2 ? 1 : 2);
    this.#worker = threads === 2 && config.batchSize >= MIN_SPLIT ? new KernelWorker(this.#kernel.layout) : null;
    const values = model.getWeights().map((w) => w.dataSync() as Float32Array);
    PARAMS.forEach((name, i) => this.#kernel.weights[name].set(values[i]));
    this.#adam = new Adam(
      PARAMS.map((n) => this.#kernel.weights[n].length),
      config.learningRate,
    );
  }

  /** Gradients of the mean loss over `size` batch-major images, left in the kernel's gradient buffers. */
  gradients(images: Float32Array, labels: ArrayLike<number>, size: number): { loss: number; correct: number } {
    const w = this.#worker;
    if (!w || size < MIN_SPLIT) {
      this.#kernel.setBatch(images, labels, size);
      return this.#kernel.step(size);
    }
    // The worker takes the second half while this thread does the first.
    const b1 = Math.ceil(size / 2),
      b2 = size - b1;
    const [w0, w1] = this.#kernel.layout.weights;
    w.start(this.#kernel.bytes.subarray(w0, w1), images.subarray(b1 * PIXELS, size * PIXELS), Array.prototype.slice.call(labels, b1, size), b2);
    this.#kernel.setBatch(images.subarray(0, b1 * PIXELS), labels, b1);
    const mine = this.#kernel.step(b1);
    const theirs = w.finish();
    // Both halves hold gradients of their own mean; weight them back to the mean over the batch.
    const [g0, g1] = this.#kernel.layout.grads;
    const g = new Float32Array(this.#kernel.bytes.buffer, g0, (g1 - g0) / 4);
    const f1 = b1 / size,
      f2 = b2 / size;
    for (let i = 0; i < g.length; i++) g[i] = g[i] * f1 + w.grads[i] * f2;
    return { loss: (mine.loss * b1 + theirs.lossSum) / size, correct: mine.correct + theirs.correct };
  }

  /** Current gradients, tfjs order. */
  get grads(): Float32Array[] {
    return PARAMS.map((n) => this.#kernel.grads[n]);
  }

  /** One gradient step on `size` batch-major images. */
  step(images: Float32Array, labels: ArrayLike<number>, size: number): { loss: number; correct: number } {
    const r = this.gradients(images, labels, size);
    this.#adam.apply(
      PARAMS.map((n) => this.#kernel.weights[n]),
      this.grads,
    );
    return r;
  }

  /** A copy of the kernel's current weights, tfjs order. */
  weights(): Float32Array[] {
    return PARAMS.map((n) => this.#kernel.weights[n].slice());
  }

  /** Copy the trained weights into the tfjs model and stop the worker thread. */
  finish(): void {
    this.writeBack();
    this.#worker?.terminate();
  }

  /** Stop the worker thread without touching the model. */
  dispose(): void {
    this.#worker?.terminate();
  }

  /** Accuracy on (a prefix of) a split, using the kernel's forward pass. */
  evaluate(split: DataSplit, limit = 0): number {
    const n = limit > 0 ? Math.min(limit, split.n) : split.n;
    const B = this.#kernel.maxB,
      H = this.#hidden;
    const { Wd, bd } = this.#kernel.weights;
    let correct = 0;
    for (let start = 0; start < n; start += B) {
      const size = Math.min(B, n - start);
      this.#kernel.setBatch(split.images.subarray(start * PIXELS, (start + size) * PIXELS), split.labels.subarray(start, start + size), size);
      const hs = this.#kernel.forward(size);
      const last = (STEPS - 1) * size * H;
      for (let r = 0; r < size; r++) {
        let best = 0,
          bestV = -Infinity;
        for (let k = 0; k < CLASSES; k++) {
          let s = bd[k];
          for (let j = 0; j < H; j++) s += hs[last + r * H + j] * Wd[j * CLASSES + k];
          if (s > bestV) {
            bestV = s;
            best = k;
          }
        }
        if (best === split.labels[start + r]) correct++;
      }
    }
    return n ? correct / n : 0;
  }

  /** Copy the trained weights into the tfjs model. */
  writeBack(): void {
    const shapes = this.model.getWeights().map((w) => w.shape);
    const tensors = PARAMS.map((n, i) => tf.tensor(this.#kernel.weights[n].slice(), shapes[i]));
    this.model.setWeights(tensors);
    tensors.forEach((t) => t.dispose());
  }
}
