/**
 * The memory of one kernel instance: where each buffer lives (the same for every
 * instance of one shape, so a worker thread lays its own out identically), and the
 * Layout record the kernel module reads them from. The record is written field by
 * field at the offsets the module exports (LAYOUT_<field>): a field this side does not
 * fill, or fills and the module does not have, is an error here, not a silent shift.
 */
import { CLASSES, GATES, SIDE, type CellType } from '../../../shared/types';
import { DEFAULT_READ, readShape, type Read } from '../../../shared/reads';

/** What a kernel instance computes besides a training step, and the read it is fed in. */
export interface LayoutOptions {
  /** Compute dL/dX, the input gradient. */
  withInputGrad?: boolean;
  /** Record ‖dL/dh_t‖ of every step and sample in the backward pass (the gradient through time). */
  withGradNorms?: boolean;
  /** Default rows: 28 steps of 28 pixels. */
  read?: Read;
}

/** The sizes and byte offsets of a kernel instance's buffers. */
export interface KernelLayout {
  cell: CellType;
  /** The read whose steps (T) and pixels per step (I) this layout holds. */
  read: Read;
  T: number;
  I: number;
  H: number;
  C: number;
  maxB: number;
  /** Bytes of memory the instance needs. */
  bytes: number;
  /** Where the Layout record lies. */
  header: number;
  off: Record<BufferName, number>;
  /** Whether dX (the input gradient) is computed. */
  withInputGrad: boolean;
  /** Whether the backward pass records ‖dL/dh_t‖ (T × B, time-major) into gradNorms. */
  withGradNorms: boolean;
  /** Byte ranges holding all weights and all gradients, each contiguous. */
  weights: [number, number];
  grads: [number, number];
}

/** The buffers, in the order they are laid out (weights, then gradients, contiguous). */
export const BUFFERS = [
  'W',
  'U',
  'b',
  'Wd',
  'bd',
  'dW',
  'dU',
  'db',
  'dWd',
  'dbd',
  'X',
  'Hs',
  'Zs',
  'Cs',
  'dH',
  'dC',
  'dZ',
  'UT',
  'probs',
  'dX',
  'gradNorms',
  'labels',
  'correct',
  'adamM',
  'adamV',
] as const;
export type BufferName = (typeof BUFFERS)[number];

/**
 * Images per call of an instance of `steps` steps that takes about the memory `batch` takes at
 * the tutorial's 28: a forward-only instance (evaluation, maps) of a long read keeps its
 * buffers, which grow with steps × batch, near those of a short one.
 */
export function batchForSteps(batch: number, steps: number): number {
  return Math.max(1, Math.min(batch, Math.ceil((batch * SIDE) / steps)));
}

/** Room for the Layout record (the module's is about 130 bytes); buffers start after it, 16-byte aligned. */
const HEADER_ROOM = 256;

