/**
 * JavaScript side of the fused recurrent kernels (SimpleRNN, GRU, LSTM): one
 * WebAssembly instance and its memory, laid out by kernels/layout.ts, with views on
 * the weights, the batch and the gradients by name. One training step (forward over
 * every step, softmax head, backpropagation through time) is a single call.
 */
import type { CellType } from '../../../shared/types';
import { GATES } from '../../../shared/types';
import type { Weights, WeightName } from '../model/weights';
import type { KernelLayout, LayoutOptions } from './layout';
import type { KernelExports, KernelRuntime } from './runtime';

/** Result of one step: mean loss, number correct; gradients are in `grads`. */
export interface StepResult {
  loss: number;
  correct: number;
}

export class RecurrentKernel {
  readonly layout: KernelLayout;
  readonly #x: KernelExports;
  /** Views on the weights in wasm memory: W [I, G·H], U [H, G·H], b [G·H], Wd [H, C], bd [C]. */
  readonly weights: Record<WeightName, Float32Array>;
  /** Views on the gradients, same layout as `weights`. */
  readonly grads: Record<WeightName, Float32Array>;

  constructor(runtime: KernelRuntime, opts: { cell: CellType; hidden: number; maxBatch: number } & LayoutOptions) {
    const l = (this.layout = runtime.layout(opts.cell, opts.hidden, opts.maxBatch, opts));
    this.#x = runtime.instantiate(l);
    const { I, H, C } = l;
    const G = GATES[opts.cell] * H;
    this.weights = {
      W: this.#f32(l.off.W, I * G),
      U: this.#f32(l.off.U, H * G),
      b: this.#f32(l.off.b, G),
      Wd: this.#f32(l.off.Wd, H * C),
      bd: this.#f32(l.off.bd, C),
    };
    this.grads = {
      W: this.#f32(l.off.dW, I * G),
      U: this.#f32(l.off.dU, H * G),
      b: this.#f32(l.off.db, G),
      Wd: this.#f32(l.off.dWd, H * C),
      bd: this.#f32(l.off.dbd, C),
    };
  }

  get maxB(): number {
    return this.layout.maxB;
  }

  /** The kernel's whole memory, for copying byte ranges such as `layout.weights`. */
  get bytes(): Uint8Array {
    return new Uint8Array(this.#x.memory.buffer);
  }

  #f32(at: number, n: number): Float32Array {
    return new Float32Array(this.#x.memory.buffer, at, n);
  }

  /** Copy a model's weights in (its hidden size must be the kernel's; see padding.ts for others). */
  load(w: Weights): void {
    const l = this.layout;
    if (w.cell !== l.cell || w.hidden !== l.H || w.read !== l.read)
      throw new Error(`weights of a ${w.cell}-${w.hidden} model reading ${w.read} do not fit a ${l.cell}-${l.H} kernel reading ${l.read}`);
    for (const n of ['W', 'U', 'b', 'Wd', 'bd'] as const) this.weights[n].set(w[n]);
  }

  /** Load a batch of batch-major images (B × T·I, in the read's order: see data/sequence.ts) and their labels. */
  setBatch(images: Float32Array, labels: ArrayLike<number>, B: number): void {
    const { T, I, maxB, off } = this.layout;
    if (B > maxB) throw new Error(`batch of ${B} exceeds the kernel's ${maxB}`);
    this.#f32(off.X, B * T * I).set(images.subarray(0, B * T * I)); // the kernels read X batch-major, as images come
    const lab = new Uint8Array(this.#x.memory.buffer, off.labels, B);
    for (let i = 0; i < B; i++) lab[i] = labels[i];
  }

  /** Forward only; returns every step's hidden state, T × B × H (a view, valid until the next call). */
  forward(B: number): Float32Array {
    const { off, T, H, header } = this.layout;
    this.#x.forwardAll(header, B);
    return this.#f32(off.Hs, T * B * H);
  }

  /**
   * After `forward`: each step's gate activations, T × B × gates·H (LSTM [i, f, g, o]; GRU
   * [z, r, ĥ]; none for SimpleRNN), and an LSTM's cell state, T × B × H. Views, valid until the next call.
   */
  activations(B: number): { gates: Float32Array; cells: Float32Array } {
    const { off, T, H, cell } = this.layout;
    const G = GATES[cell] * H;
    return {
      gates: cell === 'rnn' ? new Float32Array(0) : this.#f32(off.Zs, T * B * G),
      cells: cell === 'lstm' ? this.#f32(off.Cs, T * B * H) : new Float32Array(0),
    };
  }

  /** One forward and backward pass on the loaded batch. Gradients are of the mean loss and replace `grads`. */
  step(B: number): StepResult {
    const l = this.layout;
    const lossSum = this.#x.trainStep(l.header, B);
    return { loss: lossSum / B, correct: new Int32Array(this.#x.memory.buffer, l.off.correct, 1)[0] };
  }

  /** dL/dX of the last step, batch-major (B × T·I); needs withInputGrad. */
  inputGrad(B: number): Float32Array {
    const { T, I, off, withInputGrad } = this.layout;
    if (!withInputGrad) throw new Error('this kernel was made without the input gradient');
    const dX = this.#f32(off.dX, T * B * I);
    const out = new Float32Array(B * T * I);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out.set(dX.subarray((t * B + b) * I, (t * B + b + 1) * I), b * T * I + t * I);
    return out;
  }

  /**
   * ‖dL/dh_t‖ of the last step, for every step and sample: T × B, time-major (needs withGradNorms).
   * The gradients are of the batch's mean loss; `perSample` scales them back to each sample's own.
   */
  gradNorms(B: number, perSample = true): Float32Array {
    const { T, off, withGradNorms } = this.layout;
    if (!withGradNorms) throw new Error('this kernel was made without the gradient through time');
    const out = this.#f32(off.gradNorms, T * B).slice();
    if (perSample && B > 1) for (let i = 0; i < out.length; i++) out[i] *= B;
    return out;
  }

  /** One Adam update of every weight from `grads`, with the bias corrections c1 = 1 − β1^t, c2 = 1 − β2^t of step t. */
  adam(lr: number, b1: number, b2: number, eps: number, c1: number, c2: number): void {
    this.#x.adamStep(this.layout.header, lr, b1, b2, eps, c1, c2);
  }

  /** tanh through the kernel's approximation, for accuracy checks. */
  tanh(values: Float32Array): Float32Array {
    const { T, H, off } = this.layout;
    const n = Math.min(values.length, T * this.maxB * H) & ~3;
    const buf = this.#f32(off.Hs, n);
    buf.set(values.subarray(0, n));
    this.#x.tanhArray(off.Hs, off.Hs, n);
    return buf.slice();
  }
}
