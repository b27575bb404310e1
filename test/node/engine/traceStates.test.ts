/**
 * Every per-step value the Tracer reports, checked against tfjs:
 *  - h_t at all 28 steps against the tfjs layer built with returnSequences;
 *  - the LSTM cell state c_t against the same layer with returnState, run on each prefix of the rows;
 *  - every gate against the cell's equations written out here with tfjs ops, fed with
 *    tfjs's own h_{t-1}; the same equations must rebuild tfjs's h_t, which pins the gate order.
 * Swapping two gates (or reporting a gate of the wrong step) fails these comparisons.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { createModel, LAYER } from '../../../src/node/engine/model/model';
import { Tracer } from '../../../src/node/engine/inference/trace';
import { CELLS, PIXELS, SIDE, type CellType, type TraceResult } from '../../../src/shared/types';
import { mnistSlice } from '../../helpers';

const H = 32;
const IMAGES = 4;
const TOL = 1e-5;

let ds: Dataset;
beforeAll(async () => {
  ds = await mnistSlice(1, IMAGES);
});

type GateName = 'i' | 'f' | 'o' | 'z' | 'r';
const GATE_NAMES: Record<CellType, GateName[]> = { rnn: [], lstm: ['i', 'f', 'o'], gru: ['z', 'r'] };

/** A model whose weights and biases are all non-trivial, so every term of every gate matters. */
function jittered(cell: CellType): tf.LayersModel {
  const m = createModel({ cell, hidden: H, seed: 13 });
  const noisy = m.getWeights().map((w, i) => tf.tidy(() => w.add(tf.randomNormal(w.shape, 0, 0.2, 'float32', 200 + i))));
  m.setWeights(noisy);
  noisy.forEach((t) => t.dispose());
  return m;
}

/** The tfjs layer of this cell, as createModel configures it, holding the model's recurrent weights. */
function tfjsLayer(cell: CellType, weights: tf.Tensor[], opts: { returnSequences?: boolean; returnState?: boolean }): tf.layers.Layer {
  const common = { units: H, recurrentInitializer: 'zeros' as const, activation: 'tanh' as const, ...opts };
  const layer =
    cell === 'rnn'
      ? tf.layers.simpleRNN(common)
      : cell === 'lstm'
        ? tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' })
        : tf.layers.gru({ ...common, recurrentActivation: 'sigmoid' });
  tf.tidy(() => layer.apply(tf.zeros([1, SIDE, SIDE])) as tf.Tensor); // build
  layer.setWeights(weights);
  return layer;
}

/** What tfjs says for one image: h_t for every step and, for an LSTM, c_t for every step (each steps × H). */
function tfjsStates(cell: CellType, weights: tf.Tensor[], pixels: Float32Array): { h: Float32Array; c?: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor3d(pixels, [1, SIDE, SIDE]);
    const seq = tfjsLayer(cell, weights, { returnSequences: true });
    const h = (seq.apply(x) as tf.Tensor).dataSync() as Float32Array;
    seq.dispose();
    if (cell !== 'lstm') return { h };
    const withState = tfjsLayer(cell, weights, { returnState: true });
    const c = new Float32Array(SIDE * H);
    for (let t = 0; t < SIDE; t++) {
      const [, , cT] = withState.apply(x.slice([0, 0, 0], [1, t + 1, SIDE])) as tf.Tensor[];
      c.set(cT.dataSync(), t * H);
    }
    withState.dispose();
    return { h, c };
  });
}

/**
 * The cell equations written out (tfjs-layers conventions: LSTM kernel blocks i f c o,
 * GRU blocks z r h with the reset applied before the recurrent product), driven by
 * the previous state from tfjs. Returns the gates at every step and the h_t they give.
 */
