/** Messages between main and the trainer process. */
import type { TrainStartRequest } from '../../shared/contract';
import type { TrainConfig, TrainProgress, TrainSummary } from '../../shared/types';

/** Main → trainer: run one training job. */
export interface StartMessage {
  type: 'start';
  config: TrainConfig;
  /** Folder with the MNIST-layout IDX files. */
  dataDir: string;
  datasetName: string;
  /** Fine-tune these weights instead of starting fresh. */
  base?: { modelJson: Uint8Array; weights: Uint8Array };
  /** The user's own samples, mixed into the training set when fine-tuning. */
  samples?: { images: Float32Array; labels: Uint8Array };
  /** Evaluate on at most this many test digits per epoch (0 = all). */
  testLimit: number;
  /** The renderer's request, echoed in the app status while the job runs. */
  request?: TrainStartRequest;
}

/** Trainer → main. */
export type TrainerMessage =
  | { type: 'ready'; backend: string }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'done'; summary: TrainSummary; backend: string; modelJson: Uint8Array | null; weights: Uint8Array | null; trainSize: number }
  | { type: 'error'; error: string };
