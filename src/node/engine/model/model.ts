/**
 * The tutorial's network: 28 steps of 28 pixels (or another read of the digit: see
 * shared/reads.ts) → one recurrent layer → dense softmax over 10 classes. Models come from
 * this factory, never from a module import. The read is recorded in the model's own metadata,
 * so model.json says how its input is ordered.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_READ, parseRead, readShape, type Read } from '../../../shared/reads';
import { TRAIN_BOUNDS, TUTORIAL_CONFIG } from '../../../shared/training';
import { CELLS, CLASSES, type CellType } from '../../../shared/types';
import { initialWeights } from './initWeights';

/** What fixes a model's weights' shapes and how its input is fed: cell, size and read. */
export interface ModelShape {
  cell: CellType;
  hidden: number;
  read: Read;
}

/** Options for createModel. */
export interface ModelOptions {
  cell: CellType;
  /** Hidden units, default the tutorial's. */
  hidden?: number;
  /** How the network reads the digit, default rows. */
  read?: Read;
  /** Seed for the starting weights, default the tutorial's. */
  seed?: number;
  /** 'zeros' leaves the weights at zero when they are about to be replaced (loading). */
  initializer?: 'random' | 'zeros';
}

/** Names of the two layers; trace and the store rely on them. */
export const LAYER = { recurrent: 'recurrent', head: 'head' } as const;

/** Build an untrained model. */
export function createModel({
  cell,
  hidden = TUTORIAL_CONFIG.hidden,
  read = DEFAULT_READ,
  seed = TUTORIAL_CONFIG.seed,
  initializer = 'random',
}: ModelOptions): tf.LayersModel {
  if (!CELLS.includes(cell)) throw new Error(`unknown cell "${cell}": expected ${CELLS.join(', ')}`);
  const { min, max } = TRAIN_BOUNDS.hidden;
  if (!Number.isInteger(hidden) || hidden < min || hidden > max) throw new Error(`hidden must be a whole number from ${min} to ${max}, got ${hidden}`);
  const { steps, inputs } = readShape(parseRead(read));
  // Built with zeros; random starting weights come from initialWeights (see initWeights.ts for why not tfjs's initialisers).
  const common = {
    name: LAYER.recurrent,
    units: hidden,
    inputShape: [steps, inputs] as [number, number],
    kernelInitializer: tf.initializers.zeros(),
    recurrentInitializer: tf.initializers.zeros(),
  };
  const recurrent =
    cell === 'rnn'
      ? tf.layers.simpleRNN({ ...common, activation: 'tanh' })
      : cell === 'lstm'
        ? tf.layers.lstm({ ...common, activation: 'tanh', recurrentActivation: 'sigmoid', unitForgetBias: true })
        : tf.layers.gru({ ...common, activation: 'tanh', recurrentActivation: 'sigmoid' });
  const model = tf.sequential({ name: `rnn_lens_${cell}_${hidden}` });
  model.add(recurrent);
  model.add(tf.layers.dense({ name: LAYER.head, units: CLASSES, activation: 'softmax', kernelInitializer: tf.initializers.zeros() }));
  model.setUserDefinedMetadata({ read } satisfies ModelMetadata);
  if (initializer === 'random') {
    const shapes = model.getWeights().map((w) => w.shape);
    const tensors = initialWeights(cell, hidden, seed, inputs, steps).map((v, i) => tf.tensor(v, shapes[i]));
    model.setWeights(tensors);
    tensors.forEach((t) => t.dispose());
  }
  return model;
}

/** What model.json's `userDefinedMetadata` holds: the read (absent in files made before reads existed: rows). */
export interface ModelMetadata {
  read: Read;
}

/** Read cell type, hidden size and read back from a model built by createModel. */
export function describeModel(model: tf.LayersModel): ModelShape {
  const layer = model.getLayer(LAYER.recurrent);
  const cls = layer.getClassName();
  const cell: CellType | undefined = cls === 'SimpleRNN' ? 'rnn' : cls === 'LSTM' ? 'lstm' : cls === 'GRU' ? 'gru' : undefined;
  if (!cell) throw new Error(`layer "${LAYER.recurrent}" is a ${cls}, expected SimpleRNN, LSTM or GRU`);
  const config = layer.getConfig() as { units: number };
  const meta = model.getUserDefinedMetadata() as Partial<ModelMetadata> | undefined;
  return { cell, hidden: config.units, read: parseRead(meta?.read ?? DEFAULT_READ) };
}
