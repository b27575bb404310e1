/**
 * The one contract between the renderer and the main process: channel names,
 * request schemas (validated at runtime in main), response and event types.
 * The renderer imports types only; main imports the schemas.
 */
import { z } from 'zod';
import type { ModelVersion, TraceResult, TrainProgress, TrainSummary, CellType, BackendName, PathChoice, Verdict } from './types';
import { CELLS, CLASSES, EXPERIMENTS, PIXELS, SCHEDULES, STEPS, type Experiment } from './types';
import type { HiddenMap, TrainingMapFrame } from './projection';
import { CHANNEL_NAMES, type EVENT_NAMES } from './channels';
import { TRAIN_BOUNDS } from './training';
import type { CodedMessage, ErrorCode, ErrorParams } from './errors';

/** Exactly 784 finite numbers in [0, 1]. Length is checked before any element is read. */
export const Pixels = z
  .custom<number[]>((v) => Array.isArray(v) && v.length === PIXELS, { message: `expected an array of exactly ${PIXELS} numbers (28×28)` })
  .pipe(z.array(z.number().finite('expected finite numbers').min(0, 'pixel values must be ≥ 0').max(1, 'pixel values must be ≤ 1')));

/**
 * A string of at most `max` characters that matches `pattern`. The length is checked first and a
 * longer string stops there, so no pattern ever runs over an unbounded string.
 */
const matching = (max: number, pattern: RegExp, message: string) =>
  z
    .string({ error: message })
    .max(max, { abort: true, message: `${message} (at most ${max} characters)` })
    .regex(pattern, message);

/** A model version's id: v0001 and up for the person's versions, builtin and builtin-<name> for the shipped ones. */
export const VERSION_ID_RE = /^(v\d{4,12}|builtin(-[a-z]{2,12})?)$/;
/** The ids of the shipped models. */
export const BUILTIN_ID_RE = /^builtin(-[a-z]{2,12})?$/;

const VersionId = matching(24, VERSION_ID_RE, 'expected a model version id such as v0001, builtin or builtin-gru');

/** Largest file accepted in an upload (the largest weights.bin the app can make is about 17 MB). */
export const MAX_UPLOAD_BYTES = 24 * 1024 * 1024;

/** Largest message a client may send: an upload of the largest file as base64, with room for the two small ones. */
export const MAX_MESSAGE_BYTES = Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 2 * 1024 * 1024;

/** Largest message on every other channel: a request of 784 pixels written out in full is about 16 KB. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** Arrays and objects a message may open in all: the contract's largest request needs fewer than ten. */
export const MAX_CONTAINERS = 64;

/** Samples in one page of `samples:list`. */
export const SAMPLES_PAGE = 100;

const UploadedFileSchema = z.strictObject({
  name: z.string().min(1).max(255, { abort: true, message: 'file name is too long' }),
  base64: matching(Math.ceil(MAX_UPLOAD_BYTES / 3) * 4, /^[A-Za-z0-9+/]*={0,2}$/, `expected a file of at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB as base64`),
});
/** A file the person chose in the browser, as base64. */
export type UploadedFile = z.infer<typeof UploadedFileSchema>;
const Empty = z.strictObject({});

const int = (name: keyof typeof TRAIN_BOUNDS) =>
  z
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(TRAIN_BOUNDS[name].min, `${name} must be at least ${TRAIN_BOUNDS[name].min}`)
    .max(TRAIN_BOUNDS[name].max, `${name} must be at most ${TRAIN_BOUNDS[name].max}`);

/** Schema of each hyper-parameter, named as in TrainConfig. */
export const TrainFields = {
  cell: z.enum(CELLS, { error: `cell must be one of ${CELLS.join(', ')}` }),
  hidden: int('hidden'),
  epochs: int('epochs'),
  learningRate: z
    .number({ error: 'learningRate must be a number' })
    .finite('learningRate must be finite')
    .gt(TRAIN_BOUNDS.learningRate.min, `learningRate must be greater than ${TRAIN_BOUNDS.learningRate.min}`)
    .max(TRAIN_BOUNDS.learningRate.max, `learningRate must be at most ${TRAIN_BOUNDS.learningRate.max}`),
  batchSize: int('batchSize'),
  limit: int('limit'),
  seed: int('seed'),
  schedule: z.enum(SCHEDULES, { error: `schedule must be one of ${SCHEDULES.join(', ')}` }).optional(),
};

/** A whole TrainConfig, checked against the bounds. */
export const TrainConfigSchema = z.strictObject(TrainFields);

/** A training run the renderer asks for. In a fine-tune, cell and hidden are the active model's. */
export const TrainStart = z.strictObject({
  mode: z.enum(['scratch', 'finetune']),
  ...TrainFields,
  seed: TrainFields.seed.optional(),
});
export type TrainStartRequest = z.infer<typeof TrainStart>;

