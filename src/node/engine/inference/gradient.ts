/**
 * The gradient through time of one input: how much the loss L (the cross-entropy of the
 * predicted digit, or of a label the person names) changes with the state at each step,
 * ‖∂L/∂h_t‖, from the fused kernel's own backward pass (the one training runs), on a batch of
 * one. Where it has fallen by orders of magnitude, a weight change cannot be traced back to
 * what that step read: the network cannot learn to use it. Any hidden size (padded units carry
 * no gradient) and any read.
 */
import type { GradientThroughTime } from '../../../shared/contract';
import { readShape } from '../../../shared/reads';
import { CLASSES, PIXELS } from '../../../shared/types';
import { Sequencer } from '../data/sequence';
import { resizeHidden } from '../kernels/padding';
import { RecurrentKernel } from '../kernels/recurrentKernel';
import type { KernelRuntime } from '../kernels/runtime';
import type { Weights } from '../model/weights';
import { DenseHead } from './head';

export class GradientProbe {
  readonly #kernel: RecurrentKernel;
  readonly #head: DenseHead;
  readonly #seq: Sequencer;
  readonly #weights: Weights;
  readonly #x = new Float32Array(PIXELS);

  constructor(runtime: KernelRuntime, weights: Weights) {
    this.#weights = weights;
    const padded = resizeHidden(weights, runtime.padded(weights.hidden));
    this.#kernel = new RecurrentKernel(runtime, { cell: weights.cell, hidden: padded.hidden, maxBatch: 1, read: weights.read, withGradNorms: true });
    this.#kernel.load(padded);
    this.#head = new DenseHead(padded.hidden, padded.Wd, padded.bd);
    this.#seq = new Sequencer(weights.read);
  }

  /** ‖∂L/∂h_t‖ at every step for one 28×28 image; L is the loss of `label`, or of the predicted digit when none is given. */
  measure(pixels: ArrayLike<number>, label?: number): GradientThroughTime {
    if (pixels.length !== PIXELS) throw new Error(`the gradient through time needs ${PIXELS} pixels (28×28), got ${pixels.length}`);
    if (label !== undefined && !(Number.isInteger(label) && label >= 0 && label < CLASSES)) throw new Error(`label must be a digit 0-9, got ${label}`);
    const { cell, hidden, read } = this.#weights;
    const { steps } = readShape(read);
    const k = this.#kernel;
    const x = this.#seq.fromImages(Float32Array.from(pixels), 1);
    this.#x.set(x);
    k.setBatch(this.#x, [0], 1);
    const hs = k.forward(1);
    const prediction = this.#head.classOf(hs, (steps - 1) * k.layout.H);
    const target = label ?? prediction;
    k.setBatch(this.#x, [target], 1);
    const { loss } = k.step(1);
    return { cell, hidden, read, steps, label: target, of: label === undefined ? 'prediction' : 'label', prediction, loss, norms: k.gradNorms(1) };
  }
}