function writtenOut(cell: CellType, weights: tf.Tensor[], pixels: Float32Array, hPrev: Float32Array, cPrev?: Float32Array) {
  return tf.tidy(() => {
    const [W, U, b] = weights;
    const x = tf.tensor2d(pixels, [SIDE, SIDE]); // row t is x_t
    // h_{t-1} for t = 0..27: zeros, then tfjs's h_0..h_26.
    const hs = tf.concat([tf.zeros([1, H]), tf.tensor2d(hPrev, [SIDE, H]).slice([0, 0], [SIDE - 1, H])]);
    const gates: Partial<Record<GateName, Float32Array>> = {};
    let h: tf.Tensor;
    if (cell === 'rnn') {
      h = tf.tanh(
        x
          .matMul(W as tf.Tensor2D)
          .add(hs.matMul(U as tf.Tensor2D))
          .add(b),
      );
    } else if (cell === 'lstm') {
      const cs = tf.concat([tf.zeros([1, H]), tf.tensor2d(cPrev!, [SIDE, H]).slice([0, 0], [SIDE - 1, H])]);
      const zAll = x
        .matMul(W as tf.Tensor2D)
        .add(hs.matMul(U as tf.Tensor2D))
        .add(b);
      const [zi, zf, zc, zo] = tf.split(zAll, 4, 1);
      const i = tf.sigmoid(zi),
        f = tf.sigmoid(zf),
        g = tf.tanh(zc),
        o = tf.sigmoid(zo);
      const c = f.mul(cs).add(i.mul(g));
      h = o.mul(tf.tanh(c));
      gates.i = i.dataSync() as Float32Array;
      gates.f = f.dataSync() as Float32Array;
      gates.o = o.dataSync() as Float32Array;
    } else {
      const [Wz, Wr, Wh] = tf.split(W, 3, 1);
      const [Uz, Ur, Uh] = tf.split(U, 3, 1);
      const [bz, br, bh] = tf.split(b, 3, 0);
      const z = tf.sigmoid(x.matMul(Wz).add(hs.matMul(Uz)).add(bz));
      const r = tf.sigmoid(x.matMul(Wr).add(hs.matMul(Ur)).add(br));
      const cand = tf.tanh(x.matMul(Wh).add(r.mul(hs).matMul(Uh)).add(bh));
      h = z.mul(hs).add(tf.scalar(1).sub(z).mul(cand));
      gates.z = z.dataSync() as Float32Array;
      gates.r = r.dataSync() as Float32Array;
    }
    return { h: h.dataSync() as Float32Array, gates };
  });
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Worst difference between each reported gate and the written-out one. */
function gateErrors(cell: CellType, got: TraceResult['gates'], want: Partial<Record<GateName, Float32Array>>): Record<string, number> {
  expect(Object.keys(got ?? {}).sort()).toEqual([...GATE_NAMES[cell]].sort());
  return Object.fromEntries(GATE_NAMES[cell].map((g) => [g, maxAbsDiff(got![g]!, want[g]!)]));
}

describe('Tracer per-step states against tfjs', () => {
  it.each(CELLS)('%s: h_t, the LSTM cell state and every gate at every step, within 1e-5', (cell) => {
    const model = jittered(cell);
    const weights = model.getLayer(LAYER.recurrent).getWeights();
    const tracer = new Tracer(model);
    for (let n = 0; n < IMAGES; n++) {
      const pixels = ds.test.images.slice(n * PIXELS, (n + 1) * PIXELS);
      const got = tracer.trace(pixels);
      const ref = tfjsStates(cell, weights, pixels);
      const eq = writtenOut(cell, weights, pixels, ref.h, ref.c);

      // The written-out equations are tfjs's: they rebuild its h_t from its own h_{t-1}.
      expect(maxAbsDiff(eq.h, ref.h), 'written-out equations vs tfjs').toBeLessThan(TOL);

      expect(maxAbsDiff(got.h, ref.h), `h, image ${n}`).toBeLessThan(TOL);
      if (cell === 'lstm') {
        expect(maxAbsDiff(got.c!, ref.c!), `c, image ${n}`).toBeLessThan(TOL);
        // The cell state is not h under another name.
        expect(maxAbsDiff(ref.c!, ref.h)).toBeGreaterThan(0.01);
      } else {
        expect(got.c).toBeUndefined();
      }
      for (const [g, err] of Object.entries(gateErrors(cell, got.gates, eq.gates))) expect(err, `gate ${g}, image ${n}`).toBeLessThan(TOL);

      // Two gates swapped, or a gate reported one step late, is caught by the same comparison.
      const names = GATE_NAMES[cell];
      for (let a = 0; a < names.length; a++)
        for (let b = a + 1; b < names.length; b++) {
          const swapped = { ...got.gates, [names[a]]: got.gates![names[b]], [names[b]]: got.gates![names[a]] };
          const errs = gateErrors(cell, swapped, eq.gates);
          expect(Math.max(errs[names[a]], errs[names[b]]), `${names[a]}⇄${names[b]}`).toBeGreaterThan(100 * TOL);
        }
      for (const g of names) {
        const late = new Float32Array(SIDE * H);
        late.set(got.gates![g]!.subarray(0, (SIDE - 1) * H), H);
        expect(maxAbsDiff(late, eq.gates[g]!), `${g} one step late`).toBeGreaterThan(100 * TOL);
      }
    }
    model.dispose();
  });
});
