/**
 * The three cells written out step by step in tfjs ops, for tests: tf.grads then gives
 * ∂L/∂h_t at every step, which tfjs's own layers keep inside their loop. Each step's state
 * gets a zero-valued variable δ_t added (h_t' = h_t + δ_t), so ∂L/∂δ_t = ∂L/∂h_t.
 */
import * as tf from '@tensorflow/tfjs';
import { readShape } from '../../../src/shared/reads';
import type { Weights } from '../../../src/node/engine/model/weights';

/** The loss (summed over the batch: each sample's own gradient) and ‖∂L/∂h_t‖, T × B time-major, for sequence-ordered images. */
export function unrolledGradNorms(w: Weights, images: Float32Array, labels: ArrayLike<number>, B: number): { loss: number; norms: Float32Array } {
  const { steps: T, inputs: I } = readShape(w.read);
  const H = w.hidden;
  return tf.tidy(() => {
    const X = tf.tensor3d(images.subarray(0, B * T * I), [B, T, I]);
    const W = tf.tensor2d(w.W, [I, w.W.length / I]);
    const U = tf.tensor2d(w.U, [H, w.U.length / H]);
    const b = tf.tensor1d(w.b);
    const Wd = tf.tensor2d(w.Wd, [H, 10]);
    const bd = tf.tensor1d(w.bd);
    const ys = tf.oneHot(tf.tensor1d(Array.from(labels).slice(0, B), 'int32'), 10);
    const deltas = Array.from({ length: T }, () => tf.variable(tf.zeros([B, H])));
    const block = (m: tf.Tensor2D | tf.Tensor1D, k: number) =>
      (m.rank === 2 ? (m as tf.Tensor2D).slice([0, k * H], [-1, H]) : (m as tf.Tensor1D).slice(k * H, H)) as tf.Tensor2D;
    const loss = () => {
      let h = tf.zeros([B, H]) as tf.Tensor2D;
      let c = tf.zeros([B, H]) as tf.Tensor2D;
      for (let t = 0; t < T; t++) {
        const x = X.slice([0, t, 0], [B, 1, I]).reshape([B, I]) as tf.Tensor2D;
        if (w.cell === 'rnn') h = tf.tanh(x.matMul(W).add(h.matMul(U)).add(b)) as tf.Tensor2D;
        else if (w.cell === 'gru') {
          const z = tf.sigmoid(
            x
              .matMul(block(W, 0))
              .add(h.matMul(block(U, 0)))
              .add(block(b, 0)),
          );
          const r = tf.sigmoid(
            x
              .matMul(block(W, 1))
              .add(h.matMul(block(U, 1)))
              .add(block(b, 1)),
          );
          const hh = tf.tanh(
            x
              .matMul(block(W, 2))
              .add(block(b, 2))
              .add(r.mul(h).matMul(block(U, 2))),
          );
          h = z.mul(h).add(tf.scalar(1).sub(z).mul(hh));
        } else {
          const a = x.matMul(W).add(h.matMul(U)).add(b) as tf.Tensor2D;
          const i = tf.sigmoid(block(a, 0)),
            f = tf.sigmoid(block(a, 1)),
            g = tf.tanh(block(a, 2)),
            o = tf.sigmoid(block(a, 3));
          c = f.mul(c).add(i.mul(g));
          h = o.mul(tf.tanh(c));
        }
        h = h.add(deltas[t]);
      }
      const probs = tf.softmax(h.matMul(Wd).add(bd));
      return tf.metrics.categoricalCrossentropy(ys, probs).sum() as tf.Scalar;
    };
    const { value, grads } = tf.variableGrads(loss, deltas);
    const norms = new Float32Array(T * B);
    deltas.forEach((d, t) => {
      // In double precision: the parts of a vanished gradient square below float32's range.
      const g = grads[d.name].dataSync();
      for (let k = 0; k < B; k++) {
        let s = 0;
        for (let j = 0; j < H; j++) s += g[k * H + j] ** 2;
        norms[t * B + k] = Math.sqrt(s);
      }
    });
    const out = { loss: value.dataSync()[0], norms };
    deltas.forEach((d) => d.dispose());
    return out;
  });
}