/** Plan the memory of a kernel instance. The first page is left to the module's own data (math tables). */
export function planLayout(cell: CellType, hidden: number, maxB: number, opts: LayoutOptions = {}, C = CLASSES): KernelLayout {
  const { withInputGrad = false, withGradNorms = false, read = DEFAULT_READ } = opts;
  const { steps: T, inputs: I } = readShape(read);
  const H = hidden,
    B = maxB,
    G = GATES[cell] * H;
  const sizes: Record<Exclude<BufferName, 'adamM' | 'adamV'>, number> = {
    W: I * G,
    U: H * G,
    b: G,
    Wd: H * C,
    bd: C,
    dW: I * G,
    dU: H * G,
    db: G,
    dWd: H * C,
    dbd: C,
    X: T * B * I,
    Hs: T * B * H,
    Zs: cell === 'rnn' ? 0 : T * B * G,
    // LSTM: cell states, then their tanh (kept from the forward pass for BPTT); GRU: r ⊙ h_{t-1}.
    Cs: cell === 'rnn' ? 0 : (cell === 'lstm' ? 2 : 1) * T * B * H,
    dH: B * H,
    dC: B * H,
    dZ: T * B * G,
    UT: G * H,
    probs: B * C,
    dX: withInputGrad ? T * B * I : 0,
    gradNorms: withGradNorms ? T * B : 0,
    labels: Math.ceil(B / 4),
    correct: 4,
  };
  const aligned = (floats: number) => Math.ceil((floats * 4) / 16) * 16;
  // Adam's two moments, one float per weight including the blocks' alignment padding (always zero).
  const weightBytes = (['W', 'U', 'b', 'Wd', 'bd'] as const).reduce((s, n) => s + aligned(sizes[n]), 0);
  const header = 65536;
  const off = {} as Record<BufferName, number>;
  let bytes = header + HEADER_ROOM;
  for (const name of BUFFERS) {
    off[name] = bytes;
    bytes += name === 'adamM' || name === 'adamV' ? weightBytes : aligned(sizes[name]);
  }
  return { cell, read, T, I, H, C, maxB, bytes, header, off, withInputGrad, withGradNorms, weights: [off.W, off.dW], grads: [off.dW, off.X] };
}

/** The value of every field of the Layout record for this layout. */
export function headerValues(l: KernelLayout, cellCode: number): Record<string, number> {
  const { off } = l;
  return {
    cell: cellCode,
    maxB: l.maxB,
    T: l.T,
    I: l.I,
    H: l.H,
    C: l.C,
    nWeights: (l.weights[1] - l.weights[0]) / 4,
    X: off.X,
    labels: off.labels,
    W: off.W,
    U: off.U,
    b: off.b,
    Wd: off.Wd,
    bd: off.bd,
    dW: off.dW,
    dU: off.dU,
    db: off.db,
    dWd: off.dWd,
    dbd: off.dbd,
    Hs: off.Hs,
    Zs: off.Zs,
    Cs: off.Cs,
    probs: off.probs,
    dH: off.dH,
    dC: off.dC,
    dZ: off.dZ,
    UT: off.UT,
    dX: l.withInputGrad ? off.dX : 0,
    gradNorms: l.withGradNorms ? off.gradNorms : 0,
    correct: off.correct,
    adamM: off.adamM,
    adamV: off.adamV,
  };
}

/** The Layout record's field offsets, as the module exports them. */
export function layoutFields(exports: Record<string, unknown>): { fields: Record<string, number>; bytes: number } {
  const fields: Record<string, number> = {};
  let bytes = 0;
  for (const [name, v] of Object.entries(exports)) {
    if (!name.startsWith('LAYOUT_')) continue;
    const value = Number((v as WebAssembly.Global).value);
    if (name === 'LAYOUT_BYTES') bytes = value;
    else fields[name.slice('LAYOUT_'.length)] = value;
  }
  if (!bytes || bytes > HEADER_ROOM) throw new Error(`the kernel module's Layout record is ${bytes} bytes; this side leaves ${HEADER_ROOM}`);
  return { fields, bytes };
}

/** Write the Layout record into `memory` at `at`: every field the module has, each from a value this side names. */
export function writeHeader(memory: ArrayBuffer, at: number, fields: Record<string, number>, values: Record<string, number>): void {
  const missing = Object.keys(fields).filter((f) => !Object.hasOwn(values, f));
  const unknown = Object.keys(values).filter((f) => !Object.hasOwn(fields, f));
  if (missing.length || unknown.length)
    throw new Error(
      `the kernel module's Layout record and this side disagree: ${[...missing.map((f) => `no value for ${f}`), ...unknown.map((f) => `no field ${f}`)].join(', ')}`,
    );
  const view = new DataView(memory);
  for (const [name, offset] of Object.entries(fields)) {
    const v = values[name];
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new Error(`Layout field ${name} = ${v} is not an address or size`);
    view.setInt32(at + offset, v, true);
  }
}
