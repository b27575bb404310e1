/**
 * Fit the hidden-state map of a model: trace a fixed probe set of test digits,
 * take PCA of their final states, and place the landmarks, a faded cloud of
 * every step and an order of units for the heatmap.
 */
import type { Basis, HiddenMap, Projection } from '../../../shared/projection';
import { projectStates } from '../../../shared/projection';
import { CLASSES, PIXELS, STEPS } from '../../../shared/types';
import { BatchForward } from '../inference/batchForward';
import type { KernelRuntime } from '../kernels/runtime';
import type { Weights } from '../model/weights';
import { fisher, knnAccuracy, type Discriminant } from './lda';
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

/** Discriminant directions tried, in pairs, for the map (the classes' between-class scatter has rank 9). */
const LDA_DIRECTIONS = 5;
/** The ridge added to the within-class scatter (relative to its mean variance); measured best of 0.01–0.3. */
const LDA_RIDGE = 0.1;
/** Of the probe digits, the share a projection is fitted on when its separation is measured; the rest are placed by it. */
const FIT_SHARE = 0.75;

/** Two of a discriminant's directions as a basis. */
function pairBasis(f: Discriminant, H: number, a: number, b: number): Basis {
  const axes = new Float32Array(2 * H);
  axes.set(f.axes.subarray(a * H, (a + 1) * H));
  axes.set(f.axes.subarray(b * H, (b + 1) * H), H);
  return { hidden: H, mean: Float32Array.from(f.mean), axes };
}

/** How well a basis separates: k-nearest-neighbour accuracy of the held points among the fitted ones. */
function separation(b: Basis, finals: Float32Array, labels: ArrayLike<number>, fit: number, n: number): number {
  const H = b.hidden;
  const held = finals.subarray(fit * H, n * H);
  return knnAccuracy(projectStates(b, finals, fit), labels, fit, projectStates(b, held, n - fit), Array.from(labels).slice(fit, n), n - fit);
}

/**
 * The supervised projection: the pair of Fisher discriminant directions whose 2-D layout
 * places held-back probe digits best (fitted on FIT_SHARE of them), refitted on all of them.
 */
function discriminant(finals: Float32Array, labels: ArrayLike<number>, n: number, H: number): { basis: Basis; separation: number } {
  const fit = Math.floor(n * FIT_SHARE);
  const k = Math.min(LDA_DIRECTIONS, CLASSES - 1, H);
  const inner = fisher(finals, labels, fit, H, CLASSES, k, LDA_RIDGE);
  let best = { a: 0, b: Math.min(1, k - 1), score: -1 };
  for (let a = 0; a < k; a++)
    for (let b = a + 1; b < k; b++) {
      const score = separation(pairBasis(inner, H, a, b), finals, labels, fit, n);
      if (score > best.score) best = { a, b, score };
    }
  return { basis: pairBasis(fisher(finals, labels, n, H, CLASSES, k, LDA_RIDGE), H, best.a, best.b), separation: best.score };
}

/** Fit the map of a model over the probe images (n × 784) with their labels: PCA and the discriminant, the better one first. */
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
  const place = (kind: Projection['kind'], basis: Basis, score: number, explained: [number, number] | null): Projection => ({
    kind,
    ...basis,
    landmarks: projectStates(basis, probe.finals, n),
    cloud: projectStates(basis, probe.steps, probe.cloud * STEPS),
    separation: score,
    explained,
  });
  const p = pca(probe.finals, n, H, 2);
  const pcaBasis = { hidden: H, mean: Float32Array.from(p.mean), axes: Float32Array.from(p.components) };
  const total = p.totalVariance > 0 ? p.totalVariance : 1;
  // PCA's separation is measured as the discriminant's is: fitted on the same share, placing the rest.
  const fit = Math.floor(n * FIT_SHARE);
  const inner = pca(probe.finals, fit, H, 2);
  const pcaScore = separation({ hidden: H, mean: Float32Array.from(inner.mean), axes: Float32Array.from(inner.components) }, probe.finals, labels, fit, n);
  const byPca = place('pca', pcaBasis, pcaScore, [p.variances[0] / total, p.variances[1] / total]);
  const lda = discriminant(probe.finals, labels, n, H);
  const byLda = place('lda', lda.basis, lda.separation, null);
  const [first, other] = byLda.separation > byPca.separation ? [byLda, byPca] : [byPca, byLda];
  return {
    ...first,
    other,
    modelId,
    key,
    labels: Array.from(labels).slice(0, n),
    cloudDigits: probe.cloud,
    unitOrder: unitOrder(pcaBasis.axes, H),
    fitMs: performance.now() - t0,
  };
}