/** Request schema for each channel. */
export const requests = {
  'app:status': Empty,
  'model:predict': z.strictObject({ pixels: Pixels }),
  'model:trace': z.strictObject({ pixels: Pixels }),
  'train:start': TrainStart,
  'train:cancel': Empty,
  /** Stop after the current batch and keep the last finished epoch as a version. */
  'train:stop': Empty,
  'models:list': Empty,
  'models:activate': z.strictObject({ id: VersionId }),
  'models:delete': z.strictObject({ id: VersionId }),
  'models:export': z.strictObject({ id: VersionId }),
  'models:import': Empty,
  'models:upload': z.strictObject({
    files: z.array(UploadedFileSchema).min(1, 'choose model.json and weights.bin').max(3, 'upload at most model.json, weights.bin and manifest.json'),
  }),
  'dataset:info': Empty,
  'dataset:digits': z.strictObject({
    indices: z.array(z.number().int().min(0).max(9999)).max(200, 'ask for at most 200 digits at a time'),
  }),
  'eval:run': Empty,
  'eval:cancel': Empty,
  'samples:add': z.strictObject({
    pixels: Pixels,
    label: z
      .number()
      .int('label must be a digit 0-9')
      .min(0)
      .max(CLASSES - 1),
  }),
  'samples:list': z.strictObject({
    offset: z.number().int('offset must be a whole number').min(0, 'offset must be at least 0').max(1_000_000).optional(),
    limit: z
      .number()
      .int('limit must be a whole number')
      .min(1, 'limit must be at least 1')
      .max(SAMPLES_PAGE, `limit must be at most ${SAMPLES_PAGE}`)
      .optional(),
  }),
  'samples:delete': z.strictObject({ id: matching(40, /^s[0-9a-z]{6,32}$/, 'expected a sample id') }),
  'viz:map': z.strictObject({ id: VersionId.optional() }),
  'viz:importance': z.strictObject({ pixels: Pixels }),
  'viz:trace': z.strictObject({ id: VersionId, pixels: Pixels }),
  'viz:terms': z.strictObject({ pixels: Pixels }),
  'viz:experiment': z.strictObject({
    pixels: Pixels,
    kind: z.enum(EXPERIMENTS, { error: `kind must be one of ${EXPERIMENTS.join(', ')}` }),
    step: z
      .number()
      .int('step must be a whole number')
      .min(0, 'step must be at least 0')
      .max(STEPS - 1, `step must be at most ${STEPS - 1}`)
      .optional(),
    seed: z.number().int('seed must be a whole number').min(0).max(TRAIN_BOUNDS.seed.max).optional(),
  }),
} as const;

/** Every request/response channel name, `domain:verb`. */
export type Channel = keyof typeof requests;
export const CHANNELS: readonly Channel[] = CHANNEL_NAMES;

/** Summary of the model main is serving. */
export interface ActiveModel {
  id: string;
  cell: CellType;
  hidden: number;
  testAccuracy: number | null;
  createdAt: string;
  builtin: boolean;
}

/** What the status bar shows. */
export interface AppStatus {
  appVersion: string;
  backend: BackendName;
  tfjsVersion: string;
  runtime: string;
  active: ActiveModel | null;
  training: TrainStartRequest | null;
  /** The running job's training path, once chosen. */
  trainingPath: PathChoice | null;
  /** Problems met at start-up, such as a damaged model moved aside. */
  notices: string[];
}

/** Model output without the step-by-step record. */
export interface Prediction {
  probs: number[];
  prediction: number;
  /** Whether it looks like a digit; absent while the version's statistics are still being fitted. */
  verdict?: Verdict;
}

/** Test digits by index, for galleries. */
export interface Digits {
  digits: { index: number; label: number; pixels: number[] }[];
}

/** Evaluation of the active model on the full test set. */
export interface Evaluation {
  modelId: string;
  accuracy: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** For each true/predicted pair, up to 50 test indices. */
  examples: Record<string, number[]>;
  /** Predicted class per test digit. */
  predictions: number[];
}

/** Which rows mattered: for each of the 28 rows, how much blanking it lowers the predicted class's probability. */
export interface RowImportance {
  /** The class predicted for the whole input, and its probability. */
  prediction: number;
  probability: number;
  /** Probability of `prediction` with the row intact minus with it blanked (negative when blanking helps). */
  drops: number[];
  /**
   * Probability barely moves once the network is sure, so also: the drop of its margin
   * ln p(prediction) − ln(max other p) with each row blanked, in nats (negative when blanking helps).
   */
  marginDrops: number[];
  /** What the network predicts with each row blanked. */
  blankedPrediction: number[];
}

/** Each step's input term x·W + b and recurrent term of every gate block, for the equations panel. */
export interface CellTerms {
  cell: CellType;
  hidden: number;
  /** Gate blocks per step, in tfjs-layers order (GRU z r h, LSTM i f c o). */
  blocks: number;
  /** steps × blocks × hidden. */
  input: Float32Array;
  /** steps × blocks × hidden; for the GRU candidate block, (r⊙h)·U_h. */
  recurrent: Float32Array;
  /** The bias, blocks × hidden: part of `input`, the same at every step (x·W is input − bias). */
  bias: Float32Array;
}

