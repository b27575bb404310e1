/**
 * Everything about a training run's settings that more than one layer needs:
 * the bounds of each hyper-parameter (one table, used by the contract's
 * schemas, the CLI and the engine), the tutorial's defaults, and how a fine-tune mixes the
 * user's drawings into MNIST.
 */
import type { Schedule, TrainConfig } from './types';

/** Inclusive bounds for each hyper-parameter; `learningRate` excludes its minimum. */
export const TRAIN_BOUNDS = {
  hidden: { min: 1, max: 1024 },
  epochs: { min: 1, max: 1000 },
  learningRate: { min: 0, max: 1 },
  batchSize: { min: 1, max: 1024 },
  /** Training digits to use; 0 means all of them. */
  limit: { min: 0, max: 10_000_000 },
  seed: { min: 0, max: 2 ** 31 - 1 },
} as const;

/** A whole-number setting named in TRAIN_BOUNDS. */
export type WholeSetting = Exclude<keyof typeof TRAIN_BOUNDS, 'learningRate'>;

/** A typed value brought to a whole number inside its bounds (anything unreadable becomes the minimum). */
export function clampSetting(name: WholeSetting, value: number): number {
  const { min, max } = TRAIN_BOUNDS[name];
  return Number.isFinite(value) ? Math.max(min, Math.min(max, Math.round(value))) : min;
}

/** The values the Train form offers for each setting it lists; every one lies inside TRAIN_BOUNDS. */
export const TRAIN_CHOICES = {
  hidden: [32, 64, 128, 256],
  learningRate: [0.0003, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.02],
  batchSize: [32, 64, 128, 256],
  /** 0: all the training digits. */
  limit: [1000, 6000, 15_000, 35_000, 0],
} as const;

/** The tutorial's settings ("MNIST with RNN"): SimpleRNN-128, Adam 0.001, batch 128, 30 epochs. */
export const TUTORIAL_CONFIG: TrainConfig = {
  cell: 'rnn',
  hidden: 128,
  epochs: 30,
  learningRate: 0.001,
  batchSize: 128,
  limit: 0,
  seed: 42,
};

/** Training digits in MNIST. */
export const MNIST_TRAIN = 60_000;
/** Test digits in MNIST: one evaluation pass after each epoch. */
export const MNIST_TEST = 10_000;

/** How a fine-tune mixes the user's samples into MNIST so the model keeps what it knew. */
export const FINETUNE = {
  /** MNIST training digits used when the request sets no limit. */
  mnistDigits: 6000,
  /** The user's copies make up about this share of the MNIST digits. */
  sampleShare: 0.25,
  /** At most this many copies of each sample, however few there are. */
  maxCopies: 100,
} as const;

/** The size of a fine-tune's training set: MNIST digits, copies of each user sample, and the total. */
export function finetuneMix(limit: number, samples: number, mnistAvailable = Infinity): { mnist: number; copies: number; total: number } {
  const mnist = Math.min(limit > 0 ? limit : FINETUNE.mnistDigits, mnistAvailable);
  const copies = samples ? Math.max(1, Math.min(FINETUNE.maxCopies, Math.round((FINETUNE.sampleShare * mnist) / samples))) : 0;
  return { mnist, copies, total: mnist + copies * samples };
}

/** One-cycle: the share of the run spent warming up, and where the rate starts and ends, relative to its peak. */
export const ONE_CYCLE = { warmup: 0.15, start: 0.1, end: 0.01 } as const;

/** The learning rate for step `step` (0-based) of `steps`, given the peak rate `lr`. */
export function learningRateAt(schedule: Schedule, lr: number, step: number, steps: number): number {
  if (schedule === 'constant' || steps <= 1) return lr;
  const warm = Math.max(1, Math.round(ONE_CYCLE.warmup * steps));
  if (step < warm) return lr * (ONE_CYCLE.start + ((1 - ONE_CYCLE.start) * step) / warm);
  const t = Math.min(1, (step - warm) / Math.max(1, steps - 1 - warm));
  return lr * (ONE_CYCLE.end + (1 - ONE_CYCLE.end) * 0.5 * (1 + Math.cos(Math.PI * t)));
}
