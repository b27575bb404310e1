/**
 * A second kernel instance on a worker thread, so one batch is split across
 * both cores. The main thread and the worker share buffers (weights in, batch
 * in, gradients out) and hand over with Atomics, so a step stays synchronous.
 * The worker body is plain JavaScript evaluated in the worker: it needs no
 * file on disk, whichever bundle or process starts it.
 */
import { Worker } from 'node:worker_threads';
import { kernelModule, STEP_ARG_B, stepArgs, toTimeMajor, type KernelLayout } from './recurrentKernel';

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { mod, layout, args, argB, sab } = workerData;
const x = new WebAssembly.Instance(mod, { env: { abort() { throw new Error('kernel abort'); } } }).exports;
const need = Math.ceil(layout.bytes / 65536) - x.memory.buffer.byteLength / 65536;
if (need > 0) x.memory.grow(need);
const ctrl = new Int32Array(sab.ctrl);
const loss = new Float64Array(sab.loss);
const o = layout.off;
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  seen = Atomics.load(ctrl, 0);
  if (seen < 0) break;
  const B = ctrl[2];
  const mem = new Uint8Array(x.memory.buffer);
  mem.set(new Uint8Array(sab.weights), layout.weights[0]);
  mem.set(new Uint8Array(sab.x, 0, layout.T * B * layout.I * 4), o.X);
  mem.set(new Uint8Array(sab.labels, 0, B), o.labels);
  args[argB] = B;
  loss[0] = x.trainStep(...args);
  new Uint8Array(sab.grads).set(mem.subarray(layout.grads[0], layout.grads[1]));
  ctrl[3] = new Int32Array(x.memory.buffer, o.correct, 1)[0];
  Atomics.store(ctrl, 1, seen);
  Atomics.notify(ctrl, 1);
}
`;

/** How long a step may take before the worker is declared lost. */
const STEP_TIMEOUT_MS = 60_000;

export class KernelWorker {
  readonly #worker: Worker;
  readonly #ctrl: Int32Array;
  readonly #loss: Float64Array;
  readonly #weights: Uint8Array;
  readonly #x: Float32Array;
  readonly #labels: Uint8Array;
  /** The worker's gradients, byte-for-byte in the layout's gradient range. */
  readonly grads: Float32Array;
  #seq = 0;
  #failure: Error | null = null;

  constructor(readonly layout: KernelLayout) {
    const { T, I, maxB } = layout;
    const sab = {
      ctrl: new SharedArrayBuffer(16),
      loss: new SharedArrayBuffer(8),
      weights: new SharedArrayBuffer(layout.weights[1] - layout.weights[0]),
      grads: new SharedArrayBuffer(layout.grads[1] - layout.grads[0]),
      x: new SharedArrayBuffer(T * maxB * I * 4),
      labels: new SharedArrayBuffer(maxB),
    };
    this.#ctrl = new Int32Array(sab.ctrl);
    this.#loss = new Float64Array(sab.loss);
    this.#weights = new Uint8Array(sab.weights);
    this.#x = new Float32Array(sab.x);
    this.#labels = new Uint8Array(sab.labels);
    this.grads = new Float32Array(sab.grads);
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { mod: kernelModule(), layout, args: stepArgs(layout, 0), argB: STEP_ARG_B, sab } });
    this.#worker.on('error', (err) => (this.#failure = err));
    this.#worker.unref();
  }

  /** Start a step on the worker: copy the weights (as bytes from the main kernel) and the batch. */
  start(weights: Uint8Array, images: Float32Array, labels: ArrayLike<number>, B: number): void {
    if (this.#failure) throw new Error(`the kernel worker failed: ${this.#failure.message}`);
    this.#weights.set(weights);
    toTimeMajor(images, B, this.#x, this.layout.T, this.layout.I);
    for (let i = 0; i < B; i++) this.#labels[i] = labels[i];
    this.#ctrl[2] = B;
    this.#seq++;
    Atomics.store(this.#ctrl, 0, this.#seq);
    Atomics.notify(this.#ctrl, 0);
  }

  /** Wait for the step started last; returns its summed loss and number correct. */
  finish(): { lossSum: number; correct: number } {
    const t0 = Date.now();
    while (Atomics.load(this.#ctrl, 1) !== this.#seq) {
      if (this.#failure) throw new Error(`the kernel worker failed: ${this.#failure.message}`);
      if (Date.now() - t0 > STEP_TIMEOUT_MS) throw new Error('the kernel worker stopped answering');
      Atomics.wait(this.#ctrl, 1, this.#seq - 1, 100);
    }
    return { lossSum: this.#loss[0], correct: this.#ctrl[3] };
  }

  terminate(): void {
    Atomics.store(this.#ctrl, 0, -1);
    Atomics.notify(this.#ctrl, 0);
    void this.#worker.terminate();
  }
}
