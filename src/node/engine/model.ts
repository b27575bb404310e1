/**
 * The tutorial's network: 28 steps of 28 pixels → one recurrent layer → dense
 * softmax over 10 classes. Models come from this factory, never from a module import.
 */
import * as tf from '@tensorflow/tfjs';
import { TRAIN_BOUNDS } from '../../shared/training';
import { CELLS, CLASSES, SIDE, type CellType } from '../../shared/types';

/** Options for createModel. */
export interface ModelOptions {
  cell: CellType;
  /** Hidden units, default 128. */
  hidden?: number;
  /** Seed for the weight initialisers, default 42. */
  seed?: number;
  /** 'zeros' skips the random initialisers when the weights are about to be replaced (loading). */
  initializer?: 'random' | 'zeros';
}

/** Names of the two layers; trace and the store rely on them. */
export const LAYER = { recurrent: 'recurrent', head: 'head' } as const;

/** Build an untrained model. */
export function createModel({ cell, hidden = 128, seed = 42, initializer = 'random' }: ModelOptions): tf.LayersModel {
  if (!CELLS.includes(cell)) throw new Error(`unknown cell "${cell}": expected ${CELLS.join(', ')}`);
  const { min, max } = TRAIN_BOUNDS.hidden;
  if (!Number.isInteger(hidden) || hidden < min || hidden > max) throw new Error(`hidden must be a whole number from ${min} to ${max}, got ${hidden}`);
  const zeros = initializer === 'zeros';
  const common = {
    name: LAYER.recurrent,
    units: hidden,
    inputShape: [SIDE, SIDE] as [number, number],
    kernelInitializer: zeros ? tf.initializers.zeros() : tf.initializers.glorotUniform({ seed }),
    recurrentInitializer: zeros ? tf.initializers.zeros() : tf.initializers.orthogonal({ seed: seed + 1, gain: 1 }),
  };
  const recurrent =
    cell === 'rnn'
      ? tf.layers.simpleRNN({ ...common, activation: 'tanh' })
      : cell === 'lstm'
        ? tf.layers.lstm({ ...common, activation: 'tanh', recurrentActivation: 'sigmoid', unitForgetBias: true })
        : tf.layers.gru({ ...common, activation: 'tanh', recurrentActivation: 'sigmoid' });
  const model = tf.sequential({ name: `rnn_lens_${cell}_${hidden}` });
  quietOrthogonal(() => model.add(recurrent));
  model.add(
    tf.layers.dense({
      name: LAYER.head,
      units: CLASSES,
      activation: 'softmax',
      kernelInitializer: zeros ? tf.initializers.zeros() : tf.initializers.glorotUniform({ seed: seed + 2 }),
    }),
  );
  return model;
}

/**
 * tfjs warns that the orthogonal initialiser is slow above 2,000 elements; for
 * 128×128 it takes milliseconds, so that one warning is dropped while weights are built.
 */
function quietOrthogonal(build: () => void): void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Orthogonal initializer')) return;
    warn(...args);
  };
  try {
    build();
  } finally {
    console.warn = warn;
  }
}

/** Read cell type and hidden size back from a model built by createModel. */
export function describeModel(model: tf.LayersModel): { cell: CellType; hidden: number } {
  const layer = model.getLayer(LAYER.recurrent);
  const cls = layer.getClassName();
  const cell: CellType | undefined = cls === 'SimpleRNN' ? 'rnn' : cls === 'LSTM' ? 'lstm' : cls === 'GRU' ? 'gru' : undefined;
  if (!cell) throw new Error(`layer "${LAYER.recurrent}" is a ${cls}, expected SimpleRNN, LSTM or GRU`);
  const config = layer.getConfig() as { units: number };
  return { cell, hidden: config.units };
}
