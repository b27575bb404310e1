/**
 * The kernel worker thread: a second kernel instance that takes part of every
 * batch. It shares buffers with the trainer thread (weights in, batch in,
 * gradients out) and hands over with Atomics, so a step stays synchronous on the
 * trainer's side. Started by KernelWorker; the shared layout is in WorkerData.
 */
import { workerData } from 'node:worker_threads';
import { CTRL, MODE, type WorkerData } from './kernelWorker';
import { instantiateKernel } from './runtime';

function serve({ mod, layout, header, sab }: WorkerData): void {
  const x = instantiateKernel(mod, layout, header);
  const ctrl = new Int32Array(sab.ctrl);
  const loss = new Float64Array(sab.loss);
  const o = layout.off;
  let seen = 0;
  Atomics.store(ctrl, CTRL.ready, 1);
  for (;;) {
    Atomics.wait(ctrl, CTRL.seq, seen);
    seen = Atomics.load(ctrl, CTRL.seq);
    if (seen < 0) break;
    const B = ctrl[CTRL.batch];
    const mem = new Uint8Array(x.memory.buffer);
    mem.set(new Uint8Array(sab.weights), layout.weights[0]);
    mem.set(new Uint8Array(sab.x, 0, layout.T * B * layout.I * 4), o.X);
    if (ctrl[CTRL.mode] === MODE.forward) {
      const { T, H } = layout;
      x.forwardAll(layout.header, B);
      new Float32Array(sab.last).set(new Float32Array(x.memory.buffer, o.Hs + (T - 1) * B * H * 4, B * H));
    } else {
      mem.set(new Uint8Array(sab.labels, 0, B), o.labels);
      loss[0] = x.trainStep(layout.header, B);
      new Uint8Array(sab.grads).set(mem.subarray(layout.grads[0], layout.grads[1]));
      ctrl[CTRL.correct] = new Int32Array(x.memory.buffer, o.correct, 1)[0];
    }
    Atomics.store(ctrl, CTRL.done, seen);
    Atomics.notify(ctrl, CTRL.done);
  }
}

if (workerData) serve(workerData as WorkerData);
