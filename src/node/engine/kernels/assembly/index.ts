// Entry of the kernel module: one call per training step, forward pass or Adam update, for any
// of the three cells, each taking the address of a Layout record in this module's memory and
// the batch size. The JavaScript side writes the record by field name, reading each field's
// offset from the LAYOUT_* exports below, so no argument can be passed in the wrong place.
// Cell codes, gate counts and the hidden-size multiple are exported too and read from here.
import { rnnForward, rnnBackward, headForwardBackward } from './rnn';
import { lstmForward, lstmBackward, gruForward, gruBackward } from './gated';
import { adamUpdate } from './adam';

export { tanhArray, gemm, gemmSparseA } from './common';
export { headForwardBackward } from './rnn';

/** Cell codes. */
export const CELL_RNN: i32 = 0;
export const CELL_GRU: i32 = 1;
export const CELL_LSTM: i32 = 2;

/** Hidden sizes the kernels take are multiples of this (the GEMM's register tile is 8 floats wide). */
export const KERNEL_MULTIPLE: i32 = 8;

/** Gate blocks side by side in a cell's weights: SimpleRNN 1, GRU 3 (z r h), LSTM 4 (i f c o). */
export function gatesOf(cell: i32): i32 {
  return cell == CELL_LSTM ? 4 : cell == CELL_GRU ? 3 : 1;
}

/**
 * Where everything of one kernel instance lives: sizes, then byte addresses. X [B][T][I] batch-major;
 * Hs [T][B][H]; W [I][G·H], U [H][G·H], b [G·H], Wd [H][C], bd [C] and their gradients dW … dbd,
 * which lie contiguous (weights first), as do the Adam moments; dX is 0 when no input gradient is wanted,
 * gradNorms [T][B] (‖dL/dh_t‖ of each step and sample) 0 when the gradient through time is not recorded.
 */
@unmanaged
class Layout {
  cell: i32;
  maxB: i32;
  T: i32;
  I: i32;
  H: i32;
  C: i32;
  /** Floats from W to the end of bd, alignment padding included: what Adam updates. */
  nWeights: i32;
  X: usize;
  labels: usize;
  W: usize;
  U: usize;
  b: usize;
  Wd: usize;
  bd: usize;
  dW: usize;
  dU: usize;
  db: usize;
  dWd: usize;
  dbd: usize;
  Hs: usize;
  Zs: usize;
  Cs: usize;
  probs: usize;
  dH: usize;
  dC: usize;
  dZ: usize;
  UT: usize;
  dX: usize;
  gradNorms: usize;
  correct: usize;
  adamM: usize;
  adamV: usize;
}

export const LAYOUT_BYTES: i32 = offsetof<Layout>();
export const LAYOUT_cell: i32 = offsetof<Layout>('cell');
export const LAYOUT_maxB: i32 = offsetof<Layout>('maxB');
export const LAYOUT_T: i32 = offsetof<Layout>('T');
export const LAYOUT_I: i32 = offsetof<Layout>('I');
export const LAYOUT_H: i32 = offsetof<Layout>('H');
export const LAYOUT_C: i32 = offsetof<Layout>('C');
export const LAYOUT_nWeights: i32 = offsetof<Layout>('nWeights');
export const LAYOUT_X: i32 = offsetof<Layout>('X');
export const LAYOUT_labels: i32 = offsetof<Layout>('labels');
export const LAYOUT_W: i32 = offsetof<Layout>('W');
export const LAYOUT_U: i32 = offsetof<Layout>('U');
export const LAYOUT_b: i32 = offsetof<Layout>('b');
export const LAYOUT_Wd: i32 = offsetof<Layout>('Wd');
export const LAYOUT_bd: i32 = offsetof<Layout>('bd');
export const LAYOUT_dW: i32 = offsetof<Layout>('dW');
export const LAYOUT_dU: i32 = offsetof<Layout>('dU');
export const LAYOUT_db: i32 = offsetof<Layout>('db');
export const LAYOUT_dWd: i32 = offsetof<Layout>('dWd');
export const LAYOUT_dbd: i32 = offsetof<Layout>('dbd');
export const LAYOUT_Hs: i32 = offsetof<Layout>('Hs');
export const LAYOUT_Zs: i32 = offsetof<Layout>('Zs');
export const LAYOUT_Cs: i32 = offsetof<Layout>('Cs');
export const LAYOUT_probs: i32 = offsetof<Layout>('probs');
export const LAYOUT_dH: i32 = offsetof<Layout>('dH');
export const LAYOUT_dC: i32 = offsetof<Layout>('dC');
export const LAYOUT_dZ: i32 = offsetof<Layout>('dZ');
export const LAYOUT_UT: i32 = offsetof<Layout>('UT');
export const LAYOUT_dX: i32 = offsetof<Layout>('dX');
export const LAYOUT_gradNorms: i32 = offsetof<Layout>('gradNorms');
export const LAYOUT_correct: i32 = offsetof<Layout>('correct');
export const LAYOUT_adamM: i32 = offsetof<Layout>('adamM');
export const LAYOUT_adamV: i32 = offsetof<Layout>('adamV');

