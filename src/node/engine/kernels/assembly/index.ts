// Entry of the kernel module: the building blocks for tests, and one call per
// training step or forward pass for any of the three cells.
import { rnnForward, rnnBackward, headForwardBackward } from './rnn';
import { lstmForward, lstmBackward, gruForward, gruBackward } from './gated';

export { tanhArray, gemm, gemmSparseA } from './common';
export { adamStep } from './adam';
export { headForwardBackward } from './rnn';

/** Cell codes shared with the JavaScript side. */
export const CELL_RNN = 0;
export const CELL_GRU = 1;
export const CELL_LSTM = 2;

function gates(cell: i32): i32 {
  return cell == CELL_LSTM ? 4 : cell == CELL_GRU ? 3 : 1;
}

/** All steps' hidden states into Hs (and gate activations into Zs, cell state or r⊙h into Cs). */
export function forwardAll(cell: i32, X: usize, W: usize, U: usize, b: usize, Hs: usize, Zs: usize, Cs: usize, B: i32, T: i32, I: i32, H: i32): void {
  if (cell == CELL_LSTM) lstmForward(X, W, U, b, Hs, Zs, Cs, B, T, I, H);
  else if (cell == CELL_GRU) gruForward(X, W, U, b, Hs, Zs, Cs, B, T, I, H);
  else rnnForward(X, W, U, b, Hs, B, T, I, H);
}

/**
 * One training step: zero the gradients, forward, softmax head with cross-entropy,
 * backpropagation through time. Returns the summed loss; `correct` gets the number right.
 * dX (T×B×I) receives the input gradient when non-zero.
 */
export function trainStep(cell: i32, X: usize, W: usize, U: usize, b: usize, Wd: usize, bd: usize, labels: usize, Hs: usize, Zs: usize, Cs: usize, probs: usize, dH: usize, dC: usize, dZ: usize, UT: usize, dW: usize, dU: usize, db: usize, dWd: usize, dbd: usize, dX: usize, correct: usize, B: i32, T: i32, I: i32, H: i32, C: i32): f64 {
  const G = gates(cell) * H;
  memory.fill(dW, 0, <usize>(I * G) << 2);
  memory.fill(dU, 0, <usize>(H * G) << 2);
  memory.fill(db, 0, <usize>G << 2);
  memory.fill(dWd, 0, <usize>(H * C) << 2);
  memory.fill(dbd, 0, <usize>C << 2);
  forwardAll(cell, X, W, U, b, Hs, Zs, Cs, B, T, I, H);
  const last = Hs + (<usize>((T - 1) * B * H) << 2);
  const loss = headForwardBackward(last, Wd, bd, labels, probs, dWd, dbd, dH, correct, B, H, C);
  if (cell == CELL_LSTM) lstmBackward(X, W, U, Hs, Zs, Cs, dH, dC, dZ, UT, dW, dU, db, dX, B, T, I, H);
  else if (cell == CELL_GRU) gruBackward(X, W, U, Hs, Zs, Cs, dH, dC, dZ, UT, dW, dU, db, dX, B, T, I, H);
  else rnnBackward(X, W, U, Hs, dH, dZ, UT, dW, dU, db, dX, B, T, I, H);
  return loss;
}
