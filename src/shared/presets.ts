/** Training presets the app offers, shared by the renderer and the bench. */
import type { TrainStartRequest } from './contract';
import { FINETUNE, TUTORIAL_CONFIG as T } from './training';

export interface Preset {
  id: 'quick' | 'tutorial';
  label: string;
  /** One line on what it gives, from measurements in docs/BENCHMARKS.md. */
  blurb: string;
  request: TrainStartRequest;
}

/**
 * Quick: GRU-64, batch 64, one cycle up to 0.02 and down again over 35,000 digits, then one
 * evaluation on all 10,000 test digits. The winner of the sweep in docs/BENCHMARKS.md
 * (`bench/ttaSweep.ts`: cell, size, batch, peak rate, schedule and length). The blurb quotes what
 * a person waits for: `npm run bench` times it through the services as the app starts a run, from
 * the `train:start` request to `train:done` (test/shared/presets.test.ts holds it to the table). Tutorial: the classic setup,
 * SimpleRNN-128, Adam 0.001, 30 epochs, constant rate.
 */
export const PRESETS: Preset[] = [
  {
    id: 'quick',
    label: 'Quick retrain',
    blurb: 'GRU-64, one cycle to 0.02 over 35,000 digits: 97% test accuracy about 4 s after you click Train',
    request: { mode: 'scratch', cell: 'gru', hidden: 64, epochs: 1, learningRate: 0.02, batchSize: 64, limit: 35_000, schedule: 'onecycle' },
  },
  {
    id: 'tutorial',
    label: 'Tutorial',
    blurb: 'SimpleRNN-128, 30 epochs, learning rate 0.001, as in “MNIST with RNN”',
    request: {
      mode: 'scratch',
      cell: T.cell,
      hidden: T.hidden,
      epochs: T.epochs,
      learningRate: T.learningRate,
      batchSize: T.batchSize,
      limit: T.limit,
      schedule: 'constant',
    },
  },
];

export const QUICK_RETRAIN = PRESETS[0].request;

/** Fine-tuning: one short pass at a low rate over FINETUNE.mnistDigits MNIST digits mixed with the person's samples. */
export const FINETUNE_REQUEST: Partial<TrainStartRequest> = { epochs: 1, learningRate: 0.0005, limit: FINETUNE.mnistDigits, schedule: 'constant' };
