/**
 * The map through training: before the first epoch (the untrained model) and after each
 * one, the probe set's final states are fitted with PCA and the frame is turned (orthogonal
 * Procrustes, reflections allowed) so that each class's centre lands as near as it can to
 * where it was in the frame before: the classes stay in place and visibly pull apart
 * instead of jumping around. How far the centres still moved is each frame's `drift`.
 */
import type { TrainingMapFrame } from '../../../shared/projection';
import { projectStates } from '../../../shared/projection';
import { CLASSES } from '../../../shared/types';
import type { KernelRuntime } from '../kernels/runtime';
import type { Weights } from '../model/weights';
import { probeStates } from './hiddenMap';
import { applyOrthogonal, pca, procrustes2d } from './pca';

/** Probe digits placed after each epoch (fewer than the full map's, to keep each epoch's extra cost small). */
export const TRAINING_PROBE_DIGITS = 1000;

/** Each class's centre (CLASSES × 2) and the frame's spread: the root mean square distance of its points from their centre. */
export function classCentres(points: ArrayLike<number>, labels: ArrayLike<number>, n: number): { centres: Float64Array; counts: Float64Array; spread: number } {
  const centres = new Float64Array(2 * CLASSES);
  const counts = new Float64Array(CLASSES);
  let mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) {
    const k = labels[i];
    centres[2 * k] += points[2 * i];
    centres[2 * k + 1] += points[2 * i + 1];
    counts[k]++;
    mx += points[2 * i] / n;
    my += points[2 * i + 1] / n;
  }
  for (let k = 0; k < CLASSES; k++) {
    if (!counts[k]) continue;
    centres[2 * k] /= counts[k];
    centres[2 * k + 1] /= counts[k];
  }
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (points[2 * i] - mx) ** 2 + (points[2 * i + 1] - my) ** 2;
  return { centres, counts, spread: Math.sqrt(ss / Math.max(1, n)) || 1 };
}

/**
 * How far the class centres moved from frame `a` to frame `b`, on average, in units of each
 * frame's spread (so a frame that only grows has not moved).
 */
export function centreDrift(a: ReturnType<typeof classCentres>, b: ReturnType<typeof classCentres>): number {
  let sum = 0,
    w = 0;
  for (let k = 0; k < CLASSES; k++) {
    const c = Math.min(a.counts[k], b.counts[k]);
    if (!c) continue;
    const dx = b.centres[2 * k] / b.spread - a.centres[2 * k] / a.spread;
    const dy = b.centres[2 * k + 1] / b.spread - a.centres[2 * k + 1] / a.spread;
    sum += Math.hypot(dx, dy);
    w++;
  }
  return w ? sum / w : 0;
}

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

  /** The frame for one epoch's weights (epoch 0: before training), aligned to the frame before it. */
  frame(epoch: number, weights: Weights): TrainingMapFrame {
    const n = this.#n;
    const { finals } = probeStates(this.runtime, weights, this.images, n, 0);
    const p = pca(finals, n, weights.hidden, 2);
    const landmarks = projectStates({ hidden: weights.hidden, mean: Float32Array.from(p.mean), axes: Float32Array.from(p.components) }, finals, n);
    let drift: number | null = null;
    if (this.#prev) {
      const before = classCentres(this.#prev, this.labels, n);
      const now = classCentres(landmarks, this.labels, n);
      // Each centre weighted by its class's size (√count on both sides of the least-squares fit).
      const weigh = (c: ReturnType<typeof classCentres>, scale: number) => Float64Array.from(c.centres, (v, i) => (v / scale) * Math.sqrt(c.counts[i >> 1]));
      applyOrthogonal(landmarks, procrustes2d(weigh(now, now.spread), weigh(before, before.spread), CLASSES));
      drift = centreDrift(before, classCentres(landmarks, this.labels, n));
    }
    this.#prev = landmarks;
    const total = p.totalVariance > 0 ? p.totalVariance : 1;
    return { epoch, landmarks, labels: Array.from(this.labels).slice(0, n), explained: [p.variances[0] / total, p.variances[1] / total], drift };
  }
}
