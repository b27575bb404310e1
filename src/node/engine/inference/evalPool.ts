/**
 * The evaluation threads: started on first use and kept, each holding its share
 * of the test set (as bytes) and a fused kernel per (cell, hidden) it has seen.
 * A call sends only the weights and gets the predicted classes back. Calls run
 * one at a time; a few may wait, more are refused as busy. A thread that stops
 * fails the call in flight with a coded error and the next call starts fresh ones.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CodedError } from '../../../shared/errors';
import type { KernelBuild } from '../kernels/runtime';
import { copyWeights, weightList, type Weights } from '../model/weights';
import { startWorker, type WorkerName } from '../threads';

/** Most threads an evaluation uses: each holds its own kernels, and the test set is only 10,000 digits. */
export const MAX_EVAL_THREADS = 4;
/** Digits per forward pass in each thread (the kernels' batch; 128–512 measure within noise, 256 bounds memory). */
export const EVAL_BATCH = 256;
/** Calls that may wait behind the one running; more are refused with 'busy'. */
export const MAX_WAITING = 4;

/** What each thread is started with: where the test set is and which share of it is its own. */
export interface EvalWorkerData {
  dataDir: string;
  /** This thread's index among `of`: it classifies batches [index·chunks/of, (index+1)·chunks/of). */
  index: number;
  of: number;
  batch: number;
  /** The kernel build the threads run (default: detected there). */
  build?: KernelBuild;
}

/** One call: the model's weights. */
export interface EvalRequest {
  id: number;
  weights: Weights;
}

export type EvalReply = { id: number; ok: true; start: number; predicted: Uint8Array; labels: Uint8Array } | { id: number; ok: false; error: string };

/** The predicted class of every test digit and the true labels. */
export interface EvalResult {
  predicted: Uint8Array;
  labels: Uint8Array;
}

export type StartWorker = (name: WorkerName, workerData: EvalWorkerData) => Worker;

export interface EvalPoolOptions {
  dataDir: string;
  /** Threads to split the test set across (default: the machine's parallelism, at most MAX_EVAL_THREADS). */
  threads?: number;
  batch?: number;
  /** How a thread is started (tests count or capture them). */
  start?: StartWorker;
  /** The kernel build the threads run. */
  build?: KernelBuild;
}

interface Job {
  weights: Weights;
  resolve: (r: EvalResult) => void;
  reject: (e: Error) => void;
  signal?: AbortSignal;
}

/** The error of a call cancelled by its caller. */
export function evalCancelled(): CodedError {
  return new CodedError('cancelled', 'eval:run: cancelled', { channel: 'eval:run' });
}

/** The error a call gets when a thread stopped under it, or the pool was closed. */
export function evalStopped(reason: string): CodedError {
  return new CodedError('evalStopped', `the evaluation thread stopped before it finished (${reason}); run the evaluation again`, { reason });
}

export class EvalPool {
  readonly dataDir: string;
  readonly threads: number;
  readonly batch: number;
  readonly build?: KernelBuild;
  readonly #start: StartWorker;
  #workers: Worker[] = [];
  #started = 0;
  #next = 1;
  #closed = false;
  /** The call in flight: its id, the shares still to come, and how to settle it. */
  #current: { id: number; job: Job; parts: Extract<EvalReply, { ok: true }>[] } | null = null;
  readonly #waiting: Job[] = [];

  constructor(opts: EvalPoolOptions) {
    this.dataDir = opts.dataDir;
    this.threads = Math.max(1, Math.min(MAX_EVAL_THREADS, Math.floor(opts.threads ?? availableParallelism())));
    this.batch = opts.batch ?? EVAL_BATCH;
    this.build = opts.build;
    this.#start = opts.start ?? ((name, data) => startWorker(name, data));
  }

  /** Threads started so far, over the pool's life (a warm call starts none). */
  get started(): number {
    return this.#started;
  }

  /** Threads running now. */
  get running(): number {
    return this.#workers.length;
  }