/** A memory experiment to run on a drawing. */
export interface ExperimentSpec {
  kind: Experiment;
  /** For `forget`: the step before which the state is reset (default the middle). */
  step?: number;
  /** For `shuffled`: the seed of the order (default 1). */
  seed?: number;
}

/** The trace of a drawing under an experiment. */
export interface ExperimentResult {
  kind: Experiment;
  trace: TraceResult;
  /** The image row read at each step. */
  order: number[];
  /** For `forget`: the step before which the state was reset; else null. */
  resetAt: number | null;
}

/** A correct-and-teach drawing. */
export interface Sample {
  id: string;
  label: number;
  pixels: number[];
  createdAt: string;
}

/** One page of the samples, newest first. */
export interface SamplePage {
  /** Samples stored in all. */
  total: number;
  /** Position of the page's first sample among all, newest first. */
  offset: number;
  samples: Sample[];
}

/** Response type of each channel. */
export interface Responses {
  'app:status': AppStatus;
  'model:predict': Prediction;
  'model:trace': TraceResult;
  'train:start': { started: true };
  'train:cancel': { cancelled: boolean };
  /** `stopping`: a run was going and will end with its last finished epoch saved (none finished: nothing saved). */
  'train:stop': { stopping: boolean };
  'models:list': ModelVersion[];
  'models:activate': ModelVersion;
  'models:delete': { deleted: string };
  /** Desktop: the folder written; web: the files for the browser to download. */
  'models:export': { path: string } | { cancelled: true } | { download: { folder: string; files: UploadedFile[] } };
  'models:import': ModelVersion | { cancelled: true };
  'models:upload': ModelVersion;
  'dataset:info': { name: string; train: number; test: number; classes: number; dir: string };
  'dataset:digits': Digits;
  'eval:run': Evaluation;
  'eval:cancel': { cancelled: boolean };
  'samples:add': Sample;
  'samples:list': SamplePage;
  'samples:delete': { deleted: string };
  'viz:map': HiddenMap;
  'viz:importance': RowImportance;
  'viz:trace': TraceResult;
  'viz:terms': CellTerms;
  'viz:experiment': ExperimentResult;
}

/** Request type of each channel. */
export type Requests = { [C in Channel]: z.input<(typeof requests)[C]> };

/** A failed reply: the English message, and where known a stable code and its parameters for the renderer to word. */
export interface Failure {
  ok: false;
  error: string;
  code?: ErrorCode;
  params?: ErrorParams;
}

/** Every reply: the value, or a message a person can act on. */
export type Result<T> = { ok: true; value: T } | Failure;

/** Events main pushes to the renderer. */
export interface Events {
  'train:progress': TrainProgress;
  /** Which path trains the running job and why, sent once before its first batch. */
  'train:path': PathChoice;
  /**
   * `waitedSec`: seconds from the train:start request to this event, what a person waits for: the
   * trainer's start, loading MNIST, training, the test pass, saving and activating the version
   * (the summary's `elapsedSec` is the trainer's training time alone).
   */
  'train:done': { summary: TrainSummary; version: ModelVersion | null; waitedSec: number };
  /** `code` and `params` let the renderer word it (see errors.ts); `error` is the English text. */
  'train:error': CodedMessage;
  /** The probe set on the hidden-state map after each epoch of the running job. */
  'train:map': TrainingMapFrame;
  'models:changed': { active: ActiveModel | null };
}
export type EventName = keyof Events;

/** Validate a request; returns the parsed value or a message naming the field and what was expected. */
export function validateRequest<C extends Channel>(channel: C, payload: unknown): Result<z.output<(typeof requests)[C]>> {
  const schema = requests[channel];
  const r = schema.safeParse(payload === undefined ? {} : payload);
  if (r.success) return { ok: true, value: r.data as z.output<(typeof requests)[C]> };
  const first = r.error.issues.slice(0, 3).map((i) => {
    const field = i.path.length ? i.path.map((p) => String(p).slice(0, 40)).join('.') : 'payload';
    return `${field}: ${i.message}`;
  });
  // Keys and values of the request may appear in zod's messages: a long one is cut, not echoed back whole.
  const joined = first.join('; ');
  const detail = joined.length > 300 ? `${joined.slice(0, 299)}…` : joined;
  return { ok: false, error: `${channel}: invalid request: ${detail}`, code: 'invalidRequest', params: { channel, detail } };
}

/** True when `name` is a known channel. */
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}

// Compile-time check that channels.ts and the schemas name the same channels and events.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _channelsMatch: Same<(typeof CHANNEL_NAMES)[number], Channel> = true;
const _eventsMatch: Same<(typeof EVENT_NAMES)[number], EventName> = true;
void _channelsMatch;
void _eventsMatch;