/** The invariants every entry relies on; compiled out of the release builds, kept in the checked one. */
function check(l: Layout, B: i32): void {
  assert(l.cell == CELL_RNN || l.cell == CELL_GRU || l.cell == CELL_LSTM, 'unknown cell code');
  assert(l.H >= KERNEL_MULTIPLE && l.H % KERNEL_MULTIPLE == 0, 'the hidden size must be a positive multiple of KERNEL_MULTIPLE');
  assert(B >= 1 && B <= l.maxB, 'the batch must be from 1 to the layout maxB');
  assert(l.T >= 1 && l.I >= 1 && l.C >= 1, 'steps, inputs and classes must be positive');
  assert(((l.W | l.U | l.b | l.Wd | l.bd | l.Hs | l.dH | l.dZ | l.dW | l.dU | l.db) & 15) == 0, 'buffers must be 16-byte aligned');
  assert(l.dW - l.W == <usize>l.nWeights << 2, 'the weights must lie contiguous, just before their gradients');
}

/** All steps' hidden states into Hs (and gate activations into Zs, cell state or r⊙h into Cs). */
export function forwardAll(layout: usize, B: i32): void {
  const l = changetype<Layout>(layout);
  check(l, B);
  if (l.cell == CELL_LSTM) lstmForward(l.X, l.W, l.U, l.b, l.Hs, l.Zs, l.Cs, B, l.T, l.I, l.H);
  else if (l.cell == CELL_GRU) gruForward(l.X, l.W, l.U, l.b, l.Hs, l.Zs, l.Cs, B, l.T, l.I, l.H);
  else rnnForward(l.X, l.W, l.U, l.b, l.Hs, B, l.T, l.I, l.H);
}

/**
 * One training step: zero the gradients, forward, softmax head with cross-entropy,
 * backpropagation through time. Returns the summed loss; `correct` gets the number right.
 * dX (T×B×I) receives the input gradient when its address is non-zero, gradNorms (T×B) the
 * norm of dL/dh_t of the mean loss at every step.
 */
export function trainStep(layout: usize, B: i32): f64 {
  const l = changetype<Layout>(layout);
  check(l, B);
  const T = l.T, I = l.I, H = l.H, C = l.C;
  const G = gatesOf(l.cell) * H;
  memory.fill(l.dW, 0, <usize>(I * G) << 2);
  memory.fill(l.dU, 0, <usize>(H * G) << 2);
  memory.fill(l.db, 0, <usize>G << 2);
  memory.fill(l.dWd, 0, <usize>(H * C) << 2);
  memory.fill(l.dbd, 0, <usize>C << 2);
  forwardAll(layout, B);
  const last = l.Hs + (<usize>((T - 1) * B * H) << 2);
  const loss = headForwardBackward(last, l.Wd, l.bd, l.labels, l.probs, l.dWd, l.dbd, l.dH, l.correct, B, H, C);
  if (l.cell == CELL_LSTM) lstmBackward(l.X, l.W, l.U, l.Hs, l.Zs, l.Cs, l.dH, l.dC, l.dZ, l.UT, l.dW, l.dU, l.db, l.dX, l.gradNorms, B, T, I, H);
  else if (l.cell == CELL_GRU) gruBackward(l.X, l.W, l.U, l.Hs, l.Zs, l.Cs, l.dH, l.dC, l.dZ, l.UT, l.dW, l.dU, l.db, l.dX, l.gradNorms, B, T, I, H);
  else rnnBackward(l.X, l.W, l.U, l.Hs, l.dH, l.dZ, l.UT, l.dW, l.dU, l.db, l.dX, l.gradNorms, B, T, I, H);
  return loss;
}

/** One Adam update of every weight from its gradient, with the bias corrections c1 = 1 − β1^t, c2 = 1 − β2^t of step t. */
export function adamStep(layout: usize, lr: f32, b1: f32, b2: f32, eps: f32, c1: f32, c2: f32): void {
  const l = changetype<Layout>(layout);
  check(l, 1);
  adamUpdate(l.W, l.dW, l.adamM, l.adamV, l.nWeights, lr, b1, b2, eps, c1, c2);
}
