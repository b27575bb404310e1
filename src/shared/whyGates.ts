/**
 * The "Why gates?" experiment: a SimpleRNN and a GRU of the same size read MNIST the same long
 * way, are trained one after the other with the same recipe, and are compared by their test
 * accuracy after each epoch and by their gradient through time on one test digit. The read and
 * the budget come from measurements (docs/BENCHMARKS.md, "Why gates?").
 */
import type { TrainStartRequest } from './contract';
import type { Read } from './reads';
import type { CellType } from './types';

/** The two cells, in the order they train: the plain one first, so its result waits for the gated one's. */
export const WHY_GATES_CELLS = ['rnn', 'gru'] as const satisfies readonly CellType[];

/** How much training each network gets. */
export const WHY_GATES_BUDGETS = ['full', 'short'] as const;
export type WhyGatesBudget = (typeof WHY_GATES_BUDGETS)[number];

/** What both runs share. */
export const WHY_GATES = {
  read: 'pixels:4' as Read,
  hidden: 64,
  learningRate: 0.01,
  batchSize: 64,
  schedule: 'onecycle',
  seed: 1,
  /** Epochs and training digits per epoch of each budget: a test evaluation after every epoch draws the curve. */
  budgets: {
    full: { epochs: 4, limit: 15_000 },
    short: { epochs: 2, limit: 7_500 },
  },
  /**
   * Seconds of training both runs took together at each budget, evaluations included, as measured
   * (docs/BENCHMARKS.md, "Why gates?": 9.9 + 24.1 s and 2.7 + 7.5 s on two otherwise idle cores).
   * The Train form's estimate, made for 28 rows, is too hopeful at 196 steps.
   */
  measuredSec: { full: 34, short: 10 },
  /** The test digit whose gradient through time is shown (index into the 10,000), with the loss of its true label. */
  digit: 0,
} as const;

/** The train:start request for one cell of the experiment. */
export function whyGatesRequest(cell: (typeof WHY_GATES_CELLS)[number], budget: WhyGatesBudget): TrainStartRequest {
  const { read, hidden, learningRate, batchSize, schedule, seed, budgets } = WHY_GATES;
  return { mode: 'scratch', cell, hidden, read, learningRate, batchSize, schedule, seed, ...budgets[budget] };
}
