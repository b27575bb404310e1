/**
 * Messages between main and the trainer process. Main checks every message the
 * trainer sends against these schemas before acting on it, as it checks the
 * renderer's requests against the contract.
 */
import { z } from 'zod';
import type { TrainStartRequest } from '../../shared/contract';
import type { PathChoice, TrainProgress, TrainSummary } from '../../shared/types';
import type { JobSpec } from '../engine/training/job';

/** Main → trainer: run one training job. */
export interface StartMessage {
  type: 'start';
  job: JobSpec;
  /** Folder with the MNIST-layout IDX files. */
  dataDir: string;
  datasetName: string;
  /** The renderer's request, echoed in the app status while the job runs. */
  request?: TrainStartRequest;
  /** Where the measured training paths are remembered (see engine/pathChoice.ts), and the app version they hold for. */
  pathCache?: { file: string; version: string };
}

/** Main → trainer: stop after the current batch and send back the last finished epoch. */
export interface StopMessage {
  type: 'stop';
}

/** Any message main sends the trainer. */
export type ToTrainer = StartMessage | StopMessage;

const count = z.number().int().nonnegative();
const real = z.number().finite();
const seconds = z.number().nonnegative();

const BatchProgress = z.strictObject({
  kind: z.literal('batch'),
  epoch: count,
  epochs: count,
  batch: count,
  batches: count,
  loss: z.number(),
  accuracy: real,
  samplesPerSec: seconds,
  etaSec: z.number(),
  elapsedSec: seconds,
});

const EpochProgress = z.strictObject({
  kind: z.literal('epoch'),
  epoch: count,
  epochs: count,
  avgCost: z.number(),
  trainAccuracy: real,
  testAccuracy: real,
  samplesPerSec: seconds,
  elapsedSec: seconds,
});

const speed = z.number().finite().positive().optional();
const PathChoiceSchema = z.strictObject({
  path: z.enum(['kernels', 'tfjs']),
  reason: z.enum(['measured', 'cached', 'forced', 'only', 'default']),
  backend: z.enum(['tensorflow', 'wasm', 'cpu']),
  kernelsPerSec: speed,
  tfjsPerSec: speed,
});

const TrainSummarySchema = z.strictObject({
  epochs: z.array(EpochProgress),
  testAccuracy: real,
  cancelled: z.boolean(),
  path: z.enum(['kernels', 'tfjs']).nullable(),
  choice: PathChoiceSchema.nullable(),
  elapsedSec: seconds,
  samplesPerSec: seconds,
});

/** Model bytes travel as Uint8Array (structured clone keeps the type). */
const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');

/** Trainer → main. */
export const TrainerMessageSchema = z.discriminatedUnion('type', [
  /** Which path trains and why, once chosen, before the first batch. */
  z.strictObject({ type: z.literal('path'), choice: PathChoiceSchema }),
  z.strictObject({ type: z.literal('progress'), progress: z.discriminatedUnion('kind', [BatchProgress, EpochProgress]) }),
  z.strictObject({
    type: z.literal('done'),
    summary: TrainSummarySchema,
    backend: z.string().max(40),
    /** The training data as the manifest records it. */
    dataset: z.string().max(200),
    modelJson: Bytes.nullable(),
    weights: Bytes.nullable(),
  }),
  z.strictObject({ type: z.literal('error'), error: z.string().max(4000) }),
  z.strictObject({
    type: z.literal('map'),
    frame: z.strictObject({
      epoch: z.number().int().nonnegative(),
      landmarks: z.custom<Float32Array>(
        (v) => v instanceof Float32Array && v.length <= 2 * 10000 && v.every(Number.isFinite),
        'expected finite float32 points',
      ),
      labels: z.array(z.number().int().min(0).max(9)).max(10000),
      explained: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
      drift: z.number().finite().nonnegative().nullable(),
    }),
  }),
]);
export type TrainerMessage = z.infer<typeof TrainerMessageSchema>;
export type DoneMessage = Extract<TrainerMessage, { type: 'done' }>;

// The schemas describe the shared types exactly.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _progress: Same<z.infer<typeof BatchProgress> | z.infer<typeof EpochProgress>, TrainProgress> = true;
const _summary: Same<z.infer<typeof TrainSummarySchema>, TrainSummary> = true;
const _choice: Same<z.infer<typeof PathChoiceSchema>, PathChoice> = true;
void _choice;
void _progress;
void _summary;

/** Check a message from the trainer; returns a description of what was wrong instead of throwing. */
export function parseTrainerMessage(data: unknown): { ok: true; msg: TrainerMessage } | { ok: false; error: string } {
  const r = TrainerMessageSchema.safeParse(data);
  if (r.success) return { ok: true, msg: r.data };
  const i = r.error.issues[0];
  return { ok: false, error: `${i.path.join('.') || 'message'}: ${i.message}` };
}
