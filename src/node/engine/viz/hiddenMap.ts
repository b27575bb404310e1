/**
 * Fit the hidden-state map of a model: trace a fixed probe set of test digits,
 * take PCA of their final states, and place the landmarks, a faded cloud of
 * every step and an order of units for the heatmap.
 */
import type { HiddenMap } from '../../../shared/projection';
import { projectStates } from '../../../shared/projection';
import { PIXELS, STEPS } from '../../../shared/types';
import { BatchForward } from '../inference/batchForward';
import type { KernelRuntime } from '../kernels/runtime';
import type { Weights } from '../model/weights';
import { pca } from './pca';

/** Digits in the probe set: the first PROBE_DIGITS of the test set. */
export const PROBE_DIGITS = 2000;
/** Probe digits whose every step is drawn as the faded cloud. */
export const CLOUD_DIGITS = 400;

/** Images per forward call of the fused kernel. */
const BATCH = 250;

/** Run n images and keep the final states (n × H) and all states of the first `cloud` images, batched through the fused kernel. */
export function probeStates(
  runtime: KernelRuntime,
  weights: Weights,
  images: Float32Array,
  n: number,
  cloud = CLOUD_DIGITS,
): { finals: Float32Array; steps: Float32Array; cloud: number } {
  const H = weights.hidden;
  const finals = new Float32Array(n * H);
  const c = Math.min(cloud, n);
  const steps = new Float32Array(c * STEPS * H);
  const fwd = new BatchForward(runtime, weights, Math.min(BATCH, n));
  for (let start = 0; start < n; start += fwd.maxBatch) {
    const B = Math.min(fwd.maxBatch, n - start);
    const hs = fwd.states(images.subarray(start * PIXELS, (start + B) * PIXELS), B); // T × B × H
    for (let b = 0; b < B; b++) {
      const i = start + b;
      finals.set(hs.subarray(((STEPS - 1) * B + b) * H, ((STEPS - 1) * B + b + 1) * H), i * H);
      if (i < c) for (let t = 0; t < STEPS; t++) steps.set(hs.subarray((t * B + b) * H, (t * B + b + 1) * H), (i * STEPS + t) * H);
    }
  }
  return { finals, steps, cloud: c };
}

/** Order units by the angle of their (axis 1, axis 2) loadings, so units that move together sit together. */
export function unitOrder(axes: Float32Array, H: number): number[] {
  const angle = (j: number) => Math.atan2(axes[H + j], axes[j]);
  return Array.from({ length: H }, (_, j) => j).sort((a, b) => angle(a) - angle(b));
}

/** Fit the map of a model over the probe images (n × 784) with their labels. */
export function fitHiddenMap(
  runtime: KernelRuntime,
  weights: Weights,
  images: Float32Array,
  labels: ArrayLike<number>,
  n: number,
  modelId: string,
  key: string,
): HiddenMap {
  const t0 = performance.now();
  const H = weights.hidden;
  const probe = probeStates(runtime, weights, images, n);
  const p = pca(probe.finals, n, H, 2);
  const basis = { hidden: H, mean: Float32Array.from(p.mean), axes: Float32Array.from(p.components) };
  const landmarks = projectStates(basis, probe.finals, n);
  const cloud = projectStates(basis, probe.steps, probe.cloud * STEPS);
  const total = p.totalVariance > 0 ? p.totalVariance : 1;
  return {
    ...basis,
    modelId,
    key,
    labels: Array.from(labels).slice(0, n),
    landmarks,
    cloud,
    cloudDigits: probe.cloud,
    explained: [p.variances[0] / total, p.variances[1] / total],
    unitOrder: unitOrder(basis.axes, H),
    fitMs: performance.now() - t0,
  };
}
