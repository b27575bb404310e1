/**
 * The map through training: after each epoch, the probe set's final states
 * are fitted with PCA and turned by orthogonal Procrustes onto the previous
 * epoch's frame, so the classes visibly separate instead of jumping around.
 */
import type { TrainingMapFrame } from '../../../shared/projection';
import { projectStates } from '../../../shared/projection';
import type { KernelRuntime } from '../kernels/runtime';
import type { Weights } from '../model/weights';
import { probeStates } from './hiddenMap';
import { applyOrthogonal, pca, procrustes2d } from './pca';

/** Probe digits placed after each epoch (fewer than the full map's, to keep each epoch's extra cost small). */
export const TRAINING_PROBE_DIGITS = 1000;

export class EpochMaps {
  #prev: Float32Array | null = null;
  readonly #n: number;

  constructor(
    private readonly runtime: KernelRuntime,
    private readonly images: Float32Array,
    private readonly labels: ArrayLike<number>,
    n = TRAINING_PROBE_DIGITS,
  ) {
    this.#n = Math.min(n, labels.length);
  }

  /** Align the next frame to these points (n × 2) instead of the last frame made here. */
  follow(previous: Float32Array): void {
    this.#prev = previous.slice();
  }

  /** The frame for one epoch's weights, aligned to the frame before it. */
  frame(epoch: number, weights: Weights): TrainingMapFrame {
    const n = this.#n;
    const { finals } = probeStates(this.runtime, weights, this.images, n, 0);
    const p = pca(finals, n, weights.hidden, 2);
    const landmarks = projectStates({ hidden: weights.hidden, mean: Float32Array.from(p.mean), axes: Float32Array.from(p.components) }, finals, n);
    if (this.#prev) applyOrthogonal(landmarks, procrustes2d(landmarks, this.#prev, n));
    this.#prev = landmarks;
    const total = p.totalVariance > 0 ? p.totalVariance : 1;
    return { epoch, landmarks, labels: Array.from(this.labels).slice(0, n), explained: [p.variances[0] / total, p.variances[1] / total] };
  }
}
