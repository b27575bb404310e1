/**
 * A second kernel instance on a worker thread (workerMain.ts), so one batch is
 * split across both cores (see threads.ts for how the thread starts).
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads';
import type { KernelLayout } from './layout';

/** What KernelWorker hands the thread. */
export interface WorkerData {
  mod: WebAssembly.Module;
  layout: KernelLayout;
  /** The Layout record's values, by field (see layout.ts). */
  header: Record<string, number>;
  sab: {
    ctrl: SharedArrayBuffer;
    loss: SharedArrayBuffer;
    weights: SharedArrayBuffer;
    grads: SharedArrayBuffer;
    x: SharedArrayBuffer;
    labels: SharedArrayBuffer;
    /** The last step's hidden states (B × H) of a forward-only pass. */
    last: SharedArrayBuffer;
  };
}

/**
 * ctrl[0]: step sequence number (−1 stops the thread); ctrl[1]: last step done;
 * ctrl[2]: batch size; ctrl[3]: correct predictions of the step; ctrl[4]: 1 once the thread is up;
 * ctrl[5]: what to run, one of MODE.
 */
export const CTRL = { seq: 0, done: 1, batch: 2, correct: 3, ready: 4, mode: 5 } as const;

/** A training step (gradients out), or a forward pass only (the last hidden states out). */
export const MODE = { train: 0, forward: 1 } as const;

/** How long the thread may take to start before it is declared lost (its error event cannot arrive while we wait). */
const START_TIMEOUT_MS = 15_000;

/** How long a step may take before the worker is declared lost. */
const STEP_TIMEOUT_MS = 60_000;

export class KernelWorker {
  readonly #worker: Worker;
  readonly #ctrl: Int32Array;
  readonly #loss: Float64Array;
  readonly #weights: Uint8Array;
  readonly #x: Float32Array;
  readonly #labels: Uint8Array;
  /** The last hidden states of the latest forward pass, B × H. */
  readonly last: Float32Array;
  /** The worker's gradients, byte-for-byte in the layout's gradient range. */
  readonly grads: Float32Array;
  #seq = 0;
  #failure: Error | null = null;

  constructor(
    readonly layout: KernelLayout,
    mod: WebAssembly.Module,
    header: Record<string, number>,
  ) {
    const { T, I, maxB } = layout;
    const sab = {
      ctrl: new SharedArrayBuffer(4 * Object.keys(CTRL).length),
      loss: new SharedArrayBuffer(8),
      weights: new SharedArrayBuffer(layout.weights[1] - layout.weights[0]),
      grads: new SharedArrayBuffer(layout.grads[1] - layout.grads[0]),
      x: new SharedArrayBuffer(T * maxB * I * 4),
      labels: new SharedArrayBuffer(maxB),
      last: new SharedArrayBuffer(maxB * layout.H * 4),
    };
    this.#ctrl = new Int32Array(sab.ctrl);
    this.#loss = new Float64Array(sab.loss);
    this.#weights = new Uint8Array(sab.weights);
    this.#x = new Float32Array(sab.x);
    this.#labels = new Uint8Array(sab.labels);
    this.grads = new Float32Array(sab.grads);
    this.last = new Float32Array(sab.last);
    const data: WorkerData = { mod, layout, header, sab };
    this.#worker = startWorker('kernel-worker', data);
    this.#worker.on('error', (err) => (this.#failure = err));
    this.#worker.unref();
  }

  /** Start a step on the worker: copy the weights (as bytes from the main kernel) and the batch. */
  start(weights: Uint8Array, images: Float32Array, labels: ArrayLike<number>, B: number): void {
    for (let i = 0; i < B; i++) this.#labels[i] = labels[i];
    this.#run(MODE.train, weights, images, B);
  }

  /** Start a forward pass on the worker; after finish(), `last` holds the last step's hidden states. */
  startForward(weights: Uint8Array, images: Float32Array, B: number): void {
    this.#run(MODE.forward, weights, images, B);
  }

  #run(mode: number, weights: Uint8Array, images: Float32Array, B: number): void {
    if (this.#failure) throw new Error(`the kernel worker failed: ${this.#failure.message}`);
    this.#weights.set(weights);
    this.#x.set(images.subarray(0, B * this.layout.T * this.layout.I));
    this.#ctrl[CTRL.mode] = mode;
    this.#ctrl[CTRL.batch] = B;
    this.#seq++;
    Atomics.store(this.#ctrl, CTRL.seq, this.#seq);
    Atomics.notify(this.#ctrl, CTRL.seq);
  }

  /** Wait for the step started last; returns its summed loss and number correct. */
  finish(): { lossSum: number; correct: number } {
    const t0 = Date.now();
    while (Atomics.load(this.#ctrl, CTRL.done) !== this.#seq) {
      if (this.#failure) throw new Error(`the kernel worker failed: ${this.#failure.message}`);
      if (Date.now() - t0 > STEP_TIMEOUT_MS) throw new Error('the kernel worker stopped answering');
      if (!Atomics.load(this.#ctrl, CTRL.ready) && Date.now() - t0 > START_TIMEOUT_MS) throw new Error('the kernel worker thread did not start');
      Atomics.wait(this.#ctrl, CTRL.done, this.#seq - 1, 100);
    }
    return { lossSum: this.#loss[0], correct: this.#ctrl[CTRL.correct] };
  }

  terminate(): void {
    Atomics.store(this.#ctrl, CTRL.seq, -1);
    Atomics.notify(this.#ctrl, CTRL.seq);
    void this.#worker.terminate();
  }
}
