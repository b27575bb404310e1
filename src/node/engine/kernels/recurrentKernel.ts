/**
 * JavaScript side of the fused recurrent kernels (SimpleRNN, GRU, LSTM): owns
 * one WebAssembly instance and its memory, lays out weights, batch and
 * gradients, and runs one training step (forward over 28 steps, softmax head,
 * backpropagation through time) in a single call.
 */
import { GATES, STEPS, SIDE, CLASSES, type CellType } from '../../../shared/types';
import v8 from 'node:v8';
import { KERNEL_WASM_BASE64, KERNEL_WASM_RELAXED_BASE64 } from './kernelWasm';

/** The kernel module's exports. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  forwardAll(cell: number, X: number, W: number, U: number, b: number, Hs: number, Zs: number, Cs: number, B: number, T: number, I: number, H: number): void;
  trainStep(...args: number[]): number;
  tanhArray(src: number, dst: number, n: number): void;
  adamStep(p: number, g: number, m: number, v: number, n: number, lr: number, b1: number, b2: number, eps: number, c1: number, c2: number): void;
}

/** Cell codes of the kernel module. */
export const CELL_CODE: Record<CellType, number> = { rnn: 0, gru: 1, lstm: 2 };

/** The two builds of the kernels: plain 128-bit SIMD, and relaxed SIMD with fused multiply-add. */
export type KernelVariant = 'relaxed' | 'plain';

const modules: Partial<Record<KernelVariant, WebAssembly.Module>> = {};
const bytesOf = (v: KernelVariant) => Buffer.from(v === 'relaxed' ? KERNEL_WASM_RELAXED_BASE64 : KERNEL_WASM_BASE64, 'base64');
let chosen: KernelVariant | null = null;

/**
 * The build this engine runs, by feature detection: relaxed SIMD where the engine validates it
 * (Electron's V8 does; Node 20 once its experimental flag is set, which is done here), else
 * plain SIMD. RNN_LENS_RELAXED_SIMD=off forces plain.
 */
export function kernelVariant(): KernelVariant {
  if (chosen) return chosen;
  return (chosen = process.env.RNN_LENS_RELAXED_SIMD !== 'off' && relaxedSupported() ? 'relaxed' : 'plain');
}

