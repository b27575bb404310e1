/**
 * A worker thread for work on one model that would hold the main event loop too
 * long: fitting a hidden-state map, occlusion, tracing a large model, and the
 * gradient through time (a kernel's backward pass). Started
 * on first use. Jobs wait in a bounded queue on this side and go to the thread one
 * at a time, so a job whose caller has gone (its signal aborted) is dropped before
 * it costs anything, and a full queue answers "busy" instead of growing. A model's
 * weights cross to the thread only when the key of the model changes.
 */
import type { Worker } from 'node:worker_threads';
import type { CellTerms, ExperimentResult, ExperimentSpec, GradientThroughTime, RowImportance } from '../../../shared/contract';
import { CodedError } from '../../../shared/errors';
import type { HiddenMap } from '../../../shared/projection';
import type { TraceResult } from '../../../shared/types';
import { startWorker } from '../threads';
import type { Tracer } from '../inference/trace';
import type { KernelBuild } from '../kernels/runtime';
import type { VerdictStats } from '../inference/verdict';
import type { InkStats } from '../inference/inkStats';
import type { Weights } from '../model/weights';

/** What the thread is asked to do, about the model it holds. */
export type VizJob =
  | { kind: 'map'; modelId: string; dataDir: string; probe: number }
  | { kind: 'importance'; pixels: Float32Array }
  | { kind: 'trace'; pixels: Float32Array }
  | { kind: 'terms'; pixels: Float32Array }
  | { kind: 'experiment'; pixels: Float32Array; spec: ExperimentSpec }
  | { kind: 'gradient'; pixels: Float32Array; label?: number }
  | { kind: 'ink'; dataDir: string }
  | { kind: 'verdict'; dataDir: string; ink?: InkStats };

/** The answer to each kind of job. */
export interface VizAnswers {
  map: HiddenMap;
  importance: RowImportance;
  trace: TraceResult;
  terms: CellTerms;
  experiment: ExperimentResult;
  gradient: GradientThroughTime;
  ink: InkStats;
  verdict: VerdictStats;
}

/** One message to the thread: the job, the key of its model, and the weights when the thread does not hold them yet. */
export interface VizRequest {
  id: number;
  key: string;
  model?: Weights;
  job: VizJob;
}

export type VizReply = { id: number; ok: true; value: VizAnswers[keyof VizAnswers] } | { id: number; ok: false; error: string };

/** Jobs that may wait for the thread at once, from every client together. */
export const MAX_QUEUED = 16;

interface Queued {
  key: string;
  tracer: Tracer;
  job: VizJob;
  signal?: AbortSignal;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onAbort?: () => void;
}

const cancelled = (kind: string) => new CodedError('cancelled', `${kind}: cancelled: the page that asked has gone`, { channel: kind });

export class VizWorker {
  #worker: Worker | null = null;
  #next = 1;
  #queue: Queued[] = [];
  #running: (Queued & { id: number }) | null = null;
  /** The key of the model the thread holds. */
  #held: string | null = null;

  constructor(
    /** A name for messages ("visualisation", "trace"). */
    readonly name = 'visualisation',
    readonly maxQueued = MAX_QUEUED,
    /** The kernel build the thread runs (default: detected there). */
    private readonly build?: KernelBuild,
  ) {}

  /** Jobs waiting, not counting the one on the thread. */
  get queued(): number {
    return this.#queue.length;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const w = startWorker('viz-worker', { build: this.build });
    w.on('message', (r: VizReply) => {
      const job = this.#running;
      if (!job || job.id !== r.id) return;
      this.#running = null;
      if (r.ok) job.resolve(r.value);
      else job.reject(new Error(r.error));
      this.#pump();
    });
    const fail = (err: Error) => {
      if (this.#worker !== w) return;
      this.#worker = null;
      this.#held = null;
      const job = this.#running;
      this.#running = null;
      job?.reject(err);
      this.#pump();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the ${this.name} worker stopped (exit code ${code})`)));
    w.unref();
    this.#worker = w;
    return w;
  }

  /** Queue a job on the model `tracer` (named by `key`); rejects with 'busy' when the queue is full. */
  run<K extends VizJob['kind']>(tracer: Tracer, key: string, job: Extract<VizJob, { kind: K }>, signal?: AbortSignal): Promise<VizAnswers[K]> {
    if (signal?.aborted) return Promise.reject(cancelled(job.kind));
    if (this.#queue.length >= this.maxQueued) {
      const channel = `viz:${job.kind}`;
      return Promise.reject(
        new CodedError('busy', `${channel}: busy: ${this.maxQueued} requests are already waiting; try again when they finish`, {
          channel,
          limit: this.maxQueued,
        }),
      );
    }
    return new Promise<VizAnswers[K]>((resolve, reject) => {
      const q: Queued = { key, tracer, job, signal, resolve: resolve as (v: unknown) => void, reject };
      if (signal) {
        q.onAbort = () => {
          const i = this.#queue.indexOf(q);
          if (i < 0) return;
          this.#queue.splice(i, 1);
          reject(cancelled(job.kind));
        };
        signal.addEventListener('abort', q.onAbort, { once: true });
      }
      this.#queue.push(q);
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#running) return;
    const q = this.#queue.shift();
    if (!q) return;
    if (q.onAbort) q.signal!.removeEventListener('abort', q.onAbort);
    let w: Worker;
    try {
      w = this.#start();
    } catch (err) {
      q.reject(err instanceof Error ? err : new Error(String(err)));
      return this.#pump();
    }
    const id = this.#next++;
    this.#running = { ...q, id };
    const send = this.#held !== q.key;
    const req: VizRequest = { id, key: q.key, job: q.job, ...(send ? { model: q.tracer.snapshot() } : {}) };
    this.#held = q.key;
    w.postMessage(req);
  }

  fitMap(tracer: Tracer, modelId: string, key: string, dataDir: string, probe: number, signal?: AbortSignal): Promise<HiddenMap> {
    return this.run(tracer, key, { kind: 'map', modelId, dataDir, probe }, signal);
  }

  /** Row importance; `key` names the weights, so the thread reuses its kernel while it stays the same. */
  importance(tracer: Tracer, key: string, pixels: Float32Array, signal?: AbortSignal): Promise<RowImportance> {
    return this.run(tracer, key, { kind: 'importance', pixels }, signal);
  }

  /** Stop the thread; the job on it and those waiting fail. */
  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = null;
    this.#held = null;
    const err = new Error(`the ${this.name} worker was closed`);
    for (const q of this.#queue.splice(0)) q.reject(err);
    this.#running?.reject(err);
    this.#running = null;
    if (w) await w.terminate();
  }
}
