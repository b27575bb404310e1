/**
 * The one contract between the renderer and the main process: channel names,
 * request schemas (validated at runtime in main), response and event types.
 * The renderer imports types only; main imports the schemas.
 */
import { z } from 'zod';
import type { ModelVersion, TraceResult, TrainProgress, TrainSummary, CellType, BackendName } from './types';
import { CLASSES, PIXELS } from './types';
import { CHANNEL_NAMES, EVENT_NAMES } from './channels';


/** Exactly 784 finite numbers in [0, 1]. Length is checked before any element is read. */
export const Pixels = z
  .custom<number[]>((v) => Array.isArray(v) && v.length === PIXELS, { message: `expected an array of exactly ${PIXELS} numbers (28×28)` })
  .pipe(z.array(z.number().finite('expected finite numbers').min(0, 'pixel values must be ≥ 0').max(1, 'pixel values must be ≤ 1')));

const Cell = z.enum(['rnn', 'lstm', 'gru']);
const VersionId = z.string().regex(/^(v\d{4,}|builtin)$/, 'expected a model version id such as v0001 or builtin');
const Path = z.string().min(1, 'expected a folder path').max(4096, 'path is too long');
const Empty = z.strictObject({});

/** Hyper-parameters the renderer may choose. Bounds keep a run finite and memory-safe. */
export const TrainStart = z.strictObject({
  mode: z.enum(['scratch', 'finetune']),
  cell: Cell,
  hidden: z.number().int('hidden must be a whole number').min(8).max(512),
  epochs: z.number().int('epochs must be a whole number').min(1).max(100),
  learningRate: z.number().finite().gt(0).max(0.1),
  batchSize: z.number().int().min(8).max(1024),
  /** Training samples to use, 0 for all 60,000. */
  limit: z.number().int().min(0).max(60000),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});
export type TrainStartRequest = z.infer<typeof TrainStart>;

/** Request schema for each channel. */
export const requests = {
  'app:status': Empty,
  'model:predict': z.strictObject({ pixels: Pixels }),
  'model:trace': z.strictObject({ pixels: Pixels }),
  'train:start': TrainStart,
  'train:cancel': Empty,
  'models:list': Empty,
  'models:activate': z.strictObject({ id: VersionId }),
  'models:delete': z.strictObject({ id: VersionId }),
  'models:export': z.strictObject({ id: VersionId, dest: Path.optional() }),
  'models:import': z.strictObject({ src: Path.optional() }),
  'dataset:info': Empty,
  'dataset:digits': z.strictObject({
    indices: z.array(z.number().int().min(0).max(9999)).max(200, 'ask for at most 200 digits at a time'),
  }),
  'eval:run': Empty,
  'samples:add': z.strictObject({ pixels: Pixels, label: z.number().int('label must be a digit 0-9').min(0).max(CLASSES - 1) }),
  'samples:list': Empty,
  'samples:delete': z.strictObject({ id: z.string().regex(/^s[0-9a-z]{6,32}$/, 'expected a sample id') }),
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
  /** Problems met at start-up, such as a damaged model moved aside. */
  notices: string[];
}

/** Model output without the step-by-step record. */
export interface Prediction {
  probs: number[];
  prediction: number;
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

/** A correct-and-teach drawing. */
export interface Sample {
  id: string;
  label: number;
  pixels: number[];
  createdAt: string;
}

/** Response type of each channel. */
export interface Responses {
  'app:status': AppStatus;
  'model:predict': Prediction;
  'model:trace': TraceResult;
  'train:start': { started: true };
  'train:cancel': { cancelled: boolean };
  'models:list': ModelVersion[];
  'models:activate': ModelVersion;
  'models:delete': { deleted: string };
  'models:export': { path: string } | { cancelled: true };
  'models:import': ModelVersion | { cancelled: true };
  'dataset:info': { name: string; train: number; test: number; classes: number; dir: string };
  'dataset:digits': Digits;
  'eval:run': Evaluation;
  'samples:add': Sample;
  'samples:list': Sample[];
  'samples:delete': { deleted: string };
}

/** Request type of each channel. */
export type Requests = { [C in Channel]: z.input<(typeof requests)[C]> };

/** Every reply: the value, or a message a person can act on. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** Events main pushes to the renderer. */
export interface Events {
  'train:progress': TrainProgress;
  'train:done': { summary: TrainSummary; version: ModelVersion | null };
  'train:error': { error: string };
  'models:changed': { active: ActiveModel | null };
}
export type EventName = keyof Events;
export const EVENTS: readonly EventName[] = EVENT_NAMES;

/** Validate a request; returns the parsed value or a message naming the field and what was expected. */
export function validateRequest<C extends Channel>(channel: C, payload: unknown): Result<z.output<(typeof requests)[C]>> {
  const schema = requests[channel];
  const r = schema.safeParse(payload === undefined ? {} : payload);
  if (r.success) return { ok: true, value: r.data as z.output<(typeof requests)[C]> };
  const first = r.error.issues.slice(0, 3).map((i) => {
    const field = i.path.length ? i.path.join('.') : 'payload';
    return `${field}: ${i.message}`;
  });
  return { ok: false, error: `${channel}: invalid request: ${first.join('; ')}` };
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
