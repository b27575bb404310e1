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

/** The hidden-state map of one model version over the probe set of test digits. */
export interface HiddenMap extends Basis {
  /** Version id and a fingerprint of its weights, so a cached map is never used for other weights. */
  modelId: string;
  key: string;
  /** Probe digits are the first `labels.length` digits of the test set; labels[i] is digit i's class. */
  labels: number[];
  /** Final state of each probe digit on the map, n × 2. */
  landmarks: Float32Array;
  /** Every step of the first `cloudDigits` probe digits on the map, (cloudDigits × steps) × 2, drawn faded. */
  cloud: Float32Array;
  cloudDigits: number;
  /** Share of the final states' variance each axis holds. */
  explained: [number, number];
  /** Units in the order the heatmap shows them: by the angle of their loadings on the two axes. */
  unitOrder: number[];
  /** Milliseconds the fit took (tracing the probe set and the PCA). */
  fitMs: number;
}

/** The probe set on the map after one training epoch, aligned to the previous epoch's frame. */
export interface TrainingMapFrame {
  epoch: number;
  /** Final state of each probe digit, n × 2. */
  landmarks: Float32Array;
  /** Class of each probe digit (the first n test digits). */
  labels: number[];
  /** Share of the final states' variance each axis holds. */
  explained: [number, number];
}
