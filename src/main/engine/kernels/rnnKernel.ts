/**
 * JavaScript side of the fused SimpleRNN kernels: owns one WebAssembly
 * instance and its memory, lays out weights, batch and gradients, and runs one
 * training step (forward over 28 steps, softmax head, backpropagation through time).
 */
import { RNN_WASM_BASE64 } from './rnnWasm';

interface Exports {
  memory: WebAssembly.Memory;
  rnnForward(X: number, W: number, U: number, b: number, Hs: number, B: number, T: number, I: number, H: number): void;
  rnnBackward(X: number, W: number, U: number, Hs: number, dH: number, dA: number, UT: number, dW: number, dU: number, db: number, dX: number, B: number, T: number, I: number, H: number): void;
  headForwardBackward(h: number, Wd: number, bd: number, labels: number, probs: number, dWd: number, dbd: number, dH: number, correct: number, B: number, H: number, C: number): number;
  tanhArray(src: number, dst: number, n: number): void;
}

let module: WebAssembly.Module | null = null;

/** The compiled kernel module, shared by every instance in this thread. */
export function kernelModule(): WebAssembly.Module {
  module ??= new WebAssembly.Module(Buffer.from(RNN_WASM_BASE64, 'base64'));
  return module;
}

/** Names of the parameter blocks, in tfjs weight order. */
export const PARAMS = ['W', 'U', 'b', 'Wd', 'bd'] as const;
export type ParamName = (typeof PARAMS)[number];

/** Shapes the kernels support. */
export function kernelSupports(hidden: number): boolean {
  return hidden % 8 === 0 && hidden >= 8;
}

/** Result of one step: mean loss, number correct; gradients are in `grads`. */
export interface StepResult {
  loss: number;
  correct: number;
}

export class RnnKernel {
  readonly T: number;
  readonly I: number;
  readonly H: number;
  readonly C: number;
  readonly maxB: number;
  readonly #x: Exports;
  readonly #off: Record<string, number> = {};
  readonly #withInputGrad: boolean;
  /** Views on the weights in wasm memory, tfjs order: W [I,H], U [H,H], b [H], Wd [H,C], bd [C]. */
  readonly weights: Record<ParamName, Float32Array>;
  /** Views on the gradients, same layout as `weights`. */
  readonly grads: Record<ParamName, Float32Array>;

  constructor(opts: { hidden: number; maxBatch: number; steps?: number; inputs?: number; classes?: number; withInputGrad?: boolean }) {
    const T = (this.T = opts.steps ?? 28), I = (this.I = opts.inputs ?? 28), H = (this.H = opts.hidden), C = (this.C = opts.classes ?? 10), B = (this.maxB = opts.maxBatch);
    this.#withInputGrad = opts.withInputGrad ?? false;
    if (!kernelSupports(H)) throw new Error(`the fused kernels need a hidden size that is a multiple of 8, got ${H}`);
    const sizes: [string, number][] = [
      ['W', I * H], ['U', H * H], ['b', H], ['Wd', H * C], ['bd', C],
      ['dW', I * H], ['dU', H * H], ['db', H], ['dWd', H * C], ['dbd', C],
      ['X', T * B * I], ['Hs', T * B * H], ['dH', B * H], ['dA', T * B * H], ['UT', H * H], ['probs', B * C],
      ['dX', opts.withInputGrad ? T * B * I : 0], ['labels', Math.ceil(B / 4)], ['correct', 4],
    ];
    let bytes = 65536; // the first page holds the module's own data (math tables)
    for (const [name, n] of sizes) {
      this.#off[name] = bytes;
      bytes += Math.ceil((n * 4) / 16) * 16;
    }
    const instance = new WebAssembly.Instance(kernelModule(), { env: { abort: () => { throw new Error('kernel abort'); } } });
    this.#x = instance.exports as unknown as Exports;
    // The module exports its own memory; grow it to fit the buffers.
    const mem = this.#x.memory;
    const need = Math.ceil(bytes / 65536) - mem.buffer.byteLength / 65536;
    if (need > 0) mem.grow(need);
    const view = (name: string, n: number) => new Float32Array(mem.buffer, this.#off[name], n);
    this.weights = { W: view('W', I * H), U: view('U', H * H), b: view('b', H), Wd: view('Wd', H * C), bd: view('bd', C) };
    this.grads = { W: view('dW', I * H), U: view('dU', H * H), b: view('db', H), Wd: view('dWd', H * C), bd: view('dbd', C) };
  }

  #f32(name: string, n: number): Float32Array {
    return new Float32Array(this.#x.memory.buffer, this.#off[name], n);
  }

  /**
   * Load a batch given batch-major images (B × 784, rows of 28 pixels) into the
   * kernel's time-major layout X[t][b][i].
   */
  setBatch(images: Float32Array, labels: ArrayLike<number>, B: number): void {
    const { T, I } = this;
    if (B > this.maxB) throw new Error(`batch of ${B} exceeds the kernel's ${this.maxB}`);
    const X = this.#f32('X', T * B * I);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) X.set(images.subarray(b * T * I + t * I, b * T * I + (t + 1) * I), (t * B + b) * I);
    }
    const lab = new Uint8Array(this.#x.memory.buffer, this.#off.labels, B);
    for (let i = 0; i < B; i++) lab[i] = labels[i];
  }

  /** Forward only; returns every step's hidden state, T × B × H. */
  forward(B: number): Float32Array {
    const o = this.#off;
    this.#x.rnnForward(o.X, o.W, o.U, o.b, o.Hs, B, this.T, this.I, this.H);
    return this.#f32('Hs', this.T * B * this.H);
  }

  /** One forward and backward pass on the loaded batch. Gradients are of the mean loss and replace `grads`. */
  step(B: number): StepResult {
    const o = this.#off, { T, I, H, C } = this;
    this.#x.rnnForward(o.X, o.W, o.U, o.b, o.Hs, B, T, I, H);
    for (const g of Object.values(this.grads)) g.fill(0);
    const last = o.Hs + (T - 1) * B * H * 4;
    const lossSum = this.#x.headForwardBackward(last, o.Wd, o.bd, o.labels, o.probs, o.dWd, o.dbd, o.dH, o.correct, B, H, C);
    this.#x.rnnBackward(o.X, o.W, o.U, o.Hs, o.dH, o.dA, o.UT, o.dW, o.dU, o.db, this.#withInputGrad ? o.dX : 0, B, T, I, H);
    return { loss: lossSum / B, correct: new Int32Array(this.#x.memory.buffer, o.correct, 1)[0] };
  }

  /** dL/dX of the last step, batch-major (B × 784); needs withInputGrad. */
  inputGrad(B: number): Float32Array {
    const { T, I } = this;
    const dX = this.#f32('dX', T * B * I);
    const out = new Float32Array(B * T * I);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out.set(dX.subarray((t * B + b) * I, (t * B + b + 1) * I), b * T * I + t * I);
    return out;
  }

  /** tanh through the kernel's approximation, for accuracy checks. */
  tanh(values: Float32Array): Float32Array {
    const n = Math.min(values.length, this.T * this.maxB * this.H) & ~3;
    const buf = this.#f32('Hs', n);
    buf.set(values.subarray(0, n));
    const o = this.#off.Hs;
    this.#x.tanhArray(o, o, n);
    return buf.slice();
  }
}