/** True when this engine runs relaxed SIMD, after turning on Node 20's experimental flag if that is what it takes. */
function relaxedSupported(): boolean {
  const relaxed = bytesOf('relaxed');
  if (!WebAssembly.validate(relaxed)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(relaxed);
}

/** The compiled kernel module of a variant (default: kernelVariant()), shared in this thread and cloneable to workers. */
export function kernelModule(variant: KernelVariant = kernelVariant()): WebAssembly.Module {
  if (variant === 'relaxed' && !modules.relaxed && !relaxedSupported()) throw new Error('this WebAssembly engine has no relaxed SIMD');
  return (modules[variant] ??= new WebAssembly.Module(bytesOf(variant)));
}

/** Names of the parameter blocks, in tfjs weight order. */
export const PARAMS = ['W', 'U', 'b', 'Wd', 'bd'] as const;
export type ParamName = (typeof PARAMS)[number];

/** Hidden sizes the kernels support. */
export function kernelSupports(hidden: number): boolean {
  return hidden % 8 === 0 && hidden >= 8;
}

/** Where each buffer lives in kernel memory; the same for every instance of one shape. */
export interface KernelLayout {
  cell: CellType;
  T: number;
  I: number;
  H: number;
  C: number;
  maxB: number;
  bytes: number;
  off: Record<string, number>;
  /** Byte ranges holding all weights and all gradients, each contiguous. */
  weights: [number, number];
  grads: [number, number];
}

/** Plan the memory of a kernel instance. The first page is left to the module's own data (math tables). */
export function planLayout(cell: CellType, hidden: number, maxB: number, withInputGrad = false, T = STEPS, I = SIDE, C = CLASSES): KernelLayout {
  const H = hidden,
    B = maxB,
    G = GATES[cell] * H;
  const sizes: [string, number][] = [
    ['W', I * G],
    ['U', H * G],
    ['b', G],
    ['Wd', H * C],
    ['bd', C],
    ['dW', I * G],
    ['dU', H * G],
    ['db', G],
    ['dWd', H * C],
    ['dbd', C],
    ['X', T * B * I],
    ['Hs', T * B * H],
    ['Zs', cell === 'rnn' ? 0 : T * B * G],
    // LSTM: cell states, then their tanh (kept from the forward pass for BPTT); GRU: r ⊙ h_{t-1}.
    ['Cs', cell === 'rnn' ? 0 : (cell === 'lstm' ? 2 : 1) * T * B * H],
    ['dH', B * H],
    ['dC', B * H],
    ['dZ', T * B * G],
    ['UT', G * H],
    ['probs', B * C],
    ['dX', withInputGrad ? T * B * I : 0],
    ['labels', Math.ceil(B / 4)],
    ['correct', 4],
  ];
  // Adam's two moments, one float per weight including the blocks' alignment padding (always zero).
  const weightFloats = sizes.slice(0, 5).reduce((s, [, n]) => s + Math.ceil((n * 4) / 16) * 4, 0);
  sizes.push(['adamM', weightFloats], ['adamV', weightFloats]);
  const off: Record<string, number> = {};
  let bytes = 65536;
  for (const [name, n] of sizes) {
    off[name] = bytes;
    bytes += Math.ceil((n * 4) / 16) * 16;
  }
  return { cell, T, I, H, C, maxB, bytes, off, weights: [off.W, off.dW], grads: [off.dW, off.X] };
}

/** Instantiate the module with memory grown to fit `layout`. */
export function instantiate(mod: WebAssembly.Module, layout: KernelLayout): KernelExports {
  const instance = new WebAssembly.Instance(mod, {
    env: {
      abort: () => {
        throw new Error('kernel abort');
      },
    },
  });
  const x = instance.exports as unknown as KernelExports;
  const need = Math.ceil(layout.bytes / 65536) - x.memory.buffer.byteLength / 65536;
  if (need > 0) x.memory.grow(need);
  return x;
}

/** Position of B in trainStep's arguments. */
export const STEP_ARG_B = 23;

/** Arguments of trainStep for a batch of B with this layout; dX only when asked for. */
export function stepArgs(l: KernelLayout, B: number, withInputGrad = false): number[] {
  const o = l.off;
  return [
    CELL_CODE[l.cell],
    o.X,
    o.W,
    o.U,
    o.b,
    o.Wd,
    o.bd,
    o.labels,
    o.Hs,
    o.Zs,
    o.Cs,
    o.probs,
    o.dH,
    o.dC,
    o.dZ,
    o.UT,
    o.dW,
    o.dU,
    o.db,
    o.dWd,
    o.dbd,
    withInputGrad ? o.dX : 0,
    o.correct,
    B,
    l.T,
    l.I,
    l.H,
    l.C,
  ];
}

/** Result of one step: mean loss, number correct; gradients are in `grads`. */
export interface StepResult {
  loss: number;
  correct: number;
}

export class RecurrentKernel {
  readonly layout: KernelLayout;
  /** Which build this instance runs. */
  readonly variant: KernelVariant;
  readonly #x: KernelExports;
  readonly #withInputGrad: boolean;
  /** Views on the weights in wasm memory, tfjs order: W [I,H], U [H,H], b [H], Wd [H,C], bd [C]. */
  readonly weights: Record<ParamName, Float32Array>;
  /** Views on the gradients, same layout as `weights`. */
  readonly grads: Record<ParamName, Float32Array>;

  constructor(opts: { cell?: CellType; hidden: number; maxBatch: number; withInputGrad?: boolean; variant?: KernelVariant }) {
    if (!kernelSupports(opts.hidden)) throw new Error(`the fused kernels need a hidden size that is a multiple of 8, got ${opts.hidden}`);
    this.#withInputGrad = opts.withInputGrad ?? false;
    const cell = opts.cell ?? 'rnn';
    const l = (this.layout = planLayout(cell, opts.hidden, opts.maxBatch, this.#withInputGrad));
    this.variant = opts.variant ?? kernelVariant();
    this.#x = instantiate(kernelModule(this.variant), l);
    const { I, H, C } = l;
    const G = GATES[cell] * H;
    this.weights = { W: this.#f32('W', I * G), U: this.#f32('U', H * G), b: this.#f32('b', G), Wd: this.#f32('Wd', H * C), bd: this.#f32('bd', C) };
    this.grads = { W: this.#f32('dW', I * G), U: this.#f32('dU', H * G), b: this.#f32('db', G), Wd: this.#f32('dWd', H * C), bd: this.#f32('dbd', C) };
  }

  get maxB(): number {
    return this.layout.maxB;
  }

  /** The kernel's whole memory, for copying byte ranges such as `layout.weights`. */
  get bytes(): Uint8Array {
    return new Uint8Array(this.#x.memory.buffer);
  }

  #f32(name: string, n: number): Float32Array {
    return new Float32Array(this.#x.memory.buffer, this.layout.off[name], n);
  }

  /** Load a batch of batch-major images (B × 784) and their labels. */
  setBatch(images: Float32Array, labels: ArrayLike<number>, B: number): void {
    const { T, I, maxB, off } = this.layout;
    if (B > maxB) throw new Error(`batch of ${B} exceeds the kernel's ${maxB}`);
    this.#f32('X', B * T * I).set(images.subarray(0, B * T * I)); // the kernels read X batch-major, as images come
    const lab = new Uint8Array(this.#x.memory.buffer, off.labels, B);
    for (let i = 0; i < B; i++) lab[i] = labels[i];
  }

  /** Forward only; returns every step's hidden state, T × B × H. */
  forward(B: number): Float32Array {
    const { off: o, T, I, H, cell } = this.layout;
    this.#x.forwardAll(CELL_CODE[cell], o.X, o.W, o.U, o.b, o.Hs, o.Zs, o.Cs, B, T, I, H);
    return this.#f32('Hs', T * B * H);
  }

  /** One forward and backward pass on the loaded batch. Gradients are of the mean loss and replace `grads`. */
  step(B: number): StepResult {
    const l = this.layout;
    const lossSum = this.#x.trainStep(...stepArgs(l, B, this.#withInputGrad));
    return { loss: lossSum / B, correct: new Int32Array(this.#x.memory.buffer, l.off.correct, 1)[0] };
  }

  /** dL/dX of the last step, batch-major (B × 784); needs withInputGrad. */
  inputGrad(B: number): Float32Array {
    const { T, I } = this.layout;
    const dX = this.#f32('dX', T * B * I);
    const out = new Float32Array(B * T * I);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out.set(dX.subarray((t * B + b) * I, (t * B + b + 1) * I), b * T * I + t * I);
    return out;
  }

  /** One Adam update of every weight from `grads`, with the bias corrections c1 = 1 − β1^t, c2 = 1 − β2^t of step t. */
  adam(lr: number, b1: number, b2: number, eps: number, c1: number, c2: number): void {
    const { weights, grads, off } = this.layout;
    this.#x.adamStep(weights[0], grads[0], off.adamM, off.adamV, (weights[1] - weights[0]) / 4, lr, b1, b2, eps, c1, c2);
  }

  /** tanh through the kernel's approximation, for accuracy checks. */
  tanh(values: Float32Array): Float32Array {
    const { T, H, off } = this.layout;
    const n = Math.min(values.length, T * this.maxB * H) & ~3;
    const buf = this.#f32('Hs', n);
    buf.set(values.subarray(0, n));
    this.#x.tanhArray(off.Hs, off.Hs, n);
    return buf.slice();
  }
}
