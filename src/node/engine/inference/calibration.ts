/** Calibrated probabilities: temperature scaling and the expected calibration error. */
import { CLASSES } from '../../../shared/types';

/** softmax(log p / T): probabilities recalibrated by temperature T. */
export function calibrate(probs: ArrayLike<number>, T: number, out = new Float64Array(CLASSES)): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < CLASSES; k++) max = Math.max(max, Math.log(Math.max(probs[k], 1e-38)) / T);
  let sum = 0;
  for (let k = 0; k < CLASSES; k++) sum += out[k] = Math.exp(Math.log(Math.max(probs[k], 1e-38)) / T - max);
  for (let k = 0; k < CLASSES; k++) out[k] /= sum;
  return out;
}

/** Expected calibration error over 15 equal-width bins of the top probability. */
export function calibrationError(probs: ArrayLike<number>, labels: ArrayLike<number>, n: number): number {
  const bins = 15;
  const conf = new Float64Array(bins),
    right = new Float64Array(bins),
    count = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let j = 1; j < CLASSES; j++) if (probs[i * CLASSES + j] > probs[i * CLASSES + k]) k = j;
    const p = probs[i * CLASSES + k];
    const b = Math.min(bins - 1, Math.floor(p * bins));
    conf[b] += p;
    right[b] += Number(k === labels[i]);
    count[b]++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]) ece += (count[b] / n) * Math.abs(conf[b] / count[b] - right[b] / count[b]);
  return ece;
}

/** The temperature that minimises the negative log-likelihood of `labels` (golden-section search on log T). */
export function fitTemperature(probs: Float32Array, labels: ArrayLike<number>, n: number): number {
  // log p once; each evaluation is then a log-sum-exp of log p / T per digit.
  const logp = new Float64Array(n * CLASSES);
  for (let i = 0; i < n * CLASSES; i++) logp[i] = Math.log(Math.max(probs[i], 1e-38));
  const nll = (logT: number) => {
    const inv = Math.exp(-logT);
    let s = 0;
    for (let i = 0, o = 0; i < n; i++, o += CLASSES) {
      let max = -Infinity;
      for (let k = 0; k < CLASSES; k++) max = Math.max(max, logp[o + k] * inv);
      let sum = 0;
      for (let k = 0; k < CLASSES; k++) sum += Math.exp(logp[o + k] * inv - max);
      s -= Math.max(logp[o + labels[i]] * inv - max - Math.log(sum), Math.log(1e-12));
    }
    return s / n;
  };
  let a = Math.log(0.05),
    b = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a),
    d = a + g * (b - a);
  let fc = nll(c),
    fd = nll(d);
  for (let it = 0; it < 60; it++) {
    if (fc < fd) {
      [b, d, fd] = [d, c, fc];
      c = b - g * (b - a);
      fc = nll(c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + g * (b - a);
      fd = nll(d);
    }
  }
  return Math.exp((a + b) / 2);
}
