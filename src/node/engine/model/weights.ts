/**
 * A model's parameters as one record, by name: the one place where tfjs's positional
 * list of weights (and the order of weights.bin) becomes names and back.
 *   W  [inputs, G·H]  input kernel        U  [H, G·H]  recurrent kernel    b  [G·H]  bias
 *   Wd [H, 10]        dense head kernel   bd [10]      dense head bias
 * G is the number of gate blocks (1 SimpleRNN, 3 GRU z r h, 4 LSTM i f c o), side by side.
 */
import * as tf from '@tensorflow/tfjs';
import { describeModel, type ModelShape } from './model';
import { weightSpecs } from './format';

/** The parameter names, in tfjs's weight order (which is also the order of weights.bin). */
export const WEIGHT_NAMES = ['W', 'U', 'b', 'Wd', 'bd'] as const;
export type WeightName = (typeof WEIGHT_NAMES)[number];

/** A model's parameters by name, with the cell, size and read that give their shapes. */
export interface Weights extends Record<WeightName, Float32Array>, ModelShape {}

/** The shape of each parameter of a model of this cell, size and read. */
export function weightShapes({ cell, hidden, read }: ModelShape): Record<WeightName, number[]> {
  const specs = weightSpecs(cell, hidden, read);
  return Object.fromEntries(WEIGHT_NAMES.map((n, i) => [n, specs[i].shape])) as Record<WeightName, number[]>;
}

/** Name a list in tfjs order, checking each length against the shapes. The arrays are taken, not copied. */
export function namedWeights(shape: ModelShape, list: readonly Float32Array[]): Weights {
  const { cell, hidden, read } = shape;
  const shapes = weightShapes(shape);
  const what = `a ${cell}-${hidden} model reading ${read}`;
  if (list.length !== WEIGHT_NAMES.length) throw new Error(`${what} has ${WEIGHT_NAMES.length} weight arrays, got ${list.length}`);
  const w = { cell, hidden, read } as Weights;
  WEIGHT_NAMES.forEach((n, i) => {
    const size = shapes[n].reduce((a, b) => a * b, 1);
    if (list[i].length !== size) throw new Error(`weight ${n} of ${what} holds ${size} values, got ${list[i].length}`);
    w[n] = list[i];
  });
  return w;
}

/** The record as a list in tfjs order. */
export function weightList(w: Weights): Float32Array[] {
  return WEIGHT_NAMES.map((n) => w[n]);
}

/** A copy with arrays of its own. */
export function copyWeights(w: Weights): Weights {
  return namedWeights(
    w,
    WEIGHT_NAMES.map((n) => w[n].slice()),
  );
}

/** A copy of a model's weights. */
export function weightsOf(model: tf.LayersModel): Weights {
  return namedWeights(
    describeModel(model),
    model.getWeights().map((t) => (t.dataSync() as Float32Array).slice()),
  );
}

/** Put weights into a model of the same cell, size and read. */
export function setModelWeights(model: tf.LayersModel, w: Weights): void {
  const m = describeModel(model);
  if (m.cell !== w.cell || m.hidden !== w.hidden || m.read !== w.read)
    throw new Error(`weights of a ${w.cell}-${w.hidden} model reading ${w.read} do not fit a ${m.cell}-${m.hidden} model reading ${m.read}`);
  const shapes = weightShapes(m);
  const tensors = WEIGHT_NAMES.map((n) => tf.tensor(w[n], shapes[n], 'float32'));
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
}
