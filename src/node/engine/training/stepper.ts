/** One way of running gradient steps: the fused kernels, or plain tfjs layers. */
import type { TrainPath } from '../../../shared/types';
import type { TrainSplit } from '../data/dataset';
import type { Weights } from '../model/weights';

export interface Stepper {
  readonly path: TrainPath;
  step(images: Float32Array, labels: Int32Array, size: number): { loss: number; correct: number };
  /** The learning rate for the following steps. */
  setLearningRate(lr: number): void;
  evaluate(split: TrainSplit, limit: number): number;
  /** A copy of the current weights. */
  weights(): Weights;
  /** Leave the trained weights in the model and release what the stepper holds. */
  finish(): void;
  /** Release what the stepper holds without touching the model (a probe's throwaway run). */
  discard(): void;
}