  /**
   * Classify the whole test set with these weights; queued behind a call in flight. Aborting
   * `signal` drops a waiting call, or stops the threads under a running one (the next call
   * starts fresh threads).
   */
  classify(weights: Weights, signal?: AbortSignal): Promise<EvalResult> {
    if (this.#closed) return Promise.reject(evalStopped('closed'));
    if (signal?.aborted) return Promise.reject(evalCancelled());
    if (this.#current && this.#waiting.length >= MAX_WAITING)
      return Promise.reject(
        new CodedError('busy', `eval:run: busy: ${MAX_WAITING} evaluations are already waiting; try again when they finish`, {
          channel: 'eval:run',
          limit: MAX_WAITING,
        }),
      );
    return new Promise((resolve, reject) => {
      const job: Job = { weights, resolve, reject, signal };
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.#waiting.indexOf(job);
          if (i >= 0) {
            this.#waiting.splice(i, 1);
            reject(evalCancelled());
          } else if (this.#current?.job === job) void this.#fail(evalCancelled());
        },
        { once: true },
      );
      this.#waiting.push(job);
      this.#pump();
    });
  }

  /** Start the threads now, so the first call finds them ready. */
  warm(): void {
    if (!this.#closed) this.#ensure();
  }

  /** Stop the threads; the call in flight and those waiting fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const err = evalStopped('closed');
    for (const job of this.#waiting.splice(0)) job.reject(err);
    await this.#fail(err);
  }

  #ensure(): Worker[] {
    if (this.#workers.length) return this.#workers;
    const workers: Worker[] = [];
    for (let index = 0; index < this.threads; index++) {
      const w = this.#start('eval-worker', { dataDir: this.dataDir, index, of: this.threads, batch: this.batch, build: this.build });
      this.#started++;
      w.on('message', (r: EvalReply) => this.#reply(r));
      w.on('error', (e) => this.#lost(w, e.message));
      w.on('messageerror', (e) => this.#lost(w, e.message));
      w.on('exit', (code) => this.#lost(w, `exit code ${code}`));
      w.unref();
      workers.push(w);
    }
    this.#workers = workers;
    return workers;
  }

  #pump(): void {
    if (this.#current || this.#closed) return;
    const job = this.#waiting.shift();
    if (!job) return;
    const id = this.#next++;
    this.#current = { id, job, parts: [] };
    try {
      for (const w of this.#ensure()) {
        // Held while a call is in flight, so a process that awaits it does not exit under it.
        w.ref();
        const weights = copyWeights(job.weights);
        w.postMessage(
          { id, weights } satisfies EvalRequest,
          weightList(weights).map((a) => a.buffer as ArrayBuffer),
        );
      }
    } catch (err) {
      void this.#fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #reply(r: EvalReply): void {
    const cur = this.#current;
    if (!cur || r.id !== cur.id) return;
    if (!r.ok) return this.#settle(new Error(`evaluation failed: ${r.error}`));
    cur.parts.push(r);
    if (cur.parts.length < this.#workers.length) return;
    const parts = cur.parts.sort((a, b) => a.start - b.start);
    const n = parts.reduce((s, p) => s + p.predicted.length, 0);
    const predicted = new Uint8Array(n),
      labels = new Uint8Array(n);
    for (const p of parts) {
      predicted.set(p.predicted, p.start);
      labels.set(p.labels, p.start);
    }
    this.#settle(null, { predicted, labels });
  }

  /** Settle the call in flight, let the threads idle without holding the process, and start the next call. */
  #settle(err: Error | null, result?: EvalResult): void {
    const cur = this.#current;
    if (!cur) return;
    this.#current = null;
    for (const w of this.#workers) w.unref();
    if (err) cur.job.reject(err);
    else cur.job.resolve(result!);
    this.#pump();
  }

  /** A thread stopped or failed: drop all of them (the next call starts fresh ones) and fail the call in flight. */
  #lost(w: Worker, reason: string): void {
    if (!this.#workers.includes(w)) return;
    void this.#fail(evalStopped(reason));
  }

  #fail(err: Error): Promise<unknown> {
    const workers = this.#workers;
    this.#workers = [];
    const stopped = Promise.all(workers.map((w) => w.terminate()));
    this.#settle(err);
    return stopped;
  }
}
