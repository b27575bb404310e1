/**
 * A fitted 2-D linear map of hidden states, and placing states on it. Pure
 * arithmetic so the renderer can place a drawing's 28 states without a round trip.
 */

/** The parts of a hidden-state map the renderer needs to place new states. */
export interface Basis {
  hidden: number;
  /** Mean state subtracted before projecting, length hidden. */
  mean: Float32Array;
  /** Two unit-length directions, 2 × hidden row-major. */
  axes: Float32Array;
}

/** Project `count` states (count × hidden, row-major) onto the basis: count × 2 (x, y). */
export function projectStates(basis: Basis, states: ArrayLike<number>, count: number): Float32Array {
  const H = basis.hidden;
  const out = new Float32Array(count * 2);
  const { mean, axes } = basis;
  for (let s = 0; s < count; s++) {
    let x = 0,
      y = 0;
    const o = s * H;
    for (let j = 0; j < H; j++) {
      const v = states[o + j] - mean[j];
      x += v * axes[j];
      y += v * axes[H + j];
    }
    out[2 * s] = x;
    out[2 * s + 1] = y;
  }
  return out;
}

/** How a map lays states out: PCA (the two directions the states vary most) or Fisher's discriminant (two that part the digits). */
export type ProjectionKind = 'pca' | 'lda';

/** One way of laying out the probe set, with the places it gives. */
export interface Projection extends Basis {
  kind: ProjectionKind;
  /** Final state of each probe digit on the map, n × 2. */
  landmarks: Float32Array;
  /** Every step of the first `cloudDigits` probe digits on the map, (cloudDigits × steps) × 2, drawn faded. */
  cloud: Float32Array;
  /**
   * How well it parts the digits: the share of a quarter of the probe digits whose 10 nearest
   * neighbours on the map (among the other three quarters, the projection fitted on those) are
   * mostly of their own class.
   */
  separation: number;
  /** PCA: the share of the final states' variance each axis holds; null for the discriminant. */
  explained: [number, number] | null;
}

/** The hidden-state map of one model version over the probe set of test digits: the projection that parts the digits better, and the other. */
export interface HiddenMap extends Projection {
  /** The other projection, for the switch. */
  other: Projection;
  /** Version id and a fingerprint of its weights, so a cached map is never used for other weights. */
  modelId: string;
  key: string;
  /** Probe digits are the first `labels.length` digits of the test set; labels[i] is digit i's class. */
  labels: number[];
  cloudDigits: number;
  /** Units in the order the heatmap shows them: by the angle of their loadings on the two axes. */
  unitOrder: number[];
  /** Milliseconds the fit took (tracing the probe set, PCA and the discriminant). */
  fitMs: number;
}

/** The probe set on the map before training (epoch 0) or after an epoch, aligned to the frame before it. */
export interface TrainingMapFrame {
  /** 0: the untrained model; then 1, 2, … */
  epoch: number;
  /** Final state of each probe digit, n × 2. */
  landmarks: Float32Array;
  /** Class of each probe digit (the first n test digits). */
  labels: number[];
  /** Share of the final states' variance each axis holds. */
  explained: [number, number];
  /** How far the class centres moved from the frame before, on average, in units of the frame's spread; null for the first. */
  drift: number | null;
}
