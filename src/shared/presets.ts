/** Training presets the app offers, shared by the renderer and the bench. */
import type { TrainStartRequest } from './contract';
import { FINETUNE } from './training';

export interface Preset {
  id: 'quick' | 'tutorial';
  label: string;
  /** One line on what it gives, from measurements in docs/BENCHMARKS.md. */
  blurb: string;
  request: TrainStartRequest;
}

/**
 * Quick: GRU-128 with Adam at 0.003 for 2 epochs. Measured (docs/BENCHMARKS.md, `npm run
 * bench -- --tta`, two cores, fused kernels): 0.97 test accuracy 31.5 s after the trainer
 * starts, counting MNIST loading; SimpleRNN at any constant rate tried stayed below 0.97
 * after 8 epochs. The blurb quotes that measurement (test/shared/presets.test.ts holds it
 * to the table). Tutorial: the classic setup, SimpleRNN-128, Adam 0.001, 30 epochs.
 */
export const PRESETS: Preset[] = [
  {
    id: 'quick',
    label: 'Quick retrain',
    blurb: 'GRU-128, 2 epochs, learning rate 0.003: 97% test accuracy after about 31 s',
    request: { mode: 'scratch', cell: 'gru', hidden: 128, epochs: 2, learningRate: 0.003, batchSize: 128, limit: 0 },
  },
  {
    id: 'tutorial',
    label: 'Tutorial',
    blurb: 'SimpleRNN-128, 30 epochs, learning rate 0.001, as in “MNIST with RNN”',
    request: { mode: 'scratch', cell: 'rnn', hidden: 128, epochs: 30, learningRate: 0.001, batchSize: 128, limit: 0, schedule: 'constant' },
  },
];

export const QUICK_RETRAIN = PRESETS[0].request;

/** Fine-tuning: one short pass at a low rate over FINETUNE.mnistDigits MNIST digits mixed with the person's samples. */
export const FINETUNE_REQUEST: Partial<TrainStartRequest> = { epochs: 1, learningRate: 0.0005, limit: FINETUNE.mnistDigits, schedule: 'constant' };
