/**
 * Training with the fused WebAssembly kernels: the whole recurrent forward pass,
 * softmax head and backpropagation through time run in one kernel call per
 * batch part, split over this thread and the runtime's kernel worker threads,
 * and Adam (with tfjs's exact update rule) runs in the kernel. The weights are
 * copied back into the ordinary tfjs model, so everything else — the store,
 * trace, export — sees a normal tfjs model.
 */
import type * as tf from '@tensorflow/tfjs';
import { PIXELS, type TrainConfig } from '../../../shared/types';
import type { TrainSplit } from '../data/dataset';
import type { Read } from '../../../shared/reads';
import { classify } from '../inference/classify';
import type { KernelLayout } from '../kernels/layout';
import type { KernelWorker } from '../kernels/kernelWorker';
import { resizeHidden } from '../kernels/padding';
import { RecurrentKernel } from '../kernels/recurrentKernel';
import type { KernelRuntime } from '../kernels/runtime';
import { describeModel } from '../model/model';
import { setModelWeights, weightsOf, type Weights } from '../model/weights';
import { KernelAdam } from './adam';
import { splitBatch } from './batchSplit';
import type { Stepper } from './stepper';

/** The layout and the worker threads a run of this shape uses. */
export function kernelPlan(
  runtime: KernelRuntime,
  cell: TrainConfig['cell'],
  hidden: number,
  batchSize: number,
  read?: Read,
): { layout: KernelLayout; workers: number } {
  const layout = runtime.layout(cell, runtime.padded(hidden), Math.max(batchSize, 128), { read });
  return { layout, workers: splitBatch(batchSize, runtime.threads).length - 1 };
}

export class KernelStepper implements Stepper {
  readonly path = 'kernels';
  readonly #kernel: RecurrentKernel;
  readonly #workers: KernelWorker[];
  readonly #adam: KernelAdam;
  readonly #hidden: number;

  constructor(
    private readonly runtime: KernelRuntime,
    private readonly model: tf.LayersModel,
    config: Pick<TrainConfig, 'batchSize' | 'learningRate'>,
  ) {
    const { cell, hidden, read } = describeModel(model);
    this.#hidden = hidden;
    // Sizes that are not a multiple of the kernels' tile run padded with inert units (see padding.ts).
    const { layout, workers } = kernelPlan(runtime, cell, hidden, config.batchSize, read);
    this.#kernel = new RecurrentKernel(runtime, { cell, hidden: layout.H, maxBatch: layout.maxB, read });
    this.#workers = Array.from({ length: workers }, () => runtime.worker(this.#kernel.layout));
    this.#kernel.load(resizeHidden(weightsOf(model), layout.H));
    this.#adam = new KernelAdam(this.#kernel, config.learningRate);
  }

  /** Threads a batch is split over. */
  get threads(): number {
    return this.#workers.length + 1;
  }

  /** Gradients of the mean loss over `size` batch-major images (in the read's order), left in the kernel's gradient buffers. */
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

  /** The current gradients of the padded model, by name. */
  get grads(): RecurrentKernel['grads'] {
    return this.#kernel.grads;
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

  /** A copy of the current weights, cut back to the model's size. */
  weights(): Weights {
    const k = this.#kernel;
    return resizeHidden({ cell: k.layout.cell, hidden: k.layout.H, read: k.layout.read, ...k.weights }, this.#hidden);
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

  /** Copy the trained weights into the tfjs model and hand the worker threads back to the runtime. */
  finish(): void {
    setModelWeights(this.model, this.weights());
    this.discard();
  }

  /** Leave the model as it is and hand the worker threads back to the runtime, for the next run of this shape. */
  discard(): void {
    this.runtime.release(this.#workers.splice(0));
  }
}
